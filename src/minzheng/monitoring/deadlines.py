"""Deadlines of the alert procedure, in working days of the project's calendar (``core/workdays.py``:
weekends, official holidays and 调休 working days), with the numbers read from ``parameters/monitoring.yaml``
as dated values. ``complete`` is false when the calendar did not cover a year counted (the date is an
estimate)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from minzheng.core.workdays import Deadline, add_working_days, default_calendar
from minzheng.rules.parameters import ParameterSet, ParamValue

PARAMETERS_DIR = Path(__file__).with_name("parameters")


@lru_cache(maxsize=1)
def parameters() -> ParameterSet:
    return ParameterSet.load(PARAMETERS_DIR)


def parameter(name: str, on: dt.date) -> ParamValue:
    return parameters().value(f"monitoring.{name}", on)


def parameter_int(name: str, on: dt.date) -> int:
    return int(parameter(name, on).number)


def sign_by(pushed_on: dt.date) -> Deadline:
    """签收期限: ``sign_for_working_days`` working days after the push (the push day is not counted)."""
    return add_working_days(pushed_on, parameter_int("sign_for_working_days", pushed_on))


def verify_by(signed_on: dt.date) -> Deadline:
    """核查期限: ``verify_working_days`` working days after the sign-for."""
    return add_working_days(signed_on, parameter_int("verify_working_days", signed_on))


def working_days_late(deadline: dt.date, day: dt.date) -> int:
    """Working days in ``(deadline, day]``: 0 when not late."""
    return default_calendar().working_days_between(deadline, day)
