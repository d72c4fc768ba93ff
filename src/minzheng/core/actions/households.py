"""Household changes (建档, 增员, 减员, 变更户主, 分户, 合户), each recorded with before/after and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import diff, record, snapshot
from minzheng.core.actions._guard import require_reason, require_write
from minzheng.core.choices import ChangeKind, HouseholdStatus, Relation
from minzheng.core.errors import InvalidChange
from minzheng.core.masking import mask_id
from minzheng.core.models import Area, Household, HouseholdChange, HouseholdMember, Person

HEAD = Relation.HEAD.value
EDITABLE_HOUSEHOLD_FIELDS = frozenset({"address", "phone", "area_id", "registered_date"})


def composition(household: Household) -> dict[str, Any]:
    """The household as a change record sees it: its members with relation (IDs masked)."""
    members = household.memberships.filter(end_date__isnull=True).select_related("person").order_by("person_id")
    return {
        "household_no": household.household_no,
        "status": household.status,
        "members": [
            {
                "person_id": m.person_id,
                "name": m.person.name,
                "id_number": mask_id(m.person.id_number),
                "relation": m.relation,
            }
            for m in members
        ],
    }


def _log_change(
    *,
    user: Any,
    household: Household,
    kind: ChangeKind,
    day: dt.date,
    before: dict[str, Any],
    reason: str,
    other: Household | None = None,
) -> HouseholdChange:
    after = composition(household)
    change = HouseholdChange.objects.create(
        household=household,
        other_household=other,
        kind=kind,
        effective_date=day,
        before=before,
        after=after,
        reason=reason,
        actor=user if getattr(user, "is_authenticated", False) else None,
    )
    record(
        user,
        AuditAction.UPDATE if kind != ChangeKind.CREATE else AuditAction.CREATE,
        household,
        area_code=household.area_id,
        summary=f"{kind.label} {household.household_no}",
        before=before,
        after=after,
        reason=reason,
    )
    return change


def _lock(household: Household) -> Household:
    return Household.objects.select_for_update().get(pk=household.pk)


def _current(household: Household, person: Person) -> HouseholdMember:
    m = household.memberships.filter(person=person, end_date__isnull=True).first()
    if m is None:
        raise InvalidChange(f"{person.name} 不是该户当前成员")
    return m


def _check_relation(relation: str) -> str:
    if relation not in Relation.values:
        raise InvalidChange(f"与户主关系无效: {relation}")
    return relation


def _not_elsewhere(person: Person) -> None:
    other = person.memberships.filter(end_date__isnull=True).select_related("household").first()
    if other is not None:
        raise InvalidChange(f"{person.name} 已是家庭 {other.household.household_no} 的成员，请先办理减员或分户")


@transaction.atomic
def create_household(
    *,
    user: Any,
    household_no: str,
    area_code: str,
    head: Person,
    start_date: dt.date,
    address: str = "",
    phone: str = "",
    registered_date: dt.date | None = None,
    reason: str = "建档",
) -> Household:
    require_write(user, area_code)
    area = Area.objects.filter(code=area_code).first()
    if area is None or area.level != "community":
        raise InvalidChange("所在社区的区划代码无效")
    if Household.objects.filter(household_no=household_no).exists():
        raise InvalidChange("档案编号已存在")
    _not_elsewhere(head)
    household = Household.objects.create(
        household_no=household_no,
        area=area,
        address=address,
        phone=phone,
        registered_date=registered_date or start_date,
    )
    HouseholdMember.objects.create(household=household, person=head, relation=HEAD, start_date=start_date)
    _log_change(user=user, household=household, kind=ChangeKind.CREATE, day=start_date, before={}, reason=reason)
    return household


@transaction.atomic
def update_household(*, user: Any, household: Household, reason: str, **changes: Any) -> Household:
    unknown = set(changes) - EDITABLE_HOUSEHOLD_FIELDS
    if unknown:
        raise InvalidChange(f"未知字段: {', '.join(sorted(unknown))}")
    household = _lock(household)
    require_write(user, household.area_id)
    if "area_id" in changes:
        require_write(user, changes["area_id"])
    reason = require_reason(reason)
    before = snapshot(household, EDITABLE_HOUSEHOLD_FIELDS)
    for key, value in changes.items():
        setattr(household, key, value)
    household.save()
    b, a = diff(before, snapshot(household, EDITABLE_HOUSEHOLD_FIELDS))
    if b or a:
        HouseholdChange.objects.create(
            household=household,
            kind=ChangeKind.UPDATE,
            effective_date=dt.date.today(),
            before=b,
            after=a,
            reason=reason,
            actor=user if getattr(user, "is_authenticated", False) else None,
        )
        record(
            user,
            AuditAction.UPDATE,
            household,
            area_code=household.area_id,
            summary=f"修改家庭信息 {household.household_no}",
            before=b,
            after=a,
            reason=reason,
        )
    return household


@transaction.atomic
def add_member(
    *, user: Any, household: Household, person: Person, relation: str, start_date: dt.date, reason: str
) -> HouseholdMember:
    household = _lock(household)
    require_write(user, household.area_id)
    reason = require_reason(reason)
    if _check_relation(relation) == HEAD:
        raise InvalidChange("增加户主请使用“变更户主”")
    _not_elsewhere(person)
    before = composition(household)
    member = HouseholdMember.objects.create(
        household=household, person=person, relation=relation, start_date=start_date
    )
    _log_change(
        user=user, household=household, kind=ChangeKind.ADD_MEMBER, day=start_date, before=before, reason=reason
    )
    return member


@transaction.atomic
def remove_member(
    *, user: Any, household: Household, person: Person, end_date: dt.date, reason: str
) -> HouseholdMember:
    household = _lock(household)
    require_write(user, household.area_id)
    reason = require_reason(reason)
    member = _current(household, person)
    if member.relation == HEAD:
        raise InvalidChange("不能直接减少户主，请先变更户主")
    if end_date < member.start_date:
        raise InvalidChange("终止日期早于起始日期")
    before = composition(household)
    member.end_date = end_date
    member.save(update_fields=["end_date"])
    _log_change(
        user=user, household=household, kind=ChangeKind.REMOVE_MEMBER, day=end_date, before=before, reason=reason
    )
    return member


def _move_relation(member: HouseholdMember, relation: str, day: dt.date) -> HouseholdMember:
    """End a membership on ``day`` and start the same person with a new relation from ``day``."""
    member.end_date = day
    member.save(update_fields=["end_date"])
    return HouseholdMember.objects.create(
        household_id=member.household_id, person_id=member.person_id, relation=relation, start_date=day
    )


@transaction.atomic
def change_head(
    *,
    user: Any,
    household: Household,
    new_head: Person,
    former_head_relation: str,
    effective_date: dt.date,
    reason: str,
    relations: Mapping[int, str] | None = None,
) -> Household:
    """Make ``new_head`` the head; the former head gets ``former_head_relation``.

    ``relations`` (person id → relation) restates other members' relation to the new head.
    """
    household = _lock(household)
    require_write(user, household.area_id)
    reason = require_reason(reason)
    if _check_relation(former_head_relation) == HEAD:
        raise InvalidChange("原户主的新关系不能是户主")
    new_member = _current(household, new_head)
    if new_member.relation == HEAD:
        raise InvalidChange(f"{new_head.name} 已是户主")
    before = composition(household)
    old = household.memberships.get(end_date__isnull=True, relation=HEAD)
    _move_relation(old, former_head_relation, effective_date)
    _move_relation(new_member, HEAD, effective_date)
    for person_id, relation in (relations or {}).items():
        if _check_relation(relation) == HEAD:
            raise InvalidChange("一户只能有一名户主")
        m = household.memberships.filter(person_id=person_id, end_date__isnull=True).first()
        if m is None:
            raise InvalidChange("关系变更涉及的人员不是该户成员")
        if m.relation != relation:
            _move_relation(m, relation, effective_date)
    _log_change(
        user=user, household=household, kind=ChangeKind.CHANGE_HEAD, day=effective_date, before=before, reason=reason
    )
    return household


@transaction.atomic
def split_household(
    *,
    user: Any,
    household: Household,
    new_household_no: str,
    new_head: Person,
    others: Mapping[int, str],
    effective_date: dt.date,
    reason: str,
    address: str = "",
    phone: str = "",
) -> Household:
    """Move ``new_head`` and ``others`` (person id → relation to the new head) into a new household."""
    household = _lock(household)
    require_write(user, household.area_id)
    reason = require_reason(reason)
    if Household.objects.filter(household_no=new_household_no).exists():
        raise InvalidChange("档案编号已存在")
    moving = [_current(household, new_head)]
    moving += [_current(household, Person.objects.get(pk=pid)) for pid in others]
    if any(m.relation == HEAD for m in moving):
        raise InvalidChange("户主不能分出，请先变更户主")
    if household.memberships.filter(end_date__isnull=True).count() == len(moving):
        raise InvalidChange("分户后原家庭不能没有成员")
    before_old = composition(household)
    new = Household.objects.create(
        household_no=new_household_no,
        area_id=household.area_id,
        address=address or household.address,
        phone=phone,
        registered_date=effective_date,
    )
    for m in moving:
        m.end_date = effective_date
        m.save(update_fields=["end_date"])
        relation = HEAD if m.person_id == new_head.pk else _check_relation(others[m.person_id])
        if m.person_id != new_head.pk and relation == HEAD:
            raise InvalidChange("一户只能有一名户主")
        HouseholdMember.objects.create(
            household=new, person_id=m.person_id, relation=relation, start_date=effective_date
        )
    _log_change(
        user=user,
        household=household,
        kind=ChangeKind.SPLIT,
        day=effective_date,
        before=before_old,
        reason=reason,
        other=new,
    )
    _log_change(
        user=user, household=new, kind=ChangeKind.SPLIT, day=effective_date, before={}, reason=reason, other=household
    )
    return new


@transaction.atomic
def merge_households(
    *,
    user: Any,
    target: Household,
    source: Household,
    relations: Mapping[int, str],
    effective_date: dt.date,
    reason: str,
) -> Household:
    """Move every current member of ``source`` into ``target`` (relations to target's head); close source."""
    if target.pk == source.pk:
        raise InvalidChange("不能与自身合户")
    first, second = sorted([target, source], key=lambda h: h.pk)  # lock in a fixed order
    _lock(first)
    _lock(second)
    target.refresh_from_db()
    source.refresh_from_db()
    require_write(user, target.area_id)
    require_write(user, source.area_id)
    reason = require_reason(reason)
    if source.status != HouseholdStatus.ACTIVE:
        raise InvalidChange("被合并家庭已注销")
    members: Sequence[HouseholdMember] = list(source.memberships.filter(end_date__isnull=True))
    missing = {m.person_id for m in members} - set(relations)
    if missing:
        raise InvalidChange("请为被合并家庭的每名成员填写与户主关系")
    before_target, before_source = composition(target), composition(source)
    for m in members:
        relation = _check_relation(relations[m.person_id])
        if relation == HEAD:
            raise InvalidChange("一户只能有一名户主")
        m.end_date = effective_date
        m.save(update_fields=["end_date"])
        HouseholdMember.objects.create(
            household=target, person_id=m.person_id, relation=relation, start_date=effective_date
        )
    source.status = HouseholdStatus.CLOSED
    source.save(update_fields=["status", "updated_at"])
    _log_change(
        user=user,
        household=target,
        kind=ChangeKind.MERGE,
        day=effective_date,
        before=before_target,
        reason=reason,
        other=source,
    )
    _log_change(
        user=user,
        household=source,
        kind=ChangeKind.MERGE,
        day=effective_date,
        before=before_source,
        reason=reason,
        other=target,
    )
    return target
