"""Rating through the actions: the decision row, its validity, applications, standard versions, who may rate."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.institutions import actions as act
from minzheng.institutions.defaults import DEFAULT_STANDARD
from minzheng.institutions.models import Rating, RatingStandard
from minzheng.institutions.models.rating import ImmutableError
from minzheng.institutions.selectors import current_ratings, search_institutions, standard_on
from minzheng.institutions.workflow import IllegalTransition

D = dt.date
FOUR = {"environment": 100, "facilities": 110, "operations": 125, "service": 500}  # 835: four stars
AUGUST = D(2025, 8, 20)
THREE = {"environment": 120, "facilities": 130, "operations": 130, "service": 470}  # 850, service < 480


def _rate(user, institution, scores=FOUR, on=AUGUST, **kw) -> Rating:
    return act.rate_institution(user=user, institution=institution, scores=scores, assessors="赵评、钱审",
                                assessed_on=on, **kw)


def test_rating_records_the_level_the_rule_the_scores_and_three_years_of_validity(users, homes) -> None:
    rating = _rate(users["district"], homes["a"])
    assert rating.stars == 4 and rating.total == Decimal("835.0")
    assert rating.rule == "评为四级：总分 835 ≥ 780，各分项均达到该级最低分；五级未达：总分 835 低于 900，" \
        "环境 100 低于 108，设施设备 110 低于 117，运营管理 125 低于 135，服务 500 低于 540"
    assert (rating.valid_from, rating.valid_to) == (D(2025, 8, 20), D(2028, 8, 20))
    assert {s.part.code: s.points for s in rating.scores.select_related("part")} == {
        k: Decimal(v) for k, v in FOUR.items()}
    assert rating.application.state == "rated" and rating.application.applied_by == users["district"]
    assert rating.explanation[0] == {"stars": 5, "name": "五级", "met": False, "assumed": False,
                                     "failures": ["总分 835 低于 900", "环境 100 低于 108", "设施设备 110 低于 117",
                                                  "运营管理 125 低于 135", "服务 500 低于 540"]}
    event = AuditEvent.objects.filter(object_type="institutions.rating").get()
    assert event.after["stars"] == 4 and event.area_code == homes["a"].area_id
    with pytest.raises(ImmutableError):
        rating.save()  # a decision is never edited


def test_a_later_rating_supersedes_and_the_list_shows_the_level_in_force(users, homes) -> None:
    _rate(users["district"], homes["a"], on=D(2025, 3, 1))
    later = _rate(users["district"], homes["a"], scores=THREE, on=D(2025, 8, 20))
    assert later.stars == 3
    assert current_ratings(D(2025, 9, 1)).filter(institution=homes["a"]).first() == later
    assert current_ratings(D(2025, 5, 1)).filter(institution=homes["a"]).first().stars == 4
    assert current_ratings(D(2028, 8, 20)).filter(institution=homes["a"]).first() is None  # expired
    listed = {i.name: i.current_stars for i in search_institutions(users["city"], on=D(2025, 9, 1))}
    assert listed["集贤社区养老院"] == 3 and listed["南市场街道敬老院"] is None
    assert [i.name for i in search_institutions(users["city"], stars="3", on=D(2025, 9, 1))] == ["集贤社区养老院"]


def test_not_rated_and_veto_leave_no_level_and_no_validity(users, homes) -> None:
    low = _rate(users["district"], homes["a"], scores={"environment": 47.9, "facilities": 130, "operations": 150,
                                                        "service": 600})
    assert low.stars is None and low.valid_from is None and low.application.state == "not_rated"
    assert low.rule.startswith("未达到任何等级：一级未达：环境 47.9 低于 48")
    vetoed = _rate(users["district"], homes["street"], veto_reason="发生重大安全责任事故")
    assert vetoed.stars is None and vetoed.veto_reason == "发生重大安全责任事故" and vetoed.explanation == []


def test_item_scores_add_up_to_their_part(users, homes) -> None:
    items = [{"part": "environment", "code": "1.1", "label": "室外环境", "points": 45, "max_points": 60},
             {"part": "environment", "code": "1.2", "label": "室内环境", "points": "55.5", "max_points": 60}]
    scores = {k: v for k, v in FOUR.items() if k != "environment"}
    rating = _rate(users["district"], homes["a"], scores=scores, items=items)
    assert rating.scores.get(part__code="environment").points == Decimal("100.5")
    assert list(rating.item_scores.values_list("code", "points")) == [("1.1", Decimal("45.0")),
                                                                       ("1.2", Decimal("55.5"))]
    with pytest.raises(InvalidChange, match=r"与细项合计 100\.5 不一致"):
        _rate(users["district"], homes["street"], scores=FOUR, items=items)


def test_application_by_the_institution_then_rating_by_the_district(users, homes, member) -> None:
    application = act.apply_for_rating(user=member, institution=homes["a"], requested_stars=4, on=D(2025, 8, 1))
    assert application.standard.version == 1 and application.state == "applied"
    with pytest.raises(InvalidChange, match="已有待评定的申请"):
        act.apply_for_rating(user=users["district"], institution=homes["a"], on=D(2025, 8, 2))
    with pytest.raises(Forbidden):
        _rate(member, homes["a"])  # the institution does not rate itself
    with pytest.raises(NotFound):
        _rate(users["other_district"], homes["a"])  # another district: as if missing
    with pytest.raises(Forbidden):
        _rate(users["street"], homes["a"])  # the street inspects but does not rate
    rating = _rate(users["city"], homes["a"])
    assert rating.application == application
    with pytest.raises(IllegalTransition):
        act.withdraw_rating_application(user=member, application=application, reason="撤回")
    second = act.apply_for_rating(user=member, institution=homes["a"], on=D(2025, 9, 1))
    act.withdraw_rating_application(user=member, application=second, reason="材料不全")
    second.refresh_from_db()
    assert second.state == "withdrawn"


def test_standard_versions_apply_from_their_date_and_ratings_keep_theirs(users, homes) -> None:
    v1 = standard_on(D(2025, 8, 15))
    spec = copy.deepcopy(DEFAULT_STANDARD)
    spec["valid_from"] = D(2025, 9, 1)
    for level in spec["levels"]:
        if level["stars"] == 4:  # the bureau confirms a lower four-star bar: 75 % of each part, total 780
            level["minimums"] = {c: (Decimal(m) * Decimal("0.75"), "official")
                                 for c, m in {"environment": 120, "facilities": 130, "operations": 150,
                                              "service": 600}.items()}
            level["status"] = "official"
    with pytest.raises(Forbidden):
        act.publish_rating_standard(user=users["district"], spec=spec)
    v2 = act.publish_rating_standard(user=users["city"], spec=spec, reason="市局确认四级标准")
    v1.refresh_from_db()
    assert (v2.version, v1.valid_to, v2.valid_to) == (2, D(2025, 9, 1), None)
    assert standard_on(D(2025, 8, 31)) == v1 and standard_on(D(2025, 9, 1)) == v2

    old = act.apply_for_rating(user=users["district"], institution=homes["a"], on=D(2025, 8, 15))
    new = act.apply_for_rating(user=users["district"], institution=homes["street"], on=D(2025, 9, 2))
    scores = {"environment": 92, "facilities": 100, "operations": 118, "service": 480}  # 790, parts 75-80 %
    rated_old = _rate(users["district"], homes["a"], scores=scores, on=D(2025, 9, 5), application=old)
    rated_new = _rate(users["district"], homes["street"], scores=scores, on=D(2025, 9, 5), application=new)
    assert (rated_old.standard, rated_old.stars) == (v1, 3)  # applied under v1: 80 % minimums
    assert "四级未达：环境 92 低于 96，设施设备 100 低于 104，运营管理 118 低于 120" in rated_old.rule
    assert (rated_new.standard, rated_new.stars) == (v2, 4)

    with pytest.raises(InvalidChange, match="须晚于上一版本"):
        act.publish_rating_standard(user=users["city"], spec=spec)
    broken = copy.deepcopy(spec)
    broken["valid_from"] = D(2026, 1, 1)
    broken["parts"][0]["max_points"] = Decimal(100)
    with pytest.raises(InvalidChange, match="合计应为 1000"):
        act.publish_rating_standard(user=users["city"], spec=broken)
    assert RatingStandard.objects.count() == 2


def test_closed_institutions_and_future_dates_are_refused(users, homes) -> None:
    with pytest.raises(InvalidChange, match="已停业"):
        act.apply_for_rating(user=users["district"], institution=homes["closed"])
    with pytest.raises(InvalidChange, match="不能晚于今天"):
        _rate(users["district"], homes["a"], on=dt.date.today() + dt.timedelta(days=2))
