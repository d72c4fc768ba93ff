"""Background work of elderly care (django-tasks, database queue)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def run_allowance(run_id: int) -> dict[str, Any]:
    """Execute the started allowance run ``run_id`` (idempotent: a finished run returns its figures; the month
    itself is idempotent, so a retried failed run finds only what is still to do)."""
    from minzheng.eldercare.actions.allowance import execute_run
    from minzheng.eldercare.choices import RunStatus
    from minzheng.eldercare.models import AllowanceRun

    run = AllowanceRun.objects.get(pk=run_id)
    if run.status == RunStatus.RUNNING:
        run = execute_run(run)
    return {"month": run.month, "attempt": run.attempt, "status": run.status, "eligible": run.eligible,
            "created": run.created, "rate_changes": run.rate_changes, "stopped_death": run.stopped_death}
