"""Helpers shared by the monitoring actions: the move through the table (event + audit), dates, locks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import event_fields
from minzheng.audit.models import AuditEvent
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
    row = step(alert, action, user=user, from_state=from_state)
    alert.save()
    alert_event, audit_event = records(alert, row, user=user, on=on, note=note, run=run, before=before, after=after)
    AlertEvent.objects.create(**alert_event)
    AuditEvent.objects.create(**audit_event)
    return row


def step(alert: Alert, action: AlertAction, *, user: Any, from_state: str | None = None) -> Transition:
    """The authorised move of ``action`` from the alert's state (or ``from_state``), the state changed in memory."""
    source = alert.state if from_state is None else from_state
    row = authorise(user, source, action, area_code=alert.area_id, level=alert.level)
    alert.state = row.target
    return row


def records(alert: Alert, row: Transition, *, user: Any, on: dt.date, note: str = "",
            run: MonitoringRun | None = None, before: dict[str, Any] | None = None,
            after: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields of the event and of the audit event of the move ``row`` of ``alert`` (saved, with its
    number): what :func:`move` writes, and what a run writes for many alerts at once."""
    source = str(row.source)
    alert_event = {"alert": alert, "action": row.action, "from_state": "" if source == NEW else source,
                   "to_state": row.target, "from_level": alert.level, "to_level": alert.level, "on": on,
                   "actor": actor(user), "run": run, "note": note}
    summary = f"预警{AlertAction(row.action).label} {alert.number or ''}".strip()
    audit_event = event_fields(user, AuditAction.CREATE if source == NEW else AuditAction.UPDATE, alert,
                               area_code=alert.area_id, summary=summary,
                               before=None if source == NEW else {"state": source, **(before or {})},
                               after={"state": row.target, **(after or {})}, reason=note)
    return alert_event, audit_event


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
