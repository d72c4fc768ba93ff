"""The same rules over many households at once: NumPy arrays, integer fen, no float anywhere.

Input is two column sets (a ``dict`` of NumPy arrays, or pyarrow tables through :func:`from_arrow`).

``members`` — one row per person, **sorted by** ``household``:

=================  =======  ======================================================================
column             dtype    meaning
=================  =======  ======================================================================
household          int64    row number of the person's household in ``households`` (0-based)
birth_month        int32    :attr:`Month.index` of the birth date (``year * 12 + month - 1``)
death_month        int32    :attr:`Month.index` of the death date; :data:`NO_DEATH` when alive
monthly_income     int64    countable monthly income in fen (yuan × 100)
disability_type    int8     0 = no certificate, else 1 + index in ``model.DISABILITY_TYPES``
disability_grade   int8     0 = no certificate, else 1–4
serious_illness    bool
self_care          int8     0 = not recorded (taken as 全自理), else 1 + index in ``SELF_CARE_LEVELS``
no_supporter       bool
orphan             bool
single_cover       bool
=================  =======  ======================================================================

``households`` — one row per household:

=====================  =====  ===================================================================
column                 dtype  meaning
=====================  =====  ===================================================================
financial_assets       int64  fen
vehicles               int64  bit ``1 << i`` set when a vehicle of ``model.VEHICLE_TYPES[i]`` is held
residential_properties int32  count
commercial_properties  int32  count
business_roles         int64  bit ``1 << i`` for ``model.BUSINESS_ROLES[i]``
rigid_expenses_12m     int64  fen
income_12m             int64  fen; only read where ``income_12m_given``
income_12m_given       bool   False: 12 × the monthly incomes of the members counted
enrollments            int64  bit ``1 << i`` for ``model.PROGRAMMES[i]``
=====================  =====  ===================================================================

:func:`evaluate_bulk` returns per household ``category`` (int8, index in :data:`CATEGORY_CODES`)
and every amount of ``explain.HOUSEHOLD_OUTPUTS`` in fen (int64), and per member ``status`` (index
in ``explain.MEMBER_STATUSES``) and the person-level amounts. Comparisons are exact integer
products; rounding half-up to the yuan is done in integers. The results equal
:func:`minzheng.rules.evaluate.evaluate` household by household (``rules/tests/test_bulk.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from minzheng.rules.explain import HOUSEHOLD_OUTPUTS, MEMBER_AMOUNTS, MEMBER_STATUSES
from minzheng.rules.model import (
    BUSINESS_ROLES,
    DISABILITY_TYPES,
    PROGRAMMES,
    SELF_CARE_LEVELS,
    VEHICLE_TYPES,
    Household,
    Month,
)
from minzheng.rules.parameters import ParameterSet, default_parameters

NO_DEATH = np.iinfo(np.int32).max
CATEGORY_CODES = ("none", "rigid_hardship", "dibao_edge", "dibao", "tekun")  # code = index, higher = better
MEMBER_COLUMNS: dict[str, type] = {
    "household": np.int64,
    "birth_month": np.int32,
    "death_month": np.int32,
    "monthly_income": np.int64,
    "disability_type": np.int8,
    "disability_grade": np.int8,
    "serious_illness": np.bool_,
    "self_care": np.int8,
    "no_supporter": np.bool_,
    "orphan": np.bool_,
    "single_cover": np.bool_,
}
HOUSEHOLD_COLUMNS: dict[str, type] = {
    "financial_assets": np.int64,
    "vehicles": np.int64,
    "residential_properties": np.int32,
    "commercial_properties": np.int32,
    "business_roles": np.int64,
    "rigid_expenses_12m": np.int64,
    "income_12m": np.int64,
    "income_12m_given": np.bool_,
    "enrollments": np.int64,
}
_NO_WORK_GRADES = (
    ("智力", "tekun.max_grade.intellectual"),
    ("精神", "tekun.max_grade.mental"),
    ("肢体", "tekun.max_grade.physical"),
    ("视力", "tekun.max_grade.visual"),
    ("多重", "tekun.max_grade.multiple"),
)
_CARE_PARAMS = ("tekun.care.self", "tekun.care.self", "tekun.care.partial", "tekun.care.full")  # by code
_LOW_INCOME_BITS = sum(1 << PROGRAMMES.index(p) for p in ("tekun", "dibao", "dibao_edge"))

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Columns = dict[str, NDArray[Any]]


class BulkInputError(ValueError):
    """The column sets do not follow the documented schema."""


@dataclass
class BulkResult:
    """Per household ``category`` codes and amounts in fen; per member ``status`` codes and amounts."""

    households: Columns
    members: Columns

    def categories(self) -> list[str]:
        return [CATEGORY_CODES[c] for c in self.households["category"].tolist()]


def _bits(codes: Sequence[str], names: Sequence[str]) -> int:
    return sum(1 << names.index(code) for code in set(codes))


def _fen(amount: Decimal) -> int:
    scaled = amount * 100
    if scaled != scaled.to_integral_value():
        raise BulkInputError(f"{amount} has more than two decimals")
    return int(scaled)


def to_columns(households: Sequence[Household]) -> tuple[Columns, Columns]:
    """Model households → (members, households) columns of the documented schema."""
    rows: dict[str, list[int]] = {name: [] for name in MEMBER_COLUMNS}
    hh_rows: dict[str, list[int]] = {name: [] for name in HOUSEHOLD_COLUMNS}
    for index, household in enumerate(households):
        for m in household.members:
            rows["household"].append(index)
            rows["birth_month"].append(Month.of(m.birth_date).index)
            rows["death_month"].append(NO_DEATH if m.death_date is None else Month.of(m.death_date).index)
            rows["monthly_income"].append(_fen(m.monthly_income))
            rows["disability_type"].append(
                0 if m.disability_type is None else 1 + DISABILITY_TYPES.index(m.disability_type)
            )
            rows["disability_grade"].append(m.disability_grade or 0)
            rows["serious_illness"].append(m.serious_illness)
            rows["self_care"].append(0 if m.self_care is None else 1 + SELF_CARE_LEVELS.index(m.self_care))
            rows["no_supporter"].append(m.no_supporter)
            rows["orphan"].append(m.orphan)
            rows["single_cover"].append(m.single_cover)
        hh_rows["financial_assets"].append(_fen(household.financial_assets))
        hh_rows["vehicles"].append(_bits(household.vehicles, VEHICLE_TYPES))
        hh_rows["residential_properties"].append(household.residential_properties)
        hh_rows["commercial_properties"].append(household.commercial_properties)
        hh_rows["business_roles"].append(_bits(household.business_roles, BUSINESS_ROLES))
        hh_rows["rigid_expenses_12m"].append(_fen(household.rigid_expenses_12m))
        given = household.income_12m is not None
        hh_rows["income_12m"].append(_fen(household.income_12m) if household.income_12m is not None else 0)
        hh_rows["income_12m_given"].append(given)
        hh_rows["enrollments"].append(_bits(household.enrollments, PROGRAMMES))
    members: Columns = {name: np.asarray(rows[name], dtype=dtype) for name, dtype in MEMBER_COLUMNS.items()}
    columns: Columns = {name: np.asarray(hh_rows[name], dtype=t) for name, t in HOUSEHOLD_COLUMNS.items()}
    return members, columns


def from_arrow(members: Any, households: Any) -> tuple[Columns, Columns]:
    """pyarrow tables with the schema's column names → NumPy columns (nulls rejected)."""
    out = []
    for table, schema in ((members, MEMBER_COLUMNS), (households, HOUSEHOLD_COLUMNS)):
        columns: Columns = {}
        for name, dtype in schema.items():
            if name not in table.column_names:
                raise BulkInputError(f"missing column {name!r}")
            column = table.column(name)
            if column.null_count:
                raise BulkInputError(f"column {name!r} has nulls")
            columns[name] = column.to_numpy().astype(dtype, copy=False)
        out.append(columns)
    return out[0], out[1]


def _check(members: Mapping[str, NDArray[Any]], households: Mapping[str, NDArray[Any]]) -> tuple[int, int]:
    for columns, schema in ((members, MEMBER_COLUMNS), (households, HOUSEHOLD_COLUMNS)):
        for name in schema:
            if name not in columns:
                raise BulkInputError(f"missing column {name!r}")
    n_members = len(members["household"])
    n_households = len(households["financial_assets"])
    for columns, schema, size in (
        (members, MEMBER_COLUMNS, n_members),
        (households, HOUSEHOLD_COLUMNS, n_households),
    ):
        for name in schema:
            if len(columns[name]) != size:
                raise BulkInputError(f"column {name!r} has {len(columns[name])} rows, expected {size}")
    hh = members["household"]
    if n_members and (hh[0] < 0 or hh[-1] >= n_households or bool(np.any(hh[1:] < hh[:-1]))):
        raise BulkInputError("members must be sorted by household, with indexes in range")
    return n_members, n_households


class _Groups:
    """Per-household sums of member columns over members sorted by household (exact int64)."""

    def __init__(self, household: IntArray, n_households: int) -> None:
        keys = np.arange(n_households)
        self.start = np.searchsorted(household, keys, side="left")
        self.end = np.searchsorted(household, keys, side="right")

    def sum(self, values: NDArray[Any]) -> IntArray:
        cumulative = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(values, dtype=np.int64, out=cumulative[1:])
        return cumulative[self.end] - cumulative[self.start]


def _round_yuan(numerator: IntArray, denominator: int = 1) -> IntArray:
    """``numerator / denominator`` fen (≥ 0) rounded half-up to whole yuan, in fen."""
    d = denominator * 100
    return ((2 * numerator + d) // (2 * d)) * 100


class _Params:
    """The parameters in force for one month, in integer units (fen, rationals, whole years)."""

    def __init__(self, params: ParameterSet, month: Month) -> None:
        self.params, self.month = params, month

    def raw(self, name: str, month: Month | None = None) -> Decimal | None:
        found = self.params.get(name, (month or self.month).first_day)
        return None if found is None else found.number

    def fen(self, name: str, month: Month | None = None) -> int | None:
        found = self.raw(name, month)
        return None if found is None else _fen(found)

    def years(self, name: str) -> int | None:
        found = self.raw(name)
        return None if found is None else int(found)

    def ratio(self, name: str) -> tuple[int, int] | None:
        found = self.raw(name)
        return None if found is None else found.as_integer_ratio()

    def mask(self, name: str, names: Sequence[str]) -> int | None:
        found = self.params.get(name, self.month.first_day)
        return None if found is None else _bits([c for c in found.codes if c in names], names)


def evaluate_bulk(
    members: Mapping[str, NDArray[Any]],
    households: Mapping[str, NDArray[Any]],
    period: str | Month,
    params: ParameterSet | None = None,
) -> BulkResult:
    """Evaluate every household for ``period``; see the module docstring for the schema."""
    month = Month.parse(period)
    p = _Params(params or default_parameters(), month)
    n_members, n_households = _check(members, households)
    hh = members["household"].astype(np.int64, copy=False)
    groups = _Groups(hh, n_households)
    zeros_m = np.zeros(n_members, dtype=np.int64)
    false_m = np.zeros(n_members, dtype=bool)
    false_h = np.zeros(n_households, dtype=bool)
    pm = month.index
    months = pm - members["birth_month"].astype(np.int64)
    present = (members["birth_month"] <= pm) & (members["death_month"] >= pm)
    income = members["monthly_income"].astype(np.int64, copy=False)
    grade = members["disability_grade"].astype(np.int64)
    dtype_code = members["disability_type"].astype(np.int64)
    std = p.fen("dibao.standard")
    adult = p.years("person.adult_age")
    minor = false_m if adult is None else months < 12 * adult

    orphan_std = p.fen("orphan.standard")
    is_orphan = false_m if orphan_std is None or adult is None else present & members["orphan"] & minor
    orphan_amt = np.where(is_orphan, orphan_std or 0, 0)

    n_present = groups.sum(present)
    ok = {"dibao": false_h, "edge": false_h}
    vehicles = p.mask("assets.prohibited_vehicles", VEHICLE_TYPES)
    roles = p.mask("assets.prohibited_business_roles", BUSINESS_ROLES)
    max_res = p.years("assets.max_residential_properties")
    max_com = p.years("assets.max_commercial_properties")
    if (
        std is not None
        and vehicles is not None
        and roles is not None
        and max_res is not None
        and max_com is not None
    ):
        common = (
            (n_present > 0)
            & ((households["vehicles"] & vehicles) == 0)
            & ((households["business_roles"] & roles) == 0)
            & (households["residential_properties"] <= max_res)
            & (households["commercial_properties"] <= max_com)
        )
        fin = households["financial_assets"].astype(np.int64)
        for level in ("dibao", "edge"):
            multiple = p.ratio(f"assets.financial_multiple.{level}")
            if multiple is not None:
                ok[level] = common & (fin * multiple[1] <= multiple[0] * std * n_present)

    tekun = false_m
    tekun_amt = zeros_m
    basic, elderly = p.fen("tekun.basic_living"), p.years("tekun.elderly_age")
    if std is not None and basic is not None and elderly is not None and adult is not None:
        no_work = (months >= 12 * elderly) | minor
        for type_name, param in _NO_WORK_GRADES:
            max_grade = p.years(param)
            if max_grade is not None:
                code = 1 + DISABILITY_TYPES.index(type_name)
                no_work |= (dtype_code == code) & (grade >= 1) & (grade <= max_grade)
        care_by_code = np.array([-1 if (c := p.fen(n)) is None else c for n in _CARE_PARAMS], dtype=np.int64)
        care = care_by_code[members["self_care"].astype(np.int64)]
        tekun = (
            present
            & ~is_orphan
            & no_work
            & (income < std)
            & members["no_supporter"]
            & ok["dibao"][hh]
            & (care >= 0)
        )
        tekun_amt = np.where(tekun, basic + care, 0)
    tekun_any = groups.sum(tekun) > 0

    base = present & ~is_orphan & ~tekun
    n_base = groups.sum(base)
    income_base = groups.sum(np.where(base, income, 0))
    dibao_ok = false_h
    dibao_amt = np.zeros(n_households, dtype=np.int64)
    if std is not None:
        dibao_ok = (n_base > 0) & (income_base < std * n_base) & ok["dibao"]
        dibao_amt = np.where(dibao_ok, _round_yuan(np.maximum(std * n_base - income_base, 0)), 0)

    severe_max = p.years("disability.severe_max_grade")
    severe = false_m if severe_max is None else (grade >= 1) & (grade <= severe_max)
    addon_fen = _addon_fen(p, std, members, months, severe, adult)

    edge_ok = false_h
    multiplier = p.ratio("dibao.edge_multiplier")
    if std is not None and multiplier is not None:
        line = multiplier[0] * std * n_base
        edge_ok = ~dibao_ok & (n_base > 0) & (income_base * multiplier[1] < line) & ok["edge"]
    single = base & edge_ok[hh] & members["single_cover"] & (members["serious_illness"] | severe)
    single_amt = np.where(single, _round_yuan(np.maximum((std or 0) - income, 0)), 0)
    addon_amt = np.where((base & dibao_ok[hh]) | single, addon_fen, 0)

    rigid_ok = _rigid(
        p, month, households, n_base, income_base, ~tekun_any & ~dibao_ok & ~edge_ok & ok["edge"]
    )
    category = np.select([tekun_any, dibao_ok, edge_ok, rigid_ok], [4, 3, 2, 1], default=0).astype(np.int8)

    low_income = (category >= 2) | ((households["enrollments"] & _LOW_INCOME_BITS) != 0)
    high_age_amt = _high_age(p, months, present, low_income[hh])
    living = p.fen("disability.living") or 0
    living_amt = np.where(present & (grade >= 1) & ((base & dibao_ok[hh]) | single), living, 0)
    care_amt = np.where(present & severe, p.fen("disability.care") or 0, 0)

    base_status = np.select(
        [dibao_ok, edge_ok, rigid_ok],
        [MEMBER_STATUSES.index(s) for s in ("dibao", "dibao_edge", "rigid_hardship")],
        default=MEMBER_STATUSES.index("none"),
    )
    status = np.select(
        [~present, is_orphan, tekun, single],
        [MEMBER_STATUSES.index(s) for s in ("absent", "orphan", "tekun", "single_cover")],
        default=base_status[hh],
    ).astype(np.int8)
    member_out: Columns = {
        "status": status,
        "tekun_monthly": tekun_amt.astype(np.int64),
        "orphan_monthly": orphan_amt.astype(np.int64),
        "single_cover_monthly": single_amt.astype(np.int64),
        "dibao_addon_monthly": addon_amt.astype(np.int64),
        "high_age_monthly": high_age_amt.astype(np.int64),
        "disability_living_monthly": living_amt.astype(np.int64),
        "disability_care_monthly": care_amt.astype(np.int64),
    }
    assert set(member_out) == {"status", *MEMBER_AMOUNTS}
    out: Columns = {"category": category, "dibao_monthly": dibao_amt + groups.sum(single_amt)}
    for name in HOUSEHOLD_OUTPUTS[1:-1]:
        out[name] = groups.sum(member_out[name])
    out["total_monthly"] = sum(
        (out[name] for name in HOUSEHOLD_OUTPUTS[:-1]), np.zeros(n_households, np.int64)
    )
    return BulkResult(households=out, members=member_out)


def _addon_fen(
    p: _Params,
    std: int | None,
    members: Mapping[str, NDArray[Any]],
    months: IntArray,
    severe: BoolArray,
    adult: int | None,
) -> IntArray:
    """Each member's add-on if they were covered: highest applicable rate × standard, half-up."""
    n = len(months)
    if std is None:
        return np.zeros(n, dtype=np.int64)
    elderly_age = p.years("dibao.addon.elderly_age")
    conditions: list[tuple[str, BoolArray]] = [
        ("dibao.addon.serious_illness", members["serious_illness"]),
        ("dibao.addon.severe_disability", severe),
    ]
    if elderly_age is not None:
        conditions.append(("dibao.addon.elderly", months >= 12 * elderly_age))
    if adult is not None:
        conditions.append(("dibao.addon.minor", months < 12 * adult))
    rates = [(r, cond) for name, cond in conditions if (r := p.ratio(name)) is not None]
    if not rates:
        return np.zeros(n, dtype=np.int64)
    common = math.lcm(*(den for (_, den), _ in rates))
    best = np.zeros(n, dtype=np.int64)
    for (num, den), cond in rates:
        best = np.maximum(best, np.where(cond, num * (common // den), 0))
    return _round_yuan(best * std, common)


def _rigid(
    p: _Params,
    month: Month,
    households: Mapping[str, NDArray[Any]],
    n_base: IntArray,
    income_base: IntArray,
    candidates: BoolArray,
) -> BoolArray:
    previous = p.fen("rigid_hardship.previous_year_income")
    ratio = p.ratio("rigid_hardship.expense_ratio")
    window = [p.fen("dibao.standard", month.shift(-k)) for k in range(12, 0, -1)]
    if previous is None or ratio is None or any(s is None for s in window):
        return np.zeros(len(n_base), dtype=bool)
    living = sum(s for s in window if s is not None) * n_base
    income = np.where(households["income_12m_given"], households["income_12m"], 12 * income_base)
    rigid = living + households["rigid_expenses_12m"]
    return candidates & (n_base > 0) & (income < previous * n_base) & (rigid * ratio[1] >= ratio[0] * income)


def _high_age(p: _Params, months: IntArray, present: BoolArray, low_income: BoolArray) -> IntArray:
    a80, a90, a100 = (p.years(f"high_age.age_{band}") for band in (80, 90, 100))
    if a80 is None or a90 is None or a100 is None:
        return np.zeros(len(months), dtype=np.int64)
    r100, r90 = p.fen("high_age.rate_100") or 0, p.fen("high_age.rate_90") or 0
    r80_low, r80 = p.fen("high_age.rate_80_low_income") or 0, p.fen("high_age.rate_80_general") or 0
    amount = np.select(
        [months >= 12 * a100, months >= 12 * a90, (months >= 12 * a80) & low_income, months >= 12 * a80],
        [r100, r90, r80_low, r80],
        default=0,
    )
    return np.where(present, amount, 0).astype(np.int64)
