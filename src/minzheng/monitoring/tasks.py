"""Background jobs (django-tasks, database backend). Enqueue ``daily_escalation`` once a day: it is
idempotent per date and safe to retry (a second run of a day returns the first run's report)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from minzheng.monitoring.actions.alerts import escalate_overdue


@task()
def daily_escalation(day: str | None = None) -> dict[str, Any]:
    """Escalate alerts past their sign-for or verification deadline on ``day`` (ISO date; today by default)."""
    return escalate_overdue(user=None, on=dt.date.fromisoformat(day) if day else timezone.localdate())
