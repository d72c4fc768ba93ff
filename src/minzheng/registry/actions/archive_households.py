"""Import of ``registry_households`` and ``registry_members``, planned together and landed file by file.

Planning sees both files (and what the database already holds) so that the cross-checks can reject the
right rows before anything is written: a household must end with exactly one 户主 (else the household
row and all its member rows are rejected), a person belongs to one household (a later row naming them
in another household is rejected, as is a row naming someone who is already a current member of another
household in the database), and a person's relation to the head is not changed by an import (that is
the 变更户主 workflow). The import adds and updates; it never removes a member or a household.

Each file then lands in one transaction with bulk statements: households (new ones get a
``HouseholdChange`` ``create``), then members (new people, changed people, new memberships), each
audited with one ``import`` event per created or changed household and one for the file.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.analytics.idsql import normalise_many
from minzheng.core.bulkwrite import insert_rows
from minzheng.core.choices import AreaLevel, ChangeKind, DisabilityType, HouseholdStatus, Relation, SelfCare
from minzheng.core.idnumber import facts
from minzheng.core.masking import mask_id
from minzheng.core.models import Area, Household, HouseholdChange, HouseholdMember, Person
from minzheng.registry.actions.archive_rows import (
    AuditRows,
    FileOutcome,
    Row,
    RowError,
    chunks,
    code12,
    date,
    money,
    text,
)

HOUSEHOLD_COLUMNS = ("household_id", "area_code", "address", "phone", "registered_date")
MEMBER_COLUMNS = (
    "household_id", "id_number", "name", "relation", "monthly_income", "disability_type", "disability_grade",
    "serious_illness", "self_care",
)
HEAD = Relation.HEAD.value
RELATIONS = frozenset(Relation.values)
DISABILITY_TYPES = frozenset(DisabilityType.values)
SELF_CARE = frozenset(SelfCare.values)
PERSON_FIELDS = ("name", "monthly_income", "disability_type", "disability_grade", "serious_illness",
                 "self_care", "area_id")
HouseholdFields = tuple[str, str, str, dt.date | None]  # area_id, address, phone, registered_date


@dataclass
class MemberRow:
    row: Row
    household_no: str
    id_number: str
    relation: str
    person: dict[str, Any]  # the PERSON_FIELDS values except area_id
    repaired: bool


@dataclass
class HouseholdPlan:
    households: FileOutcome
    members: FileOutcome
    household_rows: dict[str, tuple[Row, HouseholdFields]] = field(default_factory=dict)
    member_rows: list[MemberRow] = field(default_factory=list)
    db_households: dict[str, tuple[int, HouseholdFields]] = field(default_factory=dict)
    person_pk: dict[str, int] = field(default_factory=dict)
    current: dict[int, tuple[int, str]] = field(default_factory=dict)  # person → (household, relation)
    has_members_file: bool = False


def _household_fields(values: dict[str, str], areas: dict[str, str], today: dt.date) -> HouseholdFields:
    area = code12(values, "area_code")
    if area not in areas:
        raise RowError("area_unknown", area)
    if areas[area] != AreaLevel.COMMUNITY:
        raise RowError("area_not_community", area)
    return (
        area,
        text(values, "address", max_length=255),
        text(values, "phone", max_length=20),
        date(values, "registered_date", today=today),
    )


def _member_fields(values: dict[str, str]) -> tuple[str, dict[str, Any]]:
    name = text(values, "name", max_length=64)
    if not name:
        raise RowError("name_empty")
    relation = text(values, "relation", required=True)
    if relation not in RELATIONS:
        raise RowError("relation_invalid", relation)
    income = money(values, "monthly_income", empty_is_zero=True)
    dtype = text(values, "disability_type")
    if dtype and dtype not in DISABILITY_TYPES:
        raise RowError("disability_type_invalid", dtype)
    grade_text = text(values, "disability_grade")
    if grade_text and grade_text not in {"1", "2", "3", "4"}:
        raise RowError("disability_grade_invalid", grade_text)
    if bool(dtype) != bool(grade_text):
        raise RowError("disability_inconsistent", f"{dtype or '（空）'} / {grade_text or '（空）'}")
    illness = text(values, "serious_illness").upper()
    if illness not in {"Y", "N"}:
        raise RowError("serious_illness_invalid", illness or "（空）")
    self_care = text(values, "self_care")
    if self_care and self_care not in SELF_CARE:
        raise RowError("self_care_invalid", self_care)
    return relation, {
        "name": name, "monthly_income": income, "disability_type": dtype,
        "disability_grade": int(grade_text) if grade_text else None, "serious_illness": illness == "Y",
        "self_care": self_care,
    }


def plan_households(
    households: list[Row] | None, members: list[Row] | None, *, today: dt.date
) -> HouseholdPlan:
    """Validate both files against each other and the database; nothing is written."""
    plan = HouseholdPlan(
        households=FileOutcome(kind="registry_households", rows_read=len(households or [])),
        members=FileOutcome(kind="registry_members", rows_read=len(members or [])),
        has_members_file=members is not None,
    )
    areas = dict(Area.objects.values_list("code", "level"))
    plan.db_households = {
        no: (pk, (area, address, phone, reg))
        for pk, no, area, address, phone, reg in Household.objects.values_list(
            "id", "household_no", "area_id", "address", "phone", "registered_date")
    }
    rejected_households: set[str] = set()
    for row in households or []:
        try:
            no = text(row[1], "household_id", required=True, max_length=32)
            fields = _household_fields(row[1], areas, today)
        except RowError as exc:
            plan.households.reject(row, exc.code, exc.detail)
            rejected_households.add((row[1].get("household_id") or "").strip())
            continue
        if no in plan.household_rows:
            plan.households.reject(row, "household_duplicate", f"与第 {plan.household_rows[no][0][0]} 行重复")
            continue
        plan.household_rows[no] = (row, fields)
    rejected_households -= set(plan.household_rows)
    _plan_members(plan, members or [], rejected_households, today)
    _check_heads(plan)
    return plan


def _plan_members(plan: HouseholdPlan, members: list[Row], rejected_households: set[str], today: dt.date) -> None:
    plan.person_pk = person_pk = dict(Person.objects.values_list("id_number", "id"))
    plan.current = current = {
        person: (household, relation) for person, household, relation in
        HouseholdMember.objects.filter(end_date__isnull=True).values_list("person_id", "household_id", "relation")
    }
    no_by_pk = {pk: no for no, (pk, _) in plan.db_households.items()}
    first_row: dict[str, tuple[int, str]] = {}
    ids = normalise_many((values.get("id_number") or "" for _, values in members), today=today)
    for row in members:
        values = row[1]
        try:
            no = text(values, "household_id", required=True)
            if no not in plan.household_rows and no not in plan.db_households:
                raise RowError("household_rejected" if no in rejected_households else "household_unknown", no)
            raw_id = values.get("id_number") or ""
            idn, why = ids[raw_id]
            if idn is None:
                raise RowError(why or "id_format", raw_id)
            relation, person = _member_fields(values)
        except RowError as exc:
            plan.members.reject(row, exc.code, exc.detail)
            continue
        if idn in first_row:
            earlier_row, earlier_no = first_row[idn]
            code = "person_duplicate" if earlier_no == no else "person_in_two_households"
            plan.members.reject(row, code, f"与第 {earlier_row} 行（家庭 {earlier_no}）为同一人")
            continue
        first_row[idn] = (row[0], no)
        pk = person_pk.get(idn)
        if pk is not None and pk in current:
            household_pk, old_relation = current[pk]
            if no_by_pk.get(household_pk) != no:
                plan.members.reject(row, "person_in_other_household", f"家庭 {no_by_pk.get(household_pk)}")
                continue
            if old_relation != relation:
                plan.members.reject(row, "relation_changed", f"档案中为 {old_relation}")
                continue
        plan.member_rows.append(MemberRow(row, no, idn, relation, person, repaired=raw_id != idn))


def _check_heads(plan: HouseholdPlan) -> None:
    """Every household whose composition this delivery sets or changes ends with exactly one head."""
    db_heads: dict[int, int] = defaultdict(int)
    current_pairs: set[tuple[str, int]] = set()
    no_by_pk = {pk: no for no, (pk, _) in plan.db_households.items()}
    for person, (household, relation) in plan.current.items():
        if relation == HEAD:
            db_heads[household] += 1
        current_pairs.add((no_by_pk.get(household, ""), person))
    person_pk = plan.person_pk
    new_heads: dict[str, int] = defaultdict(int)
    touched: set[str] = {no for no in plan.household_rows if no not in plan.db_households}
    for m in plan.member_rows:
        pk = person_pk.get(m.id_number)
        if pk is not None and (m.household_no, pk) in current_pairs:
            continue  # already a member: not a change of composition
        touched.add(m.household_no)
        if m.relation == HEAD:
            new_heads[m.household_no] += 1
    bad: dict[str, int] = {}
    for no in touched:
        db = plan.db_households.get(no)
        heads = new_heads[no] + (db_heads[db[0]] if db else 0)
        if heads != 1:
            bad[no] = heads
    if not bad:
        return
    for no, heads in bad.items():
        if no in plan.household_rows:
            row, _ = plan.household_rows.pop(no)
            plan.households.reject(row, "household_head_count", f"户主 {heads} 人")
    kept: list[MemberRow] = []
    for m in plan.member_rows:
        if m.household_no in bad:
            plan.members.reject(m.row, "household_head_count", f"家庭 {m.household_no} 户主 {bad[m.household_no]} 人")
        else:
            kept.append(m)
    plan.member_rows = kept


def apply_households(plan: HouseholdPlan, *, user: Any, today: dt.date, file_label: str = "registry_households",
                     reason: str = "") -> FileOutcome:
    """Create new households and update changed ones, in one transaction."""
    out = plan.households
    members_of: dict[str, int] = defaultdict(int)
    for m in plan.member_rows:
        members_of[m.household_no] += 1
    new: list[tuple[str, HouseholdFields]] = []
    changed: list[tuple[Household, dict[str, Any], dict[str, Any]]] = []
    now = timezone.now()
    names = ("area_id", "address", "phone", "registered_date")
    for no, (_, fields) in plan.household_rows.items():
        db = plan.db_households.get(no)
        if db is None:
            new.append((no, fields))
        elif db[1] != fields:
            h = Household(pk=db[0], household_no=no, area_id=fields[0], address=fields[1], phone=fields[2],
                          registered_date=fields[3], updated_at=now)
            before = {k: _plain(v) for k, v, w in zip(names, db[1], fields, strict=True) if v != w}
            after = {k: _plain(w) for k, v, w in zip(names, db[1], fields, strict=True) if v != w}
            changed.append((h, before, after))
        else:
            out.unchanged += 1
    actor = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    why = reason or "档案导入"
    audit = AuditRows(user, reason)
    try:
        with transaction.atomic():
            insert_rows(Household, ("household_no", "area", "address", "phone", "registered_date", "status"),
                        ((no, *fields, HouseholdStatus.ACTIVE.value) for no, fields in new))
            pk_of = dict(Household.objects.filter(household_no__in=[no for no, _ in new])
                         .values_list("household_no", "id")) if len(new) < 5000 else \
                dict(Household.objects.values_list("household_no", "id"))
            Household.objects.bulk_update([h for h, _, _ in changed],
                                          ["area_id", "address", "phone", "registered_date", "updated_at"],
                                          batch_size=1000)
            _move_people_with_household(changed)
            changes: list[tuple[Any, ...]] = []
            for no, (area, _, _, reg) in new:
                summary = {"household_no": no, "area_code": area, "registered_date": _plain(reg),
                           "members": members_of[no]}
                changes.append((pk_of[no], ChangeKind.CREATE.value, reg or today, {}, summary, why, actor, now))
                audit.add(object_type="core.household", object_id=pk_of[no], area_code=area,
                          summary=f"导入建档 {no}", after=summary)
            for h, b, a in changed:
                changes.append((h.pk, ChangeKind.UPDATE.value, today, b, a, why, actor, now))
                audit.add(object_type="core.household", object_id=h.pk, area_code=h.area_id,
                          summary=f"导入更新家庭 {h.household_no}", before=b, after=a)
            insert_rows(HouseholdChange, CHANGE_FIELDS, changes)
            out.created, out.changed = len(new), len(changed)
            audit.file(file_label, out)
            audit.write()
    except Exception as exc:  # the file lands whole or not at all
        out.fail(exc)
    return out


CHANGE_FIELDS = ("household", "kind", "effective_date", "before", "after", "reason", "actor", "at")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _move_people_with_household(changed: list[tuple[Household, dict[str, Any], dict[str, Any]]]) -> None:
    """A household that moved community takes its current members' ``Person.area`` with it."""
    by_area: dict[str, list[int]] = defaultdict(list)
    for h, before, _ in changed:
        if "area_id" in before:
            by_area[h.area_id].append(h.pk)
    for area, pks in by_area.items():
        for part in chunks(pks):
            people = HouseholdMember.objects.filter(household_id__in=part, end_date__isnull=True).values("person_id")
            Person.objects.filter(pk__in=people).update(area_id=area, updated_at=timezone.now())


PERSON_INSERT = ("id_number", "name", "sex", "birth_date", "area", "monthly_income", "disability_type",
                 "disability_grade", "serious_illness", "self_care")


def apply_members(plan: HouseholdPlan, *, user: Any, today: dt.date, file_label: str = "registry_members",
                  reason: str = "") -> FileOutcome:
    """Create or update the people and their memberships, in one transaction."""
    out = plan.members
    households = {no: (pk, area, reg) for pk, no, area, reg in
                  Household.objects.values_list("id", "household_no", "area_id", "registered_date")}
    existing = {row[0]: row[1:] for row in Person.objects.values_list("id_number", "id", *PERSON_FIELDS)}
    current = set(HouseholdMember.objects.filter(end_date__isnull=True).values_list("household_id", "person_id"))
    now = timezone.now()
    new_people: list[tuple[Any, ...]] = []
    changed_people: list[Person] = []
    new_links: list[tuple[MemberRow, int]] = []
    per_household: dict[int, dict[str, int]] = defaultdict(lambda: {"added": 0, "updated": 0})
    fresh = {no for no in plan.household_rows if no not in plan.db_households}
    for m in plan.member_rows:
        hh = households.get(m.household_no)
        if hh is None:  # its household did not land
            out.reject(m.row, "household_rejected", m.household_no)
            continue
        wanted = {**m.person, "area_id": hh[1]}
        old = existing.get(m.id_number)
        if old is None:
            f = facts(m.id_number)
            p = m.person
            new_people.append((m.id_number, p["name"], f.sex, f.birth_date, hh[1], p["monthly_income"],
                               p["disability_type"], p["disability_grade"], p["serious_illness"], p["self_care"]))
            person_changed = True
        else:
            before = dict(zip(PERSON_FIELDS, old[1:], strict=True))
            person_changed = any(_differs(before[k], wanted[k]) for k in PERSON_FIELDS)
            if person_changed:
                changed_people.append(Person(pk=old[0], id_number=m.id_number, updated_at=now, **wanted))
        linked = old is not None and (hh[0], old[0]) in current
        if not linked:
            new_links.append((m, hh[0]))
            per_household[hh[0]]["added"] += 1
            out.created += 1
        elif person_changed:
            per_household[hh[0]]["updated"] += 1
            out.changed += 1
        else:
            out.unchanged += 1
        out.ids_repaired += m.repaired
    actor = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    area_of = {pk: area for pk, area, _ in households.values()}
    no_of = {pk: no for no, (pk, _, _) in households.items()}
    audit = AuditRows(user, reason)
    try:
        with transaction.atomic():
            insert_rows(Person, PERSON_INSERT, new_people)
            Person.objects.bulk_update(changed_people, [*PERSON_FIELDS, "updated_at"], batch_size=1000)
            pk_of = dict(Person.objects.values_list("id_number", "id"))
            start = {no: (reg or today) if no in fresh else today for no, (_, _, reg) in households.items()}
            insert_rows(HouseholdMember, ("household", "person", "relation", "start_date"),
                        ((hh_pk, pk_of[m.id_number], m.relation, start[m.household_no]) for m, hh_pk in new_links))
            added_by: dict[int, list[dict[str, str]]] = defaultdict(list)
            for m, hh_pk in new_links:
                if m.household_no not in fresh:
                    added_by[hh_pk].append({"id_number": mask_id(m.id_number), "name": m.person["name"],
                                            "relation": m.relation})
            insert_rows(HouseholdChange, CHANGE_FIELDS, (
                (hh_pk, ChangeKind.ADD_MEMBER.value, today, {}, {"added": added}, reason or "档案导入", actor, now)
                for hh_pk, added in added_by.items()))
            for hh_pk, c in per_household.items():
                audit.add(object_type="core.household", object_id=hh_pk, area_code=area_of[hh_pk],
                          summary=f"导入成员 {no_of[hh_pk]}：新增 {c['added']}，更新 {c['updated']}",
                          after={"members_added": c["added"], "members_updated": c["updated"]})
            audit.file(file_label, out)
            audit.write()
    except Exception as exc:  # the file lands whole or not at all
        out.fail(exc)
    return out


def _differs(old: Any, new: Any) -> bool:
    if isinstance(new, Decimal) and old is not None:
        return Decimal(old) != new
    return bool(old != new)
