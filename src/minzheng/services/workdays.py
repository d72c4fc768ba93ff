"""Services' deadlines carry a time of day (a referral is answered by the hour it was made, N working days
later); the days themselves come from the project's working-day calendar (``minzheng.core.workdays``:
weekends and official holidays skipped, 调休 weekend days worked). Documented in docs/services.md."""

from __future__ import annotations

import datetime as dt

from minzheng.core.workdays import default_calendar

OFFICE_OPENS = dt.time(9, 0)  # a clock started on a day off starts at this hour of the next working day


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same local time ``days`` working days later; a start on a day off (weekend or holiday) counts from
    the next working day at 09:00 (``2025-09-30 15:00`` + 2 → ``2025-10-10 15:00``, after National Day)."""
    cal = default_calendar()
    current = start
    while not cal.is_working_day(current.date()):
        current = dt.datetime.combine(current.date() + dt.timedelta(days=1), OFFICE_OPENS, tzinfo=current.tzinfo)
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if cal.is_working_day(current.date()):
            left -= 1
    return current
