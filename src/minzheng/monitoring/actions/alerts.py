"""The staff steps of an alert (签收, 核查, 研判, 销号) and the daily overdue sweep that escalates alerts
to the street and then the district. Each step is one transaction, moved by the table and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange
from minzheng.monitoring.actions._common import actor, lock, move, not_before, required, today
from minzheng.monitoring.choices import (
    LEVEL_RANK,
    SIGN_CLOCK,
    VERIFY_CLOCK,
    AlertAction,
    AlertState,
    Finding,
    Level,
    OverdueKind,
    VerifyMethod,
)
from minzheng.monitoring.deadlines import parameter_int, verify_by, working_days_late
from minzheng.monitoring.models import Alert, AlertEvent, Judgement, MonitoringSweep
from minzheng.monitoring.workflow import authorise


@transaction.atomic
def sign_for(alert: Alert, *, user: Any, on: dt.date | None = None, note: str = "") -> Alert:
    """签收: the community takes the alert; the verification deadline starts (working days)."""
    alert = lock(alert)
    on = today(on)
    authorise(user, alert.state, AlertAction.SIGN_FOR, area_code=alert.area_id, level=alert.level)
    not_before(on, alert.pushed_on, "推送日期")
    deadline = verify_by(on)
    alert.signed_on, alert.verify_by = on, deadline.date
    alert.calendar_complete = alert.calendar_complete and deadline.complete
    move(alert, AlertAction.SIGN_FOR, user=user, on=on,
         note=note.strip() or f"已签收，请于 {deadline.date:%Y-%m-%d} 前完成核查研判")
    return alert


@transaction.atomic
def start_verification(alert: Alert, *, user: Any, on: dt.date | None = None, note: str = "") -> Alert:
    """开始核查: a home visit, a call or a data check is under way."""
    alert = lock(alert)
    on = today(on)
    authorise(user, alert.state, AlertAction.START_VERIFICATION, area_code=alert.area_id, level=alert.level)
    not_before(on, alert.signed_on, "签收日期")
    move(alert, AlertAction.START_VERIFICATION, user=user, on=on, note=note.strip())
    return alert


@transaction.atomic
def judge(alert: Alert, *, user: Any, finding: str, method: str, note: str, verified_on: dt.date | None = None,
          on: dt.date | None = None) -> Judgement:
    """研判: the verification's finding, written once (a reopened alert is judged again in its new episode)."""
    alert = lock(alert)
    on = today(on)
    authorise(user, alert.state, AlertAction.JUDGE, area_code=alert.area_id, level=alert.level)
    if finding not in Finding.values:
        raise InvalidChange("请选择研判结论")
    if method not in VerifyMethod.values:
        raise InvalidChange("请选择核查方式")
    note = required(note, "核查情况")
    verified_on = verified_on or on
    not_before(verified_on, alert.signed_on, "签收日期")
    not_before(on, verified_on, "核查日期")
    judgement = Judgement.objects.create(alert=alert, finding=finding, method=method, verified_on=verified_on,
                                         note=note, judged_by=actor(user))
    alert.finding, alert.judged_on = finding, on
    move(alert, AlertAction.JUDGE, user=user, on=on, note=f"{Finding(finding).label}：{note}",
         after={"finding": finding, "method": method})
    return judgement


@transaction.atomic
def close(alert: Alert, *, user: Any, note: str = "", on: dt.date | None = None) -> Alert:
    """销号: the alert is disposed of and closed; it opens again only on newer evidence."""
    alert = lock(alert)
    on = today(on)
    authorise(user, alert.state, AlertAction.CLOSE, area_code=alert.area_id, level=alert.level)
    not_before(on, alert.disposed_on, "处置日期")
    alert.closed_at, alert.closed_on = timezone.now(), on
    move(alert, AlertAction.CLOSE, user=user, on=on, note=note.strip() or "处置完毕，销号")
    return alert


def _target_level(alert: Alert, day: dt.date) -> tuple[str, str]:
    """(overdue kind, the level answerable on ``day``): street once past the deadline, district when more
    than ``district_after_working_days`` working days past it."""
    kind, due = alert.deadline()
    if due is None or day <= due:
        return kind, Level.COMMUNITY
    if working_days_late(due, day) > parameter_int("district_after_working_days", day):
        return kind, Level.DISTRICT
    return kind, Level.STREET


@transaction.atomic
def escalate_overdue(*, user: Any = None, on: dt.date | None = None) -> dict[str, Any]:
    """The daily sweep: alerts past their sign-for or verification deadline go up to the street, and to the
    district when still overdue. Idempotent per day: a second sweep of the same day returns the first's
    report and writes nothing (escalation only ever raises the level)."""
    on = today(on)
    done = MonitoringSweep.objects.filter(day=on).first()
    if done is not None:
        return dict(done.report)
    overdue = (Alert.objects.filter(Q(state__in=SIGN_CLOCK, sign_by__lt=on) | Q(state__in=VERIFY_CLOCK,
                                                                                 verify_by__lt=on))
               .exclude(level=Level.DISTRICT).order_by("id"))
    report: dict[str, Any] = {"day": on.isoformat(), "overdue": 0, "to_street": 0, "to_district": 0}
    for candidate in overdue:
        report["overdue"] += 1
        kind, target = _target_level(candidate, on)
        if LEVEL_RANK[Level(target)] <= LEVEL_RANK[Level(candidate.level)]:
            continue
        alert = lock(candidate)
        authorise(user, alert.state, AlertAction.ESCALATE, area_code=alert.area_id, level=alert.level)
        before = alert.level
        alert.level, alert.escalated_on, alert.overdue_kind = target, on, kind
        alert.save()
        label = OverdueKind(kind).label
        note = f"{label}（期限 {alert.deadline()[1]}），升级至{Level(target).label}督办"
        AlertEvent.objects.create(alert=alert, action=AlertAction.ESCALATE, from_state=alert.state,
                                  to_state=alert.state, from_level=before, to_level=target, on=on,
                                  actor=actor(user), note=note)
        record(user, AuditAction.UPDATE, alert, area_code=alert.area_id, summary=f"预警逾期升级 {alert.number}",
               before={"level": before}, after={"level": target, "overdue": kind}, reason=note)
        report["to_district" if target == Level.DISTRICT else "to_street"] += 1
    report["open"] = Alert.objects.exclude(state=AlertState.CLOSED).count()
    MonitoringSweep.objects.create(day=on, report=report)
    return report
