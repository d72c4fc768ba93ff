"""Monthly settlement of home-care subsidies per enterprise, with anomaly flags.

The month's visits of an enterprise are those checked in during the month (Asia/Shanghai) and checked out.
Each visit's claimed hours are its check-in to check-out time; the billable hours are those, at most the
hours ordered, rounded down to the half hour; the amount is billable hours × the category's hourly subsidy.
Anomalies and what happens to the visit:

- ``after_death``: the visit started after the day the elder died → **excluded** (never paid);
- ``overlap``: the same worker has another visit overlapping in time (any enterprise's order) → both are
  **held** (not paid in this settlement; listed for the district to check);
- ``over_entitlement``: the elder's hours this month, counted over all enterprises in check-in order
  (visits excluded or held do not count), pass the monthly entitlement for their capability level and
  hardship category → the visit that crosses it is **partially** paid, later ones are **excluded**
  for the hours beyond (an elder without an assessment has no entitlement: everything is beyond).

A draft settlement is recomputed from scratch each time it is generated; a confirmed one is final.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange
from minzheng.eldercare.actions._guard import acting, require_staff
from minzheng.eldercare.choices import SETTLES, Anomaly, LineDecision, SettlementStatus
from minzheng.eldercare.models import Enterprise, Settlement, SettlementLine, Visit
from minzheng.eldercare.selectors import person_entitlement
from minzheng.rules.model import Month

HALF = Decimal("0.5")
CENT = Decimal("0.01")


def month_bounds(month: Month) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month.first_day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(month.shift(1).first_day, dt.time.min, tzinfo=tz)


def claimed_hours(visit: Visit) -> Decimal:
    assert visit.check_out_at is not None
    seconds = Decimal(int((visit.check_out_at - visit.check_in_at).total_seconds()))
    return (seconds / 3600).quantize(CENT, ROUND_HALF_UP)


def billable_hours(visit: Visit) -> Decimal:
    hours = min(claimed_hours(visit), visit.order.hours)
    return (hours / HALF).to_integral_value(ROUND_DOWN) * HALF


def _month_visits(month: Month) -> list[Visit]:
    start, end = month_bounds(month)
    return list(Visit.objects.filter(check_in_at__gte=start, check_in_at__lt=end, check_out_at__isnull=False)
                .select_related("order__person", "order__category", "order__enterprise", "worker")
                .order_by("check_in_at", "pk"))


def _overlapping(visits: list[Visit]) -> set[int]:
    by_worker: dict[int, list[Visit]] = defaultdict(list)
    for v in visits:
        by_worker[v.worker_id].append(v)
    flagged: set[int] = set()
    for items in by_worker.values():
        items.sort(key=lambda v: (v.check_in_at, v.pk))
        latest_end: dt.datetime | None = None
        latest: Visit | None = None
        for v in items:
            assert v.check_out_at is not None
            if latest is not None and latest_end is not None and v.check_in_at < latest_end:
                flagged.update({v.pk, latest.pk})
            if latest_end is None or v.check_out_at > latest_end:
                latest_end, latest = v.check_out_at, v
    return flagged


def plan_month(month: Month) -> dict[int, dict[str, Any]]:
    """Every visit of the month (all enterprises) → its flags, decision and paid hours."""
    visits = _month_visits(month)
    overlap = _overlapping(visits)
    last_day = month.shift(1).first_day - dt.timedelta(days=1)
    used: dict[int, Decimal] = defaultdict(Decimal)
    allowed: dict[int, Decimal] = {}
    out: dict[int, dict[str, Any]] = {}
    for v in visits:
        person = v.order.person
        flags: list[str] = []
        claimed, billable = claimed_hours(v), billable_hours(v)
        day = timezone.localtime(v.check_in_at).date()
        if person.death_date is not None and day > person.death_date:
            flags.append(Anomaly.AFTER_DEATH)
        if v.pk in overlap:
            flags.append(Anomaly.OVERLAP)
        if Anomaly.AFTER_DEATH in flags:
            out[v.pk] = {"visit": v, "flags": flags, "decision": LineDecision.EXCLUDED, "paid": Decimal(0),
                         "claimed": claimed, "note": f"服务对象已于 {person.death_date} 死亡"}
            continue
        if Anomaly.OVERLAP in flags:
            out[v.pk] = {"visit": v, "flags": flags, "decision": LineDecision.HELD, "paid": Decimal(0),
                         "claimed": claimed, "note": "同一服务人员同时段另有服务，待核查"}
            continue
        if person.pk not in allowed:
            _level, _hardship, hours = person_entitlement(person, last_day)
            allowed[person.pk] = hours
        left = max(Decimal(0), allowed[person.pk] - used[person.pk])
        paid = min(billable, left)
        used[person.pk] += paid
        decision, note = LineDecision.PAID, ""
        if paid < billable:
            flags.append(Anomaly.OVER_ENTITLEMENT)
            decision = LineDecision.PARTIAL if paid > 0 else LineDecision.EXCLUDED
            note = f"当月额度 {allowed[person.pk]} 小时，超出 {billable - paid} 小时不予结算"
        out[v.pk] = {"visit": v, "flags": flags, "decision": decision, "paid": paid, "claimed": claimed,
                     "note": note}
    return out


@transaction.atomic
def settle_month(*, user: Any, month: str, enterprise: Enterprise) -> Settlement:
    """Generate (or regenerate, while a draft) the enterprise's settlement for the month."""
    require_staff(user, enterprise.area_id, SETTLES)
    m = Month.parse(month)
    settlement = Settlement.objects.select_for_update().filter(month=str(m), enterprise=enterprise).first()
    if settlement is not None and settlement.status == SettlementStatus.CONFIRMED:
        raise InvalidChange(f"{m} 的结算单已确认，不能重新生成")
    before = None
    if settlement is None:
        settlement = Settlement(month=str(m), enterprise=enterprise)
    else:
        before = {"visits": settlement.visits, "hours_paid": str(settlement.hours_paid),
                  "amount": str(settlement.amount), "flags": settlement.flags}
        settlement.lines.all().delete()
    plan = [p for p in plan_month(m).values() if p["visit"].order.enterprise_id == enterprise.pk]
    lines, flags = [], {a.value: 0 for a in Anomaly}
    for p in plan:
        v = p["visit"]
        rate = v.order.category.hourly_subsidy
        lines.append(SettlementLine(visit=v, hours_claimed=p["claimed"], hours_paid=p["paid"], rate=rate,
                                    amount=(p["paid"] * rate).quantize(CENT, ROUND_HALF_UP),
                                    flags=[str(f) for f in p["flags"]], decision=p["decision"], note=p["note"]))
        for flag in p["flags"]:
            flags[str(flag)] += 1
    settlement.visits = len(lines)
    settlement.hours_claimed = sum((ln.hours_claimed for ln in lines), Decimal(0))
    settlement.hours_paid = sum((ln.hours_paid for ln in lines), Decimal(0))
    settlement.amount = sum((ln.amount for ln in lines), Decimal(0))
    settlement.flags = flags
    settlement.generated_at = timezone.now()
    settlement.save()
    for ln in lines:
        ln.settlement = settlement
    SettlementLine.objects.bulk_create(lines)
    after = {"visits": settlement.visits, "hours_paid": str(settlement.hours_paid), "amount": str(settlement.amount),
             "flags": flags}
    record(user, AuditAction.CREATE if before is None else AuditAction.UPDATE, settlement,
           area_code=enterprise.area_id, summary=f"{enterprise.name} {m} 居家服务结算：{settlement.visits} 次，"
           f"{settlement.amount} 元", before=before, after=after)
    return settlement


@transaction.atomic
def confirm_settlement(*, user: Any, settlement: Settlement) -> Settlement:
    settlement = Settlement.objects.select_for_update().select_related("enterprise").get(pk=settlement.pk)
    require_staff(user, settlement.enterprise.area_id, SETTLES)
    if settlement.status == SettlementStatus.CONFIRMED:
        raise InvalidChange("结算单已确认")
    settlement.status = SettlementStatus.CONFIRMED
    settlement.confirmed_at, settlement.confirmed_by = timezone.now(), acting(user)
    settlement.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    record(user, AuditAction.UPDATE, settlement, area_code=settlement.enterprise.area_id,
           summary=f"确认 {settlement.enterprise.name} {settlement.month} 结算 {settlement.amount} 元",
           before={"status": "draft"}, after={"status": "confirmed"})
    return settlement
