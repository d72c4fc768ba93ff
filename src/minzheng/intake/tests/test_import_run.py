"""``minzheng import DIR`` end to end on the hand-written archive (registry/tests/fixtures/archive):
printed lines, reports, rejects files, ImportRun rows, idempotence, whole-file rejection, formats."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.db import transaction

from minzheng.analytics import population
from minzheng.audit.models import AuditEvent
from minzheng.cli import main
from minzheng.core.models import Area, Household, HouseholdChange, HouseholdMember, Person
from minzheng.intake.actions import run_import
from minzheng.intake.models import ImportFile, ImportRun
from minzheng.registry.models import Enrollment

FIXTURE = Path(__file__).resolve().parents[2] / "registry" / "tests" / "fixtures" / "archive"

LINES = [
    "areas.csv: 读取 read 11，接收 taken 7（新增 new 5，更新 changed 0，未变 unchanged 2），拒绝 rejected 4",
    "registry_households.csv: 读取 read 8，接收 taken 3（新增 new 3，更新 changed 0，未变 unchanged 0），"
    "拒绝 rejected 5",
    "registry_members.csv: 读取 read 19，接收 taken 6（新增 new 6，更新 changed 0，未变 unchanged 0），"
    "拒绝 rejected 13，修正身份证号 IDs repaired 4",
    "registry_enrollments.csv: 读取 read 16，接收 taken 6（新增 new 6，更新 changed 0，未变 unchanged 0），"
    "拒绝 rejected 10，修正身份证号 IDs repaired 2",
    "population.csv: 读取 read 14，接收 taken 5（新增 new 5，更新 changed 0，未变 unchanged 0），拒绝 rejected 9，"
    "修正身份证号 IDs repaired 3，父母身份证号置空 parent IDs cleared 1",
]


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return Path(settings.DATA_DIR)


@pytest.fixture
def delivery(tmp_path: Path) -> Path:
    target = tmp_path / "delivery"
    shutil.copytree(FIXTURE, target)
    return target


def printed(out: str) -> list[str]:
    """The per-file lines without their timing."""
    return [line.rsplit("  [", 1)[0] for line in out.splitlines() if not line.startswith("报告")]


def report_dir(out: str) -> Path:
    line = next(line for line in out.splitlines() if line.startswith("报告 report: "))
    return Path(line.removeprefix("报告 report: ")).parent


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_cli_prints_one_line_per_file_and_the_report(
    db: None, data_dir: Path, delivery: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(delivery), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert printed(out) == LINES
    where = report_dir(out)
    assert where.parent == data_dir / "imports"
    assert sorted(p.name for p in where.iterdir()) == [
        "areas.csv.rejects.csv", "population.csv.rejects.csv", "registry_enrollments.csv.rejects.csv",
        "registry_households.csv.rejects.csv", "registry_members.csv.rejects.csv", "report.json", "report.txt",
    ]
    report = json.loads((where / "report.json").read_text(encoding="utf-8"))
    assert report["status"] == "succeeded"
    assert [(f["name"], f["status"], f["rows_read"], f["rows_taken"], f["rows_rejected"]) for f in report["files"]] == [
        ("areas.csv", "taken", 11, 7, 4),
        ("registry_households.csv", "taken", 8, 3, 5),
        ("registry_members.csv", "taken", 19, 6, 13),
        ("registry_enrollments.csv", "taken", 16, 6, 10),
        ("population.csv", "taken", 14, 5, 9),
    ]
    assert report["files"][2]["reasons"]["household_head_count"] == 1
    text = (where / "report.txt").read_text(encoding="utf-8")
    assert "registry_members.csv: 读取 read 19" in text and "    id_check_digit: 1" in text


def test_rejects_files_hold_the_original_columns_and_the_reason(db: None, data_dir: Path, delivery: Path) -> None:
    report = run_import(delivery, echo=lambda _: None, quiet=True)
    where = Path(report.report_dir)
    households = read_csv(where / "registry_households.csv.rejects.csv")
    assert list(households[0]) == ["household_id", "area_code", "address", "phone", "registered_date", "note",
                                   "row_number", "reason_code", "reason"]
    members = read_csv(where / "registry_members.csv.rejects.csv")
    assert [(m["row_number"], m["reason_code"]) for m in members][:4] == [
        ("7", "id_check_digit"), ("8", "id_birth_date"), ("9", "id_area_code"), ("10", "person_in_two_households"),
    ]
    assert members[0]["id_number"] == "210104199001010330"
    assert members[0]["reason"] == "身份证号校验码错误：210104199001010330"
    pop = read_csv(where / "population.csv.rejects.csv")
    assert [(p["row_number"], p["reason_code"]) for p in pop] == [
        ("3", "duplicate"), ("5", "sex_mismatch"), ("6", "birth_date_mismatch"), ("7", "area_code_invalid"),
        ("8", "id_check_digit"), ("9", "duplicate_conflict"), ("10", "birth_date_invalid"), ("11", "sex_invalid"),
        ("12", "id_empty"),
    ]
    run = ImportRun.objects.get()
    assert (run.run_id, run.status, run.actor_username) == (report.run_id, "succeeded", "system")
    files = {f.name: f for f in ImportFile.objects.filter(run=run)}
    members_file = files["registry_members.csv"]
    assert (members_file.kind, members_file.rows_read, members_file.rows_taken, members_file.rows_created,
            members_file.rows_rejected, members_file.ids_repaired) == ("registry_members", 19, 6, 6, 13, 4)
    assert members_file.report_path == str(where / "registry_members.csv.rejects.csv")
    assert len(members_file.sha256) == 64


def test_second_run_changes_nothing(
    db: None, data_dir: Path, delivery: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--quiet", "import", str(delivery)])
    capsys.readouterr()

    def state() -> tuple[int, ...]:
        return tuple(m.objects.count() for m in (Area, Person, Household, HouseholdMember, Enrollment,
                                                 HouseholdChange))

    before, events = state(), AuditEvent.objects.count()
    snapshot = population.snapshot_path(data_dir).stat().st_mtime_ns
    assert main(["--quiet", "import", str(delivery)]) == 0
    lines = printed(capsys.readouterr().out)
    assert lines[0:4] == [
        "areas.csv: 读取 read 11，接收 taken 7（新增 new 0，更新 changed 0，未变 unchanged 7），拒绝 rejected 4",
        "registry_households.csv: 读取 read 8，接收 taken 3（新增 new 0，更新 changed 0，未变 unchanged 3），"
        "拒绝 rejected 5",
        "registry_members.csv: 读取 read 19，接收 taken 6（新增 new 0，更新 changed 0，未变 unchanged 6），"
        "拒绝 rejected 13，修正身份证号 IDs repaired 4",
        "registry_enrollments.csv: 读取 read 16，接收 taken 6（新增 new 0，更新 changed 0，未变 unchanged 6），"
        "拒绝 rejected 10，修正身份证号 IDs repaired 2",
    ]
    assert lines[4].startswith("population.csv: 此前已导入（内容相同）already imported: 读取 read 14，接收 taken 5"
                               "（新增 new 0，更新 changed 0，未变 unchanged 5）")
    assert state() == before
    assert AuditEvent.objects.count() == events + 5  # one per file, none per household
    assert population.snapshot_path(data_dir).stat().st_mtime_ns == snapshot


def test_missing_column_rejects_the_file_and_the_run_goes_on(
    db: None, data_dir: Path, delivery: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = delivery / "registry_enrollments.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([r[:2] + r[3:] for r in rows])  # drop "programme"
    assert main(["--quiet", "import", str(delivery)]) == 2
    captured = capsys.readouterr()
    lines = printed(captured.out)
    assert lines[3] == ("registry_enrollments.csv: 整个文件被拒绝 — 缺少必需的列 missing required column: "
                        "programme")
    assert lines[2].startswith("registry_members.csv: 读取 read 19，接收 taken 6")
    assert lines[4].startswith("population.csv: 读取 read 14，接收 taken 5")
    assert "1 个文件被整体拒绝 file(s) rejected as a whole: registry_enrollments.csv" in captured.err
    assert not Enrollment.objects.exists()
    assert Household.objects.count() == 3
    assert ImportRun.objects.get().status == "with_errors"


def test_strangers_are_listed_not_failed(
    db: None, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "feeds"
    d.mkdir()
    (d / "truth.csv").write_text("a\n1\n", encoding="utf-8")
    (d / "notes.md").write_text("hello", encoding="utf-8")
    assert main(["--quiet", "import", str(d)]) == 0
    assert printed(capsys.readouterr().out) == ["truth.csv: 不是数据交换文件 — 已忽略 ignored"]


def test_two_versions_of_one_file_are_both_refused(
    db: None, data_dir: Path, delivery: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _to_parquet(delivery / "areas.csv", delivery / "areas.parquet")
    assert main(["--quiet", "import", str(delivery)]) == 2
    lines = printed(capsys.readouterr().out)
    assert lines[0].startswith("areas.csv: 整个文件被拒绝 — 同一文件有多个版本 areas.csv、areas.parquet")
    assert lines[1].startswith("areas.parquet: 整个文件被拒绝")


def test_missing_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["import", str(tmp_path / "nowhere")]) == 2
    assert "目录不存在 no such directory" in capsys.readouterr().err


def _to_parquet(src: Path, dst: Path) -> None:
    rows = list(csv.reader(src.open(encoding="utf-8", newline="")))
    header, body = rows[0], rows[1:]
    pq.write_table(pa.table({c: pa.array([r[i] for r in body], pa.string()) for i, c in enumerate(header)}), dst)


def _to_xlsx(src: Path, dst: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in csv.reader(src.open(encoding="utf-8", newline="")):
        ws.append(row)
    wb.save(dst)


class _Rollback(Exception):
    pass


def _outcome(delivery: Path, data_dir: Path, settings: Any) -> dict[str, Any]:
    """Import into a fresh data directory inside a transaction that is then rolled back."""
    settings.DATA_DIR = data_dir
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            report = run_import(delivery, echo=lambda _: None, quiet=True)
            result["lines"] = [f.line().rsplit("  [", 1)[0].split(": ", 1)[1] for f in report.files]
            result["rejects"] = {
                p.name.split(".")[0]: [dict(r) for r in read_csv(p)]
                for p in Path(report.report_dir).glob("*.rejects.csv")
            }
            result["people"] = sorted(Person.objects.values_list(
                "id_number", "name", "sex", "birth_date", "area_id", "monthly_income", "disability_type",
                "disability_grade", "serious_illness", "self_care"))
            result["members"] = sorted(HouseholdMember.objects.values_list(
                "household__household_no", "person__id_number", "relation", "start_date"))
            result["enrollments"] = sorted(Enrollment.objects.values_list(
                "source_key", "end_date", "monthly_amount"))
            con = duckdb.connect()
            result["population"] = con.execute(
                f"SELECT * EXCLUDE (source_row) FROM read_parquet('{population.snapshot_path(data_dir)}') "  # noqa: S608
                "ORDER BY id_number").fetchall()
            con.close()
            raise _Rollback
    except _Rollback:
        pass
    return result


def test_xlsx_and_parquet_give_the_same_result_as_csv(
    db: None, tmp_path: Path, delivery: Path, settings: Any
) -> None:
    converted: dict[str, Path] = {}
    for ext, convert in (("xlsx", _to_xlsx), ("parquet", _to_parquet)):
        d = tmp_path / ext
        d.mkdir()
        for src in delivery.glob("*.csv"):
            convert(src, d / f"{src.stem}.{ext}")
        converted[ext] = d
    expected = _outcome(delivery, tmp_path / "data-csv", settings)
    assert len(expected["people"]) == 7 and len(expected["rejects"]) == 5
    for ext, d in converted.items():
        got = _outcome(d, tmp_path / f"data-{ext}", settings)
        assert got == expected, ext


def test_each_file_is_one_audited_import(db: None, data_dir: Path, delivery: Path) -> None:
    report = run_import(delivery, echo=lambda _: None, quiet=True)
    files = AuditEvent.objects.filter(action="import", object_type="import_file").order_by("id")
    assert [e.object_id for e in files] == [
        f"{name}@{report.run_id}" for name in ("areas.csv", "registry_households.csv", "registry_members.csv",
                                               "registry_enrollments.csv", "population.csv")
    ]
    pop = files.last()
    assert pop is not None and pop.after is not None
    assert (pop.after["rows_read"], pop.after["rows_taken"], pop.after["parent_ids_cleared"]) == (14, 5, 1)

