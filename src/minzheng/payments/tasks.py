"""Background job (django-tasks, database backend): run a payroll started from the web page.

The page claims the payroll first (so the row, with its progress, exists at once) and enqueues
``run_payroll_task`` with the claim's token; the job writes its progress on the payroll row. It is
idempotent and safe to retry: a token that no longer holds the payroll writes nothing, and a run that
finds the ledger already matching what is due writes nothing either.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from minzheng.authz.models import User
from minzheng.payments.actions.payroll import run_payroll


def run(payroll_id: int, token: str, user_id: int | None = None) -> dict[str, Any]:
    """The job's body (tests call it directly)."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    result = run_payroll(payroll_id, token=token, user=user)
    return {"payroll": result.payroll.pk, "created": result.created, "won": result.won, "message": result.message,
            "state": result.payroll.state, "paid": result.payroll.totals.get("paid")}


@task()
def run_payroll_task(payroll_id: int, token: str, user_id: int | None = None) -> dict[str, Any]:
    return run(payroll_id, token, user_id)
