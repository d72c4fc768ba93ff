"""Background jobs (django-tasks, database backend). Enqueue ``daily_escalation`` once a day: it is idempotent
(each overdue finding is escalated once per level) and safe to retry."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from minzheng.institutions.actions import escalate_overdue


@task()
def daily_escalation(day: str | None = None) -> int:
    """Escalate rectifications overdue on ``day`` (ISO date; today by default). Returns how many escalations."""
    return escalate_overdue(on=dt.date.fromisoformat(day) if day else timezone.localdate())
