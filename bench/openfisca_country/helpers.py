"""Small helpers for the formulas (outside ``variables/``, which OpenFisca loads file by file)."""

import numpy


def month_number(period) -> int:
    """Months since year 0 of the period's first month (``year * 12 + month - 1``)."""
    return period.start.year * 12 + period.start.month - 1


def date_month_number(dates: numpy.ndarray) -> numpy.ndarray:
    """The same month number for an array of ``datetime64[D]`` dates."""
    return dates.astype("datetime64[M]").astype(numpy.int64) + 1970 * 12


def round_half_up(amount: numpy.ndarray) -> numpy.ndarray:
    """Half-up to the yuan, as policy-rules.md asks (``numpy.round`` would round half to even)."""
    return numpy.floor(amount + 0.5)
