"""Stopping a deceased person's payments (死亡停发): from the month after death.

Every person-level enrollment of the person still running after the death month ends on the last day of
that month (end inclusive, so the death month is still paid and nothing after it). An enrollment that
only starts after the death month is never due: it cannot be ended before it starts, so it is returned
apart for the payments side to cancel. Household-level enrollments are not touched here: the household
lives on, and its amount is re-determined by a review (the caller reports the change).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.scope import in_scope
from minzheng.core.errors import InvalidChange, NotFound
from minzheng.core.models import Person
from minzheng.registry.actions.enrollments import end_enrollment
from minzheng.registry.models import Enrollment


@dataclass
class DeathStop:
    """What a stop did: the month it pays up to, the enrollments ended, those that never started."""

    last_paid_day: dt.date
    ended: list[Enrollment] = field(default_factory=list)
    not_started: list[Enrollment] = field(default_factory=list)

    @property
    def stop_from(self) -> dt.date:
        """The first day of the first month no longer paid (the month after death)."""
        return self.last_paid_day + dt.timedelta(days=1)


def last_day_of_month(day: dt.date) -> dt.date:
    first_next = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _area_of(person: Person) -> str:
    membership = person.memberships.filter(end_date__isnull=True).select_related("household").first()
    return str(membership.household.area_id) if membership else str(person.area_id or "")


@transaction.atomic
def stop_payments_after_death(*, user: Any, person: Person, death_date: dt.date, reason: str,
                              area_code: str = "") -> DeathStop:
    """End ``person``'s person-level enrollments after the month of ``death_date``.

    ``user=None`` is the system; a user must have the person's area (``area_code``, else the person's
    household's or registered area) in their jurisdiction. The caller decides who may stop (the
    monitoring disposition authorises through its own table). Running it twice changes nothing."""
    area = area_code or _area_of(person)
    if user is not None and not in_scope(user, area):
        raise NotFound("未找到该人员")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidChange("请填写停发原因")
    if death_date > timezone.localdate():
        raise InvalidChange("死亡日期不能晚于今天")
    if person.birth_date and death_date < person.birth_date:
        raise InvalidChange("死亡日期早于出生日期")
    stop = DeathStop(last_paid_day=last_day_of_month(death_date))
    running = (Enrollment.objects.select_for_update().filter(person=person)
               .filter(Q(end_date__isnull=True) | Q(end_date__gt=stop.last_paid_day)).order_by("start_date", "id"))
    for enrollment in running:
        if enrollment.start_date > stop.last_paid_day:
            stop.not_started.append(enrollment)
            continue
        stop.ended.append(end_enrollment(enrollment, user=user, last_day=stop.last_paid_day,
                                         reason=f"死亡停发（{death_date:%Y-%m-%d} 死亡，次月起停发）：{reason}"))
    if not stop.ended and not stop.not_started:
        return stop
    record(user, AuditAction.UPDATE, person, area_code=area, summary=f"死亡停发 {person.name}",
           after={"death_date": death_date.isoformat(), "last_paid_day": stop.last_paid_day.isoformat(),
                  "ended": [e.pk for e in stop.ended], "not_started": [e.pk for e in stop.not_started]},
           reason=reason)
    return stop
