"""A generated city (``minzheng synth city``, 20,000 persons) goes through ``minzheng import``: the
archive lands whole, and exactly the invalid IDs that ``dirt.csv`` lists are rejected from the
population, with the right reason, at the right row."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Exists, OuterRef
from django.utils import timezone

from minzheng.cli import main
from minzheng.core.idnumber import InvalidIDNumber, normalise
from minzheng.core.models import Household, HouseholdMember, Person
from minzheng.registry.models import Enrollment

ARCHIVE = ("areas.csv", "registry_households.csv", "registry_members.csv", "registry_enrollments.csv")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    assert main(["--quiet", "synth", "city", "--out", str(out), "--persons", "20000", "--seed", "7"]) == 0
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _report(out: str) -> dict[str, Any]:
    line = next(line for line in out.splitlines() if line.startswith("报告 report: "))
    path = Path(line.removeprefix("报告 report: ")).with_name("report.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _certificates_outside_the_archive(city: Path) -> None:
    """Everyone paid a disability subsidy outside the archive carries the 残联 certificate valid on the import
    day (the latest issued), and nobody else outside the archive was given one."""
    today = timezone.localdate()
    certs: dict[str, tuple[str, int, str]] = {}
    for r in _rows(city / "disability_certs.csv"):
        try:
            idn = normalise(r["id_number"])
        except InvalidIDNumber:
            continue  # rejected by the feed's intake
        if r["issue_date"] <= today.isoformat() and (not r["valid_until"] or r["valid_until"] >= today.isoformat()):
            certs[idn] = max(certs.get(idn, ("", -9, "")), (r["issue_date"], -int(r["grade"]), r["disability_type"]))
    member = HouseholdMember.objects.filter(person=OuterRef("pk"), end_date__isnull=True)
    subsidy = Enrollment.objects.filter(person=OuterRef("pk"), programme__in=("disability_care", "disability_living"))
    outside = Person.objects.exclude(Exists(member))
    got = {p.id_number: (p.disability_type, p.disability_grade) for p in outside.filter(Exists(subsidy))}
    assert got == {idn: (certs[idn][2], -certs[idn][1]) if idn in certs else ("", None) for idn in got}
    assert sum(1 for v in got.values() if v[1]) > 100
    assert not outside.exclude(Exists(subsidy)).exclude(disability_grade=None).exists()


def test_generated_city(db: None, city: Path, tmp_path: Path, settings: Any,
                        capsys: pytest.CaptureFixture[str]) -> None:
    settings.DATA_DIR = tmp_path / "data"
    capsys.readouterr()
    assert main(["--quiet", "import", str(city)]) == 0
    report = _report(capsys.readouterr().out)
    files = {f["name"]: f for f in report["files"]}
    for name in ARCHIVE:
        assert files[name]["status"] == "taken"
        assert (files[name]["rows_rejected"], files[name]["rows_taken"]) == (0, len(_rows(city / name))), name
    assert Household.objects.count() == len(_rows(city / "registry_households.csv"))
    assert HouseholdMember.objects.count() == len(_rows(city / "registry_members.csv"))
    assert Enrollment.objects.count() == len(_rows(city / "registry_enrollments.csv"))
    assert files["truth.csv"]["status"] == files["dirt.csv"]["status"] == "ignored"

    population = files["population.csv"]
    rejects = _rows(Path(population["rejects"]))
    invalid = {(int(r["row_number"]), r["reason_code"]) for r in rejects if r["reason_code"].startswith("id_")}
    dirt = {(int(d["row_number"]), "id_" + d["kind"])
            for d in _rows(city / "dirt.csv") if d["file"] == "population.csv"}
    assert invalid == dirt and dirt
    assert {r["reason_code"] for r in rejects} - {"id_birth_date", "id_check_digit"} <= {"duplicate"}
    assert population["rows_taken"] + population["rows_rejected"] == population["rows_read"]

    _certificates_outside_the_archive(city)

    assert main(["--quiet", "import", str(city)]) == 0
    again = {f["name"]: f for f in _report(capsys.readouterr().out)["files"]}
    for name in ARCHIVE:
        assert (again[name]["created"], again[name]["changed"]) == (0, 0), name
    assert again["population.csv"]["status"] == "already_imported"
