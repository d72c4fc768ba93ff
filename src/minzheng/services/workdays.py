"""Deadlines in working days: Monday to Friday. Public holidays and their make-up working days (调休) are
not modelled; a deadline that falls in a holiday is simply a day early (documented in docs/services.md)."""

from __future__ import annotations

import datetime as dt


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same local time ``days`` working days later (a start on a weekend counts from Monday)."""
    current = start
    while not is_working_day(current.date()):
        current = (current + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current.date()):
            left -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in ``(start, end]`` (0 when end ≤ start)."""
    if end <= start:
        return 0
    return sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + dt.timedelta(days=i)))
