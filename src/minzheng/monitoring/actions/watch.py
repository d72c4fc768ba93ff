"""重点监测: putting a person on the key-monitoring list with a revisit schedule, recording revisits (each
moves the next one on by the interval), and taking the person off the list. Staff of the person's
community, street or district; one transaction each, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record, snapshot
from minzheng.authz.scope import in_scope
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.core.models import Area, Household, HouseholdMember, Person
from minzheng.monitoring.actions._common import actor, add_months, not_before, required, today
from minzheng.monitoring.deadlines import parameter_int
from minzheng.monitoring.models import Alert, KeyMonitoring, Revisit
from minzheng.monitoring.workflow import acting_level


def _require_staff(user: Any, area_code: str) -> None:
    if user is None:
        return
    if not in_scope(user, area_code):
        raise NotFound("未找到该记录")
    if acting_level(user) is None:
        raise Forbidden("须由社区、街道或区县工作人员办理")


def _interval(months: int | None, on: dt.date) -> int:
    months = months or parameter_int("revisit_months", on)
    if not 1 <= months <= 24:
        raise InvalidChange("回访周期须为 1–24 个月")
    return months


@transaction.atomic
def add_to_key_monitoring(*, user: Any, person: Person, area_code: str, reason: str, alert: Alert | None = None,
                          household: Household | None = None, interval_months: int | None = None,
                          since: dt.date | None = None) -> KeyMonitoring:
    """纳入重点监测 from ``since`` (today); the first revisit is one interval later."""
    since = today(since)
    _require_staff(user, area_code)
    if not Area.objects.filter(code=area_code, level="community").exists():
        raise InvalidChange("所在社区的区划代码无效")
    reason = required(reason, "纳入原因")
    months = _interval(interval_months, since)
    if KeyMonitoring.objects.select_for_update().filter(person=person, ended_on__isnull=True).exists():
        raise InvalidChange(f"{person.name} 已在重点监测名单中")
    if household is None:
        household = alert.household if alert and alert.household_id else None
    if household is None:
        current = HouseholdMember.objects.filter(person=person, end_date__isnull=True).select_related("household")
        household = current[0].household if current else None
    entry = KeyMonitoring.objects.create(
        person=person, household=household, area_id=area_code, alert=alert,
        reason=reason, since=since, interval_months=months, next_revisit=add_months(since, months),
        added_by=actor(user))
    record(user, AuditAction.CREATE, entry, area_code=area_code, summary=f"纳入重点监测 {person.name}",
           after=snapshot(entry, ["person_id", "household_id", "alert_id", "since", "interval_months",
                                  "next_revisit"]), reason=reason)
    return entry


def _lock(entry: KeyMonitoring) -> KeyMonitoring:
    return KeyMonitoring.objects.select_for_update().select_related("person").get(pk=entry.pk)


@transaction.atomic
def record_revisit(entry: KeyMonitoring, *, user: Any, note: str, visited_on: dt.date | None = None,
                   next_revisit: dt.date | None = None) -> Revisit:
    """回访: the visit is written once; the next revisit is one interval after it unless set earlier/later."""
    entry = _lock(entry)
    visited_on = today(visited_on)
    _require_staff(user, entry.area_id)
    if not entry.active:
        raise InvalidChange("该对象已移出重点监测名单")
    note = required(note, "回访情况")
    not_before(visited_on, entry.last_visit or entry.since, "上次回访（或纳入）日期")
    following = next_revisit or add_months(visited_on, entry.interval_months)
    if following <= visited_on:
        raise InvalidChange("下次回访日期须晚于本次回访日期")
    before = snapshot(entry, ["next_revisit", "last_visit", "visits"])
    visit = Revisit.objects.create(entry=entry, visited_on=visited_on, note=note, next_revisit=following,
                                   visited_by=actor(user))
    entry.last_visit, entry.next_revisit, entry.visits = visited_on, following, entry.visits + 1
    entry.save(update_fields=["last_visit", "next_revisit", "visits"])
    record(user, AuditAction.UPDATE, entry, area_code=entry.area_id, summary=f"重点监测回访 {entry.person.name}",
           before=before, after=snapshot(entry, ["next_revisit", "last_visit", "visits"]), reason=note)
    return visit


@transaction.atomic
def end_key_monitoring(entry: KeyMonitoring, *, user: Any, reason: str, on: dt.date | None = None) -> KeyMonitoring:
    """移出重点监测 (the risk has passed, the person moved away or died)."""
    entry = _lock(entry)
    on = today(on)
    _require_staff(user, entry.area_id)
    if not entry.active:
        raise InvalidChange("该对象已移出重点监测名单")
    reason = required(reason, "移出原因")
    not_before(on, entry.since, "纳入日期")
    entry.ended_on, entry.end_reason = on, reason
    entry.save(update_fields=["ended_on", "end_reason"])
    record(user, AuditAction.UPDATE, entry, area_code=entry.area_id, summary=f"移出重点监测 {entry.person.name}",
           before={"ended_on": None}, after={"ended_on": on.isoformat()}, reason=reason)
    return entry
