"""The level a set of part scores earns under a rating standard (GB/T 37276): pure, no Django.

A level is earned when the total reaches the level's minimum total AND every part reaches the level's minimum
for that part; the highest level earned is the result. The rule that decided is stated in words: the level met
and, below five stars, why the next level up was missed (e.g. "评为三级 …；四级未达：服务 470 低于 480"). A veto
(单项否决, e.g. a major safety accident in the period) gives no level whatever the scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

TOTAL_POINTS = Decimal(1000)
STEP = Decimal("0.1")


class GradingError(ValueError):
    """The scores or the standard do not fit together (a part missing, a score above its maximum, …)."""


@dataclass(frozen=True)
class Part:
    code: str
    name: str
    max_points: Decimal


@dataclass(frozen=True)
class Level:
    stars: int
    name: str
    min_total: Decimal
    minimums: Mapping[str, Decimal]
    assumed: bool = False  # some value of this level is a placeholder until confirmed


@dataclass(frozen=True)
class Standard:
    label: str
    parts: Sequence[Part]
    levels: Sequence[Level]


@dataclass(frozen=True)
class LevelCheck:
    stars: int
    name: str
    met: bool
    failures: tuple[str, ...] = ()
    assumed: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"stars": self.stars, "name": self.name, "met": self.met, "failures": list(self.failures),
                "assumed": self.assumed}


@dataclass(frozen=True)
class Grade:
    stars: int | None
    total: Decimal
    rule: str
    checks: tuple[LevelCheck, ...] = field(default=())


def fmt(value: Decimal) -> str:
    """``850`` for 850.0, ``850.5`` for 850.5."""
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value.normalize())


def validate(standard: Standard) -> None:
    """Parts sum to 1000; levels are 1…n stars; no minimum above its part's maximum or naming no part."""
    total = sum((p.max_points for p in standard.parts), Decimal(0))
    if total != TOTAL_POINTS:
        raise GradingError(f"各分项满分合计应为 {TOTAL_POINTS}，实为 {fmt(total)}")
    codes = {p.code: p for p in standard.parts}
    stars = sorted(level.stars for level in standard.levels)
    if stars != list(range(1, len(stars) + 1)) or len(stars) > 5:
        raise GradingError("等级应为一级起连续编号，最多五级")
    for level in standard.levels:
        if not Decimal(0) <= level.min_total <= TOTAL_POINTS:
            raise GradingError(f"{level.name}总分要求无效")
        for code, minimum in level.minimums.items():
            if code not in codes:
                raise GradingError(f"{level.name}的分项最低分指向不存在的分项 {code}")
            if not Decimal(0) <= minimum <= codes[code].max_points:
                raise GradingError(f"{level.name}的{codes[code].name}最低分超出该项满分")


def clean_scores(standard: Standard, scores: Mapping[str, object]) -> dict[str, Decimal]:
    """Every part's score as a Decimal in [0, max] with at most one decimal place."""
    out: dict[str, Decimal] = {}
    for part in standard.parts:
        if part.code not in scores or scores[part.code] in (None, ""):
            raise GradingError(f"缺少“{part.name}”得分")
        try:
            value = Decimal(str(scores[part.code]))
        except InvalidOperation:
            raise GradingError(f"“{part.name}”得分不是数字") from None
        if value != value.quantize(STEP):
            raise GradingError(f"“{part.name}”得分最多保留一位小数")
        if not Decimal(0) <= value <= part.max_points:
            raise GradingError(f"“{part.name}”得分应在 0–{fmt(part.max_points)} 之间")
        out[part.code] = value.quantize(STEP)
    unknown = set(scores) - set(out)
    if unknown:
        raise GradingError("未知分项: " + ", ".join(sorted(unknown)))
    return out


def check_level(standard: Standard, level: Level, scores: Mapping[str, Decimal], total: Decimal) -> LevelCheck:
    failures: list[str] = []
    if total < level.min_total:
        failures.append(f"总分 {fmt(total)} 低于 {fmt(level.min_total)}")
    for part in standard.parts:
        minimum = level.minimums.get(part.code)
        if minimum is not None and scores[part.code] < minimum:
            failures.append(f"{part.name} {fmt(scores[part.code])} 低于 {fmt(minimum)}")
    return LevelCheck(level.stars, level.name, not failures, tuple(failures), level.assumed)


def grade(standard: Standard, scores: Mapping[str, object], *, veto: str = "") -> Grade:
    """The highest level earned, with the rule that decided it and the check of every level (highest first)."""
    clean = clean_scores(standard, scores)
    total = sum(clean.values(), Decimal(0))
    veto = veto.strip()
    if veto:
        return Grade(None, total, f"单项否决，不予评定等级：{veto}")
    checks = tuple(check_level(standard, level, clean, total)
                   for level in sorted(standard.levels, key=lambda lv: lv.stars, reverse=True))
    for i, check in enumerate(checks):
        if not check.met:
            continue
        level = next(lv for lv in standard.levels if lv.stars == check.stars)
        rule = f"评为{check.name}：总分 {fmt(total)} ≥ {fmt(level.min_total)}，各分项均达到该级最低分"
        if i > 0:
            above = checks[i - 1]
            rule += f"；{above.name}未达：" + "，".join(above.failures)
        return Grade(check.stars, total, rule, checks)
    lowest = checks[-1] if checks else None
    rule = "未达到任何等级" + (f"：{lowest.name}未达：" + "，".join(lowest.failures) if lowest else "")
    return Grade(None, total, rule, checks)
