"""The few dated policy figures the synthetic city needs, hard-coded on purpose.

This table is an *independent oracle*: the truth file of the synthetic city is computed from it, and
the monitoring engine (which reads the policy-parameter data) is checked against that truth. The
values copy ``policy-rules.md`` (Standards); keep the two in step by hand.
"""

from __future__ import annotations

import datetime as dt

_D = dt.date

# (first day in force, value) — a value applies from its date until the next one.
DIBAO_STANDARD = ((_D(2022, 7, 1), 766), (_D(2023, 7, 1), 793), (_D(2024, 7, 1), 821), (_D(2025, 7, 1), 850))
TEKUN_BASIC = ((_D(2023, 7, 1), 1226), (_D(2024, 7, 1), 1269), (_D(2025, 7, 1), 1313))
TEKUN_CARE = ((_D(2023, 7, 1), {"全自理": 100, "半自理": 400, "全护理": 800}),)
ORPHAN = ((_D(2022, 7, 1), 2170), (_D(2023, 7, 1), 2322), (_D(2024, 7, 1), 2461), (_D(2025, 7, 1), 2609))
HIGH_AGE_90 = ((_D(2021, 7, 1), 200),)
HIGH_AGE_100 = ((_D(2021, 7, 1), 800),)
HIGH_AGE_80_CARE = ((_D(2021, 7, 1), 100),)
HIGH_AGE_80_OTHER = ((_D(2025, 1, 1), 30),)
DISABILITY_LIVING = ((_D(2023, 7, 1), 100),)
DISABILITY_CARE = ((_D(2023, 7, 1), 100),)

# The earliest reference date for which every figure above is defined.
EARLIEST_AS_OF = _D(2023, 7, 1)

# Programmes that put a household "in care" (monitoring-scenarios.md).
IN_CARE = ("dibao", "tekun", "dibao_edge", "rigid_hardship")
# Programmes that give the 100 high-age rate to an 80–89-year-old member.
HIGH_AGE_100_PROGRAMMES = ("tekun", "dibao", "dibao_edge")


def in_force(table: tuple[tuple[dt.date, int], ...], on: dt.date) -> int:
    """The value in force on ``on``; 0 before the first date (the rule does not apply yet)."""
    value = 0
    for start, v in table:
        if start <= on:
            value = v
    return value


def dibao_standard(on: dt.date) -> int:
    return in_force(DIBAO_STANDARD, on)


def orphan_standard(on: dt.date) -> int:
    return in_force(ORPHAN, on)


def disability_living(on: dt.date) -> int:
    return in_force(DISABILITY_LIVING, on)


def disability_care(on: dt.date) -> int:
    return in_force(DISABILITY_CARE, on)


def tekun_amount(on: dt.date, self_care: str) -> int:
    """Basic living plus the care part for the self-care level (empty counts as 全自理)."""
    care = 0
    for start, table in TEKUN_CARE:
        if start <= on:
            care = table[self_care or "全自理"]
    return in_force(TEKUN_BASIC, on) + care


def months(d: dt.date) -> int:
    """A month index (year × 12 + month − 1) for month arithmetic."""
    return d.year * 12 + d.month - 1


def month_age(birth: dt.date, on: dt.date) -> int:
    """Age counted by month: N in the calendar month of the N-th birthday."""
    return (months(on) - months(birth)) // 12


def high_age_due(birth: dt.date, on: dt.date, care_household: bool) -> int:
    """Monthly 高龄津贴 due on ``on`` (FIND_HIGH_AGE): 800 / 200 / 100 or 30 / 0."""
    age = month_age(birth, on)
    if age >= 100:
        return in_force(HIGH_AGE_100, on)
    if age >= 90:
        return in_force(HIGH_AGE_90, on)
    if age >= 80:
        return in_force(HIGH_AGE_80_CARE if care_household else HIGH_AGE_80_OTHER, on)
    return 0


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def month_end(d: dt.date) -> dt.date:
    nxt = _D(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def add_months(d: dt.date, n: int) -> dt.date:
    """The same day ``n`` months later (clamped to the month's last day)."""
    m = months(d) + n
    first = _D(m // 12, m % 12 + 1, 1)
    return min(first.replace(day=min(d.day, 28)) + dt.timedelta(days=max(d.day - 28, 0)), month_end(first))
