"""The explanation names each rule, its parameters (value, date, status) and its figures."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from minzheng.rules.evaluate import evaluate
from minzheng.rules.explain import ASSUMED_MARK, render_text
from minzheng.rules.model import Household, Member

RULES_DIR = Path(__file__).resolve().parent.parent


def _household(
    *members: Member, financial_assets: Decimal = Decimal(0), rigid_expenses_12m: Decimal = Decimal(0)
) -> Household:
    return Household(
        members=members, financial_assets=financial_assets, rigid_expenses_12m=rigid_expenses_12m
    )


def _figures(result: object, rule: str) -> str:
    steps = [s for s in result.steps if s.rule == rule]  # type: ignore[attr-defined]
    assert steps, rule
    return "\n".join(f"{label}: {text}" for step in steps for label, text in step.figures)


def test_steps_parameters_and_status() -> None:
    hh = _household(
        Member(id="a", birth_date=dt.date(1975, 3, 2), monthly_income=Decimal(1000)),
        Member(id="b", birth_date=dt.date(1977, 6, 11)),
        Member(id="c", birth_date=dt.date(2012, 9, 30)),
    )
    result = evaluate(hh, "2024-08")
    rules = [step.rule for step in result.steps]
    assert rules[:5] == ["members", "assets", "tekun", "dibao", "dibao_addon"]
    assert rules[-1] == "total"
    dibao = next(s for s in result.steps if s.rule == "dibao")
    (standard,) = [u for u in dibao.parameters if u.name == "dibao.standard"]
    assert standard.value is not None
    assert (standard.value.value, standard.value.since, standard.value.status) == (
        Decimal(821),
        dt.date(2024, 7, 1),
        "assumed",
    )
    assert ASSUMED_MARK in standard.text() and "2024-07-01" in standard.text()
    assert "821 × 3 − 1000 = 1463 → 四舍五入 half-up 1463" in _figures(result, "dibao")
    assert "0.1 × 821 = 82.1 → 四舍五入 half-up 82" in _figures(result, "dibao_addon")
    text = render_text(result)
    assert "dibao.standard = 821，2024-07-01 起 since（假定值 assumed）" in text
    assert "本结果使用了假定值" in text


def test_edge_line_not_rounded_and_exact_comparison() -> None:
    hh = _household(Member(id="a", birth_date=dt.date(1980, 5, 10), monthly_income=Decimal("1189.5")))
    figures = _figures(evaluate(hh, "2023-08"), "dibao_edge")
    assert "1.5 × 793 = 1189.5（不取整 not rounded）" in figures
    assert "1189.5 < 1189.5 × 1 = 1189.5 → 否 no" in figures


def test_asset_tests_show_pass_and_fail() -> None:
    hh = _household(Member(id="a", birth_date=dt.date(1980, 5, 10)), financial_assets=Decimal(20000))
    figures = _figures(evaluate(hh, "2023-08"), "assets")
    assert "24 × 793 = 19032；20000 ≤ 19032 × 1 = 19032 → 未通过 fail" in figures
    assert "36 × 793 = 28548；20000 ≤ 28548 × 1 = 28548 → 通过 pass" in figures


def test_rigid_living_part_month_by_month() -> None:
    hh = _household(
        Member(id="a", birth_date=dt.date(1980, 5, 10), monthly_income=Decimal(2000)),
        rigid_expenses_12m=Decimal(9460),
    )
    result = evaluate(hh, "2025-03")
    assert result.category == "rigid_hardship"
    figures = _figures(result, "rigid_hardship")
    assert (
        "2024-03…2024-06: 793 × 4 = 3172；2024-07…2025-02: 821 × 8 = 6568；合计 9740 × 1 人 = 9740" in figures
    )
    rigid = next(s for s in result.steps if s.rule == "rigid_hardship")
    sinces = sorted(u.value.since for u in rigid.parameters if u.name == "dibao.standard" and u.value)
    assert sinces == [dt.date(2023, 7, 1), dt.date(2024, 7, 1)]


def test_parameter_not_in_force_is_explained() -> None:
    hh = _household(Member(id="a", birth_date=dt.date(1958, 3, 3), no_supporter=True))
    result = evaluate(hh, "2023-06")
    tekun = next(s for s in result.steps if s.rule == "tekun")
    (basic,) = [u for u in tekun.parameters if u.name == "tekun.basic_living"]
    assert basic.value is None and basic.first_date == dt.date(2023, 7, 1)
    assert "未生效 not in force（首个值 first value 2023-07-01 起）" in basic.text()


def test_default_self_care_and_death_shown() -> None:
    hh = _household(
        Member(id="a", birth_date=dt.date(1958, 3, 3), no_supporter=True, death_date=dt.date(2023, 8, 20)),
    )
    result = evaluate(hh, "2023-08")
    assert "未记录, 按全自理" in _figures(result, "tekun")
    assert "本月仍计入" in _figures(result, "members")


def test_no_django_in_rules() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+django", re.MULTILINE)
    for path in RULES_DIR.rglob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path
