"""Helpers shared by the assistance actions: the move through the table, dates, numbers, months."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.assistance.choices import AppAction
from minzheng.assistance.models import Application, ApplicationStep
from minzheng.assistance.workflow import Transition, authorise
from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange


def today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def required(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidChange(f"请填写{what}")
    return text


def lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("area", "household").get(pk=application.pk)


def check_order(application: Application, on: dt.date) -> None:
    if on < application.last_step_on:
        raise InvalidChange(f"办理日期 {on} 早于上一步（{application.last_step_on}）")


def move(application: Application, action: AppAction, *, user: Any, on: dt.date, note: str = "",
         save: bool = True) -> Transition:
    """Take ``action`` through the table: authorise, change the state, write the step and the audit event."""
    row = authorise(user, "application", application.state, action, application.area_id)
    check_order(application, on)
    before = application.state
    application.state = row.target
    application.last_step_on = on
    if save:
        application.save()
    ApplicationStep.objects.create(application=application, action=action, from_state=before,
                                   to_state=row.target, on=on, actor=user, note=note)
    record(user, AuditAction.UPDATE, application, area_code=application.area_id,
           summary=f"{AppAction(action).label} {application.number or ''}".strip(),
           before={"state": before}, after={"state": row.target}, reason=note)
    return row


def first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def last_of_month(day: dt.date) -> dt.date:
    return first_of_next_month(day) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return min(dt.date(year, month, 1) + dt.timedelta(days=day.day - 1), first_next - dt.timedelta(days=1))


def number(prefix: str, on: dt.date, pk: int) -> str:
    return f"{prefix}{on:%Y%m%d}{pk:06d}"
