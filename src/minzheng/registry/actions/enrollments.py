"""Enrollments decided by a workflow: enroll, end (suspend, exit, supersede) and restart at a new amount.

One person, one category (policy-rules.md): a person is in at most one of 特困, 低保 (household or
单人保), 孤儿/事实无人抚养儿童 at a time. A household's 低保 leaves out its 特困 members and orphans, so a
person-level 特困 or orphan enrollment beside the household's 低保 is allowed; 低保边缘 and 刚性支出困难 are
household statuses, one at a time and never beside the household's 低保. :func:`conflicts` lists what
an enrollment would clash with; :func:`enroll` refuses with :class:`CategoryConflict`.

Periods are ``[start_date, end_date]`` with the end inclusive; ending an enrollment sets its last day,
a new amount is a new row (the ledger of periods is never rewritten). Every call is audited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record, snapshot
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Household, HouseholdMember, Person
from minzheng.registry.choices import EnrollmentSource, Programme
from minzheng.registry.models import Enrollment

PERSON_EXCLUSIVE = frozenset({Programme.TEKUN, Programme.DIBAO, Programme.ORPHAN, Programme.UNSUPPORTED_CHILD})
CHILD_PROGRAMMES = frozenset({Programme.ORPHAN, Programme.UNSUPPORTED_CHILD})
HOUSEHOLD_STATUSES = frozenset({Programme.DIBAO, Programme.DIBAO_EDGE, Programme.RIGID_HARDSHIP})


class CategoryConflict(InvalidChange):
    """The enrollment would put a person in two categories (or a household in two statuses)."""

    def __init__(self, message: str, conflicting: list[Enrollment]) -> None:
        super().__init__(message)
        self.conflicting = conflicting


def _active_from(day: dt.date) -> QuerySet[Enrollment]:
    """Enrollments still running on or after ``day`` (end empty or not before it)."""
    return Enrollment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


def _members(household: Household, day: dt.date) -> list[int]:
    return list(
        HouseholdMember.objects.filter(household=household, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .values_list("person_id", flat=True)
    )


def _current_household(person: Person, day: dt.date) -> int | None:
    m = (
        HouseholdMember.objects.filter(person=person, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .first()
    )
    return m.household_id if m else None


def conflicts(*, programme: str, start: dt.date, household: Household | None = None,
              person: Person | None = None, counted: frozenset[int] | None = None) -> list[Enrollment]:
    """Existing enrollments, running on or after ``start``, that the new one would clash with.

    ``counted`` (household 低保 only): the members the new 低保 counts; a member with a running 特困 or
    orphan enrollment who is counted clashes (by default every current member is counted except those
    already in 特困 or orphan programmes).
    """
    running = _active_from(start)
    if person is not None:
        if programme not in PERSON_EXCLUSIVE:
            return []
        found = list(running.filter(person=person, programme__in=PERSON_EXCLUSIVE))
        home = _current_household(person, start)
        if programme in (Programme.DIBAO, *CHILD_PROGRAMMES) and home is not None:
            # 单人保 or a child's programme beside the household's own 低保 counts the person twice.
            found += list(running.filter(household_id=home, person__isnull=True, programme=Programme.DIBAO))
        return found
    if household is None:
        raise ValueError("an enrollment needs a household or a person")
    if programme not in HOUSEHOLD_STATUSES:
        return []
    found = list(running.filter(household=household, person__isnull=True, programme__in=HOUSEHOLD_STATUSES))
    if programme == Programme.DIBAO:
        members = _members(household, start)
        found += list(running.filter(person_id__in=members, programme=Programme.DIBAO))
        if counted is not None:
            found += list(running.filter(person_id__in=counted,
                                         programme__in=PERSON_EXCLUSIVE - {Programme.DIBAO}))
    return found


def _describe(e: Enrollment) -> str:
    who = f"人员 {e.person_id}" if e.person_id else f"家庭 {e.household_id}"
    end = e.end_date.isoformat() if e.end_date else "至今"
    return f"{Programme(e.programme).label}（{who}，{e.start_date.isoformat()}—{end}）"


def _area_of(household: Household | None, person: Person | None, day: dt.date) -> str:
    if household is not None:
        return household.area_id
    home = _current_household(person, day) if person is not None else None
    if home is not None:
        return Household.objects.values_list("area_id", flat=True).get(pk=home)
    return getattr(person, "area_id", "") or ""


@transaction.atomic
def enroll(*, user: Any, programme: str, start: dt.date, monthly_amount: Decimal, source_key: str,
           household: Household | None = None, person: Person | None = None, end: dt.date | None = None,
           counted: frozenset[int] | None = None, reason: str = "") -> Enrollment:
    """Create one enrollment decided by a workflow; the same ``source_key`` twice returns the first row."""
    existing = Enrollment.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    if (household is None) == (person is None):
        raise ValueError("an enrollment is for a household or for a person, not both")
    if end is not None and end < start:
        raise InvalidChange("终止日期早于起始日期")
    if monthly_amount < 0:
        raise InvalidChange("金额不能为负数")
    clash = conflicts(programme=programme, start=start, household=household, person=person, counted=counted)
    if clash:
        raise CategoryConflict("一人一类：已在享受 " + "；".join(_describe(e) for e in clash), clash)
    enrollment = Enrollment.objects.create(
        household=household, person=person, programme=programme, start_date=start, end_date=end,
        monthly_amount=monthly_amount, source=EnrollmentSource.WORKFLOW, source_key=source_key,
    )
    record(user, AuditAction.CREATE, enrollment, area_code=_area_of(household, person, start),
           summary=f"纳入{Programme(programme).label} {start.isoformat()}", after=snapshot(enrollment),
           reason=reason)
    return enrollment


@transaction.atomic
def end_enrollment(enrollment: Enrollment, *, user: Any, last_day: dt.date, reason: str) -> Enrollment:
    """Stop an enrollment after ``last_day`` (inclusive); an earlier end stays as it is unless moved back."""
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if last_day < locked.start_date:
        raise InvalidChange(f"终止日期 {last_day} 早于起始日期 {locked.start_date}")
    if locked.end_date is not None and locked.end_date <= last_day:
        return locked
    before = snapshot(locked, ["end_date"])
    locked.end_date = last_day
    locked.save(update_fields=["end_date"])
    record(user, AuditAction.UPDATE, locked, area_code=_area_of(locked.household, locked.person, last_day),
           summary=f"终止{Programme(locked.programme).label} {last_day.isoformat()}", before=before,
           after=snapshot(locked, ["end_date"]), reason=reason)
    return locked


@transaction.atomic
def restart(enrollment: Enrollment, *, user: Any, start: dt.date, monthly_amount: Decimal, source_key: str,
            end: dt.date | None = None, reason: str) -> Enrollment:
    """Continue an enrollment as a new period from ``start`` (a new amount, or a resumption): the old
    period must end before ``start``; the new one has the same beneficiary and programme."""
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if locked.end_date is None or locked.end_date >= start:
        end_enrollment(locked, user=user, last_day=start - dt.timedelta(days=1), reason=reason)
    return enroll(user=user, programme=locked.programme, start=start, monthly_amount=monthly_amount,
                  source_key=source_key, household=locked.household, person=locked.person, end=end,
                  reason=reason)
