"""The what-if simulation over the archive in the database: columns, scoping, per-district figures, CLI.

Benefit month 2025-08, dibao standard 850 → +5 % from 2025-07-01 = 892.5 → 893 (half-up).

和平区 210102
  HA (community A) 王建国 1,300 + 李秀英 1,300 + 王小明 (born 2010, a minor) 0 = 2,600, 3 people:
     before 3 × 850 = 2,550 ≤ 2,600 < 3,825 → dibao_edge, 0.
     after 2,679 − 2,600 = 79 dibao + minor add-on 0.10 × 893 = 89.3 → 89 → 168.
  HB (community B) one adult, 860: edge → dibao 893 − 860 = 33.
  HT (community A) one person born 1958 (67), income 500, person-level tekun enrollment (no supporter):
     tekun 1,313 + 100 (全自理) = 1,413 before and after.
  closed household (community A): not in the archive any more → not counted.
  → 3 households; edge 2 → dibao 2; budget 1,413 → 1,614 (+201).
沈河区 210103
  HC 王建国 1,300 + spouse born 1943-01-15 (82) 1,300; a former member (left 2024) not counted:
     before: not dibao (1,700), not edge (2,550), rigid: living (11 × 821 + 850) × 2 = 19,762 < 0.80 ×
     31,200 = 24,960 → none; high age 30. after: 2,600 < 1.5 × 893 × 2 = 2,679 → edge; high age 100.
  HD a child born 2012 with an orphan enrollment: orphan 2,609 before and after; category none.
  → 2 households; none → edge 1; budget 2,639 → 2,709 (+70).
City: 5 households, 1 tekun, 2 → 0 edge … budget 4,052 → 4,323 (+271).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from minzheng.analytics.simulation import Reform
from minzheng.cli import main
from minzheng.core.models import Household, HouseholdMember, Person
from minzheng.registry.models import Enrollment
from minzheng.registry.simulation import archive_columns, simulate_archive
from minzheng.rules.bulk import NO_DEATH
from minzheng.rules.model import PROGRAMMES
from minzheng.testing import factories as f

AS_OF = dt.date(2025, 8, 1)
RAISE = Reform(start=dt.date(2025, 7, 1), percent=Decimal(5))
START = dt.date(2020, 1, 1)


def _people(household: Household) -> list[Person]:
    return [m.person for m in household.memberships.select_related("person").order_by("id")]


def _set(person: Person, **fields: object) -> None:
    Person.objects.filter(pk=person.pk).update(**fields)


@pytest.fixture
def archive(tree):
    ha = f.make_household(f.COMMUNITY_A, members=3, no="HA")
    head, spouse, _child = _people(ha)
    _set(head, monthly_income=Decimal(1300))
    _set(spouse, monthly_income=Decimal(1300))

    hb = f.make_household(f.COMMUNITY_B, members=1, no="HB")
    _set(_people(hb)[0], monthly_income=Decimal(860))

    ht = f.make_household(f.COMMUNITY_A, members=1, no="HT")
    (elder,) = _people(ht)
    _set(elder, birth_date=dt.date(1958, 1, 1), monthly_income=Decimal(500))
    Enrollment.objects.create(household=ht, person=elder, programme="tekun", start_date=START,
                              monthly_amount=Decimal(1413))

    closed = f.make_household(f.COMMUNITY_A, members=1, no="CLOSED")
    Household.objects.filter(pk=closed.pk).update(status="closed")

    hc = f.make_household(f.COMMUNITY_OTHER_DISTRICT, members=2, no="HC")
    head_c, spouse_c = _people(hc)
    _set(head_c, monthly_income=Decimal(1300))
    _set(spouse_c, birth_date=dt.date(1943, 1, 15), monthly_income=Decimal(1300))
    former = f.make_person("刘过去", dt.date(1990, 1, 1), area_code=f.COMMUNITY_OTHER_DISTRICT)
    HouseholdMember.objects.create(household=hc, person=former, relation="子", start_date=START,
                                   end_date=dt.date(2024, 1, 1))

    hd = f.make_household(f.COMMUNITY_OTHER_DISTRICT, members=1, no="HD")
    (child,) = _people(hd)
    _set(child, birth_date=dt.date(2012, 5, 5))
    Enrollment.objects.create(household=hd, person=child, programme="orphan", start_date=START,
                              monthly_amount=Decimal(2609))
    return {"HA": ha, "HB": hb, "HT": ht, "HC": hc, "HD": hd, "closed": closed}


def test_archive_columns(archive) -> None:
    columns = archive_columns(as_of=AS_OF)
    households, members = columns.households, columns.members
    order = [Household.objects.get(pk=pk).household_no for pk in households["household_id"].tolist()]
    assert sorted(order) == ["HA", "HB", "HC", "HD", "HT"]  # the closed household is left out
    assert households["area_code"].tolist() == [
        Household.objects.get(pk=pk).area_id for pk in households["household_id"].tolist()
    ]
    sizes = np.bincount(members["household"], minlength=5).tolist()
    assert dict(zip(order, sizes, strict=True)) == {"HA": 3, "HB": 1, "HT": 1, "HC": 2, "HD": 1}  # no former member
    assert np.all(members["household"][1:] >= members["household"][:-1])
    ha = order.index("HA")
    rows = np.flatnonzero(members["household"] == ha)
    assert members["monthly_income"][rows].tolist() == [130000, 130000, 0]
    assert members["birth_month"][rows].tolist() == [1970 * 12 + 4, 1972 * 12 + 7, 2010 * 12 + 2]
    assert set(members["death_month"].tolist()) == {NO_DEATH}
    ht, hd = order.index("HT"), order.index("HD")
    assert members["no_supporter"].tolist() == (members["household"] == ht).tolist()
    assert members["orphan"].tolist() == (members["household"] == hd).tolist()
    assert not members["single_cover"].any()
    assert households["enrollments"][ht] == 1 << PROGRAMMES.index("tekun")
    assert households["enrollments"][hd] == 1 << PROGRAMMES.index("orphan")
    assert households["financial_assets"].tolist() == [0] * 5  # assets are not in the archive
    # An enrollment that ended before the day is not a finding.
    assert not archive_columns(as_of=dt.date(2019, 12, 31)).members["orphan"].any()


def test_single_cover_and_household_level_findings(archive) -> None:
    ha, hc = archive["HA"], archive["HC"]
    _head, spouse, _child = _people(ha)
    Enrollment.objects.create(household=ha, person=spouse, programme="dibao", start_date=START)
    Enrollment.objects.create(household=hc, programme="tekun", start_date=START)  # household-level tekun
    columns = archive_columns(as_of=AS_OF)
    ids = columns.households["household_id"].tolist()
    members = columns.members
    ha_rows = np.flatnonzero(members["household"] == ids.index(ha.pk))
    assert members["single_cover"][ha_rows].tolist() == [False, True, False]
    hc_rows = np.flatnonzero(members["household"] == ids.index(hc.pk))
    assert members["no_supporter"][hc_rows].tolist() == [True, True]
    # With a household-level dibao row the person-level one is not 单人保.
    Enrollment.objects.create(household=ha, programme="dibao", start_date=START)
    again = archive_columns(as_of=AS_OF).members
    assert not again["single_cover"].any()


def test_simulation_per_district(archive) -> None:
    result = simulate_archive(RAISE, period="2025-08", as_of=AS_OF)
    assert [(d.code, d.name, d.households) for d in result.districts] == [
        ("210102", "和平区", 3), ("210103", "沈河区", 2),
    ]
    he_ping = result.district("210102")
    assert (he_ping.before("tekun"), he_ping.before("dibao_edge"), he_ping.before("dibao")) == (1, 2, 0)
    assert (he_ping.after("tekun"), he_ping.after("dibao_edge"), he_ping.after("dibao")) == (1, 0, 2)
    assert (he_ping.changed, he_ping.newly_qualifying, he_ping.newly_dibao, he_ping.leaving) == (2, 2, 2, 0)
    assert he_ping.budget_before() == Decimal("1413.00")
    assert he_ping.budget_after() == Decimal("1614.00")  # 1,413 + 168 + 33
    assert he_ping.budget_after("dibao_addon_monthly") == Decimal("89.00")
    assert he_ping.budget_difference() == Decimal("201.00")

    shen_he = result.district("210103")
    assert shen_he.moved("none", "dibao_edge") == 1 and shen_he.moved("none", "none") == 1
    assert (shen_he.changed, shen_he.entering, shen_he.newly_dibao) == (1, 1, 0)
    assert shen_he.budget_before() == Decimal("2639.00")  # 30 + 2,609
    assert shen_he.budget_after() == Decimal("2709.00")  # 100 + 2,609
    assert shen_he.budget_before("orphan_monthly") == Decimal("2609.00")

    city = result.total
    assert (city.households, city.changed, city.newly_qualifying) == (5, 3, 3)
    assert (city.budget_before(), city.budget_after(), city.budget_difference()) == (
        Decimal("4052.00"), Decimal("4323.00"), Decimal("271.00"),
    )
    assert result.members == 8
    assert any("不含家庭财产" in note for note in result.notes)


def test_simulation_is_scoped_to_the_user(archive, users) -> None:
    district = simulate_archive(RAISE, period="2025-08", user=users["district"], as_of=AS_OF)
    assert [d.code for d in district.districts] == ["210102"]
    assert district.total.budget_difference() == Decimal("201.00")
    community_b = simulate_archive(RAISE, period="2025-08", user=users["caseworker_b"], as_of=AS_OF)
    assert community_b.total.households == 1 and community_b.total.budget_after() == Decimal("33.00")
    nothing = simulate_archive(RAISE, period="2025-08", user=users["provider"], as_of=AS_OF)
    assert nothing.districts == () and nothing.total.households == 0
    other = simulate_archive(RAISE, period="2025-08", user=users["other_district"], as_of=AS_OF)
    assert [d.name for d in other.districts] == ["沈河区"]
    assert other.total.newly_qualifying == 1


def test_cli_policy_simulate(archive, capsys, tmp_path: Path) -> None:
    out_file = tmp_path / "what-if.xlsx"
    code = main([
        "policy", "simulate", "--raise", "dibao_standard", "--by", "5%", "--from", "2025-07-01",
        "--month", "2025-08", "--as-of", "2025-08-01", "--xlsx", str(out_file),
    ])
    assert code == 0
    out = capsys.readouterr().out
    assert "调整前 baseline: 850（2025-07-01 起）" in out and "调整后 reform:   893" in out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.split()}
    assert lines["和平区"][:7] == ["和平区", "3", "1→1", "0→2", "2→0", "0→0", "2"]
    assert lines["沈河区"][-3:] == ["2,639.00", "2,709.00", "+70.00"]
    assert lines["全市合计"][-3:] == ["4,052.00", "4,323.00", "+271.00"]

    book = load_workbook(out_file)
    assert book.sheetnames == ["分区县", "类别转移", "预算明细", "说明"]
    sheet = book["分区县"]
    rows = [list(r) for r in sheet.iter_rows(min_row=5, values_only=True)]
    assert [r[0] for r in rows] == ["和平区", "沈河区", "全市合计"]
    assert rows[-1][1] == 5 and rows[-1][-3:] == [4052, 4323, 271]
    budget = [r for r in book["预算明细"].iter_rows(values_only=True)
              if r[0] == "沈河区" and r[2] == "high_age_monthly"]
    assert budget == [("沈河区", "高龄津贴", "high_age_monthly", 30, 100, 70)]


def test_cli_policy_simulate_bad_input(capsys) -> None:
    assert main(["policy", "simulate", "--raise", "dibao.edge_multiplier", "--by", "5%", "--from", "2025-07-01"]) == 2
    assert "not a money parameter" in capsys.readouterr().err
    assert main(["policy", "simulate", "--by", "5%", "--from", "2025-07-01", "--month", "2025-06"]) == 2
    assert "before the reform" in capsys.readouterr().err
