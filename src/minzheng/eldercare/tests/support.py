"""Builders of the eldercare tests: a small population Parquet, deaths feed files, households in care."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from minzheng.core.idnumber import make
from minzheng.core.models import Household, HouseholdMember, Person
from minzheng.registry.models import Enrollment
from minzheng.testing import factories as f

_seq = iter(range(1, 10_000))


def pid(birth: dt.date, *, female: bool = False) -> str:
    n = next(_seq)
    return make("210102", birth, (n * 2 + (0 if female else 1)) % 1000)


def population(path: Path, people: list[tuple[str, str, dt.date]], area: str = f.COMMUNITY_A) -> Path:
    """A population snapshot with these (id_number, name, birth_date) rows."""
    rows = sorted(people)
    table = pa.table({
        "id_number": [r[0] for r in rows],
        "name": [r[1] for r in rows],
        "sex": ["M" if int(r[0][16]) % 2 else "F" for r in rows],
        "birth_date": pa.array([r[2] for r in rows], pa.date32()),
        "area_code": [area] * len(rows),
        "household_no": [f"H{i}" for i in range(len(rows))],
        "father_id_number": pa.array([None] * len(rows), pa.string()),
        "mother_id_number": pa.array([None] * len(rows), pa.string()),
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def deaths(path: Path, rows: list[tuple[str, dt.date]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id_number": [r[0] for r in rows], "name": ["某某"] * len(rows),
                             "death_date": pa.array([r[1] for r in rows], pa.date32()),
                             "source": ["公安"] * len(rows)}), path)
    return path


def person(idn: str, name: str, birth: dt.date, area: str = f.COMMUNITY_A, **extra: object) -> Person:
    return Person.objects.create(id_number=idn, name=name, sex="M" if int(idn[16]) % 2 else "F", birth_date=birth,
                                 area_id=area, **extra)


def household_in_care(people: list[Person], programme: str | None = "dibao", *, area: str = f.COMMUNITY_A,
                      start: dt.date = dt.date(2020, 1, 1), person_level: Person | None = None) -> Household:
    """A household of ``people`` (the first is the head) with a household-level enrollment in ``programme``
    (or, with ``person_level``, a person-level one for that member)."""
    household = Household.objects.create(household_no=f"EC{next(_seq):06d}", area_id=area, address="和平区集贤街8号",
                                         phone="13900002222")
    for i, p in enumerate(people):
        HouseholdMember.objects.create(household=household, person=p, relation="户主" if i == 0 else "配偶",
                                       start_date=start)
    if programme:
        Enrollment.objects.create(household=household, person=person_level, programme=programme, start_date=start,
                                  monthly_amount=Decimal("800.00"))
    return household
