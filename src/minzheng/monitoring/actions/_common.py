"""Helpers shared by the monitoring actions: the move through the table (event + audit), dates, locks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange
from minzheng.monitoring.choices import AlertAction
from minzheng.monitoring.models import Alert, AlertEvent, MonitoringRun
from minzheng.monitoring.workflow import NEW, Transition, authorise


def today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def required(text: str | None, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidChange(f"请填写{what}")
    return text


def actor(user: Any) -> Any:
    """The user to store on a row (``None`` for the system)."""
    return user if getattr(user, "is_authenticated", False) else None


def lock(alert: Alert) -> Alert:
    # Lock the alert's row only (the household is an outer join, which PostgreSQL cannot lock).
    return Alert.objects.select_for_update(of=("self",)).select_related("area", "person", "household").get(pk=alert.pk)


def not_before(on: dt.date, earlier: dt.date | None, what: str) -> None:
    if earlier is not None and on < earlier:
        raise InvalidChange(f"办理日期 {on} 早于{what}（{earlier}）")


def move(alert: Alert, action: AlertAction, *, user: Any, on: dt.date, note: str = "",
         run: MonitoringRun | None = None, from_state: str | None = None,
         before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> Transition:
    """Take ``action`` through the table: authorise, change the state, save, write the event and the audit.

    ``from_state=NEW`` for the alert's creation (the row is saved already, in state generated);
    ``before``/``after`` add what else changed to the audit event."""
    source = alert.state if from_state is None else from_state
    row = authorise(user, source, action, area_code=alert.area_id, level=alert.level)
    alert.state = row.target
    alert.save()
    AlertEvent.objects.create(alert=alert, action=action, from_state="" if source == NEW else source,
                              to_state=row.target, from_level=alert.level, to_level=alert.level, on=on,
                              actor=actor(user), run=run, note=note)
    record(user, AuditAction.CREATE if source == NEW else AuditAction.UPDATE, alert, area_code=alert.area_id,
           summary=f"预警{AlertAction(action).label} {alert.number or ''}".strip(),
           before=None if source == NEW else {"state": source, **(before or {})},
           after={"state": row.target, **(after or {})}, reason=note)
    return row


def first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def last_of_month(day: dt.date) -> dt.date:
    return first_of_next_month(day) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return min(dt.date(year, month, 1) + dt.timedelta(days=day.day - 1), last_of_month(dt.date(year, month, 1)))


def number(on: dt.date, pk: int) -> str:
    return f"YJ{on:%Y%m%d}{pk:06d}"
