"""Seeded random households that hit the rules' boundaries on purpose (for bulk == per-household).

Ages sit on and next to the 18/60/70/80/90/100 birthday months, incomes on and one fen around the
dibao and edge lines, assets on and around the 24×/36× limits, rigid expenditure on the 80% line,
deaths in, before and after the month; periods are the months around every parameter change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal

from minzheng.rules.model import (
    BUSINESS_ROLES,
    DISABILITY_TYPES,
    PROGRAMMES,
    SELF_CARE_LEVELS,
    VEHICLE_TYPES,
    Household,
    Member,
    Month,
)
from minzheng.rules.parameters import ParameterSet, default_parameters

PERIODS = tuple(
    Month.parse(p)
    for p in (
        "2021-06",
        "2021-07",
        "2022-06",
        "2022-07",
        "2022-08",
        "2023-06",
        "2023-07",
        "2023-08",
        "2024-06",
        "2024-07",
        "2024-10",
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-03",
        "2025-06",
        "2025-07",
        "2025-08",
    )
)
BOUNDARY_AGES = (18, 60, 70, 80, 90, 100)
CENT = Decimal("0.01")
DELTAS = tuple(Decimal(d) for d in ("-0.01", "0", "0.01", "-0.5", "0.5", "-1", "1"))


def _birth(rng: random.Random, month: Month) -> dt.date:
    roll = rng.random()
    if roll < 0.45:  # on or one month either side of a boundary birthday
        age = rng.choice(BOUNDARY_AGES)
        index = month.index - 12 * age + rng.choice((-1, 0, 0, 1))
    elif roll < 0.5:  # born after the month, or in it
        index = month.index + rng.choice((0, 1, 2))
    else:
        index = month.index - rng.randint(0, 105 * 12)
    born = Month.from_index(index)
    return dt.date(born.year, born.month, rng.randint(1, 28))


def _money(rng: random.Random, high: int) -> Decimal:
    return Decimal(rng.randint(0, high * 100)) * CENT


def _member(rng: random.Random, month: Month, index: int) -> Member:
    birth = _birth(rng, month)
    has_cert = rng.random() < 0.35
    death = None
    if rng.random() < 0.12:
        died = month.shift(rng.choice((-1, 0, 0, 1)))
        day = dt.date(died.year, died.month, rng.randint(1, 28))
        death = max(day, birth)
    return Member(
        id=f"m{index}",
        birth_date=birth,
        monthly_income=rng.choice(
            (Decimal(0), Decimal(0), _money(rng, 1000), _money(rng, 1500), _money(rng, 4000))
        ),
        disability_type=rng.choice(DISABILITY_TYPES) if has_cert else None,
        disability_grade=rng.randint(1, 4) if has_cert else None,
        serious_illness=rng.random() < 0.15,
        self_care=rng.choice((None, *SELF_CARE_LEVELS)),
        no_supporter=rng.random() < 0.35,
        orphan=rng.random() < 0.12,
        single_cover=rng.random() < 0.3,
        death_date=death,
    )


def random_household(rng: random.Random, month: Month, params: ParameterSet | None = None) -> Household:
    params = params or default_parameters()
    found = params.get("dibao.standard", month.first_day)
    std = found.number if found else Decimal(766)
    members = [_member(rng, month, i) for i in range(rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6)))]
    present = [m for m in members if m.present(month)]
    counted = [m for m in present if not m.orphan] or present
    n = max(len(counted), 1)
    roll = rng.random()
    if roll < 0.45 and counted:  # put the household's income on a line (± a fen or so)
        line = rng.choice((std, std * Decimal("1.5")))
        target = line * n + rng.choice(DELTAS)
        others = sum((m.monthly_income for m in counted[1:]), Decimal(0))
        first = target - others
        if first >= 0:
            head = counted[0]
            members[members.index(head)] = dataclasses.replace(head, monthly_income=first.quantize(CENT))
    n_all = max(len(present), 1)
    asset_roll = rng.random()
    if asset_roll < 0.4:
        financial = (rng.choice((24, 36)) * std * n_all + rng.choice(DELTAS)).quantize(CENT)
    elif asset_roll < 0.8:
        financial = Decimal(0)
    else:
        financial = _money(rng, 40000)
    counted_income = sum((m.monthly_income for m in members if m.present(month) and not m.orphan), Decimal(0))
    on_previous_line = Decimal(56000) * n + rng.choice(DELTAS)  # previous-year income × members
    income_12m = rng.choice((None, None, _money(rng, 120000), 12 * counted_income, on_previous_line))
    reference_income = income_12m if income_12m is not None else 12 * counted_income
    rigid_roll = rng.random()
    if rigid_roll < 0.4:  # on (or a fen or so around) 0.80 × income − the living part
        window = [params.get("dibao.standard", month.shift(-k).first_day) for k in range(1, 13)]
        living = sum((w.number for w in window if w is not None), Decimal(0)) * n
        expenses = (Decimal("0.8") * reference_income - living + rng.choice(DELTAS)).quantize(CENT)
        rigid = max(expenses, Decimal(0))
    elif rigid_roll < 0.6:
        rigid = Decimal(0)
    else:
        rigid = _money(rng, 60000)
    return Household(
        members=tuple(members),
        financial_assets=max(financial, Decimal(0)),
        vehicles=tuple(rng.sample(VEHICLE_TYPES, rng.choice((0, 0, 0, 0, 0, 0, 1, 2)))),
        residential_properties=rng.choice((0, 1, 1, 1, 1, 1, 2)),
        commercial_properties=rng.choice((0,) * 11 + (1,)),
        business_roles=tuple(rng.sample(BUSINESS_ROLES, rng.choice((0,) * 7 + (1,)))),
        rigid_expenses_12m=rigid,
        income_12m=None if income_12m is None else max(income_12m, Decimal(0)).quantize(CENT),
        enrollments=tuple(rng.sample(PROGRAMMES, rng.choice((0, 0, 1, 2)))),
    )
