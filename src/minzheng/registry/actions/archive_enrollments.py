"""Import of ``registry_enrollments``: who receives what, keyed by ``Enrollment.source_key``.

The natural key of a row is ``household_id|id_number|programme|start_date`` (as delivered, the ID
normalised): a re-delivered row with the same key and the same end date and amount is unchanged, with a
new end date or amount it is updated. Cross-checks: the programme exists; dates are ordered; the household
exists; a person named on a household's row is (or was) its member — or, for the programmes that also
reach people outside the archive (:data:`OUTSIDE_ARCHIVE`), any person known to the database or to the
population data (created from it when needed; the row then links the person only). Such rows may leave
``household_id`` empty. Two periods of the same programme for the same beneficiary may not overlap
(``temporary`` assistance excepted: it is one-off and may repeat).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction

from minzheng.analytics.idsql import normalise_many
from minzheng.core.bulkwrite import insert_rows
from minzheng.core.masking import mask_id
from minzheng.core.models import Area, Household, HouseholdMember, Person
from minzheng.registry.actions.archive_rows import AuditRows, FileOutcome, Row, RowError, date, money, text
from minzheng.registry.choices import EnrollmentSource, Programme
from minzheng.registry.models import Enrollment

ENROLLMENT_COLUMNS = ("household_id", "id_number", "programme", "start_date", "end_date", "monthly_amount")
# Person-level programmes that also reach people outside the low-income archive.
OUTSIDE_ARCHIVE = frozenset({
    Programme.HIGH_AGE, Programme.DISABILITY_LIVING, Programme.DISABILITY_CARE, Programme.ORPHAN,
    Programme.UNSUPPORTED_CHILD,
})
# Programmes that always name a person.
PERSON_ONLY = OUTSIDE_ARCHIVE
REPEATABLE = frozenset({Programme.TEMPORARY})
FAR_FUTURE = dt.date(9999, 12, 31)
PROGRAMMES = frozenset(Programme.values)


class PopulationPerson(Protocol):
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    area_code: str


Lookup = Callable[[Iterable[str]], Mapping[str, PopulationPerson]]


@dataclass
class _Planned:
    row: Row
    key: str
    household: int | None
    id_number: str
    programme: str
    start: dt.date
    end: dt.date | None
    amount: Decimal
    repaired: bool
    area: str


def import_enrollments(
    rows: list[Row],
    *,
    user: Any,
    today: dt.date,
    lookup: Lookup | None = None,
    file_label: str = "registry_enrollments",
    reason: str = "",
) -> FileOutcome:
    """Validate every row, then create/update the valid ones (and any person found in the population
    data) in one transaction, audited per household (or per person outside the archive)."""
    out = FileOutcome(kind="registry_enrollments", rows_read=len(rows))
    households = {no: (pk, area) for pk, no, area in Household.objects.values_list("id", "household_no", "area_id")}
    person_pk: dict[str, int] = {}
    person_area: dict[int, str] = {}
    for idn, pk, area in Person.objects.values_list("id_number", "id", "area_id").iterator(chunk_size=20_000):
        person_pk[idn] = pk
        if area:
            person_area[pk] = area
    members = set(HouseholdMember.objects.values_list("person_id", "household_id"))
    existing = _existing_enrollments()
    planned: list[_Planned] = []
    outside: list[_Planned] = []
    seen: dict[str, int] = {}
    raw_ids = (values.get("id_number") or "" for _, values in rows)
    ids = normalise_many((raw for raw in raw_ids if raw.strip()), today=today)
    for row in rows:
        try:
            p = _parse(row, households, ids)
        except RowError as exc:
            out.reject(row, exc.code, exc.detail)
            continue
        if p.key in seen:
            out.reject(row, "enrollment_duplicate", f"与第 {seen[p.key]} 行重复")
            continue
        seen[p.key] = row[0]
        if p.id_number:
            member_pk = person_pk.get(p.id_number)
            is_member = member_pk is not None and p.household is not None and (member_pk, p.household) in members
            if not is_member:
                if p.programme not in OUTSIDE_ARCHIVE:
                    out.reject(row, "person_not_member" if p.household else "household_required",
                               mask_id(p.id_number))
                    continue
                p.household = None  # a person outside the archive: link the person only
                if member_pk is None:
                    outside.append(p)
                    continue
        planned.append(p)
    found = dict(lookup(sorted({p.id_number for p in outside}))) if outside and lookup else {}
    areas = set(Area.objects.values_list("code", flat=True))
    new_people: dict[str, _NewPerson] = {}
    for p in outside:
        pop = found.get(p.id_number)
        if pop is None:
            out.reject(p.row, "person_unknown", mask_id(p.id_number))
            continue
        if p.id_number not in new_people:  # the population's sex and birth date were checked against the ID
            new_people[p.id_number] = _NewPerson(p.id_number, pop.name, pop.sex, pop.birth_date,
                                                 pop.area_code if pop.area_code in areas else None)
        planned.append(p)
    planned = _without_overlaps(planned, out, person_pk, existing)
    return _apply(planned, new_people, out, user=user, person_pk=person_pk, person_area=person_area,
                  households=households, existing=existing, file_label=file_label, reason=reason)


@dataclass
class _Existing:
    pk: int
    household: int | None
    person: int | None
    programme: str
    start: dt.date
    end: dt.date | None
    amount: Decimal


def _existing_enrollments() -> dict[str, _Existing]:
    """Every stored enrollment by ``source_key`` (workflow ones, without a key, under ``#pk``)."""
    return {
        key or f"#{pk}": _Existing(pk, household, person, programme, start, end, amount)
        for pk, key, household, person, programme, start, end, amount in Enrollment.objects.values_list(
            "id", "source_key", "household_id", "person_id", "programme", "start_date", "end_date", "monthly_amount"
        ).iterator(chunk_size=20_000)
    }


@dataclass
class _NewPerson:
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    area_id: str | None


def _parse(row: Row, households: dict[str, tuple[int, str]],
           ids: dict[str, tuple[str | None, str | None]]) -> _Planned:
    values = row[1]
    no = text(values, "household_id")
    programme = text(values, "programme", required=True)
    if programme not in PROGRAMMES:
        raise RowError("programme_invalid", programme)
    raw_id = values.get("id_number") or ""
    idn = ""
    if raw_id.strip():
        normalised, why = ids[raw_id]
        if normalised is None:
            raise RowError(why or "id_format", raw_id)
        idn = normalised
    elif programme in PERSON_ONLY:
        raise RowError("person_required", programme)
    start = date(values, "start_date", required=True)
    assert start is not None
    end = date(values, "end_date")
    if end is not None and end < start:
        raise RowError("dates_unordered", f"{start} > {end}")
    amount = money(values, "monthly_amount")
    household: int | None = None
    area = ""
    if no:
        if no not in households:
            raise RowError("household_unknown", no)
        household, area = households[no]
    elif not idn or programme not in OUTSIDE_ARCHIVE:
        raise RowError("household_required", programme)
    return _Planned(row, f"{no}|{idn}|{programme}|{start.isoformat()}", household, idn, programme, start, end,
                    amount, repaired=bool(idn) and raw_id != idn, area=area)


def _without_overlaps(planned: list[_Planned], out: FileOutcome, person_pk: dict[str, int],
                      existing: dict[str, _Existing]) -> list[_Planned]:
    """Reject a row whose period overlaps another of the same programme for the same beneficiary (a
    stored enrollment or an earlier row); a row replaces the stored enrollment of its own key."""
    periods: dict[tuple[str, Any, str], list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    for key, e in existing.items():
        if e.programme not in REPEATABLE:
            who = ("p", e.person) if e.person else ("h", e.household)
            periods[(who[0], who[1], e.programme)].append((e.start, e.end or FAR_FUTURE, key))
    kept: list[_Planned] = []
    for p in sorted(planned, key=lambda x: x.row[0]):
        if p.programme in REPEATABLE:
            kept.append(p)
            continue
        beneficiary: Any = p.household
        if p.id_number:
            beneficiary = person_pk.get(p.id_number, p.id_number)
        slot = periods[("p" if p.id_number else "h", beneficiary, p.programme)]
        end = p.end or FAR_FUTURE
        if slot:
            clash = next((s for s in slot if s[2] != p.key and s[0] <= end and p.start <= s[1]), None)
            if clash is not None:
                out.reject(p.row, "enrollment_overlap",
                           f"{clash[0]} 至 {'' if clash[1] == FAR_FUTURE else clash[1]}")
                continue
            slot[:] = [s for s in slot if s[2] != p.key]
        slot.append((p.start, end, p.key))
        kept.append(p)
    return kept


def _apply(
    planned: list[_Planned],
    new_people: dict[str, _NewPerson],
    out: FileOutcome,
    *,
    user: Any,
    person_pk: dict[str, int],
    person_area: dict[int, str],
    households: dict[str, tuple[int, str]],
    existing: dict[str, _Existing],
    file_label: str,
    reason: str,
) -> FileOutcome:
    create: list[_Planned] = []
    update: list[Enrollment] = []
    touched: dict[tuple[str, int | str], dict[str, Any]] = {}
    for p in planned:
        old = existing.get(p.key)
        if old is None:
            create.append(p)
            kind = "created"
        elif old.end != p.end or Decimal(old.amount) != p.amount:
            update.append(Enrollment(pk=old.pk, end_date=p.end, monthly_amount=p.amount))
            kind = "changed"
        else:
            out.unchanged += 1
            continue
        setattr(out, kind, getattr(out, kind) + 1)
        target: tuple[str, int | str] = ("h", p.household) if p.household else ("p", p.id_number)
        t = touched.setdefault(target, {"area": p.area, "created": 0, "changed": 0, "programmes": set()})
        t[kind] += 1
        t["programmes"].add(p.programme)
    out.ids_repaired = sum(p.repaired for p in planned)
    no_of = {pk: no for no, (pk, _) in households.items()}
    audit = AuditRows(user, reason)
    try:
        with transaction.atomic():
            insert_rows(Person, ("id_number", "name", "sex", "birth_date", "area"),
                        ((p.id_number, p.name, p.sex, p.birth_date, p.area_id) for p in new_people.values()))
            pks = dict(person_pk)
            if new_people:
                pks |= dict(Person.objects.filter(id_number__in=list(new_people)).values_list("id_number", "id")) \
                    if len(new_people) < 5000 else dict(Person.objects.values_list("id_number", "id"))
            insert_rows(Enrollment, ("household", "person", "programme", "start_date", "end_date", "monthly_amount",
                                     "source", "source_key"),
                        ((p.household, pks[p.id_number] if p.id_number else None, p.programme, p.start, p.end,
                          p.amount, EnrollmentSource.ARCHIVE.value, p.key) for p in create))
            Enrollment.objects.bulk_update(update, ["end_date", "monthly_amount"], batch_size=1000)
            # One event per household whose enrollments were created or changed. People outside the
            # archive (high_age, disability, orphans: hundreds of thousands in a city) have no household:
            # one event per community lists them (person ids), with those created from the population.
            outside: dict[str, dict[str, Any]] = {}
            for (kind, ident), t in touched.items():
                if kind == "h":
                    audit.add(object_type="core.household", object_id=ident, area_code=t["area"],
                              summary=f"导入享受记录 {no_of.get(int(ident))}：新增 {t['created']}，更新 {t['changed']}",
                              after={"enrollments_created": t["created"], "enrollments_changed": t["changed"],
                                     "programmes": sorted(t["programmes"])})
                    continue
                idn = str(ident)
                new_person = new_people.get(idn)
                area = (new_person.area_id if new_person else person_area.get(pks[idn])) or ""
                g = outside.setdefault(area, {"people": 0, "people_created": 0, "enrollments_created": 0,
                                              "enrollments_changed": 0, "programmes": set(), "person_ids": []})
                g["people"] += 1
                g["people_created"] += new_person is not None
                g["enrollments_created"] += t["created"]
                g["enrollments_changed"] += t["changed"]
                g["programmes"] |= t["programmes"]
                g["person_ids"].append(pks[idn])
            for area, g in sorted(outside.items()):
                g["programmes"] = sorted(g["programmes"])
                audit.add(object_type="core.area", object_id=area, area_code=area,
                          summary=f"导入档案外人员享受记录 {area or '（户籍地不在本市区划表）'}：{g['people']} 人"
                          f"（新建 {g['people_created']} 人，来自人口数据），新增 {g['enrollments_created']}，"
                          f"更新 {g['enrollments_changed']}", after=g)
            audit.file(file_label, out)
            audit.write()
    except Exception as exc:  # the file lands whole or not at all
        out.fail(exc)
    return out
