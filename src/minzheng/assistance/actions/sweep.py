"""The daily sweep (run by the ``daily_sweep`` task): overdue flags, periodic review tasks, the expiry of
刚性支出困难. Idempotent per date: a second run for the same day returns the first run's report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from minzheng.assistance.actions.changes import expire_rigid_hardship, schedule_reviews
from minzheng.assistance.choices import OPEN_STATES, AppState
from minzheng.assistance.models import Application, SweepRun
from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record


def flag_overdue(on: dt.date) -> tuple[int, int]:
    """Set ``overdue_since`` on cases past their deadline (and clear it on cases no longer late)."""
    late = Application.objects.filter(
        Q(state__in=OPEN_STATES, due_date__lt=on) | Q(state=AppState.REJECTED, rejection_notify_due__lt=on))
    flagged = 0
    for application in late.filter(overdue_since__isnull=True):
        application.overdue_since = on
        application.save(update_fields=["overdue_since", "updated_at"])
        record(None, AuditAction.UPDATE, application, area_code=application.area_id,
               summary=f"逾期 {application.number}", after={"overdue_since": on.isoformat()})
        flagged += 1
    cleared = 0
    for application in Application.objects.filter(overdue_since__isnull=False).exclude(pk__in=late.values("pk")):
        before = application.overdue_since
        application.overdue_since = None
        application.save(update_fields=["overdue_since", "updated_at"])
        record(None, AuditAction.UPDATE, application, area_code=application.area_id,
               summary=f"不再逾期 {application.number}", after={"overdue_since": None},
               before={"overdue_since": before.isoformat() if before else None})
        cleared += 1
    return flagged, cleared


def run_sweep(on: dt.date) -> dict[str, Any]:
    """Run every daily step for ``on`` once; the report says what was read and produced."""
    done = SweepRun.objects.filter(day=on).first()
    if done is not None:
        return dict(done.report, repeated=True)
    with transaction.atomic():
        flagged, cleared = flag_overdue(on)
        reviews = schedule_reviews(on=on)
        expired = expire_rigid_hardship(on=on)
        report = {
            "day": on.isoformat(),
            "open_cases": Application.objects.filter(state__in=OPEN_STATES).count(),
            "overdue_flagged": flagged,
            "overdue_cleared": cleared,
            "review_tasks_created": len(reviews),
            "rigid_hardship_expired": len(expired),
        }
        try:
            with transaction.atomic():
                SweepRun.objects.create(day=on, report=report)
        except IntegrityError:  # a concurrent run finished first: its work and ours are the same
            pass
    return report
