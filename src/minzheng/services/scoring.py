"""Scoring of a needs assessment (pure: no Django; exact decimals).

- An item's score ``s`` (an option of 0…max) counts as ``s / max`` of its weight ``w``.
- A dimension's score is ``100 × Σ w·s/max ÷ Σ w`` over its items (0–100).
- The total is the weighted mean of the dimension scores with the version's dimension weights (0–100),
  over the dimensions that have items.
- The need level is the highest level whose threshold the total reaches (``high`` ≥ ``medium`` ≥ ``low``,
  else ``none``); an item marked *red flag* answered at its maximum makes the level ``high`` whatever the total.
- Need tags: every rule ``{"min": m, "tag": t}`` of an item whose score is ≥ m adds ``t`` (a service item),
  in item order, without repeats. A level of ``none`` opens no needs, so it yields no tags.

All figures are rounded half-up to one decimal at the end of each step (dimension, total).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ONE_PLACE = Decimal("0.1")
LEVELS = ("high", "medium", "low")


def q1(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemSpec:
    code: str
    dimension: str
    options: tuple[int, ...]
    weight: Decimal = Decimal(1)
    tag_rules: tuple[tuple[int, str], ...] = ()
    red_flag: bool = False

    @property
    def max_score(self) -> int:
        return max(self.options, default=0)


@dataclass(frozen=True)
class InstrumentSpec:
    items: tuple[ItemSpec, ...]
    dimension_weights: Mapping[str, Decimal]
    thresholds: Mapping[str, Decimal]


@dataclass
class Score:
    total: Decimal
    level: str
    dimensions: dict[str, Decimal] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    red_flags: list[str] = field(default_factory=list)


class InvalidAnswer(ValueError):
    """An answer is missing or is not one of the item's options."""


def score(spec: InstrumentSpec, answers: Mapping[str, int]) -> Score:
    """Score ``answers`` (item code → option score); every item must be answered with one of its options."""
    sums: dict[str, Decimal] = {}
    weights: dict[str, Decimal] = {}
    tags: list[str] = []
    red: list[str] = []
    for item in spec.items:
        if item.code not in answers:
            raise InvalidAnswer(f"未回答指标 {item.code}")
        s = int(answers[item.code])
        if s not in item.options:
            raise InvalidAnswer(f"指标 {item.code} 的答案 {s} 不是可选项")
        weights[item.dimension] = weights.get(item.dimension, Decimal(0)) + item.weight
        share = Decimal(s) / Decimal(item.max_score) if item.max_score else Decimal(0)
        sums[item.dimension] = sums.get(item.dimension, Decimal(0)) + item.weight * share
        for minimum, tag in item.tag_rules:
            if s >= minimum and tag not in tags:
                tags.append(tag)
        if item.red_flag and item.max_score and s == item.max_score:
            red.append(item.code)
    dimensions = {d: q1(100 * sums[d] / weights[d]) if weights[d] else Decimal("0.0") for d in sums}
    total_weight = sum((Decimal(spec.dimension_weights.get(d, 1)) for d in dimensions), Decimal(0))
    weighted = sum((Decimal(spec.dimension_weights.get(d, 1)) * v for d, v in dimensions.items()), Decimal(0))
    total = q1(weighted / total_weight) if total_weight else Decimal("0.0")
    level = level_for(total, spec.thresholds)
    if red:
        level = "high"
    return Score(total=total, level=level, dimensions=dimensions, tags=tags if level != "none" else [],
                 red_flags=red)


def level_for(total: Decimal, thresholds: Mapping[str, Decimal]) -> str:
    for name in LEVELS:
        if name in thresholds and total >= Decimal(thresholds[name]):
            return name
    return "none"


def spec_from_rows(items: Sequence[Mapping[str, object]], dimension_weights: Mapping[str, object],
                   thresholds: Mapping[str, object]) -> InstrumentSpec:
    """An :class:`InstrumentSpec` from plain rows (the JSON of an instrument file or model values)."""
    return InstrumentSpec(
        items=tuple(
            ItemSpec(
                code=str(row["code"]),
                dimension=str(row["dimension"]),
                options=tuple(int(o["score"]) for o in row["options"]),  # type: ignore[attr-defined]
                weight=Decimal(str(row.get("weight", 1))),
                tag_rules=tuple((int(r["min"]), str(r["tag"])) for r in row.get("tag_rules", [])),  # type: ignore[attr-defined]
                red_flag=bool(row.get("red_flag", False)),
            )
            for row in items
        ),
        dimension_weights={str(k): Decimal(str(v)) for k, v in dimension_weights.items()},
        thresholds={str(k): Decimal(str(v)) for k, v in thresholds.items()},
    )
