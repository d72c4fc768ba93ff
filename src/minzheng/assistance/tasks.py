"""Background jobs (django-tasks, database backend). Enqueue ``daily_sweep`` once a day; it is idempotent
per date and safe to retry (``minzheng manage assistance_sweep`` runs the same function by hand)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from minzheng.assistance.actions.sweep import run_sweep


@task()
def daily_sweep(day: str | None = None) -> dict[str, Any]:
    """Overdue flags, periodic review tasks and 刚性支出困难 expiry for ``day`` (ISO date; today by default)."""
    return run_sweep(dt.date.fromisoformat(day) if day else timezone.localdate())
