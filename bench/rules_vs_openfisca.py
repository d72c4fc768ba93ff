"""Rules at city scale: Minzheng's bulk path against OpenFisca on the same 1,000,000 households (issue 3).

The dibao, tekun and high-age rules of ``shared/spec/policy-rules.md`` run twice on the same seeded
households for one benefit month (default 2025-08, after the 1 July standard change):

(a) Minzheng, ``minzheng.rules.bulk.evaluate_bulk`` (a compiled loop, integer fen, exact comparisons;
    timed without the person-level amounts, which OpenFisca does not compute either);
(b) OpenFisca (openfisca-core), the minimal country package ``bench/openfisca_country`` written in
    the OpenFisca style with the same dated parameters (float32 money, as OpenFisca stores it).

The households are generated once as neutral Arrow tables, the way an export reaches the bureau
(dates, decimal yuan, text codes, lists of vehicle types / business roles / enrollments): realistic
member counts 1–5, ages with an elderly share, incomes around the dibao line, certificates, assets —
and a few percent placed on purpose exactly on (or one fen beside) an income line or an asset limit,
where exact and float arithmetic part. Each side's own conversion of these tables is timed as its data
preparation (Minzheng: to the bulk column schema; OpenFisca: building the simulation and setting its
inputs), then the evaluation. The runs are interleaved (Minzheng, OpenFisca, Minzheng, ...) so both
see the same machine load; the best of ``--repeat`` runs is reported, with the median beside it.

Then the results are compared household by household: the category (5-way), the tekun members, and
``dibao_monthly``, ``tekun_monthly``, ``high_age_monthly``. Every disagreement is put next to the exact
figures: is the household on a line (income, asset limit, tekun own income, rigid-hardship tests) or
on a half-yuan tie in the rounding? OpenFisca is run again with its float type switched to float64 to
show which disagreements are float32's. Minzheng bulk is also checked against Minzheng per-household
``evaluate()`` on a random sample of the same households (must be identical, every output).

    .venv/bin/python bench/rules_vs_openfisca.py [--households 1000000] [--period 2025-08] [--seed 3]
        [--repeat 3] [--sample 2000] [--out bench/out/rules_vs_openfisca.json]

Needs openfisca-core (``pip install -e '.[bench]'``). Machine-readable results go to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from minzheng.rules.bulk import (
    CATEGORY_CODES,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    NO_DEATH,
    BulkResult,
    Columns,
    evaluate_bulk,
)
from minzheng.rules.evaluate import evaluate
from minzheng.rules.explain import HOUSEHOLD_OUTPUTS, MEMBER_AMOUNTS, MEMBER_STATUSES
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
from minzheng.rules.parameters import default_parameters

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))  # the OpenFisca country package lives beside this script

COMPARED = ("dibao_monthly", "tekun_monthly", "high_age_monthly")
ALIVE = np.datetime64("9999-12-31", "D")
TARGET_RATIO = 20


# ---------------------------------------------------------------------------------------------------
# The households: neutral Arrow tables (dates, decimal yuan, text codes, lists), generated once


def _decimal_yuan(fen: np.ndarray, valid: np.ndarray | None = None, precision: int = 14) -> pa.Array:
    """int64 fen → decimal128(precision, 2) yuan, exactly (the unscaled decimal value *is* the fen)."""
    fen = np.ascontiguousarray(fen, dtype=np.int64)
    words = np.empty((len(fen), 2), dtype=np.int64)
    words[:, 0] = fen
    words[:, 1] = fen >> 63  # two's-complement sign extension to 128 bits
    validity = None if valid is None else pa.array(valid).buffers()[1]
    null_count = -1 if valid is not None else 0
    return pa.Array.from_buffers(
        pa.decimal128(precision, 2), len(fen), [validity, pa.py_buffer(words)], null_count=null_count
    )


def _dates(month_index: np.ndarray, day: np.ndarray) -> np.ndarray:
    months = (month_index - 1970 * 12).astype("datetime64[M]")
    return months.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")


def _codes_or_null(codes: np.ndarray, names: tuple[str, ...]) -> pa.Array:
    """0 = null, else 1 + index in ``names`` → a text column."""
    table = np.array([None, *names], dtype=object)
    return pa.array(table[codes], type=pa.string())


def _code_lists(rng: np.random.Generator, n: int, share: float, weights: dict[str, float], two: float) -> pa.Array:
    """A list<string> column: ``share`` of rows hold one code (``two`` of those a second, distinct one)."""
    names = list(weights)
    p = np.array(list(weights.values()))
    p = p / p.sum()
    count = np.where(rng.random(n) < share, np.where(rng.random(n) < two, 2, 1), 0)
    first = rng.choice(len(names), size=n, p=p)
    second = (first + rng.integers(1, len(names), size=n)) % len(names)
    picks = np.stack([first, second], axis=1)
    mask = np.arange(2)[None, :] < count[:, None]
    flat = picks[mask]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(count, out=offsets[1:])
    values = pa.array(np.array(names, dtype=object)[flat], type=pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def generate(n: int, month: Month, seed: int) -> tuple[pa.Table, pa.Table, dict[str, int]]:
    """Seeded households for ``month``: (members, households) Arrow tables and counts of the on-purpose cases."""
    params = default_parameters()
    std = int(params.value("dibao.standard", month.first_day).number * 100)  # fen
    rng = np.random.default_rng(seed)
    pm = month.index

    sizes = rng.choice([1, 2, 3, 4, 5], p=[0.32, 0.30, 0.22, 0.11, 0.05], size=n)
    hh = np.repeat(np.arange(n, dtype=np.int64), sizes)
    m = len(hh)
    start = np.cumsum(sizes) - sizes

    # Ages: 0-17, 18-59, 60-79, 80-89, 90-99, 100-104; 2% sit on (or a month before) a boundary birthday.
    band = rng.choice(6, p=[0.18, 0.42, 0.26, 0.10, 0.035, 0.005], size=m)
    low = np.array([0, 18, 60, 80, 90, 100])[band]
    high = np.array([18, 60, 80, 90, 100, 105])[band]
    age = rng.integers(low * 12, high * 12)
    on_birthday = rng.random(m) < 0.02
    boundary = rng.choice([18, 60, 70, 80, 90, 100], size=m)
    age = np.where(on_birthday, 12 * boundary - rng.integers(0, 2, size=m), age)
    birth_month = pm - age
    births = _dates(birth_month, rng.integers(1, 29, size=m))
    died = rng.random(m) < 0.004  # died two months ago .. next month
    death_month = pm + rng.integers(-2, 2, size=m)
    deaths = np.maximum(_dates(death_month, rng.integers(1, 29, size=m)), births)
    elderly, minor = age >= 60 * 12, age < 18 * 12

    # Incomes in fen: minors mostly none, working age wages, older people pensions (or none).
    wage = np.exp(rng.normal(np.log(1300), 0.6, size=m)) * 100
    pension = np.exp(rng.normal(np.log(900), 0.5, size=m)) * 100
    income = np.where(
        minor,
        np.where(rng.random(m) < 0.95, 0, wage * 0.3),
        np.where(elderly, np.where(rng.random(m) < 0.4, 0, pension), np.where(rng.random(m) < 0.35, 0, wage)),
    )
    income = np.minimum(income, 2_000_000).astype(np.int64)

    certified = rng.random(m) < 0.04 + 0.08 * elderly
    grade = np.where(certified, rng.choice([1, 2, 3, 4], p=[0.15, 0.25, 0.3, 0.3], size=m), 0)
    kind = np.where(grade > 0, 1 + rng.choice(7, p=[0.12, 0.15, 0.02, 0.45, 0.08, 0.10, 0.08], size=m), 0)
    serious = rng.random(m) < np.where(elderly, 0.06, 0.03)
    severe = (grade >= 1) & (grade <= 2)
    recorded = (elderly | (grade > 0)) & (rng.random(m) < 0.6)
    self_care = np.where(recorded, 1 + rng.choice(3, p=[0.7, 0.2, 0.1], size=m), 0)
    no_supporter = rng.random(m) < np.where(elderly, 0.10, np.where(minor | (grade > 0), 0.06, 0.01))
    orphan = minor & (rng.random(m) < 0.02)
    single_cover = (severe | serious) & (rng.random(m) < 0.3)

    present = (birth_month <= pm) & np.where(died, death_month >= pm, True)
    counted = present & ~(orphan & minor)
    n_counted = np.bincount(hh, weights=counted, minlength=n).astype(np.int64)
    n_present = np.bincount(hh, weights=present, minlength=n).astype(np.int64)

    # On purpose: 7% of households have their counted income exactly on a line or one fen beside it
    # (the dibao standard × members, or 1.5 × it); the head (first counted member) takes the remainder.
    on_line = (rng.random(n) < 0.07) & (n_counted > 0)
    line = np.where(rng.random(n) < 0.5, 2 * std, 3 * std)  # twice the per-capita line, in fen
    target = line * n_counted // 2 + rng.integers(-1, 2, size=n)
    running = np.cumsum(counted)
    is_head = counted & (running - running[start[hh]] + counted[start[hh]] == 1)  # first counted member
    others = np.bincount(hh, weights=np.where(counted & ~is_head, income, 0), minlength=n).astype(np.int64)
    fixed = on_line[hh] & is_head & (target[hh] - others[hh] >= 0)
    income = np.where(fixed, target[hh] - others[hh], income)
    on_line_done = np.bincount(hh, weights=fixed, minlength=n) > 0

    members = pa.table(
        {
            "household": pa.array(hh),
            "birth_date": pa.array(births),
            "death_date": pa.array(np.where(died, deaths, np.datetime64("NaT")), type=pa.date32()),
            "monthly_income": _decimal_yuan(income, precision=12),
            "disability_type": _codes_or_null(kind, DISABILITY_TYPES),
            "disability_grade": pa.array(grade.astype(np.int8), mask=grade == 0),
            "serious_illness": pa.array(serious),
            "self_care": _codes_or_null(self_care, SELF_CARE_LEVELS),
            "no_supporter": pa.array(no_supporter),
            "orphan": pa.array(orphan),
            "single_cover": pa.array(single_cover),
        }
    )

    # Assets: none, savings, on a limit (24× or 36× the standard per present member, ± 1 fen), large.
    roll = rng.random(n)
    savings = (np.exp(rng.normal(np.log(8000), 1.0, size=n)) * 100).astype(np.int64)
    large = (np.exp(rng.normal(np.log(200_000), 0.8, size=n)) * 100).astype(np.int64)
    on_limit = (roll >= 0.80) & (roll < 0.90) & (n_present > 0)
    limit = np.where(rng.random(n) < 0.5, 24, 36) * std * n_present + rng.integers(-1, 2, size=n)
    financial = np.where(roll < 0.45, 0, np.where(roll < 0.80, savings, np.where(on_limit, limit, large)))
    financial = np.maximum(financial, 0)
    monthly_total = np.bincount(hh, weights=np.where(counted, income, 0), minlength=n)
    given = rng.random(n) < 0.15
    income_12m = (12 * monthly_total * rng.uniform(0.7, 1.3, size=n)).astype(np.int64)
    rigid = np.where(rng.random(n) < 0.75, 0, (np.exp(rng.normal(np.log(8000), 1.0, size=n)) * 100).astype(np.int64))
    # On purpose, where rigid_hardship is in force: 3% of households spend exactly (± 1 fen) the
    # rigid-expense ratio × income_12m (the 12-month living part included), and 1% have income_12m
    # exactly (± 1 fen) on the previous-year income × members, spending well above the ratio.
    window = [params.get("dibao.standard", month.shift(-k).first_day) for k in range(1, 13)]
    previous = params.get("rigid_hardship.previous_year_income", month.first_day)
    ratio = params.get("rigid_hardship.expense_ratio", month.first_day)
    on_rigid = on_previous = np.zeros(n, dtype=bool)
    if previous is not None and ratio is not None and all(w is not None for w in window):
        living = sum(int(w.number * 100) for w in window if w is not None) * n_counted
        num, den = ratio.number.as_integer_ratio()
        roll = rng.random(n)
        on_previous = (roll < 0.01) & (n_counted > 0)
        income_12m = np.where(
            on_previous, int(previous.number * 100) * n_counted + rng.integers(-1, 2, size=n), income_12m
        )
        income_12m = np.where(roll < 0.04, income_12m // den * den, income_12m)
        spend = income_12m // den * num - living
        on_rigid = (roll >= 0.01) & (roll < 0.04) & (n_counted > 0) & (spend > 0)
        rigid = np.where(on_rigid, spend + rng.integers(-1, 2, size=n), rigid)
        rigid = np.where(on_previous, np.maximum(spend, 0) + 100_000, rigid)
        given |= on_rigid | on_previous
    households = pa.table(
        {
            "financial_assets": _decimal_yuan(financial),
            "vehicles": _code_lists(
                rng,
                n,
                0.15,
                {"ebike": 45, "motorcycle": 15, "car": 25, "truck": 5, "farm_machine": 5, "mobility_aid": 5},
                0.2,
            ),
            "residential_properties": pa.array(rng.choice([0, 1, 2], p=[0.25, 0.65, 0.10], size=n).astype(np.int32)),
            "commercial_properties": pa.array((rng.random(n) < 0.015).astype(np.int32)),
            "business_roles": _code_lists(rng, n, 0.04, {"legal_rep": 1, "shareholder": 2, "sole_proprietor": 2}, 0.0),
            "rigid_expenses_12m": _decimal_yuan(rigid),
            "income_12m": _decimal_yuan(income_12m, valid=given),
            "enrollments": _code_lists(
                rng,
                n,
                0.12,
                {"dibao": 50, "tekun": 10, "dibao_edge": 20, "disability_living": 10, "high_age": 10},
                0.1,
            ),
        }
    )
    planted = {
        "income_on_a_line": int(on_line_done.sum()),
        "assets_on_a_limit": int(on_limit.sum()),
        "rigid_expenses_on_the_ratio": int(on_rigid.sum()),
        "income_12m_on_the_previous_year_line": int(on_previous.sum()),
        "members_on_a_boundary_birthday": int(on_birthday.sum()),
    }
    return members, households, planted


# ---------------------------------------------------------------------------------------------------
# Minzheng: neutral tables → bulk columns → evaluate_bulk


def _fen(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """decimal128(p, 2) yuan → (int64 fen, valid) without a float anywhere (reads the unscaled words)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_decimal128(array.type) or array.type.scale != 2:
        raise TypeError(f"expected decimal128(*, 2), not {array.type}")
    words = np.frombuffer(array.buffers()[1], dtype=np.int64)
    low = words[2 * array.offset : 2 * (array.offset + len(array)) : 2]
    high = words[2 * array.offset + 1 : 2 * (array.offset + len(array)) : 2]
    if np.any(high != (low >> 63)):
        raise OverflowError("an amount does not fit in int64 fen")
    valid = ~np.asarray(array.is_null())
    return np.where(valid, low, 0), valid


def _index(column: pa.ChunkedArray, names: tuple[str, ...]) -> np.ndarray:
    """Text codes → 1 + index in ``names``, 0 for null (unknown codes raise)."""
    found = pc.index_in(column, value_set=pa.array(names))
    if found.null_count != column.null_count:
        raise ValueError(f"unknown code in {column.type} column (expected one of {', '.join(names)})")
    return np.asarray(pc.fill_null(found, -1)) + 1


def _month_index(column: pa.ChunkedArray, missing: int) -> np.ndarray:
    """date32 → year * 12 + month - 1 (Arrow's calendar fields: numpy's datetime64[M] cast is 5× slower)."""
    months = pc.add(pc.multiply(pc.year(column), 12), pc.subtract(pc.month(column), 1))
    return np.asarray(pc.fill_null(months, missing))


def _list_codes(column: pa.ChunkedArray, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """list<string> → (row of each element, 0-based code of each element)."""
    array = column.combine_chunks()
    rows = np.asarray(pc.list_parent_indices(array))
    codes = _index(pc.list_flatten(array), names) - 1
    if np.any(codes < 0):
        raise ValueError(f"null code in a list (expected one of {', '.join(names)})")
    return rows, codes


def _bitmask(column: pa.ChunkedArray, names: tuple[str, ...]) -> np.ndarray:
    rows, codes = _list_codes(column, names)
    bits = np.zeros(len(column), dtype=np.int64)
    np.bitwise_or.at(bits, rows, np.left_shift(1, codes).astype(np.int64))
    return bits


def minzheng_columns(members: pa.Table, households: pa.Table) -> tuple[Columns, Columns]:
    """The neutral tables → the bulk schema of ``minzheng.rules.bulk`` (integer fen, month indexes, codes)."""
    income, _ = _fen(members["monthly_income"])
    member_cols = {
        "household": np.asarray(members["household"]),
        "birth_month": _month_index(members["birth_date"], 0),
        "death_month": _month_index(members["death_date"], int(NO_DEATH)),
        "monthly_income": income,
        "disability_type": _index(members["disability_type"], DISABILITY_TYPES),
        "disability_grade": np.asarray(pc.fill_null(members["disability_grade"], 0)),
        "serious_illness": np.asarray(members["serious_illness"]),
        "self_care": _index(members["self_care"], SELF_CARE_LEVELS),
        "no_supporter": np.asarray(members["no_supporter"]),
        "orphan": np.asarray(members["orphan"]),
        "single_cover": np.asarray(members["single_cover"]),
    }
    income_12m, given = _fen(households["income_12m"])
    household_cols = {
        "financial_assets": _fen(households["financial_assets"])[0],
        "vehicles": _bitmask(households["vehicles"], VEHICLE_TYPES),
        "residential_properties": np.asarray(households["residential_properties"]),
        "commercial_properties": np.asarray(households["commercial_properties"]),
        "business_roles": _bitmask(households["business_roles"], BUSINESS_ROLES),
        "rigid_expenses_12m": _fen(households["rigid_expenses_12m"])[0],
        "income_12m": income_12m,
        "income_12m_given": given,
        "enrollments": _bitmask(households["enrollments"], PROGRAMMES),
    }
    return (
        {k: np.asarray(v, dtype=MEMBER_COLUMNS[k]) for k, v in member_cols.items()},
        {k: np.asarray(v, dtype=HOUSEHOLD_COLUMNS[k]) for k, v in household_cols.items()},
    )


# ---------------------------------------------------------------------------------------------------
# OpenFisca: neutral tables → simulation (entities, roles, inputs) → calculate


def _flags(column: pa.ChunkedArray, names: tuple[str, ...], wanted: tuple[str, ...]) -> dict[str, np.ndarray]:
    rows, codes = _list_codes(column, names)
    out = {}
    for code in wanted:
        flag = np.zeros(len(column), dtype=bool)
        flag[rows[codes == names.index(code)]] = True
        out[code] = flag
    return out


def openfisca_simulation(tbs: Any, members: pa.Table, households: pa.Table, period: str) -> Any:
    """Build an OpenFisca simulation of the households and set every input for ``period``."""
    from openfisca_core.simulations import SimulationBuilder

    hh = np.asarray(members["household"])
    n_persons, n_households = len(hh), households.num_rows
    first = np.ones(n_persons, dtype=bool)
    first[1:] = hh[1:] != hh[:-1]
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("person", np.arange(n_persons))
    population = builder.declare_entity("household", np.arange(n_households))
    builder.join_with_persons(population, hh, np.where(first, 0, 1))  # roles: 0 head, 1 member
    simulation = builder.build(tbs)

    def money(column: pa.ChunkedArray) -> np.ndarray:
        return np.asarray(pc.fill_null(column.cast(pa.float64()), 0.0))

    def days(column: pa.ChunkedArray, missing: np.datetime64) -> np.ndarray:
        values = np.asarray(pc.fill_null(column.cast(pa.int32()), 0)).astype("datetime64[D]")
        return np.where(np.asarray(column.is_null()), missing, values)

    person_inputs = {
        "birth": days(members["birth_date"], ALIVE),
        "death_date": days(members["death_date"], ALIVE),
        "monthly_income": money(members["monthly_income"]),
        "disability_type": _index(members["disability_type"], DISABILITY_TYPES),
        "disability_grade": np.asarray(pc.fill_null(members["disability_grade"], 0)),
        "serious_illness": np.asarray(members["serious_illness"]),
        "self_care": _index(members["self_care"], SELF_CARE_LEVELS),
        "no_supporter": np.asarray(members["no_supporter"]),
        "orphan": np.asarray(members["orphan"]),
        "single_cover": np.asarray(members["single_cover"]),
    }
    vehicles = _flags(households["vehicles"], VEHICLE_TYPES, VEHICLE_TYPES)
    roles = _flags(households["business_roles"], BUSINESS_ROLES, BUSINESS_ROLES)
    enrolled = _flags(households["enrollments"], PROGRAMMES, ("tekun", "dibao", "dibao_edge"))
    household_inputs = {
        "financial_assets": money(households["financial_assets"]),
        **{f"vehicle_{code}": flag for code, flag in vehicles.items()},
        "residential_properties": np.asarray(households["residential_properties"]),
        "commercial_properties": np.asarray(households["commercial_properties"]),
        **{f"business_role_{code}": flag for code, flag in roles.items()},
        "rigid_expenses_12m": money(households["rigid_expenses_12m"]),
        "income_12m": money(households["income_12m"]),
        "income_12m_given": ~np.asarray(households["income_12m"].is_null()),
        **{f"enrolled_{code}": flag for code, flag in enrolled.items()},
    }
    for name, values in {**person_inputs, **household_inputs}.items():
        simulation.set_input(name, period, values)
    return simulation


def openfisca_outputs(simulation: Any, period: str) -> dict[str, np.ndarray]:
    out = {"category": np.asarray(simulation.calculate("category", period)).astype(np.int8)}
    for name in COMPARED:
        out[name] = np.asarray(simulation.calculate(name, period))
    out["is_tekun"] = np.asarray(simulation.calculate("is_tekun", period))
    return out


def load_openfisca(float_dtype: type = np.float32) -> Any:
    """The country package's tax-benefit system; ``float_dtype`` replaces OpenFisca's float32 (diagnostic)."""
    from openfisca_core.variables import config

    logging.getLogger("openfisca_core").setLevel(logging.ERROR)  # "Unable to load package metadata"
    from openfisca_country import CountryTaxBenefitSystem

    saved = config.VALUE_TYPES[float]["dtype"]
    config.VALUE_TYPES[float]["dtype"] = float_dtype
    try:
        return CountryTaxBenefitSystem()
    finally:
        config.VALUE_TYPES[float]["dtype"] = saved


def check_parameters(tbs: Any) -> int:
    """Every OpenFisca parameter has exactly Minzheng's dated values; returns how many were checked."""
    from openfisca_core.parameters import Parameter

    params = default_parameters()
    checked = 0
    for node in tbs.parameters.get_descendants():
        if not isinstance(node, Parameter):
            continue
        ours = params.parameter(node.name)
        theirs = sorted((dt.date.fromisoformat(v.instant_str), v.value) for v in node.values_list)
        mine = []
        for since, entry in ours.values:
            assert entry is not None
            mine.append((since, list(entry.value) if isinstance(entry.value, tuple) else entry.value))
        same = len(theirs) == len(mine) and all(
            a[0] == b[0] and (a[1] == b[1] if isinstance(b[1], list) else Decimal(str(a[1])) == b[1])
            for a, b in zip(theirs, mine, strict=True)
        )
        if not same:
            raise SystemExit(f"parameter {node.name}: OpenFisca {theirs} != Minzheng {mine}")
        checked += 1
    return checked


# ---------------------------------------------------------------------------------------------------
# Comparison: outputs household by household, then which numeric test or rounding OpenFisca decided
# differently from the exact rule (each test is an OpenFisca variable; its exact value is computed here
# in integers from the same columns)

# (label, OpenFisca variable, entity, kind: "test" is a bool, "fen" is a rounded amount)
TESTS = (
    ("financial assets per member ≤ 24 × standard", "financial_assets_ok_dibao", "household", "test"),
    ("financial assets per member ≤ 36 × standard", "financial_assets_ok_edge", "household", "test"),
    ("own income < standard (tekun, per person)", "tekun_income_test", "person", "test"),
    ("per-capita income < standard (dibao)", "dibao_income_test", "household", "test"),
    ("per-capita income < 1.5 × standard (edge)", "dibao_edge_income_test", "household", "test"),
    ("annual income per capita < previous-year income", "rigid_hardship_income_test", "household", "test"),
    ("rigid expenditure ≥ 0.8 × 12-month income", "rigid_hardship_expense_test", "household", "test"),
    ("dibao difference, half-up to the yuan", "dibao_difference", "household", "fen"),
    ("单人保 difference, half-up to the yuan", "single_cover_amount", "person", "fen"),
)


def _exact(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def _float(value: np.floating) -> str:
    """The value OpenFisca holds, as the shortest text that reads back to it in its own type."""
    return f"{np.format_float_positional(value, unique=True)} ({value.dtype})"


def _ratio_text(value: Fraction) -> str:
    """An exact quotient as a decimal when it terminates (``1189.5``), else as a fraction with its value."""
    if (value * 10**6).denominator == 1:
        return f"{(Decimal(value.numerator) / Decimal(value.denominator)).normalize():f}"
    return f"{value} ≈ {float(value):.6f}"


def _half_up(fen: np.ndarray) -> np.ndarray:
    return (2 * fen + 100) // 200 * 100


class Exact:
    """The exact (integer fen) figures behind each test, from the bulk columns and Minzheng's statuses."""

    def __init__(self, members: Columns, households: Columns, mz: BulkResult, month: Month) -> None:
        params = default_parameters()
        on = month.first_day

        def fen(name: str, when: dt.date = on) -> int | None:
            found = params.get(name, when)
            return None if found is None else int(found.number * 100)

        def ratio(name: str) -> tuple[int, int] | None:
            found = params.get(name, on)
            return None if found is None else found.number.as_integer_ratio()

        self.std = fen("dibao.standard") or 0
        self.previous = fen("rigid_hardship.previous_year_income")
        self.expense_ratio = ratio("rigid_hardship.expense_ratio")
        self.multiples = {k: ratio(f"assets.financial_multiple.{k}") for k in ("dibao", "edge")}
        self.edge_multiplier = ratio("dibao.edge_multiplier") or (0, 1)
        window = [fen("dibao.standard", month.shift(-k).first_day) for k in range(1, 13)]
        self.living = None if any(w is None for w in window) else sum(w or 0 for w in window)
        self.hh = members["household"]
        n = len(households["financial_assets"])
        status = mz.members["status"]
        code = {s: MEMBER_STATUSES.index(s) for s in MEMBER_STATUSES}
        self.present = status != code["absent"]
        self.counted_person = self.present & (status != code["orphan"])  # tekun candidates
        self.base = self.counted_person & (status != code["tekun"])
        self.single = status == code["single_cover"]
        self.income = members["monthly_income"]

        def per_household(values: np.ndarray) -> np.ndarray:
            return np.bincount(self.hh, weights=values, minlength=n).astype(np.int64)

        self.per_household = per_household
        self.n_present = per_household(self.present)
        self.n_base = per_household(self.base)
        self.income_base = per_household(np.where(self.base, self.income, 0))
        self.fin = households["financial_assets"]
        self.dibao = per_household(status == code["dibao"]) > 0
        self.income12 = np.where(households["income_12m_given"], households["income_12m"], 12 * self.income_base)
        self.expenditure = (self.living or 0) * self.n_base + households["rigid_expenses_12m"]

    def test(self, variable: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(exact value, where the test is reached) for a test of TESTS, or None when it is not in force."""
        std = self.std
        if variable.startswith("financial_assets_ok_"):
            multiple = self.multiples[variable.rsplit("_", 1)[1]]
            if multiple is None:
                return None
            return self.fin * multiple[1] <= multiple[0] * std * self.n_present, self.n_present > 0
        if variable == "tekun_income_test":
            return self.income < std, self.counted_person
        if variable == "dibao_income_test":
            return self.income_base < std * self.n_base, self.n_base > 0
        if variable == "dibao_edge_income_test":
            num, den = self.edge_multiplier
            return self.income_base * den < num * std * self.n_base, self.n_base > 0
        if variable == "rigid_hardship_income_test":
            if self.previous is None or self.living is None:
                return None
            return self.income12 < self.previous * self.n_base, self.n_base > 0
        if variable == "rigid_hardship_expense_test":
            if self.expense_ratio is None or self.living is None or self.previous is None:
                return None
            num, den = self.expense_ratio
            return self.expenditure * den >= num * self.income12, self.n_base > 0
        if variable == "dibao_difference":
            return _half_up(np.maximum(std * self.n_base - self.income_base, 0)), self.dibao
        if variable == "single_cover_amount":
            return _half_up(np.maximum(std - self.income, 0)), self.single
        raise KeyError(variable)


def compare(
    members: Columns,
    households: Columns,
    mz: BulkResult,
    of: dict[str, np.ndarray],
    simulation: Any,
    month: Month,
) -> tuple[dict[str, Any], dict[str, np.ndarray], np.ndarray, Exact]:
    """Agreement of the outputs, and per test: where reached, where OpenFisca decided differently."""
    n = len(households["financial_assets"])
    mz_cat = mz.households["category"]
    confusion = np.zeros((len(CATEGORY_CODES), len(CATEGORY_CODES)), dtype=np.int64)
    np.add.at(confusion, (mz_cat, of["category"]), 1)
    out: dict[str, Any] = {
        "households": n,
        "category_agree": int((mz_cat == of["category"]).sum()),
        "category_confusion": {
            f"{CATEGORY_CODES[i]}→{CATEGORY_CODES[j]}": int(confusion[i, j])
            for i in range(len(CATEGORY_CODES))
            for j in range(len(CATEGORY_CODES))
            if i != j and confusion[i, j]
        },
        "categories_minzheng": dict(zip(CATEGORY_CODES, np.bincount(mz_cat, minlength=5).tolist(), strict=True)),
    }
    for code in ("dibao", "tekun"):
        index = CATEGORY_CODES.index(code)
        a, b = mz_cat == index, of["category"] == index
        out[f"{code}_households"] = {
            "both": int((a & b).sum()),
            "minzheng_only": int((a & ~b).sum()),
            "openfisca_only": int((~a & b).sum()),
        }
    mz_tekun = mz.members["status"] == MEMBER_STATUSES.index("tekun")
    out["tekun_members"] = {
        "minzheng": int(mz_tekun.sum()),
        "openfisca": int(of["is_tekun"].sum()),
        "differ": int((mz_tekun != of["is_tekun"]).sum()),
    }
    differs = mz_cat != of["category"]
    amounts = {}
    for name in COMPARED:
        exact = mz.households[name]
        approx = of[name].astype(np.float64) * 100
        bad = approx != exact
        differs |= bad
        gap = np.abs(approx - exact)[bad] / 100
        amounts[name] = {
            "differ": int(bad.sum()),
            "total_abs_difference_yuan": float(gap.sum()),
            "max_abs_difference_yuan": float(gap.max()) if bad.any() else 0.0,
            "minzheng_total_yuan": int(exact.sum()) // 100,
            "openfisca_total_yuan": float(of[name].astype(np.float64).sum()),
        }
    out["amounts"] = amounts
    out["households_with_any_difference"] = int(differs.sum())

    exact = Exact(members, households, mz, month)
    tekun_disagree = exact.per_household(mz_tekun != of["is_tekun"]) > 0
    period = str(month)
    flipped_any = np.zeros(n, dtype=bool)
    flips: dict[str, np.ndarray] = {}
    tests = {}
    for label, variable, entity, kind in TESTS:
        found = exact.test(variable)
        if found is None:
            tests[label] = {"variable": variable, "in_force": False}
            continue
        value, reached = found
        theirs = np.asarray(simulation.calculate(variable, period))
        wrong = (theirs.astype(np.float64) * 100 != value) if kind == "fen" else (theirs != value)
        if variable == "dibao_difference":
            reached = reached & np.asarray(simulation.calculate("dibao_eligible", period))
        if variable == "single_cover_amount":
            reached = reached & np.asarray(simulation.calculate("is_single_cover", period))
        wrong &= reached
        if entity == "person":
            reached_h = exact.per_household(reached) > 0
            wrong_h = exact.per_household(wrong) > 0
        else:
            reached_h, wrong_h = reached, wrong
        if variable != "tekun_income_test":  # downstream of tekun: only where the tekun members agree
            reached_h, wrong_h = reached_h & ~tekun_disagree, wrong_h & ~tekun_disagree
        flips[label] = wrong_h
        flipped_any |= wrong_h
        tests[label] = {
            "variable": variable,
            "households_reached": int(reached_h.sum()),
            "decided_differently": int(wrong_h.sum()),
            "of_which_an_output_differs": int((wrong_h & differs).sum()),
        }
    out["tests"] = tests
    out["output_differences_without_a_differing_test"] = int((differs & ~flipped_any).sum())
    return out, flips, differs, exact


def examples(
    members: Columns,
    mz: BulkResult,
    of: dict[str, np.ndarray],
    simulation: Any,
    month: Month,
    flips: dict[str, np.ndarray],
    differs: np.ndarray,
    exact: Exact,
    limit: int = 2,
) -> list[dict[str, Any]]:
    """A few households per differing test (those whose outputs differ first), exact beside OpenFisca."""
    period = str(month)

    def of_value(name: str) -> np.ndarray:
        return np.asarray(simulation.calculate(name, period))

    starts = np.searchsorted(exact.hh, np.arange(len(differs)))
    ends = np.searchsorted(exact.hh, np.arange(len(differs)), side="right")
    out = []
    for label, variable, _, _ in TESTS:
        if label not in flips:
            continue
        wrong = flips[label]
        chosen = np.concatenate([np.flatnonzero(wrong & differs), np.flatnonzero(wrong & ~differs)])[:limit]
        for i in chosen.tolist():
            rows = range(starts[i], ends[i])
            entry: dict[str, Any] = {
                "test": label,
                "household": i,
                "category": {
                    "minzheng": CATEGORY_CODES[mz.households["category"][i]],
                    "openfisca": CATEGORY_CODES[of["category"][i]],
                },
            }
            for name in COMPARED:
                entry[name] = {"minzheng": _exact(int(mz.households[name][i])), "openfisca": _float(of[name][i])}
            if variable.startswith("financial_assets_ok_"):
                multiple = exact.multiples[variable.rsplit("_", 1)[1]]
                assert multiple is not None
                entry["financial_assets"] = _exact(int(exact.fin[i]))
                entry["members_present"] = int(exact.n_present[i])
                entry["per_member_exact"] = _ratio_text(Fraction(int(exact.fin[i]), 100 * int(exact.n_present[i])))
                entry["per_member_openfisca"] = _float(of_value("financial_assets_per_member")[i])
                entry["limit"] = _exact(multiple[0] * exact.std // multiple[1])
            elif variable in ("tekun_income_test", "single_cover_amount"):
                person = next(r for r in rows if flips_person(simulation, variable, exact, r, period))
                entry["member_income_exact"] = _exact(int(exact.income[person]))
                entry["member_income_openfisca"] = _float(of_value("monthly_income")[person])
                entry["standard"] = _exact(exact.std)
                entry[variable] = {
                    "exact": str(exact.test(variable)[0][person]),
                    "openfisca": str(of_value(variable)[person]),
                }
            else:
                n_base = int(exact.n_base[i])
                entry["incomes_counted"] = [_exact(int(exact.income[r])) for r in rows if exact.base[r]]
                entry["income_exact"] = _exact(int(exact.income_base[i]))
                entry["income_openfisca"] = _float(of_value("dibao_income")[i])
                entry["members_counted"] = n_base
                if variable in ("dibao_income_test", "dibao_edge_income_test", "dibao_difference"):
                    per_capita = Fraction(int(exact.income_base[i]), 100 * max(n_base, 1))
                    entry["per_capita_exact"] = _ratio_text(per_capita)
                    entry["per_capita_openfisca"] = _float(of_value("dibao_per_capita_income")[i])
                    entry["lines"] = {"dibao": _exact(exact.std), "edge": str(Decimal(3 * exact.std) / 200)}
                if variable == "dibao_difference":
                    entry["difference_exact"] = _exact(exact.std * n_base - int(exact.income_base[i]))
                    entry["difference_openfisca"] = _float(of_value("dibao_difference")[i])
                if variable.startswith("rigid_hardship"):
                    assert exact.expense_ratio is not None and exact.previous is not None
                    num, den = exact.expense_ratio
                    income12 = of_value("rigid_hardship_income_12m")[i]
                    entry["income_12m_exact"] = _exact(int(exact.income12[i]))
                    entry["income_12m_openfisca"] = _float(income12)
                    entry["previous_year_income_x_members"] = _exact(exact.previous * n_base)
                    entry["expenditure_exact"] = _exact(int(exact.expenditure[i]))
                    entry["expenditure_openfisca"] = _float(of_value("rigid_hardship_expenditure")[i])
                    entry["ratio_x_income_exact"] = str(Decimal(num * int(exact.income12[i])) / (100 * den))
                    ratio = simulation.tax_benefit_system.parameters(period).rigid_hardship.expense_ratio
                    entry["ratio_x_income_openfisca"] = _float((ratio * income12[None])[0])
                    entry[variable] = {
                        "exact": bool(exact.test(variable)[0][i]),
                        "openfisca": bool(of_value(variable)[i]),
                    }
            out.append(entry)
    return out


def flips_person(simulation: Any, variable: str, exact: Exact, row: int, period: str) -> bool:
    found = exact.test(variable)
    assert found is not None
    value, reached = found
    theirs = np.asarray(simulation.calculate(variable, period))[row]
    if variable == "single_cover_amount":
        return bool(reached[row]) and float(theirs) * 100 != value[row]
    return bool(reached[row]) and bool(theirs) != bool(value[row])


def float32_sums(mz: BulkResult, of: dict[str, np.ndarray]) -> dict[str, Any]:
    """A city-wide monthly total: exact, float32 as numpy sums it (pairwise), and as a float32 running total."""
    exact = sum(int(mz.households[name].sum()) for name in COMPARED)
    per_household = sum((of[name] for name in COMPARED), np.zeros(len(of["category"]), np.float32))
    pairwise = float(per_household.sum(dtype=np.float32))
    running = float(np.cumsum(per_household, dtype=np.float32)[-1])
    return {
        "exact_yuan": _exact(exact),
        "float32_numpy_sum_yuan": f"{pairwise:.2f}",
        "float32_running_total_yuan": f"{running:.2f}",
        "numpy_sum_error_yuan": f"{pairwise - exact / 100:.2f}",
        "running_total_error_yuan": f"{running - exact / 100:.2f}",
        "float32_spacing_at_total_yuan": float(np.spacing(np.float32(exact / 100))),
    }


def input_fidelity(members: Columns, households: Columns) -> dict[str, Any]:
    """Money inputs as float32 holds them: not exactly the decimal value, and not even to the fen."""
    out = {}
    for label, fen in (
        ("monthly_income", members["monthly_income"]),
        ("financial_assets", households["financial_assets"]),
        ("rigid_expenses_12m", households["rigid_expenses_12m"]),
        ("income_12m", households["income_12m"][households["income_12m_given"]]),
    ):
        stored = (fen / 100).astype(np.float32).astype(np.float64)
        out[label] = {
            "values": len(fen),
            "not_exact": int((stored != fen / 100).sum()),
            "wrong_to_the_fen": int((np.round(stored * 100) != fen).sum()),
        }
    return out


# ---------------------------------------------------------------------------------------------------
# Minzheng bulk against Minzheng per household


def to_households(members: pa.Table, households: pa.Table, indexes: np.ndarray) -> list[Household]:
    hh = np.asarray(members["household"])
    starts = np.searchsorted(hh, indexes)
    ends = np.searchsorted(hh, indexes, side="right")
    out = []
    for index, a, b in zip(indexes.tolist(), starts.tolist(), ends.tolist(), strict=True):
        row = households.slice(index, 1).to_pylist()[0]
        people = members.slice(a, b - a).to_pylist()
        out.append(
            Household(
                members=tuple(
                    Member(
                        id=f"p{a + k}",
                        birth_date=p["birth_date"],
                        monthly_income=p["monthly_income"],
                        disability_type=p["disability_type"],
                        disability_grade=p["disability_grade"],
                        serious_illness=p["serious_illness"],
                        self_care=p["self_care"],
                        no_supporter=p["no_supporter"],
                        orphan=p["orphan"],
                        single_cover=p["single_cover"],
                        death_date=p["death_date"],
                    )
                    for k, p in enumerate(people)
                ),
                financial_assets=row["financial_assets"],
                vehicles=tuple(row["vehicles"]),
                residential_properties=row["residential_properties"],
                commercial_properties=row["commercial_properties"],
                business_roles=tuple(row["business_roles"]),
                rigid_expenses_12m=row["rigid_expenses_12m"],
                income_12m=row["income_12m"],
                enrollments=tuple(row["enrollments"]),
            )
        )
    return out


def verify_sample(
    members: pa.Table, households: pa.Table, bulk: BulkResult, month: Month, size: int, seed: int
) -> dict[str, Any]:
    rng = np.random.default_rng(seed + 1)
    indexes = np.sort(rng.choice(households.num_rows, size=min(size, households.num_rows), replace=False))
    hh = np.asarray(members["household"])
    starts = np.searchsorted(hh, indexes)
    started = time.perf_counter()
    mismatches: list[str] = []
    sample = to_households(members, households, indexes)
    for index, start, household in zip(indexes.tolist(), starts.tolist(), sample, strict=True):
        result = evaluate(household, month)
        if result.category != CATEGORY_CODES[bulk.households["category"][index]]:
            bulk_category = CATEGORY_CODES[bulk.households["category"][index]]
            mismatches.append(f"household {index}: category {result.category} != {bulk_category}")
        for name in HOUSEHOLD_OUTPUTS:
            if result.amounts[name] * 100 != int(bulk.households[name][index]):
                bulk_amount = bulk.households[name][index] / 100
                mismatches.append(f"household {index}: {name} {result.amounts[name]} != {bulk_amount}")
        for k, member in enumerate(household.members):
            outputs = result.members[member.id]
            row = start + k
            if outputs["status"] != MEMBER_STATUSES[bulk.members["status"][row]]:
                mismatches.append(f"household {index} member {k}: status {outputs['status']}")
            for name in MEMBER_AMOUNTS:
                if Decimal(outputs[name]) * 100 != int(bulk.members[name][row]):
                    mismatches.append(f"household {index} member {k}: {name}")
    return {
        "households": len(indexes),
        "outputs_checked": ["category", *HOUSEHOLD_OUTPUTS, "member status", *MEMBER_AMOUNTS],
        "mismatches": len(mismatches),
        "first_mismatches": mismatches[:5],
        "seconds": round(time.perf_counter() - started, 2),
    }


# ---------------------------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    value, wall, _ = _timed_cpu(fn)
    return value, wall


def _timed_cpu(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(value, wall seconds, CPU seconds of this process): CPU time is steadier on a shared machine."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - started, time.process_time() - cpu


def _machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo")
    lines = meminfo.read_text().splitlines() if meminfo.exists() else []
    total = next((line.split()[1] for line in lines if line.startswith("MemTotal")), "0")
    try:
        git = ["git", "rev-parse", "--short", "HEAD"]
        commit = subprocess.run(git, cwd=BENCH_DIR, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(int(total) / 2**20, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pyarrow": pa.__version__,
        "openfisca_core": importlib.metadata.version("openfisca-core"),
        "minzheng_commit": commit,
    }


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def fancy_indexing_variant(
    tbs: Any, members: pa.Table, households: pa.Table, period: str, reference: dict[str, np.ndarray], repeat: int
) -> dict[str, Any]:
    """OpenFisca again, with the care standard looked up by fancy indexing (``CareByFancyIndexing``)."""
    from openfisca_country.reforms import CareByFancyIndexing

    reform = CareByFancyIndexing(tbs)
    builds, evals, same = [], [], True
    for _ in range(repeat):
        gc.collect()
        simulation, t_build = _timed(lambda: openfisca_simulation(reform, members, households, period))
        outputs, t_eval = _timed(partial(openfisca_outputs, simulation, period))
        builds.append(t_build)
        evals.append(t_eval)
        same &= all(np.array_equal(outputs[k], reference[k]) for k in reference)
        simulation = outputs = None
    return {
        "reform": reform.name,
        "build_seconds_best": round(min(builds), 3),
        "evaluation_seconds_best": round(min(evals), 3),
        "evaluation_seconds_runs": [round(x, 3) for x in evals],
        "same_outputs": same,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--period", default="2025-08")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000, help="households checked against evaluate()")
    parser.add_argument("--no-float64", action="store_true", help="skip the OpenFisca float64 diagnostic run")
    parser.add_argument("--no-variant", action="store_true", help="skip the OpenFisca fancy-indexing variant")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out" / "rules_vs_openfisca.json")
    args = parser.parse_args()
    month = Month.parse(args.period)
    period = str(month)
    if month < Month(2022, 7):
        parser.error("the dibao standard (and so every compared rule) is in force from 2022-07")
    load_before = os.getloadavg()

    _, t_mz_params = _timed(default_parameters)
    tbs, t_of_load = _timed(load_openfisca)
    checked = check_parameters(tbs)
    tables, t_generate = _timed(lambda: generate(args.households, month, args.seed))
    members_t, households_t, planted = tables
    n, n_persons = households_t.num_rows, members_t.num_rows
    print(f"{n:,} households, {n_persons:,} persons, period {period}, seed {args.seed}")
    print(f"generated in {t_generate:.1f} s; planted on purpose: {planted}")
    print(f"{checked} OpenFisca parameters checked equal to Minzheng's (every date and value)")

    # Warm-up on a small slice (imports, first-call overheads), then the interleaved timed runs.
    small_m = members_t.filter(pc.less(members_t["household"], 1000))
    small_h = households_t.slice(0, 1000)
    evaluate_bulk(*minzheng_columns(small_m, small_h), month)
    openfisca_outputs(openfisca_simulation(tbs, small_m, small_h, period), period)

    times: dict[str, list[float]] = {"mz_prep": [], "mz_eval": [], "of_build": [], "of_eval": []}
    mz_cols = bulk = simulation = of = None
    cpu: dict[str, list[float]] = {k: [] for k in times}
    for _ in range(args.repeat):
        mz_cols, t, c = _timed_cpu(lambda: minzheng_columns(members_t, households_t))
        times["mz_prep"].append(t)
        cpu["mz_prep"].append(c)
        bulk, t, c = _timed_cpu(partial(evaluate_bulk, mz_cols[0], mz_cols[1], month, member_amounts=False))
        times["mz_eval"].append(t)
        cpu["mz_eval"].append(c)
        simulation = of = None
        gc.collect()
        simulation, t, c = _timed_cpu(lambda: openfisca_simulation(tbs, members_t, households_t, period))
        times["of_build"].append(t)
        cpu["of_build"].append(c)
        of, t, c = _timed_cpu(partial(openfisca_outputs, simulation, period))
        times["of_eval"].append(t)
        cpu["of_eval"].append(c)
    assert mz_cols is not None and bulk is not None and of is not None
    best = {k: min(v) for k, v in times.items()}
    median = {k: statistics.median(v) for k, v in times.items()}
    mz_e2e, of_e2e = best["mz_prep"] + best["mz_eval"], best["of_build"] + best["of_eval"]
    ratio_eval = best["of_eval"] / best["mz_eval"]
    ratio_e2e = of_e2e / mz_e2e
    load_after = os.getloadavg()

    members, households = mz_cols
    # The timed runs leave out the person-level amounts (OpenFisca computes none of them either); the
    # comparison and the check against evaluate() read them, so evaluate once more with them, untimed.
    lean, bulk = bulk, evaluate_bulk(members, households, month)
    lean_same = all(np.array_equal(v, bulk.households[k]) for k, v in lean.households.items()) and np.array_equal(
        lean.members["status"], bulk.members["status"]
    )
    comparison, flips, differs, exact = compare(members, households, bulk, of, simulation, month)
    sums = float32_sums(bulk, of)
    fidelity = input_fidelity(members, households)
    shown = examples(members, bulk, of, simulation, month, flips, differs, exact)
    variant: dict[str, Any] | None = None
    if not args.no_variant:
        variant = fancy_indexing_variant(tbs, members_t, households_t, period, of, args.repeat)
        variant["ratio_evaluation"] = round(variant["evaluation_seconds_best"] / best["mz_eval"], 2)
    float64: dict[str, Any] | None = None
    if not args.no_float64:
        simulation = None
        gc.collect()
        simulation64 = openfisca_simulation(load_openfisca(np.float64), members_t, households_t, period)
        of64 = openfisca_outputs(simulation64, period)
        result64, flips64, differs64, _ = compare(members, households, bulk, of64, simulation64, month)
        float64 = {
            k: result64[k]
            for k in ("category_agree", "category_confusion", "households_with_any_difference", "amounts", "tests")
        }
        float64["examples"] = examples(members, bulk, of64, simulation64, month, flips64, differs64, exact, limit=1)
        simulation64 = None
    verification = verify_sample(members_t, households_t, bulk, month, args.sample, args.seed)

    out = {
        "command": "python bench/rules_vs_openfisca.py " + " ".join(sys.argv[1:]),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": _machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "period": period,
        "seed": args.seed,
        "households": n,
        "persons": n_persons,
        "planted_boundary_cases": planted,
        "seconds": {
            "generate_neutral_tables": round(t_generate, 3),
            "minzheng_parameters_load": round(t_mz_params, 3),
            "openfisca_system_load": round(t_of_load, 3),
            "runs": {k: [round(x, 3) for x in v] for k, v in times.items()},
            "best": {k: round(v, 3) for k, v in best.items()},
            "median": {k: round(v, 3) for k, v in median.items()},
            "cpu_best": {k: round(min(v), 3) for k, v in cpu.items()},
            "cpu_runs": {k: [round(x, 3) for x in v] for k, v in cpu.items()},
        },
        "households_per_second": {
            "minzheng_evaluation": round(_rate(n, best["mz_eval"])),
            "openfisca_evaluation": round(_rate(n, best["of_eval"])),
            "minzheng_end_to_end": round(_rate(n, mz_e2e)),
            "openfisca_end_to_end": round(_rate(n, of_e2e)),
        },
        "ratio": {"evaluation": round(ratio_eval, 2), "end_to_end": round(ratio_e2e, 2), "target": TARGET_RATIO},
        "target_met": {"evaluation": ratio_eval >= TARGET_RATIO, "end_to_end": ratio_e2e >= TARGET_RATIO},
        "comparison": comparison,
        "openfisca_fancy_indexing_variant": variant,
        "openfisca_float64_rerun": float64,
        "city_total_float32": sums,
        "money_inputs_float32": fidelity,
        "examples": shown,
        "minzheng_bulk_vs_evaluate": verification,
        "minzheng_timed_equals_full_evaluation": lean_same,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    report(out)
    print(f"results: {args.out}")


def report(out: dict[str, Any]) -> None:
    s, rate, c = out["seconds"], out["households_per_second"], out["comparison"]
    best, median, runs = s["best"], s["median"], len(s["runs"]["mz_eval"])
    print(f"load average before {out['load_average_before']}, after {out['load_average_after']}")
    print(
        f"one-off loads: Minzheng parameters {s['minzheng_parameters_load']:.2f} s,"
        f" OpenFisca tax-benefit system {s['openfisca_system_load']:.2f} s"
    )
    print(f"{f'best of {runs} (median)':<28}{'Minzheng bulk':>22}{'OpenFisca':>22}{'ratio':>8}")
    cpu = s["cpu_best"]
    for label, mz, of in (("data prep / build", "mz_prep", "of_build"), ("evaluation", "mz_eval", "of_eval")):
        ratio = f"{best[of] / best[mz]:>7.1f}×"
        print(f"{label:<28}{best[mz]:>14.3f} s ({median[mz]:.2f}){best[of]:>14.3f} s ({median[of]:.2f}){ratio}")
        ratio = f"{cpu[of] / cpu[mz]:>7.1f}×"
        print(f"{'  CPU time, best':<28}{cpu[mz]:>14.3f} s{'':>7}{cpu[of]:>14.3f} s{'':>7}{ratio}")
    print(f"{'households/s, evaluation':<28}{rate['minzheng_evaluation']:>22,}{rate['openfisca_evaluation']:>22,}")
    e2e = f"{out['ratio']['end_to_end']:>7.1f}×"
    print(f"{'households/s, end to end':<28}{rate['minzheng_end_to_end']:>22,}{rate['openfisca_end_to_end']:>22,}{e2e}")
    met = out["target_met"]
    print(
        f"target {out['ratio']['target']}×: evaluation {'met' if met['evaluation'] else 'NOT met'},"
        f" end to end {'met' if met['end_to_end'] else 'NOT met'}"
    )
    n = c["households"]
    print(f"category agrees {c['category_agree']:,} / {n:,}; Minzheng→OpenFisca: {c['category_confusion'] or 'none'}")
    print(f"dibao households {c['dibao_households']}; tekun households {c['tekun_households']}")
    print(f"tekun members {c['tekun_members']}")
    for name, a in c["amounts"].items():
        print(
            f"{name:<20} differs in {a['differ']:,} households"
            f" (Σ|diff| {a['total_abs_difference_yuan']:,.0f} yuan, max {a['max_abs_difference_yuan']:,.0f})"
        )
    print(f"households with any difference: {c['households_with_any_difference']:,}")
    print(f"{'test (float32 vs exact)':<52}{'reached':>10}{'decided differently':>21}{'output differs':>16}")
    for label, t in c["tests"].items():
        if not t.get("in_force", True):
            print(f"{label:<52}{'not in force':>10}")
            continue
        print(
            f"{label:<52}{t['households_reached']:>10,}{t['decided_differently']:>21,}"
            f"{t['of_which_an_output_differs']:>16,}"
        )
    print(f"output differences not traced to a test: {c['output_differences_without_a_differing_test']:,}")
    var = out["openfisca_fancy_indexing_variant"]
    if var:
        print(
            f"OpenFisca, {var['reform']}: evaluation {var['evaluation_seconds_best']:.3f} s"
            f" (ratio {var['ratio_evaluation']:.1f}×), same outputs: {var['same_outputs']}"
        )
    f64 = out["openfisca_float64_rerun"]
    if f64:
        flipped = {k: v["decided_differently"] for k, v in f64["tests"].items() if v.get("decided_differently")}
        print(
            f"OpenFisca with float64 instead: {f64['households_with_any_difference']:,} households differ,"
            f" {f64['category_confusion'] or 'no category'}; tests decided differently: {flipped or 'none'}"
        )
    t = out["city_total_float32"]
    print(
        f"city total of the 3 outputs: exact {t['exact_yuan']} yuan; float32 numpy sum off by"
        f" {t['numpy_sum_error_yuan']}, float32 running total off by {t['running_total_error_yuan']}"
        f" (float32 spacing there: {t['float32_spacing_at_total_yuan']} yuan)"
    )
    for label, f in out["money_inputs_float32"].items():
        print(
            f"{label:<20} {f['values']:>9,} values: {f['not_exact']:>9,} not exact in float32,"
            f" {f['wrong_to_the_fen']:>7,} wrong to the fen"
        )
    v = out["minzheng_bulk_vs_evaluate"]
    print(f"Minzheng bulk vs evaluate(), {v['households']:,} households: {v['mismatches']} mismatches")
    print(f"timed Minzheng runs (no person-level amounts) equal the full evaluation: "
          f"{out['minzheng_timed_equals_full_evaluation']}")
    for e in out["examples"]:
        print("example:", json.dumps(e, ensure_ascii=False))


if __name__ == "__main__":
    main()
