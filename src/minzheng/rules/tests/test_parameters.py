"""Dated parameters: loader boundaries, statuses, one-line replacement, malformed files."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from minzheng.rules.evaluate import evaluate
from minzheng.rules.model import Household, Member, Month
from minzheng.rules.parameters import (
    PARAMETERS_DIR,
    ParameterError,
    ParameterNotInForce,
    ParameterSet,
    ParamValue,
    default_parameters,
    value,
)


def test_value_in_force_from_its_date() -> None:
    assert value("dibao.standard", dt.date(2023, 6, 30)).value == Decimal(766)
    found = value("dibao.standard", dt.date(2023, 7, 1))
    assert found == ParamValue(Decimal(793), dt.date(2023, 7, 1), "official", found.reference)
    assert value("dibao.standard", dt.date(2024, 7, 1)).status == "assumed"
    assert value("dibao.standard", dt.date(2031, 1, 1)).value == Decimal(850)


def test_month_governed_by_its_first_day() -> None:
    assert value("dibao.standard", Month.parse("2023-06").first_day).value == Decimal(766)
    assert value("dibao.standard", Month.parse("2023-07").first_day).value == Decimal(793)
    assert value("rigid_hardship.expense_ratio", Month.parse("2024-11").first_day).value == Decimal("0.80")


def test_before_first_date_not_in_force() -> None:
    with pytest.raises(ParameterNotInForce, match="2022-07-01"):
        value("dibao.standard", dt.date(2022, 6, 30))
    assert default_parameters().get("high_age.rate_80_general", dt.date(2024, 12, 31)) is None
    assert value("high_age.rate_80_general", dt.date(2025, 1, 1)).value == Decimal(30)
    with pytest.raises(KeyError):
        value("dibao.no_such", dt.date(2025, 1, 1))


def test_every_parameter_documented() -> None:
    params = default_parameters()
    for name in params.names():
        parameter = params.parameter(name)
        assert parameter.description_zh and parameter.description_en and parameter.unit
        for since, entry in parameter.values:
            assert entry is not None and entry.status in ("official", "assumed") and entry.reference, name
            assert entry.since == since


def test_required_parameters_present() -> None:
    names = set(default_parameters().names())
    assert {
        "dibao.standard",
        "dibao.edge_multiplier",
        "tekun.basic_living",
        "tekun.care.self",
        "tekun.care.partial",
        "tekun.care.full",
        "orphan.standard",
        "high_age.rate_100",
        "high_age.rate_90",
        "high_age.rate_80_low_income",
        "high_age.rate_80_general",
        "disability.living",
        "disability.care",
        "rigid_hardship.previous_year_income",
        "rigid_hardship.expense_ratio",
        "assets.financial_multiple.dibao",
        "assets.financial_multiple.edge",
        "dibao.addon.serious_illness",
        "dibao.addon.severe_disability",
        "dibao.addon.elderly",
        "dibao.addon.minor",
    } <= names


def test_tekun_basic_at_least_ratio_times_dibao() -> None:
    params = default_parameters()
    for day in params.change_dates():
        basic = params.get("tekun.basic_living", day)
        dibao = params.get("dibao.standard", day)
        ratio = params.get("tekun.basic_min_ratio", day)
        if basic and dibao and ratio:
            assert basic.number >= ratio.number * dibao.number, day


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, target)
    return target


def test_replacing_an_assumed_value_is_one_line(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "dibao.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    (index,) = [i for i, line in enumerate(lines) if line.strip().startswith("2024-07-01: {value: 821")]
    lines[index] = '    2024-07-01: {value: 825, status: official, reference: "沈阳市 2024 提标通知"}\n'
    path.write_text("".join(lines), encoding="utf-8")
    params = ParameterSet.load(directory)
    assert params.value("dibao.standard", dt.date(2024, 8, 1)) == ParamValue(
        Decimal(825), dt.date(2024, 7, 1), "official", "沈阳市 2024 提标通知"
    )
    household = Household(members=(Member(id="a", birth_date=dt.date(1980, 1, 1)),))
    assert evaluate(household, "2024-08", params).amounts["dibao_monthly"] == Decimal(825)


def test_overlay_directory(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "dibao.yaml").write_text(
        "standard:\n"
        "  description: {zh: 低保标准, en: dibao standard}\n"
        "  unit: CNY/person/month\n"
        "  values:\n"
        "    2026-07-01: {value: 880, status: assumed, reference: reform}\n",
        encoding="utf-8",
    )
    params = ParameterSet.load(PARAMETERS_DIR, overlay)
    assert params.value("dibao.standard", dt.date(2026, 7, 1)).value == Decimal(880)
    assert params.value("dibao.standard", dt.date(2023, 7, 1)).value == Decimal(793)


def _definition(
    description: str = "{zh: a, en: b}",
    unit: str = "CNY/month",
    entry: str = "{value: 1, status: official, reference: r}",
    extra: str = "",
) -> str:
    return f"x:\n  description: {description}\n  unit: {unit}\n{extra}  values: {{2020-01-01: {entry}}}\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (_definition(unit="yuan"), "unit"),
        (_definition(entry="{value: 1, status: guess, reference: r}"), "status"),
        (_definition(entry="{value: 1.001, status: official, reference: r}"), "fen"),
        (_definition(entry="{value: 1, status: official}"), "reference"),
        (_definition(extra="  note: n\n"), "note"),
        (_definition(description="{zh: a}"), "zh and en"),
        (_definition(unit="years", entry="{value: 1.5, status: official, reference: r}"), "whole"),
    ],
)
def test_malformed_parameter_files(tmp_path: Path, text: str, fragment: str) -> None:
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=fragment):
        ParameterSet.load(tmp_path)


def test_rates_are_exact_decimals() -> None:
    assert value("dibao.addon.serious_illness", dt.date(2023, 8, 1)).value == Decimal("0.30")
    assert isinstance(value("dibao.edge_multiplier", dt.date(2023, 8, 1)).value, Decimal)
