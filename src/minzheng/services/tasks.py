"""Background work of service assistance (django-tasks, database queue)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def run_matching(key: str) -> dict[str, Any]:
    """Execute the match run ``key`` (idempotent: a finished run returns its figures)."""
    from minzheng.services.actions.matching import execute_run

    return execute_run(key)


@task()
def sweep_deadlines() -> dict[str, int]:
    """Escalate overdue referrals and withdraw expired ones (idempotent; schedule it, e.g. hourly)."""
    from minzheng.services.actions.referrals import escalate_overdue

    return escalate_overdue()
