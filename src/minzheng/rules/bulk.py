"""The same rules over many households at once: integer fen, no float anywhere, one compiled loop.

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

The evaluation itself is :func:`minzheng.rules.kernel.evaluate`: the parameters in force become one
integer vector here, then a loop compiled by Numba reads each household's rows once (three short passes
over its members) and writes every output; large inputs are split over the cores. The first call in a
fresh checkout compiles the loop (about 10 s) and caches the machine code beside the module.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from minzheng.rules.explain import HOUSEHOLD_OUTPUTS, MEMBER_AMOUNTS
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

PARALLEL_FROM = 50_000  # households: from here the loop runs on every core
_KERNEL_LOCK = threading.Lock()
IntArray = NDArray[np.int64]
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
    *,
    member_amounts: bool = True,
) -> BulkResult:
    """Evaluate every household for ``period``; see the module docstring for the schema.

    ``member_amounts=False`` leaves the person-level amounts out of the result (the households' amounts,
    which are their sums, and every member's status are still there): a payroll or a simulation that
    reads only household figures saves writing seven int64 columns per person."""
    import numba  # imported on first use: half a second that the web app mostly never needs

    from minzheng.rules import kernel

    month = Month.parse(period)
    vector = parameter_vector(_Params(params or default_parameters(), month))
    n_members, n_households = _check(members, households)
    m: Columns = {name: np.ascontiguousarray(members[name], dtype=dtype) for name, dtype in MEMBER_COLUMNS.items()}
    h: Columns = {name: np.ascontiguousarray(households[name], dtype=t) for name, t in HOUSEHOLD_COLUMNS.items()}
    for name, codes in (("disability_type", DISABILITY_TYPES), ("self_care", SELF_CARE_LEVELS)):
        if n_members and (m[name].min() < 0 or m[name].max() > len(codes)):  # the kernel indexes by them
            raise BulkInputError(f"{name} out of range 0–{len(codes)}")
    household_blocks, member_blocks = _blocks(m["household"], n_households)
    category = np.empty(n_households, dtype=np.int8)
    hh_out = np.empty((len(HOUSEHOLD_OUTPUTS), n_households), dtype=np.int64)
    status = np.empty(n_members, dtype=np.int8)
    m_out = np.empty((len(MEMBER_AMOUNTS), n_members if member_amounts else 0), dtype=np.int64)
    compiled: Any = kernel.evaluate  # a Numba dispatcher: its stubs do not know the signature
    # One evaluation at a time per process: the loop already uses every core, and Numba's fallback threading
    # layer (workqueue, where OpenMP is missing) aborts the process on concurrent parallel launches.
    with _KERNEL_LOCK:
        threads = numba.get_num_threads()
        # Handing a few thousand households to another thread costs more than it saves (milliseconds
        # when the other core is busy); the setting is the calling thread's own.
        numba.set_num_threads(threads if n_households >= PARALLEL_FROM else 1)
        try:
            compiled(
                vector, household_blocks, member_blocks,
                *(m[name] for name in MEMBER_COLUMNS), *(h[name] for name in HOUSEHOLD_COLUMNS),
                category, hh_out, status, m_out, member_amounts,
            )
        finally:
            numba.set_num_threads(threads)
    out: Columns = {"category": category}
    out.update({name: hh_out[i] for i, name in enumerate(HOUSEHOLD_OUTPUTS)})
    member_out: Columns = {"status": status}
    if member_amounts:
        member_out.update({name: m_out[i] for i, name in enumerate(MEMBER_AMOUNTS)})
    return BulkResult(households=out, members=member_out)


def _blocks(household: IntArray, n_households: int, per_block: int = 16384) -> tuple[IntArray, IntArray]:
    """Contiguous household ranges for the parallel loop, and where their members start."""
    bounds = np.unique(np.append(np.arange(0, n_households, per_block, dtype=np.int64), n_households))
    return bounds, np.searchsorted(household, bounds, side="left").astype(np.int64)


def parameter_vector(p: _Params) -> NDArray[np.int64]:
    """The parameters in force for ``p.month`` as the kernel's int64 vector (``kernel.ABSENT`` if not)."""
    from minzheng.rules import kernel

    v = np.full(kernel.SIZE, kernel.ABSENT, dtype=np.int64)

    def put(index: int, value: int | None) -> None:
        v[index] = kernel.ABSENT if value is None else value

    def put_ratio(index: int, name: str) -> None:
        ratio = p.ratio(name)
        if ratio is not None:
            v[index], v[index + 1] = ratio

    v[kernel.PM] = p.month.index
    std = p.fen("dibao.standard")
    put(kernel.STD, std)
    put(kernel.ADULT, p.years("person.adult_age"))
    put(kernel.ORPHAN_STD, p.fen("orphan.standard"))
    put(kernel.VEHICLES, p.mask("assets.prohibited_vehicles", VEHICLE_TYPES))
    put(kernel.ROLES, p.mask("assets.prohibited_business_roles", BUSINESS_ROLES))
    put(kernel.MAX_RES, p.years("assets.max_residential_properties"))
    put(kernel.MAX_COM, p.years("assets.max_commercial_properties"))
    put_ratio(kernel.FIN_DIBAO_NUM, "assets.financial_multiple.dibao")
    put_ratio(kernel.FIN_EDGE_NUM, "assets.financial_multiple.edge")
    put(kernel.BASIC, p.fen("tekun.basic_living"))
    put(kernel.ELDERLY, p.years("tekun.elderly_age"))
    for code, name in enumerate(_CARE_PARAMS):
        put(kernel.CARE + code, p.fen(name))
    for type_name, name in _NO_WORK_GRADES:
        put(kernel.MAX_GRADE + DISABILITY_TYPES.index(type_name), p.years(name))
    put(kernel.SEVERE_MAX, p.years("disability.severe_max_grade"))
    # The add-on rates over one common denominator; a rate not in force adds nothing (numerator 0).
    rates = [p.ratio(f"dibao.addon.{name}") for name in ("serious_illness", "severe_disability", "elderly", "minor")]
    common = math.lcm(*(r[1] for r in rates if r is not None)) if any(rates) else 1
    for i, rate in enumerate(rates):
        v[kernel.ADDON + i] = 0 if rate is None else rate[0] * (common // rate[1])
    v[kernel.ADDON_DEN] = common
    put(kernel.ADDON_ELDERLY_AGE, p.years("dibao.addon.elderly_age"))
    put_ratio(kernel.EDGE_NUM, "dibao.edge_multiplier")
    previous, ratio = p.fen("rigid_hardship.previous_year_income"), p.ratio("rigid_hardship.expense_ratio")
    window = [p.fen("dibao.standard", p.month.shift(-k)) for k in range(12, 0, -1)]
    if previous is not None and ratio is not None and all(s is not None for s in window):
        v[kernel.RIGID_ON] = 1
        v[kernel.RIGID_PREVIOUS] = previous
        v[kernel.RIGID_WINDOW] = sum(s for s in window if s is not None)
        v[kernel.RIGID_NUM], v[kernel.RIGID_DEN] = ratio
    else:
        v[kernel.RIGID_ON] = 0
    for index, band in ((kernel.AGE_80, 80), (kernel.AGE_90, 90), (kernel.AGE_100, 100)):
        put(index, p.years(f"high_age.age_{band}"))
    for index, name in (
        (kernel.RATE_100, "high_age.rate_100"),
        (kernel.RATE_90, "high_age.rate_90"),
        (kernel.RATE_80_LOW, "high_age.rate_80_low_income"),
        (kernel.RATE_80, "high_age.rate_80_general"),
        (kernel.LIVING, "disability.living"),
        (kernel.CARE_SUBSIDY, "disability.care"),
    ):
        v[index] = p.fen(name) or 0
    v[kernel.LOW_INCOME_BITS] = _LOW_INCOME_BITS
    return v
