"""Working days for every legal deadline in the project: weekends, official holidays and adjusted working
days (调休) as data — one calendar for assistance, monitoring and services.

``workdays.yaml`` lists, per year, the holidays and the weekend days that are worked, from the State
Council notice. Counting follows the usual rule for legal periods: the day of the event is not counted,
the period ends on the N-th working day after it (``add_working_days(2025-09-26, 30)`` → 2025-11-13).
A year missing from the file falls back to weekends only; the answer then says ``complete=False`` and
the UI marks the deadline as estimated. Dates only: an app whose deadlines carry a time of day builds on
``is_working_day`` (services: ``services/workdays.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CALENDAR_FILE = Path(__file__).with_name("workdays.yaml")


class CalendarError(ValueError):
    """The calendar file is malformed (the message names the year and the entry)."""


@dataclass(frozen=True)
class Deadline:
    """A computed date; ``complete`` is false when a year it crosses is not in the calendar."""

    date: dt.date
    complete: bool


class WorkCalendar:
    def __init__(self, holidays: set[dt.date], workdays: set[dt.date], years: dict[int, str]) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.years = dict(years)  # year → source notice

    @classmethod
    def from_mapping(cls, data: Any) -> WorkCalendar:
        if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
            raise CalendarError("calendar: expected a mapping with 'years'")
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        years: dict[int, str] = {}
        for year, entry in data["years"].items():
            where = f"calendar {year}"
            if not isinstance(year, int) or not isinstance(entry, dict) or not entry.get("source"):
                raise CalendarError(f"{where}: expected a year with source, holidays and workdays")
            years[year] = str(entry["source"])
            for item in entry.get("holidays") or []:
                first, last = item.get("first"), item.get("last")
                if not isinstance(first, dt.date) or not isinstance(last, dt.date) or last < first:
                    raise CalendarError(f"{where}: holiday {item!r} needs first <= last dates")
                if first.year != year or last.year != year:
                    raise CalendarError(f"{where}: holiday {item!r} is outside the year")
                day = first
                while day <= last:
                    holidays.add(day)
                    day += dt.timedelta(days=1)
            for day in entry.get("workdays") or []:
                if not isinstance(day, dt.date) or day.year != year:
                    raise CalendarError(f"{where}: adjusted working day {day!r} is not a date of the year")
                if day.weekday() < 5:
                    raise CalendarError(f"{where}: adjusted working day {day} is not a Saturday or Sunday")
                workdays.add(day)
        if holidays & workdays:
            raise CalendarError(f"calendar: {min(holidays & workdays)} is both a holiday and a working day")
        return cls(holidays, workdays, years)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def knows(self, year: int) -> bool:
        return year in self.years

    def add_working_days(self, start: dt.date, days: int) -> Deadline:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, counted = start, 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return Deadline(day, all(self.knows(y) for y in range(start.year, day.year + 1)))

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]`` (0 when ``end`` is not after ``start``)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The shipped calendar (read once)."""
    with CALENDAR_FILE.open(encoding="utf-8") as fh:
        return WorkCalendar.from_mapping(yaml.safe_load(fh))


def add_working_days(start: dt.date, days: int) -> Deadline:
    return default_calendar().add_working_days(start, days)
