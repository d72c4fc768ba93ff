"""Disability certificates of the people paid a disability subsidy outside the low-income archive.

An archived household's members carry their certificate in ``registry_members``. A person outside the
archive (``registry_enrollments`` names them with an empty ``household_id`` and the import creates them from
the population data, which has no certificate) has no such source in the archive: their certificate is the
one the disability federation (残联) delivers in the ``disability_certs`` feed. Without it the payroll pays
their 重度残疾人护理补贴 / 困难残疾人生活补贴 nothing and flags them "档案中无残疾证信息".

:func:`certificates_from_feed` runs at the end of an import run: for every person enrolled in a disability
subsidy who is not a current member of an archived household, it records in the operational store the
certificate of the feed valid on the day (issued by then and not expired; the latest issued, the most
severe grade first, when several are) if it differs from the one recorded. It never clears one (a person
whose certificate expired keeps what was recorded, and the payroll's review catches it), and never touches
archive members (``registry_members`` is their source). Idempotent; one ``import`` audit event per person
changed, with the certificate before and after.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from minzheng.analytics import feeds
from minzheng.core.models import HouseholdMember, Person
from minzheng.registry.actions.archive_rows import AuditRows
from minzheng.registry.choices import Programme
from minzheng.registry.models import Enrollment

DISABILITY_PROGRAMMES = (Programme.DISABILITY_CARE, Programme.DISABILITY_LIVING)


def _outside_archive() -> dict[str, tuple[int, str, int | None, str]]:
    """``{id_number: (pk, disability_type, disability_grade, area)}`` of the people enrolled in a disability
    subsidy (at any time) who are not a current member of an archived household."""
    enrolled = Enrollment.objects.filter(person=OuterRef("pk"), programme__in=DISABILITY_PROGRAMMES)
    member = HouseholdMember.objects.filter(person=OuterRef("pk"), end_date__isnull=True)
    people = Person.objects.filter(Exists(enrolled)).exclude(Exists(member))
    return {idn: (pk, dtype, grade, area or "") for idn, pk, dtype, grade, area in people.values_list(
        "id_number", "id", "disability_type", "disability_grade", "area_id").iterator(chunk_size=20_000)}


def _current_certificates(files: list[Path], ids: list[str], day: dt.date) -> dict[str, tuple[str, int]]:
    """``{id_number: (type, grade)}``: the certificate valid on ``day`` of each of ``ids`` in the feed."""
    con = duckdb.connect()
    try:
        wanted = pa.table({"id_number": pa.array(ids, pa.string())})
        con.register("wanted", wanted)
        rows = con.execute(
            f"""SELECT c.id_number, c.disability_type, c.grade
                FROM ({feeds.view_sql('disability_certs', files)}) c JOIN wanted USING (id_number)
                WHERE c.issue_date <= ? AND (c.valid_until IS NULL OR c.valid_until >= ?)
                QUALIFY row_number() OVER (PARTITION BY c.id_number
                                           ORDER BY c.issue_date DESC, c.grade, c.disability_type) = 1""",  # noqa: S608
            [day, day]).fetchall()
    finally:
        con.close()
    return {idn: (dtype, int(grade)) for idn, dtype, grade in rows}


def certificates_from_feed(*, user: Any, data_dir: Path, today: dt.date, reason: str = "") -> dict[str, int]:
    """Record the 残联 certificate of the people outside the archive paid a disability subsidy (see the
    module docstring). Returns ``{"people": considered, "recorded": had none, "changed": had another}``."""
    people = _outside_archive()
    counts = {"people": len(people), "recorded": 0, "changed": 0}
    files = [p for p in feeds.delivery_files(data_dir, "disability_certs") if p.exists()]
    if not people or not files:
        return counts
    found = _current_certificates(files, sorted(people), today)
    changed: list[Person] = []
    now = timezone.now()
    audit = AuditRows(user, reason)
    for idn, (dtype, grade) in sorted(found.items()):
        pk, old_type, old_grade, area = people[idn]
        if (old_type, old_grade) == (dtype, grade):
            continue
        counts["changed" if old_grade else "recorded"] += 1
        changed.append(Person(pk=pk, disability_type=dtype, disability_grade=grade, updated_at=now))
        audit.add(object_type="core.person", object_id=pk, area_code=area,
                  summary=f"按残联数据记录残疾人证：{dtype} {grade} 级（享受残疾人补贴，档案外人员）",
                  before={"disability_type": old_type, "disability_grade": old_grade},
                  after={"disability_type": dtype, "disability_grade": grade, "source": "disability_certs"})
    if changed:
        with transaction.atomic():
            Person.objects.bulk_update(changed, ["disability_type", "disability_grade", "updated_at"],
                                       batch_size=1000)
            audit.write()
    return counts
