"""Star levels exactly at and around every threshold: the per-part minimums of the seeded GB/T 37276 standard,
and the total thresholds (which only bind in a standard whose part minimums sum below them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.institutions import grading
from minzheng.institutions.models import RatingStandard
from minzheng.institutions.selectors import grading_standard, standard_on

PARTS = {"environment": 120, "facilities": 130, "operations": 150, "service": 600}
# Per-part minimums of each level in the seeded standard (40/50/60/80/90 % of the part's maximum).
MINIMUMS = {
    1: {"environment": 48, "facilities": 52, "operations": 60, "service": 240},
    2: {"environment": 60, "facilities": 65, "operations": 75, "service": 300},
    3: {"environment": 72, "facilities": 78, "operations": 90, "service": 360},
    4: {"environment": 96, "facilities": 104, "operations": 120, "service": 480},
    5: {"environment": 108, "facilities": 117, "operations": 135, "service": 540},
}
TOTALS = {1: 360, 2: 450, 3: 570, 4: 780, 5: 900}
TENTH = Decimal("0.1")


@pytest.fixture
def seeded(defaults) -> grading.Standard:
    return grading_standard(standard_on(dt.date(2025, 7, 1)))


def _dec(scores: dict[str, int]) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in scores.items()}


def test_seeded_standard_is_the_one_of_the_research_note(seeded) -> None:
    grading.validate(seeded)
    assert {p.code: int(p.max_points) for p in seeded.parts} == PARTS
    assert {lv.stars: int(lv.min_total) for lv in seeded.levels} == TOTALS
    assert {lv.stars: {c: int(v) for c, v in lv.minimums.items()} for lv in seeded.levels} == MINIMUMS
    # The four-star row is flagged in §4.2 ([!] 780 < 80 % of 1000): stored as assumed, the others official.
    assert [lv.stars for lv in seeded.levels if lv.assumed] == [4]
    stored = RatingStandard.objects.get(code="GB/T 37276-2018", version=1)
    four = stored.levels.get(stars=4)
    assert four.status == "assumed" and set(four.minimums.values_list("status", flat=True)) == {"assumed"}
    assert stored.validity_status == "assumed" and "[!]" in four.note


@pytest.mark.parametrize("stars", [1, 2, 3, 4, 5])
def test_every_part_exactly_at_the_level_minimum_earns_the_level(seeded, stars: int) -> None:
    result = grading.grade(seeded, _dec(MINIMUMS[stars]))
    assert result.stars == stars
    assert result.total == sum(MINIMUMS[stars].values())
    assert result.rule.startswith(f"评为{'一二三四五'[stars - 1]}级")


@pytest.mark.parametrize("stars", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("part", list(PARTS))
def test_one_part_a_tenth_below_its_minimum_drops_one_level(seeded, stars: int, part: str) -> None:
    scores = _dec(MINIMUMS[stars])
    scores[part] -= TENTH
    result = grading.grade(seeded, scores)
    assert result.stars == (stars - 1 or None)
    name = {"environment": "环境", "facilities": "设施设备", "operations": "运营管理", "service": "服务"}[part]
    assert f"{name} {grading.fmt(scores[part])} 低于 {MINIMUMS[stars][part]}" in result.rule


def test_a_total_worth_four_stars_with_one_part_below_its_four_star_minimum_gives_three(seeded) -> None:
    scores = {"environment": Decimal(120), "facilities": Decimal(130), "operations": Decimal(130),
              "service": Decimal(470)}
    result = grading.grade(seeded, scores)
    assert result.total == 850 and result.total >= TOTALS[4]
    assert result.stars == 3
    assert result.rule == ("评为三级：总分 850 ≥ 570，各分项均达到该级最低分；四级未达：服务 470 低于 480")
    assert [c.met for c in result.checks] == [False, False, True, True, True]


def test_full_marks_and_zero(seeded) -> None:
    assert grading.grade(seeded, _dec(PARTS)).stars == 5
    zero = grading.grade(seeded, dict.fromkeys(PARTS, 0))
    assert zero.stars is None and zero.rule.startswith("未达到任何等级：一级未达：总分 0 低于 360")


def test_veto_gives_no_level_whatever_the_scores(seeded) -> None:
    result = grading.grade(seeded, _dec(PARTS), veto="评定周期内发生重大安全责任事故")
    assert result.stars is None and result.rule == "单项否决，不予评定等级：评定周期内发生重大安全责任事故"


@pytest.mark.parametrize("scores, message", [
    ({"environment": 120, "facilities": 130, "operations": 150}, "缺少“服务”得分"),
    ({**PARTS, "service": 600.1}, "“服务”得分应在 0–600 之间"),
    ({**PARTS, "service": -1}, "“服务”得分应在 0–600 之间"),
    ({**PARTS, "service": "500.25"}, "最多保留一位小数"),
    ({**PARTS, "bonus": 5}, "未知分项: bonus"),
])
def test_bad_scores_are_refused(seeded, scores, message: str) -> None:
    with pytest.raises(grading.GradingError, match=message):
        grading.grade(seeded, scores)


# --- total thresholds: a standard whose part minimums (30 %) sum below the totals, so the totals decide -------

LOW_PARTS = grading.Standard("test", [grading.Part(c, c, Decimal(m)) for c, m in PARTS.items()], [
    grading.Level(s, f"{s}级", Decimal(t), {c: Decimal(m) * Decimal("0.3") for c, m in PARTS.items()})
    for s, t in TOTALS.items()
])


def _proportional(total: int) -> dict[str, Decimal]:
    """Scores in proportion to each part's maximum, adding up to ``total`` exactly (all above 30 %)."""
    return {c: Decimal(m) * total / 1000 for c, m in PARTS.items()}


@pytest.mark.parametrize("stars", [1, 2, 3, 4, 5])
def test_total_exactly_at_the_threshold_earns_the_level_and_a_tenth_below_does_not(stars: int) -> None:
    grading.validate(LOW_PARTS)
    at = _proportional(TOTALS[stars])
    assert grading.grade(LOW_PARTS, at).stars == stars
    below = dict(at, service=at["service"] - TENTH)
    result = grading.grade(LOW_PARTS, below)
    assert result.stars == (stars - 1 or None)
    assert f"总分 {grading.fmt(Decimal(TOTALS[stars]) - TENTH)} 低于 {TOTALS[stars]}" in result.rule


def test_a_standard_whose_parts_do_not_sum_to_1000_is_invalid() -> None:
    bad = grading.Standard("bad", [grading.Part("a", "a", Decimal(999))], [])
    with pytest.raises(grading.GradingError, match="合计应为 1000"):
        grading.validate(bad)
