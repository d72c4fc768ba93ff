"""One need in the service register, opened from outside an assessment (a monitoring alert's referral,
a caseworker's finding): the public action for the other apps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.models import Household, Person
from minzheng.services import derive, geo
from minzheng.services.actions._guard import require_staff
from minzheng.services.choices import ASSESSES, LIVE_NEED_STATUSES, NeedLevel
from minzheng.services.models import Need, ServiceItem


@transaction.atomic
def open_need(household: Household, item: ServiceItem, *, user: Any, person: Person | None, day: dt.date,
              level: str = NeedLevel.MEDIUM, reason: str = "") -> tuple[Need, bool]:
    """Open a need for ``item`` (or return the live one: one live need per household and item) and say
    whether it was created. Priority comes from the household's category on ``day``, the location from
    the community's stand-in point, as for needs from an assessment; the caller's role and jurisdiction
    are checked like an assessment's."""
    require_staff(user, household.area_id, ASSESSES)
    live = Need.objects.filter(household=household, item=item, status__in=LIVE_NEED_STATUSES).first()
    if live is not None:
        return live, False
    lat, lng = geo.standin_point(household.area_id)
    need = Need.objects.create(household=household, person=person, item=item, level=level,
                               priority=derive.priority_of(household, day), area_id=household.area_id,
                               lat=lat, lng=lng)
    record(user, AuditAction.CREATE, need, area_code=household.area_id,
           summary=f"登记服务需求 {household.household_no}：{item.name}",
           after={"item": item.code, "person_id": getattr(person, "pk", None), "level": level,
                  "priority": need.priority},
           reason=reason)
    return need, True
