"""What-if simulation of a standard change over the bulk path (issue 3, item 2); no Django import.

"Raise the dibao standard by 5 % from 2025-07-01": how many households change category, newly qualify
or leave, and the monthly budget before and after, per district and for the city::

    reform = Reform(parameter="dibao.standard", start=date(2025, 7, 1), percent=Decimal(5))
    result = simulate(members, households, period="2025-08", reform=reform)

**The reform is a parameter overlay.** :meth:`Reform.write_overlay` writes one file of the rules'
parameter format (``<family>.yaml`` with the parameter's own description and unit) whose dated values
are the changed ones; the reform's parameters are ``ParameterSet.load(base..., overlay)`` — the
mechanism of :mod:`minzheng.rules.parameters`, so the overlay file is also a reusable reform directory.
From the start date D on, the reform defines the parameter: the value in force on D is changed, and
so is every later dated value of the base (a raise "by 5 %" raises the scheduled 2026 value too; a
change "to 900" holds through them). An ended parameter (``value: null``) stays ended.

**Rounding of a raised value** (not needed for ``to``): ``base × (100 + X) / 100`` rounded to
``quantum`` (default 1 = whole yuan) with ``rounding`` (default ``half_up``: 850 × 1.05 = 892.5 → 893,
never banker's rounding); ``quantum=Decimal("0.01")`` keeps the fen (892.50), ``Decimal(10)`` rounds
to ten yuan. The rounded value is what the overlay holds, so every rule reads the same figure.

**Which parameters:** any money parameter (unit ``CNY/…``) by its full name, or the aliases
``dibao_standard``, ``tekun_basic_living``, ``orphan_standard``. The dibao standard drives the dibao
difference, the add-ons, 单人保, the edge line, the tekun income test, the asset limits and the
rigid-expenditure living part (the 12 months before the benefit month, so a D inside that window counts).

**Inputs:** the two column sets of :mod:`minzheng.rules.bulk` (two pyarrow tables, or two mappings of
NumPy arrays), the households' also with ``area_code`` (the 12-digit community code; its first six
digits are the district, named from :data:`minzheng.core.shenyang.DISTRICTS`). Baseline and reform are
both evaluated with :func:`~minzheng.rules.bulk.evaluate_bulk` for the benefit month ``period``, whose
first day must be on or after D (a month is governed by the values in force on its first day).

**Outputs** per district (only districts with households, by code) and for the city: households by
category before and after, the 5 × 5 transition matrix, and the monthly budget before and after, per
output of ``explain.HOUSEHOLD_OUTPUTS`` — integers in fen summed exactly (int64), shown as ``Decimal``
yuan. No float anywhere. Counts derived from the matrix:

- ``changed`` 类别变化: households whose category differs;
- ``entering`` 新纳入: none → any category;
- ``newly_qualifying`` 新增认定: none → any category, or from a status-only category (rigid_hardship,
  dibao_edge) to a paid one (dibao, tekun) — the households that newly qualify for care or for a payment;
- ``newly_dibao`` 新增低保: none, rigid_hardship or dibao_edge → dibao (a subset of the above);
- ``leaving`` 退出: any category → none, or from a paid category to a status-only one (the mirror image);
  ``leaving_dibao`` 退出低保: dibao → none, rigid_hardship or dibao_edge.

A move between paid categories (dibao ↔ tekun, when a member newly meets the tekun income test) is a
change of category, not an entry; its money is in the budget. The full matrix is in the result.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from minzheng.core.shenyang import CITY, DISTRICTS
from minzheng.rules.bulk import (
    CATEGORY_CODES,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    BulkInputError,
    Columns,
    evaluate_bulk,
)
from minzheng.rules.explain import HOUSEHOLD_OUTPUTS
from minzheng.rules.model import Month
from minzheng.rules.parameters import PARAMETERS_DIR, Parameter, ParameterSet, ParamValue, default_parameters

PARAMETER_ALIASES = {
    "dibao_standard": "dibao.standard",
    "tekun_basic_living": "tekun.basic_living",
    "orphan_standard": "orphan.standard",
}
ROUNDING_MODES = {
    "half_up": ROUND_HALF_UP,  # 四舍五入 (the default)
    "half_even": ROUND_HALF_EVEN,
    "up": ROUND_UP,  # away from zero: never below the exact raise
    "down": ROUND_DOWN,  # towards zero
}
ROUNDING_LABELS = {"half_up": "四舍五入", "half_even": "四舍六入五成双", "up": "向上取整", "down": "向下取整"}
CATEGORY_LABELS = {
    "tekun": "特困",
    "dibao": "低保",
    "dibao_edge": "低保边缘",
    "rigid_hardship": "刚性支出困难",
    "none": "无",
}
SHOWN_CATEGORIES = ("tekun", "dibao", "dibao_edge", "rigid_hardship", "none")  # highest first
DISTRICT_NAMES = dict(DISTRICTS)
AREA_CODE = "area_code"
_CODE = {name: index for index, name in enumerate(CATEGORY_CODES)}
_BELOW_DIBAO = ("none", "rigid_hardship", "dibao_edge")
_STATUS_ONLY = ("rigid_hardship", "dibao_edge")  # in care, no monthly payment of their own
_PAID = ("dibao", "tekun")
_CHANGE_RE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%?\s*$")


class ReformError(ValueError):
    """The reform cannot be applied (unknown or non-money parameter, bad figure, month before D)."""


def _decimal(text: object, what: str) -> Decimal:
    try:
        number = Decimal(str(text).strip())
    except InvalidOperation:
        raise ReformError(f"{what}: not a number: {text!r}") from None
    if not number.is_finite():
        raise ReformError(f"{what}: not a finite number: {text!r}")
    return number


@dataclass(frozen=True)
class Reform:
    """Change ``parameter`` from ``start`` on: by ``percent`` % (rounded), or to ``value`` yuan."""

    start: dt.date
    parameter: str = "dibao.standard"
    percent: Decimal | None = None
    value: Decimal | None = None
    quantum: Decimal = Decimal(1)
    rounding: str = "half_up"

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameter", PARAMETER_ALIASES.get(self.parameter, self.parameter))
        if (self.percent is None) == (self.value is None):
            raise ReformError("give either a percentage (by) or a new value (to), not both or neither")
        if self.percent is not None and self.percent <= -100:
            raise ReformError(f"a change of {self.percent}% would make the parameter zero or negative")
        if self.value is not None and (self.value < 0 or self.value != self.value.quantize(Decimal("0.01"))):
            raise ReformError(f"new value {self.value}: must be a non-negative amount with at most 2 decimals")
        if self.quantum <= 0 or self.quantum != self.quantum.quantize(Decimal("0.01")):
            raise ReformError(f"rounding unit {self.quantum}: must be positive with at most 2 decimals (fen)")
        if self.rounding not in ROUNDING_MODES:
            raise ReformError(f"rounding {self.rounding!r}: one of {', '.join(ROUNDING_MODES)}")

    @classmethod
    def parse(
        cls,
        start: str | dt.date,
        *,
        parameter: str = "dibao.standard",
        by: str | None = None,
        to: str | None = None,
        quantum: str | Decimal = Decimal(1),
        rounding: str = "half_up",
    ) -> Reform:
        """From command-line text: ``by="5%"`` (or ``"5"``, ``"-2.5%"``) or ``to="900"``."""
        if isinstance(start, str):
            try:
                start = dt.date.fromisoformat(start)
            except ValueError:
                raise ReformError(f"start date must be YYYY-MM-DD, not {start!r}") from None
        percent = value = None
        if by is not None:
            match = _CHANGE_RE.match(by)
            if not match:
                raise ReformError(f"by: expected a percentage such as 5% or -2.5%, not {by!r}")
            percent = Decimal(match.group(1))
        if to is not None:
            value = _decimal(to, "to")
        return cls(start=start, parameter=parameter, percent=percent, value=value,
                   quantum=_decimal(quantum, "rounding unit"), rounding=rounding)

    # ---------------------------------------------------------------- the overlay
    def changed(self, base: Decimal) -> Decimal:
        """The reform's value where the base has ``base`` (a raise is rounded as documented)."""
        if self.value is not None:
            return self.value
        assert self.percent is not None
        exact = base * (100 + self.percent) / 100
        steps = (exact / self.quantum).quantize(Decimal(1), rounding=ROUNDING_MODES[self.rounding])
        return steps * self.quantum

    def changes(self, base: ParameterSet) -> list[tuple[dt.date, Decimal | None, Decimal | None]]:
        """``(date, base value, reform value)`` for D and every later dated value of the base."""
        param = self._parameter(base)
        in_force = param.at(self.start)
        if in_force is None and self.percent is not None:
            first = param.first_date
            hint = f" (first value from {first.isoformat()})" if first else ""
            raise ReformError(f"{self.parameter} is not in force on {self.start.isoformat()}{hint}: "
                              "cannot raise it by a percentage")
        rows: list[tuple[dt.date, Decimal | None, Decimal | None]] = []
        old = None if in_force is None else in_force.number
        rows.append((self.start, old, self.changed(old) if old is not None else self.value))
        for since, entry in param.values:
            if since > self.start:
                rows.append((since, None if entry is None else entry.number,
                             None if entry is None else self.changed(entry.number)))
        for since, _, new in rows:
            if new is not None and new < 0:
                raise ReformError(f"{self.parameter} would be negative ({new}) from {since.isoformat()}")
        return rows

    def overlay_text(self, base: ParameterSet) -> str:
        """The overlay file (``<family>.yaml`` of the parameter format) holding the reform's values."""
        param = self._parameter(base)
        _, key = self.parameter.split(".", 1)
        zh, en = json.dumps(param.description_zh, ensure_ascii=False), json.dumps(param.description_en)
        reference = json.dumps(f"what-if 模拟 simulation: {self.describe()}", ensure_ascii=False)
        lines = [
            f"# What-if reform written by minzheng.analytics.simulation: {self.describe()}",
            f"{key}:",
            f"  description: {{zh: {zh}, en: {en}}}",
            f"  unit: {param.unit}",
            "  values:",
        ]
        for since, _, new in self.changes(base):
            text = "null" if new is None else format(new, "f")
            lines.append(f"    {since.isoformat()}: {{value: {text}, status: assumed, reference: {reference}}}")
        return "\n".join(lines) + "\n"

    def write_overlay(self, directory: Path, base: ParameterSet) -> Path:
        """Write the overlay into ``directory`` (a reform directory for ``ParameterSet.load``)."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.parameter.split('.', 1)[0]}.yaml"
        path.write_text(self.overlay_text(base), encoding="utf-8")
        return path

    def parameters(self, base_dirs: Sequence[Path] = ()) -> ParameterSet:
        """The reform's parameters: the base directories with the overlay loaded on top."""
        dirs = tuple(base_dirs) or (PARAMETERS_DIR,)
        base = default_parameters() if dirs == (PARAMETERS_DIR,) else ParameterSet.load(*dirs)
        with tempfile.TemporaryDirectory(prefix="minzheng-reform-") as tmp:
            self.write_overlay(Path(tmp), base)
            return ParameterSet.load(*dirs, Path(tmp))

    def describe(self) -> str:
        if self.value is not None:
            change = f"调整为 {format(self.value, 'f')} 元 set to {format(self.value, 'f')}"
        else:
            assert self.percent is not None
            verb = "提高 raise by" if self.percent >= 0 else "降低 cut by"
            change = (f"{verb} {format(abs(self.percent), 'f')}%（按 {format(self.quantum, 'f')} 元"
                      f"{ROUNDING_LABELS[self.rounding]} rounded {self.rounding}）")
        return f"{self.parameter} {change}，自 from {self.start.isoformat()} 起"

    def first_month(self) -> Month:
        """The first benefit month governed by the reform (D's month when D is its first day)."""
        month = Month.of(self.start)
        return month if self.start.day == 1 else month.shift(1)

    def month(self, period: str | Month | None = None) -> Month:
        """The benefit month to simulate (default :meth:`first_month`); it may not start before D."""
        month = self.first_month() if period is None else Month.parse(period)
        if month.first_day < self.start:
            raise ReformError(
                f"benefit month {month} starts before the reform ({self.start.isoformat()}): a month is "
                f"governed by the values in force on its first day; the first month of the reform is "
                f"{self.first_month()}"
            )
        return month

    def _parameter(self, base: ParameterSet) -> Parameter:
        try:
            param = base.parameter(self.parameter)
        except KeyError:
            raise ReformError(f"unknown parameter {self.parameter}") from None
        if not param.unit.startswith("CNY"):
            raise ReformError(f"{self.parameter} is not a money parameter (unit {param.unit})")
        return param


# -------------------------------------------------------------------- results
@dataclass(frozen=True)
class AreaSimulation:
    """One district (or the city): the transition matrix and the budget per output, in fen."""

    code: str
    name: str
    transitions: tuple[tuple[int, ...], ...]  # [before][after], indexes of bulk.CATEGORY_CODES
    budget_before_fen: Mapping[str, int]
    budget_after_fen: Mapping[str, int]

    def _count(self, before: Sequence[str], after: Sequence[str]) -> int:
        return sum(self.transitions[_CODE[b]][_CODE[a]] for b in before for a in after if a != b)

    @property
    def households(self) -> int:
        return sum(map(sum, self.transitions))

    def before(self, category: str) -> int:
        return sum(self.transitions[_CODE[category]])

    def after(self, category: str) -> int:
        return sum(row[_CODE[category]] for row in self.transitions)

    def moved(self, before: str, after: str) -> int:
        return self.transitions[_CODE[before]][_CODE[after]]

    @property
    def changed(self) -> int:
        return self._count(CATEGORY_CODES, CATEGORY_CODES)

    @property
    def entering(self) -> int:
        return self._count(("none",), CATEGORY_CODES)

    @property
    def newly_dibao(self) -> int:
        return self._count(_BELOW_DIBAO, ("dibao",))

    @property
    def newly_qualifying(self) -> int:
        return self.entering + self._count(_STATUS_ONLY, _PAID)

    @property
    def leaving(self) -> int:
        return self._count(CATEGORY_CODES, ("none",)) + self._count(_PAID, _STATUS_ONLY)

    @property
    def leaving_dibao(self) -> int:
        return self._count(("dibao",), _BELOW_DIBAO)

    def budget_before(self, output: str = "total_monthly") -> Decimal:
        return _yuan(self.budget_before_fen[output])

    def budget_after(self, output: str = "total_monthly") -> Decimal:
        return _yuan(self.budget_after_fen[output])

    def budget_difference(self, output: str = "total_monthly") -> Decimal:
        return _yuan(self.budget_after_fen[output] - self.budget_before_fen[output])


@dataclass(frozen=True)
class SimulationResult:
    reform: Reform
    period: Month
    label: str  # the parameter's Chinese description
    unit: str
    value_before: ParamValue | None  # in force in ``period``
    value_after: ParamValue | None
    districts: tuple[AreaSimulation, ...]
    total: AreaSimulation
    members: int
    seconds: float  # baseline + reform evaluation
    notes: tuple[str, ...] = field(default=())

    def district(self, code: str) -> AreaSimulation:
        for area in self.districts:
            if area.code == code:
                return area
        raise KeyError(code)


def _yuan(fen: int) -> Decimal:
    return Decimal(int(fen)).scaleb(-2)


# -------------------------------------------------------------------- inputs
def _column(table: Any, name: str) -> NDArray[Any]:
    if hasattr(table, "column_names"):  # a pyarrow table
        if name not in table.column_names:
            raise BulkInputError(f"missing column {name!r}")
        column = table.column(name)
        if column.null_count:
            raise BulkInputError(f"column {name!r} has nulls")
        return np.asarray(column.to_numpy(zero_copy_only=False))
    if name not in table:
        raise BulkInputError(f"missing column {name!r}")
    return np.asarray(table[name])


def columns(members_table: Any, households_table: Any) -> tuple[Columns, Columns, NDArray[np.int64]]:
    """Both tables → the bulk schema's NumPy columns and the households' district codes (6 digits)."""
    members: Columns = {name: _column(members_table, name).astype(t, copy=False) for name, t in MEMBER_COLUMNS.items()}
    households: Columns = {
        name: _column(households_table, name).astype(t, copy=False) for name, t in HOUSEHOLD_COLUMNS.items()
    }
    bad = BulkInputError("area_code must start with the 6-digit district code")
    try:  # the first six characters, as a number (sorting numbers is faster than sorting text)
        districts = _column(households_table, AREA_CODE).astype("U6").astype(np.int64)
    except ValueError:
        raise bad from None
    if len(districts) and not bool(np.all((districts >= 100_000) & (districts <= 999_999))):
        raise bad
    return members, households, districts


# -------------------------------------------------------------------- simulation
def simulate(
    members_table: Any,
    households_table: Any,
    *,
    period: str | Month | None = None,
    reform: Reform,
    parameter_dirs: Sequence[Path] = (),
) -> SimulationResult:
    """Evaluate baseline and reform for ``period`` (default: the reform's first month) and compare."""
    dirs = tuple(parameter_dirs) or (PARAMETERS_DIR,)
    base = default_parameters() if dirs == (PARAMETERS_DIR,) else ParameterSet.load(*dirs)
    month = reform.month(period)
    changed = reform.parameters(dirs)
    members, households, districts = columns(members_table, households_table)
    started = time.perf_counter()
    before = evaluate_bulk(members, households, month, base, member_amounts=False)
    after = evaluate_bulk(members, households, month, changed, member_amounts=False)
    seconds = time.perf_counter() - started
    codes, index = np.unique(districts, return_inverse=True)
    index = index.astype(np.int64).reshape(-1)
    k = len(codes)
    n_cat = len(CATEGORY_CODES)
    key = (index * n_cat + before.households["category"]) * n_cat + after.households["category"]
    matrices = np.bincount(key, minlength=k * n_cat * n_cat).reshape(k, n_cat, n_cat)

    def sums(values: NDArray[np.int64]) -> list[int]:  # exact int64 sums per district
        out = np.zeros(k, dtype=np.int64)
        np.add.at(out, index, values.astype(np.int64, copy=False))
        return [int(v) for v in out]

    budget_before = {name: sums(before.households[name]) for name in HOUSEHOLD_OUTPUTS}
    budget_after = {name: sums(after.households[name]) for name in HOUSEHOLD_OUTPUTS}
    areas = tuple(
        AreaSimulation(
            code=str(code),
            name=DISTRICT_NAMES.get(str(code), f"未知区县 unknown district {code}"),
            transitions=tuple(tuple(int(c) for c in row) for row in matrices[i]),
            budget_before_fen={name: budget_before[name][i] for name in HOUSEHOLD_OUTPUTS},
            budget_after_fen={name: budget_after[name][i] for name in HOUSEHOLD_OUTPUTS},
        )
        for i, code in enumerate(codes)
    )
    total = AreaSimulation(
        code=CITY[0][:4],
        name=CITY[1],
        transitions=tuple(tuple(int(c) for c in row) for row in matrices.sum(axis=0, dtype=np.int64))
        if k else tuple((0,) * n_cat for _ in range(n_cat)),
        budget_before_fen={name: sum(budget_before[name]) for name in HOUSEHOLD_OUTPUTS},
        budget_after_fen={name: sum(budget_after[name]) for name in HOUSEHOLD_OUTPUTS},
    )
    param = base.parameter(reform.parameter)
    return SimulationResult(
        reform=reform,
        period=month,
        label=param.description_zh,
        unit=param.unit,
        value_before=base.get(reform.parameter, month.first_day),
        value_after=changed.get(reform.parameter, month.first_day),
        districts=areas,
        total=total,
        members=len(members["household"]),
        seconds=seconds,
    )


# -------------------------------------------------------------------- presentation
TABLE_HEADERS = (
    "区县", "户数",
    *(f"{CATEGORY_LABELS[c]}户 调整前" for c in SHOWN_CATEGORIES[:-1]),
    *(f"{CATEGORY_LABELS[c]}户 调整后" for c in SHOWN_CATEGORIES[:-1]),
    "类别变化户", "新增认定户", "其中新增低保户", "退出户",
    "月预算 调整前（元）", "月预算 调整后（元）", "月预算 差额（元）",
)


def table_rows(result: SimulationResult) -> list[list[str | int | Decimal]]:
    """One row per district then 全市合计, in the order of :data:`TABLE_HEADERS` (for text and Excel)."""
    rows: list[list[str | int | Decimal]] = []
    for area in (*result.districts, result.total):
        name = "全市合计" if area is result.total else area.name
        rows.append([
            name, area.households,
            *(area.before(c) for c in SHOWN_CATEGORIES[:-1]),
            *(area.after(c) for c in SHOWN_CATEGORIES[:-1]),
            area.changed, area.newly_qualifying, area.newly_dibao, area.leaving,
            area.budget_before(), area.budget_after(), area.budget_difference(),
        ])
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: str | int | Decimal) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def _param_text(found: ParamValue | None, simulated: bool = False) -> str:
    if found is None:
        return "未生效 not in force"
    mark = "（模拟值 simulated）" if simulated else "（假定值 assumed）" if found.assumed else ""
    return f"{format(found.number, 'f')}（{found.since.isoformat()} 起）{mark}"


def render_text(result: SimulationResult) -> str:
    """The per-district table (compact: before→after per category), the city's matrix and notes."""
    headers = ["区县", "户数", *(f"{CATEGORY_LABELS[c]} 前→后" for c in SHOWN_CATEGORIES[:-1]),
               "类别变化", "新增认定", "其中新增低保", "退出", "月预算 调整前", "月预算 调整后", "差额"]
    body = []
    for area in (*result.districts, result.total):
        body.append([
            "全市合计" if area is result.total else area.name,
            _cell(area.households),
            *(f"{area.before(c):,}→{area.after(c):,}" for c in SHOWN_CATEGORIES[:-1]),
            _cell(area.changed), _cell(area.newly_qualifying), _cell(area.newly_dibao), _cell(area.leaving),
            _cell(area.budget_before()), _cell(area.budget_after()), f"{area.budget_difference():+,.2f}",
        ])
    widths = [max(_width(row[i]) for row in (headers, *body)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [cell + " " * (widths[i] - _width(cell)) if i == 0 else " " * (widths[i] - _width(cell)) + cell
                 for i, cell in enumerate(cells)]
        return "  ".join(parts).rstrip()

    out = [
        f"政策模拟 what-if: {result.label} {result.reform.describe()}",
        f"测算月份 benefit month: {result.period}；参数 {result.reform.parameter}（{result.unit}）",
        f"  调整前 baseline: {_param_text(result.value_before)}",
        f"  调整后 reform:   {_param_text(result.value_after, simulated=True)}",
        f"家庭 households: {result.total.households:,}；成员 members: {result.members:,}；"
        f"计算用时 evaluation {result.seconds:.2f} s（基线+方案 baseline + reform）",
        "",
        line(headers),
        line(["-" * w for w in widths]),
        *(line(row) for row in body[:-1]),
        line(["-" * w for w in widths]),
        line(body[-1]),
        "",
        "全市类别转移（行：调整前，列：调整后）city transitions (rows before, columns after):",
    ]
    labels = [CATEGORY_LABELS[c] for c in SHOWN_CATEGORIES]
    matrix = [[f"{result.total.moved(b, a):,}" for a in SHOWN_CATEGORIES] for b in SHOWN_CATEGORIES]
    col = [max(_width(labels[j]), *(_width(matrix[i][j]) for i in range(len(labels)))) for j in range(len(labels))]
    first = max(_width(x) for x in labels)
    out.append(" " * first + "  " + "  ".join(" " * (col[j] - _width(x)) + x for j, x in enumerate(labels)))
    for i, b in enumerate(labels):
        cells = "  ".join(" " * (col[j] - _width(x)) + x for j, x in enumerate(matrix[i]))
        out.append(b + " " * (first - _width(b)) + "  " + cells)
    out += ["", *NOTES, *result.notes]
    return "\n".join(out) + "\n"


NOTES = (
    "说明 notes:",
    "- 新增认定 = 无→任一类别，或 刚性支出困难/低保边缘→低保/特困；其中新增低保 = 无/刚性/边缘→低保；",
    "  退出 = 任一类别→无，或 低保/特困→刚性支出困难/低保边缘（新增认定的反向）。",
    "- 月预算 = 该月全部应发（低保差额含单人保、分类施保、特困供养、高龄、孤儿、残疾人两项补贴），"
    "按分精确求和 exact sums in fen.",
)
