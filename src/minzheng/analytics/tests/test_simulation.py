"""What-if simulation on hand-built tables (no database), every expected figure computed by hand.

Benefit month 2025-08: dibao standard 850 (from 2025-07-01), edge line 1.5 × standard, tekun basic
living 1313 + care 100 (全自理), high age 80–89 30 (general) or 100 (tekun/dibao/edge household),
serious-illness add-on 0.30 × standard. Everyone is an adult under 60 unless said; no assets.

A raise of 5 % from 2025-07-01: 850 × 1.05 = 892.5 → half-up to the whole yuan → 893.

(The brief's example "3 people, income 2,300, dibao_edge at 793" is not an edge household: 2,300 < 3 × 793
= 2,379, so it is dibao already. H1 below is a 3-person household that really is edge before a raise.)

District 210102 和平区
  H1  3 adults, incomes 1,300 + 1,300 + 0 = 2,600.
      before: 3 × 850 = 2,550 ≤ 2,600 → not dibao; 2,600 < 1.5 × 850 × 3 = 3,825 → dibao_edge, pays 0.
      after:  3 × 893 = 2,679 > 2,600 → dibao, 2,679 − 2,600 = 79.
  H2  1 adult, income 860. before: 860 ≥ 850, < 1,275 → edge, 0. after: 860 < 893 → dibao, 33.
  H3  2 adults, incomes 700 + 800 = 1,500, one with a serious illness.
      before: 1,700 − 1,500 = 200 dibao, add-on 0.30 × 850 = 255 → 455.
      after:  1,786 − 1,500 = 286, add-on 0.30 × 893 = 267.9 → 268 → 554.
  → households 3; edge 2 → dibao; budget 455 → 666, +211.
District 210103 沈河区
  H4  1 person aged 65, income 500, no supporter: tekun 1,313 + 100 = 1,413 before and after.
  H5  aged 82 (income 1,300) + adult (1,300) = 2,600.
      before: 2 × 850 = 1,700 ≤ 2,600; edge line 2,550 ≤ 2,600 → not edge. rigid_hardship: 12 × 2,600 =
      31,200 < 2 × 56,000, living part (2024-08..2025-07) = (11 × 821 + 850) × 2 = 19,762 and 0.80 ×
      31,200 = 24,960 > 19,762 → not rigid → none; high age 30 (general).
      after: edge line 1.5 × 893 × 2 = 2,679 > 2,600 → dibao_edge; high age 100 (low income).
  H7  1 adult, income 1,250: edge (< 1,275) before; after still edge (≥ 893, < 1,339.5).
  → households 3; none → edge 1 (newly qualifying); budget 1,413 + 30 + 0 = 1,443 → 1,513, +70.
City: 6 households, budget 1,898 → 2,179, +281.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from minzheng.analytics.simulation import (
    TABLE_HEADERS,
    Reform,
    ReformError,
    render_text,
    simulate,
    table_rows,
)
from minzheng.rules.bulk import BulkInputError, to_columns
from minzheng.rules.evaluate import evaluate
from minzheng.rules.model import Household, Member, Month
from minzheng.rules.parameters import PARAMETERS_DIR, ParameterSet, default_parameters
from minzheng.rules.tests.generate import random_household

D = dt.date(2025, 7, 1)
RAISE = Reform(start=D, percent=Decimal(5))
HE_PING, SHEN_HE = "210102", "210103"


def _adult(id_: str, income: str, **extra: object) -> Member:
    return Member(id=id_, birth_date=dt.date(1985, 2, 2), monthly_income=Decimal(income), **extra)


HOUSEHOLDS: list[tuple[str, Household]] = [
    ("210102001001", Household(members=(_adult("h1a", "1300"), _adult("h1b", "1300"), _adult("h1c", "0")))),
    ("210102001002", Household(members=(_adult("h2", "860"),))),
    ("210102001001", Household(members=(_adult("h3a", "700", serious_illness=True), _adult("h3b", "800")))),
    ("210103001001", Household(members=(
        Member(id="h4", birth_date=dt.date(1960, 3, 1), monthly_income=Decimal(500), no_supporter=True),
    ))),
    ("210103001001", Household(members=(
        Member(id="h5a", birth_date=dt.date(1943, 1, 15), monthly_income=Decimal(1300)),
        _adult("h5b", "1300"),
    ))),
    ("210103001001", Household(members=(_adult("h7", "1250"),))),
]


def _tables(
    households: list[tuple[str, Household]] = HOUSEHOLDS,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    members, columns = to_columns([h for _, h in households])
    columns["area_code"] = np.array([code for code, _ in households])
    return members, columns


def test_raise_by_five_percent_per_district() -> None:
    result = simulate(*_tables(), period="2025-08", reform=RAISE)
    assert result.value_before is not None and result.value_before.number == Decimal(850)
    assert result.value_after is not None and result.value_after.number == Decimal(893)
    assert [(d.code, d.name) for d in result.districts] == [(HE_PING, "和平区"), (SHEN_HE, "沈河区")]

    he_ping = result.district(HE_PING)
    assert he_ping.households == 3
    assert (he_ping.before("dibao_edge"), he_ping.before("dibao")) == (2, 1)
    assert (he_ping.after("dibao_edge"), he_ping.after("dibao")) == (0, 3)
    assert he_ping.moved("dibao_edge", "dibao") == 2 and he_ping.moved("dibao", "dibao") == 1
    assert (he_ping.changed, he_ping.entering, he_ping.newly_dibao, he_ping.newly_qualifying) == (2, 0, 2, 2)
    assert (he_ping.leaving, he_ping.leaving_dibao) == (0, 0)
    assert he_ping.budget_before() == Decimal("455.00")
    assert he_ping.budget_after() == Decimal("666.00")
    assert he_ping.budget_difference() == Decimal("211.00")
    assert he_ping.budget_before_fen["dibao_monthly"] == 20000  # H3 200
    assert he_ping.budget_after_fen["dibao_monthly"] == 39800  # 79 + 33 + 286
    assert he_ping.budget_after_fen["dibao_addon_monthly"] == 26800  # 267.9 → 268

    shen_he = result.district(SHEN_HE)
    assert shen_he.households == 3
    assert (shen_he.before("tekun"), shen_he.before("dibao_edge"), shen_he.before("none")) == (1, 1, 1)
    assert (shen_he.after("tekun"), shen_he.after("dibao_edge"), shen_he.after("none")) == (1, 2, 0)
    assert shen_he.moved("none", "dibao_edge") == 1
    assert (shen_he.changed, shen_he.entering, shen_he.newly_dibao, shen_he.newly_qualifying) == (1, 1, 0, 1)
    assert shen_he.budget_before() == Decimal("1443.00")  # 1,413 + 30 + 0
    assert shen_he.budget_after() == Decimal("1513.00")  # 1,413 + 100 + 0
    assert shen_he.budget_before_fen["high_age_monthly"] == 3000
    assert shen_he.budget_after_fen["high_age_monthly"] == 10000

    city = result.total
    assert (city.code, city.name, city.households) == ("2101", "沈阳市", 6)
    assert (city.changed, city.newly_qualifying, city.newly_dibao, city.leaving) == (3, 3, 2, 0)
    assert (city.budget_before(), city.budget_after(), city.budget_difference()) == (
        Decimal("1898.00"), Decimal("2179.00"), Decimal("281.00"),
    )
    assert result.members == 10


def test_cut_makes_a_household_leave() -> None:
    # −5 %: 850 × 0.95 = 807.5 → 808. H7: 1,250 ≥ 1.5 × 808 = 1,212 → not edge; rigid: 15,000 < 56,000,
    # living (11 × 821 + 808) = 9,839 < 0.80 × 15,000 = 12,000 → none: leaves. H3: 1,616 − 1,500 = 116,
    # add-on 0.30 × 808 = 242.4 → 242 → 358 (was 455, −97). H1, H2 stay edge; H4 tekun (500 < 808); H5 none.
    result = simulate(*_tables(), period="2025-08", reform=Reform(start=D, percent=Decimal(-5)))
    assert result.value_after is not None and result.value_after.number == Decimal(808)
    shen_he = result.district(SHEN_HE)
    assert (shen_he.leaving, shen_he.changed, shen_he.moved("dibao_edge", "none")) == (1, 1, 1)
    assert shen_he.budget_difference() == Decimal("0.00")
    he_ping = result.district(HE_PING)
    assert (he_ping.changed, he_ping.leaving) == (0, 0)
    assert he_ping.budget_after() == Decimal("358.00")
    assert result.total.budget_difference() == Decimal("-97.00")


def test_edge_to_tekun_newly_qualifies_but_is_not_new_dibao() -> None:
    # Aged 65, no supporter, income 860: before 860 ≥ 850 → not tekun; not dibao; 860 < 1,275 → edge, 0.
    # After 860 < 893 → tekun: 1,313 + 100 (全自理) = 1,413. A status-only → paid move: newly qualifying.
    elder = Household(members=(
        Member(id="e", birth_date=dt.date(1960, 3, 1), monthly_income=Decimal(860), no_supporter=True),
    ))
    result = simulate(*_tables([("210105001001", elder)]), period="2025-08", reform=RAISE)
    area = result.district("210105")
    assert area.name == "皇姑区"
    assert area.moved("dibao_edge", "tekun") == 1
    assert (area.changed, area.entering, area.newly_qualifying, area.newly_dibao, area.leaving) == (1, 0, 1, 0, 0)
    assert area.budget_difference() == Decimal("1413.00")
    # The mirror image, a cut of 5 % (808): income 830 is tekun at 850 (830 < 850, 1,413) and edge at 808
    # (830 ≥ 808, < 1,212): paid → status-only counts as leaving.
    poorer = Household(members=(
        Member(id="e", birth_date=dt.date(1960, 3, 1), monthly_income=Decimal(830), no_supporter=True),
    ))
    cut = simulate(*_tables([("210105001001", poorer)]), period="2025-08",
                   reform=Reform(start=D, percent=Decimal(-5)))
    assert cut.total.moved("tekun", "dibao_edge") == 1
    assert (cut.total.leaving, cut.total.leaving_dibao, cut.total.newly_qualifying) == (1, 0, 0)
    assert cut.total.budget_difference() == Decimal("-1413.00")


def test_rounding_is_configurable() -> None:
    # Keep the fen: 892.50. H1: 3 × 892.5 − 2,600 = 77.5 → the household's difference half-up → 78;
    # H2 892.5 − 860 = 32.5 → 33; H3 1,785 − 1,500 = 285, add-on 0.30 × 892.5 = 267.75 → 268.
    # 和平区 after: 78 + 33 + 285 + 268 = 664 (with whole yuan it was 666).
    fen = Reform(start=D, percent=Decimal(5), quantum=Decimal("0.01"))
    result = simulate(*_tables(), period="2025-08", reform=fen)
    assert result.value_after is not None and result.value_after.number == Decimal("892.50")
    assert result.district(HE_PING).budget_after() == Decimal("664.00")
    down = Reform(start=D, percent=Decimal(5), rounding="down")  # 892.5 → 892
    assert simulate(*_tables(), period="2025-08", reform=down).value_after.number == Decimal(892)
    assert Reform(start=D, percent=Decimal(5), quantum=Decimal(10)).changed(Decimal(850)) == Decimal(890)


def test_to_a_value() -> None:
    # 900: H3 1,800 − 1,500 = 300, add-on 0.30 × 900 = 270 → 570; H1 2,700 − 2,600 = 100; H2 40.
    result = simulate(*_tables(), period="2025-08", reform=Reform(start=D, value=Decimal(900)))
    assert result.district(HE_PING).budget_after() == Decimal("710.00")


def test_tekun_basic_living_raise() -> None:
    # 1,313 × 1.10 = 1,444.3 → 1,444: H4 1,444 + 100 = 1,544 (+131); nobody changes category.
    reform = Reform(start=D, parameter="tekun_basic_living", percent=Decimal(10))
    result = simulate(*_tables(), period="2025-08", reform=reform)
    assert result.reform.parameter == "tekun.basic_living"
    assert result.total.changed == 0
    assert result.district(SHEN_HE).budget_difference("tekun_monthly") == Decimal("131.00")
    assert result.total.budget_difference() == Decimal("131.00")


def test_orphan_standard_by_name() -> None:
    # An orphan under 18 alone: 2,609 → 2,609 × 1.06 = 2,765.54 → 2,766 (+157).
    child = Household(members=(Member(id="c", birth_date=dt.date(2012, 5, 5), orphan=True),))
    reform = Reform(start=D, parameter="orphan.standard", percent=Decimal(6))
    result = simulate(*_tables([("210104001001", child)]), period="2025-08", reform=reform)
    assert result.districts[0].name == "大东区"
    assert result.total.budget_before() == Decimal("2609.00")
    assert result.total.budget_difference() == Decimal("157.00")


def test_overlay_uses_the_parameter_format_and_raises_later_values(tmp_path: Path) -> None:
    base = default_parameters()
    early = Reform(start=dt.date(2024, 7, 1), percent=Decimal(5))
    # 821 × 1.05 = 862.05 → 862 from 2024-07-01; the scheduled 850 of 2025-07-01 → 892.5 → 893.
    assert [(d, new) for d, _, new in early.changes(base)] == [
        (dt.date(2024, 7, 1), Decimal(862)), (dt.date(2025, 7, 1), Decimal(893)),
    ]
    path = early.write_overlay(tmp_path / "reform", base)
    assert path.name == "dibao.yaml"
    assert "2024-07-01: {value: 862, status: assumed" in path.read_text(encoding="utf-8")
    params = ParameterSet.load(PARAMETERS_DIR, path.parent)
    assert params.value("dibao.standard", dt.date(2024, 6, 30)).number == Decimal(793)
    assert params.value("dibao.standard", dt.date(2024, 8, 1)).number == Decimal(862)
    assert params.value("dibao.standard", dt.date(2025, 8, 1)).number == Decimal(893)
    assert params.value("dibao.standard", dt.date(2025, 8, 1)).assumed
    # A mid-month date governs from the next month.
    assert Reform(start=dt.date(2025, 7, 15), percent=Decimal(5)).first_month().index == (2025 * 12 + 7)


def test_parse_and_bad_reforms() -> None:
    assert Reform.parse("2025-07-01", parameter="dibao_standard", by="5%").percent == Decimal(5)
    assert Reform.parse("2025-07-01", by="-2.5").percent == Decimal("-2.5")
    assert Reform.parse("2025-07-01", to="900").value == Decimal(900)
    with pytest.raises(ReformError, match="percentage"):
        Reform.parse("2025-07-01", by="five")
    with pytest.raises(ReformError, match="either"):
        Reform.parse("2025-07-01", by="5%", to="900")
    with pytest.raises(ReformError, match="YYYY-MM-DD"):
        Reform.parse("2025-13-01", by="5%")
    with pytest.raises(ReformError, match="not a money parameter"):
        simulate(*_tables(), reform=Reform(start=D, parameter="dibao.edge_multiplier", percent=Decimal(5)))
    with pytest.raises(ReformError, match="unknown parameter"):
        simulate(*_tables(), reform=Reform(start=D, parameter="dibao.nothing", percent=Decimal(5)))
    with pytest.raises(ReformError, match="before the reform"):
        simulate(*_tables(), period="2025-06", reform=RAISE)
    with pytest.raises(ReformError, match="not in force"):
        simulate(*_tables(), reform=Reform(start=dt.date(2020, 1, 1), percent=Decimal(5)))
    members, households = _tables()
    households["area_code"] = np.array(["2101", *households["area_code"][1:]])
    with pytest.raises(BulkInputError, match="district"):
        simulate(members, households, reform=RAISE)
    households["area_code"] = np.array(["沈阳市和平区集贤", *households["area_code"][1:]])
    with pytest.raises(BulkInputError, match="district"):
        simulate(members, households, reform=RAISE)


def test_default_period_is_the_first_month_of_the_reform() -> None:
    assert str(simulate(*_tables(), reform=RAISE).period) == "2025-07"


def test_arrow_tables_give_the_same_result() -> None:
    members, households = _tables()
    direct = simulate(members, households, period="2025-08", reform=RAISE)
    arrow = simulate(pa.table(members), pa.table(households), period="2025-08", reform=RAISE)
    assert arrow.districts == direct.districts and arrow.total == direct.total


def test_empty_tables() -> None:
    members, households = _tables([])
    result = simulate(members, households, period="2025-08", reform=RAISE)
    assert result.districts == () and result.total.households == 0
    assert result.total.budget_difference() == Decimal("0.00")


def test_table_and_text() -> None:
    result = simulate(*_tables(), period="2025-08", reform=RAISE)
    rows = table_rows(result)
    assert len(rows[0]) == len(TABLE_HEADERS)
    assert rows[0][:2] == ["和平区", 3] and rows[-1][0] == "全市合计"
    assert rows[-1][-3:] == [Decimal("1898.00"), Decimal("2179.00"), Decimal("281.00")]
    text = render_text(result)
    assert "和平区" in text and "沈河区" in text and "全市合计" in text
    assert "850（2025-07-01 起）（假定值 assumed）" in text and "893" in text
    assert "+281.00" in text and "2→0" in text  # 和平区 edge 2 → 0


def test_matches_the_per_household_path_under_the_reform() -> None:
    """Aggregates equal the sums of ``evaluate`` household by household, baseline and reform."""
    rng = random.Random("minzheng-simulation")
    month = Month.parse("2025-08")
    districts = ["210102", "210106", "210181"]
    households = [(f"{rng.choice(districts)}001001", random_household(rng, month)) for _ in range(300)]
    result = simulate(*_tables(households), period=month, reform=RAISE)
    base, changed = default_parameters(), RAISE.parameters()
    for code in districts:
        mine = [h for c, h in households if c.startswith(code)]
        before = [evaluate(h, month, base) for h in mine]
        after = [evaluate(h, month, changed) for h in mine]
        area = result.district(code)
        assert area.households == len(mine)
        for b_cat in ("tekun", "dibao", "dibao_edge", "rigid_hardship", "none"):
            for a_cat in ("tekun", "dibao", "dibao_edge", "rigid_hardship", "none"):
                expected = sum(1 for b, a in zip(before, after, strict=True)
                               if b.category == b_cat and a.category == a_cat)
                assert area.moved(b_cat, a_cat) == expected, (code, b_cat, a_cat)
        assert area.budget_before() == sum((r.amounts["total_monthly"] for r in before), Decimal(0))
        assert area.budget_after() == sum((r.amounts["total_monthly"] for r in after), Decimal(0))
    assert result.total.changed > 0
