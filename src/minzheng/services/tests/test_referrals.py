"""Match runs on the database, referrals (accept, decline and re-match, capacity changes, deadlines and
escalation), visits, feedback, the household's chain of assistance and who sees what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.services import selectors as sel
from minzheng.services.actions.assessments import record_assessment
from minzheng.services.actions.catalogue import change_capacity
from minzheng.services.actions.matching import execute_run, start_run
from minzheng.services.actions.referrals import (
    accept_referral,
    decline_referral,
    escalate_overdue,
    record_feedback,
    record_visit,
)
from minzheng.services.models import MatchRun, Need, Referral
from minzheng.services.selectors import active_version
from minzheng.services.tests.conftest import TODAY, make_single
from minzheng.services.tests.test_assessment import VISIT
from minzheng.services.workdays import add_working_days
from minzheng.testing import factories as f

SH = ZoneInfo("Asia/Shanghai")
MEAL_ONLY = dict.fromkeys(VISIT, 0)  # with 半自理 pre-filled: care.nursing and life.meal


def assess(user, household, answers=MEAL_ONLY):
    return record_assessment(user=user, household=household, version=active_version(day=TODAY), answers=answers,
                             day=TODAY)


def run(user, key: str = "t1") -> dict:
    start_run(user=user, key=key, enqueue=False)
    return execute_run(key)


def test_a_run_refers_every_need_it_can_and_explains_why(users, elder, catalogue) -> None:
    assess(users["caseworker_a"], elder, VISIT)
    stats = run(users["caseworker_a"])
    assert {k: stats[k] for k in ("needs", "served", "unserved", "status", "certified")} == {
        "needs": 9, "served": 4, "unserved": 5, "status": "OPTIMAL", "certified": True}
    referred = dict(Referral.objects.values_list("need__item__code", "offering__provider__name"))
    assert referred == {"material.goods": "和平区慈善会", "care.nursing": "集贤社区长者食堂",
                        "life.meal": "集贤社区长者食堂", "concern.visit": "南市场街道社工站"}
    referral = Referral.objects.get(need__item__code="life.meal")
    assert referral.status == "pending"
    assert referral.respond_by == add_working_days(timezone.localtime(referral.created_at), 2)
    reasons = referral.match.explanation["reasons"]
    assert reasons[0] == "优先级：低保，需求等级高，已等待 0 天"
    assert reasons[1:4] == ["服务项目一致：助餐", "服务范围覆盖：集贤社区", "服务条件符合：无特别限制"]
    assert reasons[4] == "服务时间可约：每天"
    assert "在 2 家符合条件的机构中综合成本排第 1" in reasons
    unserved = elder.service_needs.get(item__code="life.clean").matches.get()
    assert unserved.offering is None
    assert unserved.explanation["reasons"][1] == (
        "暂无可匹配机构：提供“助洁”的机构 0 家，服务范围覆盖本社区 0 家，符合服务条件 0 家，服务时间可约 0 家")
    # The key makes the run idempotent: starting and executing again changes nothing.
    assert start_run(user=users["caseworker_a"], key="t1", enqueue=False).status == "done"
    assert execute_run("t1") == stats
    assert Referral.objects.count() == 4


def test_decline_rematches_the_need_and_keeps_accepted_referrals(users, catalogue, provider_users) -> None:
    a, b, c = (make_single(name=n) for n in ("钱一", "孙二", "李三"))
    for h in (a, b, c):
        assess(users["caseworker_a"], h)
    run(users["caseworker_a"])
    meals = Referral.objects.filter(need__item__code="life.meal")
    assert sorted(meals.values_list("offering__provider__name", flat=True)) == [
        "南市场街道社工站", "南市场街道社工站", "集贤社区长者食堂"]
    at_station = meals.filter(offering=catalogue["station_meal"]).order_by("pk")
    accepted = accept_referral(user=provider_users["station"], referral=at_station[0], worker_name="周师傅",
                               worker_phone="13700001234")
    declined = meals.get(offering=catalogue["canteen_meal"])
    decline_referral(user=provider_users["canteen"], referral=declined, reason="full")
    need = Need.objects.get(pk=declined.need_id)
    assert need.status == "open"
    # The decline queued a re-match of the need's community; run it as the worker would.
    rematch = MatchRun.objects.get(key=f"rematch-{declined.pk}-declined")
    assert (rematch.scope_id, rematch.status) == (f.COMMUNITY_A, "queued")
    stats = execute_run(rematch.key)
    # Open: the declined meal, one nursing need (the canteen's 2 places are taken) and three errands (no
    # provider). No place is left at the station (one accepted, one pending) and the canteen declined: unserved.
    assert (stats["needs"], stats["served"]) == (5, 0)
    assert rematch.matches.get(need=need).explanation["reason"] == "no_candidate"
    # A place frees up at the station: the next run sends the need there, never back to the canteen.
    change_capacity(user=users["district"], offering=catalogue["station_meal"], capacity=3)
    stats = execute_run(MatchRun.objects.filter(key__startswith="capacity-").get().key)
    assert (stats["needs"], stats["served"]) == (5, 1)
    again = Referral.objects.get(need=need, status="pending")
    assert again.offering == catalogue["station_meal"]
    accepted.refresh_from_db()
    assert (accepted.status, accepted.worker_name) == ("accepted", "周师傅")
    assert Referral.objects.filter(status__in=["pending", "accepted"], need__item__code="life.meal").count() == 3


def test_lower_capacity_withdraws_pending_referrals_of_lowest_priority_only(users, catalogue, provider_users) -> None:
    tekun, edge = make_single(name="特困户", programme="tekun"), make_single(name="边缘户", programme="dibao_edge")
    assess(users["caseworker_a"], tekun)
    assess(users["caseworker_a"], edge)
    run(users["caseworker_a"])
    nursing = Referral.objects.filter(offering=catalogue["canteen_nursing"])
    assert nursing.count() == 2
    kept = accept_referral(user=provider_users["canteen"], referral=nursing.get(need__household=edge),
                           worker_name="吴护工")
    with pytest.raises(Forbidden):
        change_capacity(user=users["caseworker_a"], offering=catalogue["canteen_nursing"], capacity=0)
    out = change_capacity(user=users["city"], offering=catalogue["canteen_nursing"], capacity=0)
    # The accepted referral (even of the lower class) stays; the pending one is withdrawn and re-opened.
    assert out == {"before": 2, "after": 0, "withdrawn": 1}
    kept.refresh_from_db()
    assert kept.status == "accepted"
    assert nursing.get(need__household=tekun).status == "cancelled"
    assert Need.objects.get(household=tekun, item__code="care.nursing").status == "open"


def test_deadlines_escalation_and_withdrawal(users, elder, catalogue) -> None:
    # Working days: Wednesday + 2 → Friday; Friday 16:00 + 2 → Tuesday 16:00; Saturday counts from Monday 09:00.
    wed = dt.datetime(2025, 6, 11, 10, 0, tzinfo=SH)
    assert add_working_days(wed, 2) == dt.datetime(2025, 6, 13, 10, 0, tzinfo=SH)
    assert add_working_days(dt.datetime(2025, 6, 13, 16, 0, tzinfo=SH), 2) == dt.datetime(2025, 6, 17, 16, 0, tzinfo=SH)
    assert add_working_days(dt.datetime(2025, 6, 14, 20, 0, tzinfo=SH), 1) == dt.datetime(2025, 6, 17, 9, 0, tzinfo=SH)
    assess(users["caseworker_a"], elder)
    run(users["caseworker_a"])
    referral = Referral.objects.get(need__item__code="life.meal")
    Referral.objects.filter(pk=referral.pk).update(respond_by=dt.datetime(2025, 6, 13, 10, 0, tzinfo=SH))
    assert escalate_overdue(now=dt.datetime(2025, 6, 13, 9, 0, tzinfo=SH))["escalated"] == 0
    assert escalate_overdue(now=dt.datetime(2025, 6, 13, 11, 0, tzinfo=SH)) == {
        "escalated": 1, "withdrawn": 0, "visit_overdue": 0}
    referral.refresh_from_db()
    assert (referral.status, referral.escalation_level) == ("pending", 1)
    assert list(sel.inbox(users["caseworker_a"], state="overdue")) == [referral]
    # Monday is one working day late: nothing more; Tuesday is two: withdrawn, the need is open again.
    assert escalate_overdue(now=dt.datetime(2025, 6, 16, 11, 0, tzinfo=SH)) == {
        "escalated": 0, "withdrawn": 0, "visit_overdue": 0}
    assert escalate_overdue(now=dt.datetime(2025, 6, 17, 11, 0, tzinfo=SH))["withdrawn"] == 1
    referral.refresh_from_db()
    assert (referral.status, referral.escalation_level, referral.need.status) == ("expired", 2, "open")
    assert list(referral.events.values_list("to_status", flat=True)) == ["pending", "expired"]
    # An accepted referral without a visit by its first-visit deadline is escalated too.
    other = Referral.objects.get(need__item__code="care.nursing")
    Referral.objects.filter(pk=other.pk).update(status="accepted",
                                                first_visit_by=dt.datetime(2025, 6, 20, 9, 0, tzinfo=SH))
    assert escalate_overdue(now=dt.datetime(2025, 6, 20, 10, 0, tzinfo=SH))["visit_overdue"] == 1


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


def test_deadlines_follow_the_holiday_calendar_to_the_hour(users, elder, catalogue, provider_users,
                                                           monkeypatch) -> None:
    # National Day 2025: 10/1–10/8 off, Sunday 9/28 and Saturday 10/11 worked (调休). Counting Monday to
    # Friday only would give 10/2 15:00, 9/30 16:00, 10/6 20:00 and 9/30 09:00 for these four.
    assert add_working_days(at(2025, 9, 30, 15), 2) == at(2025, 10, 10, 15)
    assert add_working_days(at(2025, 9, 26, 16), 2) == at(2025, 9, 29, 16)
    assert add_working_days(at(2025, 10, 3, 20), 1) == at(2025, 10, 10, 9)  # a holiday start: from 10/9 09:00
    assert add_working_days(at(2025, 9, 28, 14, 30), 1) == at(2025, 9, 29, 14, 30)  # a worked Sunday keeps its hour
    # On the database: a match run on Tuesday 30 September 2025 at 15:00 (Shanghai).
    monkeypatch.setattr(timezone, "now", lambda: at(2025, 9, 30, 15).astimezone(dt.UTC))
    assess(users["caseworker_a"], elder)
    run(users["caseworker_a"])
    pending = Referral.objects.filter(status="pending")
    assert sorted(pending.values_list("need__item__code", flat=True)) == ["care.nursing", "concern.visit", "life.meal"]
    for referral in pending:
        assert timezone.localtime(referral.respond_by) == at(2025, 10, 10, 15)  # Monday–Friday only: 10/2 15:00
    nursing = accept_referral(user=provider_users["canteen"], worker_name="吴护工",
                              referral=pending.get(need__item__code="care.nursing"))
    # First visit within 5 working days: 10/9, 10/10, 10/11 (Saturday worked), 10/13, 10/14 (not 10/7).
    assert timezone.localtime(nursing.first_visit_by) == at(2025, 10, 14, 15)
    nothing = {"escalated": 0, "withdrawn": 0, "visit_overdue": 0}
    assert escalate_overdue(now=at(2025, 10, 2, 16)) == nothing  # in the holiday: not due yet
    assert escalate_overdue(now=at(2025, 10, 10, 16)) == nothing | {"escalated": 2}  # the meal and the visiting
    # Saturday 10/11 is worked: one working day late, not yet withdrawn; Monday 10/13 is the second day late
    # (counting Monday to Friday only, 10/13 would be the first).
    assert escalate_overdue(now=at(2025, 10, 11, 16)) == nothing
    assert escalate_overdue(now=at(2025, 10, 13, 10)) == nothing | {"withdrawn": 2}
    meal = Referral.objects.get(need__item__code="life.meal")
    assert (meal.status, meal.escalation_level, meal.need.status) == ("expired", 2, "open")
    assert escalate_overdue(now=at(2025, 10, 14, 14)) == nothing
    assert escalate_overdue(now=at(2025, 10, 14, 16)) == nothing | {"visit_overdue": 1}


def test_visit_feedback_and_the_chain_of_assistance(users, elder, catalogue, provider_users) -> None:
    assess(users["caseworker_a"], elder)
    run(users["caseworker_a"])
    referral = Referral.objects.get(need__item__code="life.meal")
    with pytest.raises(NotFound):  # another provider's user cannot touch it
        accept_referral(user=provider_users["station"], referral=referral, worker_name="x")
    with pytest.raises(InvalidChange):  # not accepted yet
        record_visit(user=provider_users["canteen"], referral=referral, worker_name="张阿姨",
                     started_at=timezone.now(), duration_minutes=30, content="送餐", beneficiary_confirmed=False)
    accept_referral(user=provider_users["canteen"], referral=referral, worker_name="张阿姨", worker_phone="13600001111",
                    planned_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(InvalidChange):
        accept_referral(user=provider_users["canteen"], referral=referral, worker_name="张阿姨")
    visit = record_visit(user=provider_users["canteen"], referral=referral, worker_name="张阿姨",
                         started_at=timezone.now(), duration_minutes=45,
                         content="送午餐并协助进食", beneficiary_confirmed=True, confirmed_by="赵桂兰",
                         checkin_lat=41.78, checkin_lng=123.39)
    referral.refresh_from_db()
    assert (referral.status, referral.need.status) == ("in_service", "in_service")
    with pytest.raises(NotFound):
        record_feedback(user=users["caseworker_b"], referral=referral, satisfaction=5)
    record_feedback(user=users["caseworker_a"], referral=referral, satisfaction=5, comment="很满意")
    catalogue["canteen"].refresh_from_db()
    assert catalogue["canteen"].rating == Decimal("4.3")  # (4.0·3 + 5) / 4 = 4.25 → 4.3
    _, entries = sel.household_timeline(users["caseworker_a"], elder.pk)
    kinds = [e.kind for e in entries]
    assert kinds[0] == "visit" and entries[0].obj == visit
    assert sorted(set(kinds)) == ["assessment", "money", "referral", "visit"]
    assert entries[-1].kind == "money" and entries[-1].title == "最低生活保障"
    with pytest.raises(NotFound):
        sel.household_timeline(users["caseworker_b"], elder.pk)
    with pytest.raises(NotFound):
        sel.household_timeline(users["provider"], elder.pk)
    stats = sel.stats(users["district"])
    assert stats["provider"][0] | {} == {"referral__offering__provider__id": catalogue["canteen"].pk,
                                         "referral__offering__provider__name": "集贤社区长者食堂", "visits": 1,
                                         "households": 1, "satisfaction": Decimal("5.0"), "hours": 0.8}
    assert [(r["district"], r["district_name"], r["visits"]) for r in stats["district"]] == [("210102", "和平区", 1)]
    assert sel.stats(users["other_district"]) == {"provider": [], "item": [], "district": []}


def test_provider_users_see_only_their_referrals(users, elder, catalogue, provider_users) -> None:
    other = make_single(area=f.COMMUNITY_B, name="文安户")
    assess(users["caseworker_a"], elder, VISIT)
    assess(users["caseworker_b"], other)
    run(users["street"])
    canteen = set(sel.visible_referrals(provider_users["canteen"]).values_list("offering__provider__name", flat=True))
    station = set(sel.visible_referrals(provider_users["station"]).values_list("offering__provider__name", flat=True))
    assert canteen == {"集贤社区长者食堂"}
    assert station == {"南市场街道社工站"}
    theirs = Referral.objects.exclude(offering__provider=catalogue["canteen"]).first()
    with pytest.raises(NotFound):
        sel.get_referral(provider_users["canteen"], theirs.pk)
    # Provider users see no needs, households or runs; caseworkers see needs and referrals of their community.
    assert not sel.visible_needs(provider_users["canteen"]).exists()
    assert not sel.visible_runs(provider_users["canteen"]).exists()
    assert set(sel.visible_needs(users["caseworker_b"]).values_list("household", flat=True)) == {other.pk}
    assert set(sel.visible_referrals(users["caseworker_b"]).values_list("need__household", flat=True)) == {other.pk}
    # A provider user without a membership sees nothing at all.
    lone = f.make_user("service_provider", f.COMMUNITY_A, "lone")
    assert not sel.visible_referrals(lone).exists()
