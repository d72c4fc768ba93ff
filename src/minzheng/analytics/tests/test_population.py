"""Population intake into Parquet (no database): rules, rejects, de-duplication, delivery idempotence."""

from __future__ import annotations

import csv
import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from minzheng.analytics import population

TODAY = dt.date(2025, 6, 30)
COLUMNS = [*population.REQUIRED_COLUMNS, "remark"]
A = "210102197005010232"
Q = "21010219380203049X"
S = "210106198509090520"
Y = "210106198001010614"
N = "210102197506060422"
B = "21010219720809005X"

ROWS = [
    [A, "王建国", "男", "1970-05-01", "210102001001", "HN001", "", "", ""],
    ["210102380203049", "赵老汉", "男", "1938-02-03", "210102001002", "HN002", "", "", ""],
    [Q, "赵老汉", "男", "1938-02-03", "210102001002", "HN002", "", "", "again, 18 digits"],
    [S, "钱一", "女", "1985-09-09", "210106001001", "HN003", "12345", Y, ""],
    ["210106198610100543", "孙二", "男", "1986-10-10", "210106001001", "HN004", "", "", ""],
    ["210106198711110572", "孙三", "男", "1987-11-12", "210106001001", "HN005", "", "", ""],
    ["210106198812120593", "孙四", "男", "1988-12-12", "21010600100", "HN006", "", "", ""],
    ["210104199001010330", "刘一", "男", "1990-01-01", "210104001001", "HN007", "", "", ""],
    [A, "王建军", "男", "1970-05-01", "210102001001", "HN001", "", "", ""],
    [Y, "孙五", "男", "1980/01/01", "210106001001", "HN008", "", "", ""],
    ["21010619810101062X", "孙六", "F", "1981-01-01", "210106001001", "HN009", "", "", ""],
    ["", "无号", "男", "1990-01-01", "210106001001", "HN010", "", "", ""],
    [" ２１０１０２１９７５０６０６０４２２ ", " 孙一 ", "女", "1975-06-06", "210102001001", "HN011", "", "", ""],
    ["21010219720809005x", "李秀英", "男", "1972-08-09", "210102001001", "HN001", A, "99", ""],
    ["210102197506060422", "", "女", "1975-06-06", "210102001001", "HN011", "", "", ""],
]


def sql(query: str) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def stream(rows: list[list[str]] = ROWS) -> population.Batches:
    def batches() -> pa.RecordBatchReader:
        cols = {c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(COLUMNS)}
        cols[population.ROW_COLUMN] = pa.array(range(1, len(rows) + 1), pa.int64())
        table = pa.table(cols)
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=4))

    return batches


def intake(tmp_path: Path, rows: list[list[str]] = ROWS, sha: str = "a" * 64) -> population.PopulationResult:
    return population.intake(stream(rows), columns=COLUMNS, sha256=sha, data_dir=tmp_path,
                             rejects_csv=tmp_path / "rejects.csv", today=TODAY)


def test_counts_and_reasons(tmp_path: Path) -> None:
    r = intake(tmp_path)
    assert (r.rows_read, r.rows_taken, r.rows_rejected, r.ids_repaired, r.parent_ids_cleared) == (15, 5, 10, 3, 2)
    assert r.reasons == {
        "area_code_invalid": 1, "birth_date_invalid": 1, "birth_date_mismatch": 1, "duplicate": 1,
        "duplicate_conflict": 1, "id_check_digit": 1, "id_empty": 1, "name_empty": 1, "sex_invalid": 1,
        "sex_mismatch": 1,
    }
    assert not r.already_imported


def test_snapshot_rows(tmp_path: Path) -> None:
    intake(tmp_path)
    rows = sql(f"SELECT * FROM read_parquet('{population.snapshot_path(tmp_path)}') ORDER BY id_number")  # noqa: S608
    assert rows == [
        (Q, "赵老汉", "M", dt.date(1938, 2, 3), "210102001002", "HN002", None, None, 2),
        (A, "王建国", "M", dt.date(1970, 5, 1), "210102001001", "HN001", None, None, 1),
        (B, "李秀英", "M", dt.date(1972, 8, 9), "210102001001", "HN001", A, None, 14),
        (N, "孙一", "F", dt.date(1975, 6, 6), "210102001001", "HN011", None, None, 13),
        (S, "钱一", "F", dt.date(1985, 9, 9), "210106001001", "HN003", None, Y, 4),
    ]
    schema = sql(f"DESCRIBE SELECT * FROM read_parquet('{population.snapshot_path(tmp_path)}')")  # noqa: S608
    assert [(c[0], c[1]) for c in schema] == [
        ("id_number", "VARCHAR"), ("name", "VARCHAR"), ("sex", "VARCHAR"), ("birth_date", "DATE"),
        ("area_code", "VARCHAR"), ("household_no", "VARCHAR"), ("father_id_number", "VARCHAR"),
        ("mother_id_number", "VARCHAR"), ("source_row", "BIGINT"),
    ]


def test_rejects_file_keeps_the_original_row(tmp_path: Path) -> None:
    intake(tmp_path)
    with (tmp_path / "rejects.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [*COLUMNS, "row_number", "reason_code", "reason"]
    assert [(r["row_number"], r["reason_code"]) for r in rows] == [
        ("3", "duplicate"), ("5", "sex_mismatch"), ("6", "birth_date_mismatch"), ("7", "area_code_invalid"),
        ("8", "id_check_digit"), ("9", "duplicate_conflict"), ("10", "birth_date_invalid"), ("11", "sex_invalid"),
        ("12", "id_empty"), ("15", "name_empty"),
    ]
    assert rows[0]["remark"] == "again, 18 digits"
    assert rows[0]["reason"] == "重复记录（与先出现的行完全相同，已保留先出现的行）：与第 2 行为同一人"
    assert rows[5]["name"] == "王建军"
    assert rows[5]["reason"].startswith("同一身份证号出现多次且信息不一致")


def test_same_delivery_is_already_imported_and_a_new_one_replaces_it(tmp_path: Path) -> None:
    intake(tmp_path)
    manifest = population.current_manifest(tmp_path)
    assert manifest is not None and manifest["sha256"] == "a" * 64
    again = intake(tmp_path)
    assert again.already_imported and (again.rows_read, again.rows_taken) == (15, 5)
    newer = intake(tmp_path, ROWS[:2], sha="b" * 64)
    assert not newer.already_imported and (newer.rows_read, newer.rows_taken) == (2, 2)
    snap = population.snapshot_path(tmp_path)
    assert sql(f"SELECT count(*) FROM read_parquet('{snap}')") == [(2,)]  # noqa: S608
    assert sorted(p.name for p in (snap.parent / "deliveries").iterdir()) == ["a" * 64 + ".json", "b" * 64 + ".json"]
    assert not list(snap.parent.glob(".population-*"))  # no staging file left behind
    assert not any((tmp_path / "analytics" / "tmp").iterdir())


def test_a_failed_delivery_leaves_the_snapshot_alone(tmp_path: Path) -> None:
    intake(tmp_path)

    def broken() -> pa.RecordBatchReader:
        def gen() -> Iterator[pa.RecordBatch]:
            raise pa.ArrowInvalid("truncated file")
            yield

        return pa.RecordBatchReader.from_batches(stream()().schema, gen())

    with pytest.raises(duckdb.Error):
        population.intake(broken, columns=COLUMNS, sha256="c" * 64, data_dir=tmp_path,
                          rejects_csv=tmp_path / "r2.csv", today=TODAY)
    manifest = population.current_manifest(tmp_path)
    assert manifest is not None and manifest["sha256"] == "a" * 64
    assert sql(f"SELECT count(*) FROM read_parquet('{population.snapshot_path(tmp_path)}')") == [(5,)]  # noqa: S608


def test_lookup_from_a_delivery_and_from_the_snapshot(tmp_path: Path) -> None:
    found = population.lookup([Q, A, "210105193903040506"], batches=stream(), today=TODAY)
    assert found == {
        Q: population.PopulationPerson(Q, "赵老汉", "M", dt.date(1938, 2, 3), "210102001002"),
        A: population.PopulationPerson(A, "王建国", "M", dt.date(1970, 5, 1), "210102001001"),
    }
    intake(tmp_path)
    assert population.lookup([Q, A], snapshot=population.snapshot_path(tmp_path)) == found
    assert population.lookup([Q], snapshot=tmp_path / "missing.parquet") == {}


def test_scratch_of_a_killed_intake_is_cleared_later(tmp_path: Path) -> None:
    old = tmp_path / "analytics" / "tmp" / "population-dead"
    old.mkdir(parents=True)
    (old / "scratch.duckdb").write_bytes(b"x")
    stale = time.time() - population.STALE_SCRATCH_SECONDS - 60
    os.utime(old, (stale, stale))
    recent = tmp_path / "analytics" / "tmp" / "population-running"
    recent.mkdir()
    intake(tmp_path)
    assert not old.exists() and recent.exists()
