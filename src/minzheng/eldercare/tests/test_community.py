"""Home adaptation (plan subsidy and workflow), meal subsidies, and the insurance coverage check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.core.errors import InvalidChange, NotFound
from minzheng.eldercare import selectors as sel
from minzheng.eldercare.actions.adaptation import (
    accept_works,
    apply_adaptation,
    assess_adaptation,
    pay_subsidy,
    plan_adaptation,
    start_works,
)
from minzheng.eldercare.actions.community import (
    create_policy,
    enrol_person,
    enrol_uncovered,
    record_meal,
    save_meal_point,
)
from minzheng.eldercare.tests import support as s
from minzheng.testing import factories as f

D = dt.date


def elder(birth: dt.date, programme: str | None, area: str = f.COMMUNITY_A, name: str = "老人", **extra: object):
    p = s.person(s.pid(birth), name, birth, area, **extra)
    s.household_in_care([p], programme, area=area, person_level=p if programme == "tekun" else None)
    return p


def test_adaptation_plan_subsidy_and_workflow(tree, users) -> None:
    cw = users["caseworker_a"]
    p = elder(D(1950, 6, 1), "dibao")
    case = apply_adaptation(user=cw, person=p, address="和平区集贤街8号3-2", applied_on=D(2025, 8, 1))
    assert (case.status, case.hardship) == ("applied", "dibao")
    with pytest.raises(InvalidChange, match="不能变为"):
        plan_adaptation(user=cw, case=case, lines=[("cane", 1, Decimal("80"))])
    assess_adaptation(user=cw, case=case, needs="卫生间无扶手，地面湿滑；卧室需护理床", assessed_on=D(2025, 8, 5))
    case = plan_adaptation(user=cw, case=case, lines=[
        ("floor_antislip", 1, Decimal("900")),  # basic 100 %, capped at 800
        ("grab_bar", 3, Decimal("120")),  # basic: 360
        ("care_bed", 1, Decimal("2600")),  # optional 50 % = 1300 (cap 2000)
        ("night_light", 2, Decimal("99.99")),  # optional 50 % of 199.98 = 99.99
    ])
    assert [(ln.item.code, ln.cost, ln.subsidy) for ln in case.lines.all()] == [
        ("floor_antislip", Decimal("900.00"), Decimal("800.00")), ("grab_bar", Decimal("360.00"), Decimal("360.00")),
        ("care_bed", Decimal("2600.00"), Decimal("1300.00")), ("night_light", Decimal("199.98"), Decimal("99.99"))]
    assert (case.cost, case.subsidy, case.status) == (Decimal("4059.98"), Decimal("2559.99"), "planned")
    with pytest.raises(InvalidChange, match="不能变为"):
        pay_subsidy(user=users["district"], case=case, paid_on=D(2025, 9, 1))
    start_works(user=cw, case=case, contractor="沈阳安居适老化工程有限公司", started_on=D(2025, 8, 10))
    accept_works(user=cw, case=case, accepted_on=D(2025, 8, 20), note="验收合格")
    with pytest.raises(NotFound):  # the subsidy is the district's
        pay_subsidy(user=users["other_district"], case=case, paid_on=D(2025, 9, 1))
    case = pay_subsidy(user=users["district"], case=case, paid_on=D(2025, 9, 1))
    assert (case.status, case.subsidised_on) == ("subsidised", D(2025, 9, 1))
    assert [e.to_status for e in case.events.all()] == ["applied", "assessed", "planned", "in_works", "accepted",
                                                        "subsidised"]


def test_adaptation_case_cap_and_eligibility(tree, users) -> None:
    cw = users["caseworker_a"]
    p = elder(D(1945, 1, 1), "tekun")
    case = apply_adaptation(user=cw, person=p, address="和平区", applied_on=D(2025, 8, 1))
    assess_adaptation(user=cw, case=case, needs="全面改造", assessed_on=D(2025, 8, 2))
    case = plan_adaptation(user=cw, case=case, lines=[
        ("floor_antislip", 1, Decimal("800")), ("ramp", 1, Decimal("1000")), ("care_bed", 1, Decimal("2600")),
        ("shower_room", 1, Decimal("3000"))])  # 800 + 1000 + 1300 + 1500 = 4600 → capped at 3000
    assert case.subsidy == Decimal("3000.00")
    with pytest.raises(InvalidChange, match="已有"):
        apply_adaptation(user=cw, person=p, address="和平区", applied_on=D(2025, 8, 1))
    with pytest.raises(InvalidChange, match="特困、低保、低保边缘"):
        apply_adaptation(user=cw, person=elder(D(1945, 1, 1), None), address="和平区", applied_on=D(2025, 8, 1))
    with pytest.raises(InvalidChange, match="60周岁"):
        apply_adaptation(user=cw, person=elder(D(1965, 9, 1), "dibao"), address="和平区", applied_on=D(2025, 8, 1))


def test_meal_subsidies(tree, users) -> None:
    cw = users["caseworker_a"]
    point = save_meal_point(user=cw, name="集贤社区长者食堂", kind="canteen", area_code=f.COMMUNITY_A, seats=60)
    diners = {
        "tekun": elder(D(1950, 1, 1), "tekun"), "dibao": elder(D(1950, 1, 1), "dibao"),
        "edge": elder(D(1950, 1, 1), "dibao_edge"), "aged80": elder(D(1945, 8, 31), None),
        "aged79": elder(D(1945, 9, 1), None), "aged60": elder(D(1965, 8, 1), None), "young": elder(D(1970, 1, 1), None),
    }
    day = D(2025, 8, 20)
    got = {k: record_meal(user=cw, point=point, person=p, served_on=day, meal="lunch", price=Decimal("15"))
           for k, p in diners.items()}
    assert {k: (m.category, m.subsidy) for k, m in got.items()} == {
        "tekun": ("tekun", Decimal("8.00")), "dibao": ("dibao", Decimal("6.00")),
        "edge": ("dibao_edge", Decimal("5.00")), "aged80": ("aged_80", Decimal("3.00")),
        "aged79": ("aged_60", Decimal("1.00")), "aged60": ("aged_60", Decimal("1.00")),
        "young": ("", Decimal("0.00"))}
    cheap = record_meal(user=cw, point=point, person=diners["tekun"], served_on=day, meal="breakfast",
                        price=Decimal("5"))
    assert cheap.subsidy == Decimal("5.00")  # never more than the price
    with pytest.raises(InvalidChange, match="已登记"):
        record_meal(user=cw, point=point, person=diners["tekun"], served_on=day, meal="lunch", price=Decimal("15"))
    with pytest.raises(NotFound):
        record_meal(user=users["caseworker_b"], point=point, person=diners["dibao"], served_on=day, meal="dinner",
                    price=Decimal("15"))
    summary = sel.meal_summary(point, "2025-08")
    assert (summary["meals"], summary["diners"], summary["subsidy"], summary["price"]) == (
        8, 7, Decimal("29.00"), Decimal("110.00"))
    assert {r["category"]: r["meals"] for r in summary["by_category"]}["tekun"] == 2


def test_insurance_coverage_by_district(tree, users) -> None:
    day = D(2025, 8, 1)
    a1, a2, a3 = (elder(D(1950, 1, 1), prog) for prog in ("tekun", "dibao", "dibao_edge"))
    elder(D(1965, 9, 1), "dibao")  # 60th birthday in September: not yet counted in August (month-age)
    elder(D(1940, 1, 1), "dibao", death_date=D(2025, 7, 1))  # dead: not counted
    elder(D(1950, 1, 1), None)  # not in hardship: not counted
    b1 = elder(D(1944, 4, 4), "dibao", area=f.COMMUNITY_OTHER_DISTRICT)
    policy = create_policy(user=users["city"], year=2025, insurer="中国人寿沈阳分公司", premium=Decimal("20"),
                           starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31))
    enrol_person(user=users["caseworker_a"], policy=policy, person=a1, enrolled_on=day)
    enrol_person(user=users["caseworker_a"], policy=policy, person=a2, enrolled_on=day)
    rows = sel.coverage(policy, day)
    assert [(r["district"], r["name"], r["eligible"], r["covered"], r["share"]) for r in rows] == [
        ("210102", "和平区", 3, 2, Decimal("66.7")), ("210103", "沈河区", 1, 0, Decimal("0.0")),
        ("", "合计", 4, 2, Decimal("50.0"))]
    assert enrol_uncovered(user=users["city"], policy=policy, day=day) == 2
    assert sel.coverage(policy, day)[-1]["share"] == Decimal("100.0")
    assert {i.person_id for i in sel.visible_insured(users["caseworker_a"])} == {a1.pk, a2.pk, a3.pk}
    assert b1.pk not in {i.person_id for i in sel.visible_insured(users["district"])}
