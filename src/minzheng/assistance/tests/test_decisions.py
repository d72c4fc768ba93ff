"""Review, notice, approval, rejection with reasons and the exception path (一事一议), with exact values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from minzheng.assistance import actions as a
from minzheng.assistance.choices import AppState
from minzheng.assistance.models import Decision, Evaluation, PublicNotice
from minzheng.assistance.tests.support import district_review, evaluated, in_notice, member_inputs
from minzheng.core.errors import InvalidChange
from minzheng.core.models import HouseholdMember
from minzheng.registry.models import Enrollment
from minzheng.testing import factories as f

D = dt.date


def test_evaluation_is_attached_with_parameter_statuses(users, household_a) -> None:
    app = evaluated(users, household_a)
    ev = Evaluation.objects.get(application=app)
    assert (ev.period, ev.category, ev.total_monthly) == ("2025-09", "dibao", Decimal("1635.00"))
    assert ev.result["amounts"]["dibao_monthly"] == "1550"  # 850 × 3 − 1000
    assert ev.result["amounts"]["dibao_addon_monthly"] == "85"  # the child: 10% of 850
    assert "dibao.standard" in ev.assumed  # 850 from 2025-07-01 is assumed
    params = {p["name"]: p for s in ev.result["steps"] for p in s["parameters"]}
    assert params["dibao.standard"] == {
        "name": "dibao.standard", "in_force": True, "value": "850", "since": "2025-07-01", "status": "assumed",
        "reference": params["dibao.standard"]["reference"], "first_date": "2022-07-01"}
    assert params["tekun.elderly_age"]["status"] == "official"
    head = household_a.memberships.get(relation="户主").person
    member = next(m for m in ev.household_input["members"] if m["id"] == str(head.pk))
    assert member["birth_date"] == "1970-05-01"  # from the ID number
    assert member["monthly_income"] == "1000.00"
    assert "（假定值 assumed）" in ev.text


def test_enrollment_starts_the_month_after_approval_with_the_evaluated_amount(users, household_a) -> None:
    app = district_review(users, household_a)
    created = a.district_approve(app, user=users["district"], on=D(2025, 10, 9), opinion="同意")
    assert [(e.programme, e.household_id, e.person_id, e.start_date, e.end_date, e.monthly_amount, e.source)
            for e in created] == [("dibao", household_a.pk, None, D(2025, 11, 1), None, Decimal("1635.00"), "workflow")]
    app.refresh_from_db()
    assert (app.state, app.decided_on, app.review_months) == (AppState.APPROVED, D(2025, 10, 9), 12)
    decision = Decision.objects.get(application=app, kind="district")
    assert decision.data["start"] == "2025-11-01" and decision.data["enrollments"] == [created[0].pk]
    with pytest.raises(RuntimeError):  # decisions are never edited
        decision.reasons = "changed"
        decision.save()


def test_approval_on_the_last_day_of_december_starts_in_january(users, household_a) -> None:
    app = district_review(users, household_a)
    created = a.district_approve(app, user=users["district"], on=D(2025, 12, 31))
    assert created[0].start_date == D(2026, 1, 1)


def test_notice_runs_seven_days_and_closes_after(users, household_a) -> None:
    app = in_notice(users, household_a)
    notice = PublicNotice.objects.get(application=app)
    assert (notice.start_date, notice.end_date, notice.notice_date) == (D(2025, 9, 26), D(2025, 10, 2), D(2025, 9, 26))
    assert notice.entries == [{"name": "王建国", "people": 3, "amount": "1635.00"}]
    assert notice.complaint_phone == "12345" and notice.issuer == "南市场街道办事处"
    with pytest.raises(InvalidChange):
        a.close_notice(app, user=users["street"], on=D(2025, 10, 2))
    a.close_notice(app, user=users["street"], on=D(2025, 10, 3))
    assert app.__class__.objects.get(pk=app.pk).state == AppState.DISTRICT_REVIEW


def test_an_upheld_objection_reopens_the_investigation(users, household_a) -> None:
    app = in_notice(users, household_a)
    with pytest.raises(InvalidChange):
        a.uphold_objection(app, user=users["street"], objections="", on=D(2025, 9, 28))
    a.uphold_objection(app, user=users["street"], objections="邻居反映户主有经营收入，经核实属实", on=D(2025, 9, 28))
    app.refresh_from_db()
    assert app.state == AppState.ACCEPTED
    a.assign_investigators(app, user=users["street"], investigator_1=users["caseworker_a"],
                           investigator_2=users["street"], on=D(2025, 9, 29))
    a.record_investigation(app, user=users["street"], visit_date=D(2025, 9, 29), visit_record="复查",
                           members=member_inputs(household_a, 户主={"monthly_income": "3000"}), on=D(2025, 9, 29))
    ev = a.evaluate_application(app, user=users["street"], on=D(2025, 9, 29))
    assert ev.category == "dibao_edge"  # 3000 / 3 = 1000: not below 850, below 1.5 × 850 = 1275


def _sample_notice_household() -> tuple:
    """A grandmother (72, no supporter) and a grandson of 10 (no supporter): both 特困, the minor never shown."""
    household = f.make_household(f.COMMUNITY_A, members=1, no="SY-NOTICE")
    head = household.memberships.get(relation="户主").person
    head.name, head.birth_date = "孙桂芝", D(1953, 4, 2)
    from minzheng.core.idnumber import make
    head.id_number = make("210102", head.birth_date, 88)
    head.save()
    child = f.make_person("孙小宝", D(2015, 6, 1))
    HouseholdMember.objects.create(household=household, person=child, relation="孙子女", start_date=D(2020, 1, 1))
    household.address = "和平区集贤街17号3单元"
    household.save()
    return household, head, child


def test_printable_notice_shows_only_the_allowed_fields(users) -> None:
    household, head, child = _sample_notice_household()
    members = {head.pk: {"monthly_income": "123.45", "no_supporter": True, "serious_illness": True,
                         "disability_type": "肢体", "disability_grade": 2, "self_care": "半自理"},
               child.pk: {"monthly_income": "0", "no_supporter": True}}
    app = in_notice(users, household, members=members)
    notice = PublicNotice.objects.get(application=app)
    # tekun: 1313 + 400 (半自理) for the grandmother; the grandson's tekun is not on the notice.
    assert notice.entries == [{"name": "孙桂芝", "people": 1, "amount": "1713.00"}]
    client = Client()
    client.force_login(users["street"])
    html = client.get(reverse("assistance:notice_print", args=[app.pk])).content.decode()
    for allowed in ("孙桂芝", "1713.00", "12345", "2025年9月26日", "2025年10月2日"):
        assert allowed in html
    for forbidden in (head.id_number, child.id_number, "孙小宝", household.address, "集贤街", "123.45", "收入",
                      "疾病", "残疾", "肢体", "半自理", "特困", "孙子女", "1953"):
        assert forbidden not in html, forbidden


def test_a_notice_of_only_minors_in_tekun_is_not_displayed(users) -> None:
    household = f.make_household(f.COMMUNITY_A, members=1, no="SY-MINOR")
    head = household.memberships.get(relation="户主").person
    from minzheng.core.idnumber import make
    head.birth_date = D(2012, 2, 2)
    head.id_number = make("210102", head.birth_date, 77)
    head.save()
    app = in_notice(users, household, members={head.pk: {"monthly_income": "0", "no_supporter": True}})
    notice = PublicNotice.objects.get(application=app)
    assert (notice.entries, notice.displayed) == ([], False)
    client = Client()
    client.force_login(users["street"])
    html = client.get(reverse("assistance:notice_print", args=[app.pk])).content.decode()
    assert head.name not in html and "依规不予张贴公示" in html


def test_street_rejection_with_reasons_and_its_three_working_day_deadline(users, household_a) -> None:
    app = evaluated(users, household_a, on=D(2025, 9, 30))
    with pytest.raises(InvalidChange):
        a.street_reject(app, user=users["street"], reasons=" ", on=D(2025, 9, 30))
    a.street_reject(app, user=users["street"], reasons="家庭人均收入高于当地低保标准", on=D(2025, 9, 30))
    app.refresh_from_db()
    assert (app.state, app.decided_on, app.rejection_notify_due) == (AppState.REJECTED, D(2025, 9, 30), D(2025, 10, 11))
    assert not app.overdue_on(D(2025, 10, 11)) and app.overdue_on(D(2025, 10, 13))
    client = Client()
    client.force_login(users["caseworker_a"])
    html = client.get(reverse("assistance:rejection_print", args=[app.pk])).content.decode()
    assert "家庭人均收入高于当地低保标准" in html and "王建国" in html and "南市场街道办事处" in html
    assert "行政复议" in html
    a.notify_rejection(app, user=users["caseworker_a"], on=D(2025, 10, 10))
    app.refresh_from_db()
    assert (app.state, app.rejection_notified_on) == (AppState.NOTIFIED, D(2025, 10, 10))
    assert not app.overdue_on(D(2025, 12, 1))


def test_district_rejection(users, household_a) -> None:
    app = district_review(users, household_a)
    a.district_reject(app, user=users["district"], reasons="公示期间发现家庭有商业用房", on=D(2025, 10, 9))
    app.refresh_from_db()
    # 10/10 (Fri), 10/11 (Saturday worked, 调休), 10/13 (Mon).
    assert (app.state, app.rejection_notify_due) == (AppState.REJECTED, D(2025, 10, 13))
    assert not Enrollment.objects.filter(household=household_a).exists()


def test_a_household_meeting_no_category_cannot_be_approved(users, household_a) -> None:
    app = evaluated(users, household_a, members=member_inputs(household_a, 户主={"monthly_income": "9000"}))
    assert app.evaluations.get().category == "none"
    with pytest.raises(InvalidChange, match="一事一议"):
        a.street_approve(app, user=users["street"], on=D(2025, 9, 26))


def test_exception_path(users, household_a) -> None:
    app = evaluated(users, household_a, members=member_inputs(household_a, 户主={"monthly_income": "9000"}))
    a.propose_exception(app, user=users["street"], circumstances="户主收入虽高但需长期照护瘫痪配偶，医疗支出巨大",
                        programme="dibao", amount=Decimal("600"), months=6, on=D(2025, 9, 29))
    assert app.__class__.objects.get(pk=app.pk).state == AppState.EXCEPTION
    with pytest.raises(InvalidChange):  # a committee, not one person
        a.decide_exception(app, user=users["district"], approve=True, committee_members=["张局长"], reasons="同意",
                           on=D(2025, 9, 30))
    with pytest.raises(Exception, match="区县"):
        a.decide_exception(app, user=users["street"], approve=True, committee_members=["a", "b", "c"], reasons="x",
                           on=D(2025, 9, 30))
    decision = a.decide_exception(app, user=users["district"], approve=True,
                                  committee_members=["张局长", "李科长", "王委员"],
                                  reasons="因病支出型困难，集体研究同意按低保救助", amount=Decimal("500"),
                                  on=D(2025, 9, 30))
    assert (decision.kind, decision.outcome, decision.programme, decision.amount, decision.months) == (
        "exception", "approve", "dibao", Decimal("500"), 6)
    assert decision.committee_members == ["张局长", "李科长", "王委员"]
    app.refresh_from_db()
    assert app.state == AppState.STREET_APPROVED
    notice = a.publish_notice(app, user=users["street"], on=D(2025, 9, 30))
    assert notice.entries == [{"name": "王建国", "people": 3, "amount": "500.00"}]
    a.close_notice(app, user=users["street"], on=D(2025, 10, 7))
    created = a.district_approve(app, user=users["district"], on=D(2025, 10, 9))
    assert [(e.programme, e.start_date, e.end_date, e.monthly_amount) for e in created] == [
        ("dibao", D(2025, 11, 1), D(2026, 4, 30), Decimal("500.00"))]


def test_a_declined_exception_returns_to_the_street(users, household_a) -> None:
    app = evaluated(users, household_a, members=member_inputs(household_a, 户主={"monthly_income": "9000"}))
    a.propose_exception(app, user=users["street"], circumstances="特殊困难", programme="dibao", amount=Decimal("600"),
                        months=6, on=D(2025, 9, 29))
    a.decide_exception(app, user=users["district"], approve=False, committee_members=["甲", "乙", "丙"],
                       reasons="不属于特殊困难情形", on=D(2025, 9, 30))
    app.refresh_from_db()
    assert app.state == AppState.EVALUATED
    a.street_reject(app, user=users["street"], reasons="经一事一议研究不予救助", on=D(2025, 9, 30))


def test_an_exception_lapses_when_the_case_is_investigated_again(users, household_a) -> None:
    app = evaluated(users, household_a, members=member_inputs(household_a, 户主={"monthly_income": "9000"}))
    a.propose_exception(app, user=users["street"], circumstances="特殊困难", programme="dibao", amount=Decimal("500"),
                        months=6, on=D(2025, 9, 29))
    a.decide_exception(app, user=users["district"], approve=True, committee_members=["甲", "乙", "丙"],
                       reasons="同意", on=D(2025, 9, 30))
    a.publish_notice(app, user=users["street"], on=D(2025, 9, 30))
    a.uphold_objection(app, user=users["street"], objections="群众反映户主另有收入，属实", on=D(2025, 10, 9))
    a.assign_investigators(app, user=users["street"], investigator_1=users["caseworker_a"],
                           investigator_2=users["street"], on=D(2025, 10, 9))
    a.record_investigation(app, user=users["street"], visit_date=D(2025, 10, 9), visit_record="复查",
                           members=member_inputs(household_a, 户主={"monthly_income": "1000"}), on=D(2025, 10, 9))
    a.evaluate_application(app, user=users["street"], on=D(2025, 10, 9))
    assert [(p.programme, p.amount, p.months) for p in a.plan(app)] == [("dibao", Decimal("1635.00"), None)]
