"""The life of an enrollment: reviews (12 vs 6 months), changes, gradual exit, rigid-hardship expiry, tekun."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.assistance import actions as a
from minzheng.assistance.actions.evaluation import self_care_level
from minzheng.assistance.models import ReviewTask
from minzheng.assistance.tests.support import district_review, evaluated, member_inputs
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.registry.models import Enrollment
from minzheng.testing import factories as f

D = dt.date


def _approved(users, household, irregular: bool = False) -> Enrollment:
    app = district_review(users, household, irregular_income=irregular)
    return a.district_approve(app, user=users["district"], on=D(2025, 10, 9))[0]


def test_yearly_reviews_for_stable_income(users, household_a) -> None:
    _approved(users, household_a)  # paid from 2025-11-01, stable income → every 12 months
    assert a.schedule_reviews(on=D(2026, 10, 1)) == []  # due 2026-11-01; appears 30 days before
    made = a.schedule_reviews(on=D(2026, 10, 2))
    assert [(t.kind, t.due_date, t.household_id) for t in made] == [("periodic", D(2026, 11, 1), household_a.pk)]
    assert a.schedule_reviews(on=D(2026, 10, 20)) == []  # idempotent
    assert ReviewTask.objects.count() == 1


def test_half_yearly_reviews_for_irregular_income(users, household_a) -> None:
    _approved(users, household_a, irregular=True)
    made = a.schedule_reviews(on=D(2026, 5, 1))
    assert [t.due_date for t in made] == [D(2026, 5, 1)]
    made = a.schedule_reviews(on=D(2026, 11, 1))  # a missed sweep catches up once per due date
    assert [t.due_date for t in made] == [D(2026, 11, 1)]
    assert list(ReviewTask.objects.values_list("due_date", flat=True).order_by("due_date")) == [
        D(2026, 5, 1), D(2026, 11, 1)]


def test_review_frequency_follows_the_last_review(users, household_a) -> None:
    _approved(users, household_a)
    task = a.schedule_reviews(on=D(2026, 10, 2))[0]
    with pytest.raises(Forbidden):  # the district decides changes; the review is the community's
        a.complete_review(task, user=users["district"], outcome="unchanged", notes="x", on=D(2026, 10, 20))
    a.complete_review(task, user=users["caseworker_a"], outcome="unchanged", notes="入户核查，收入改为打零工",
                      irregular_income=True, on=D(2026, 10, 20))
    task.refresh_from_db()
    assert (task.status, task.outcome, task.completed_on) == ("done", "unchanged", D(2026, 10, 20))
    assert task.application.review_months == 6
    assert [t.due_date for t in a.schedule_reviews(on=D(2027, 4, 1))] == [D(2027, 5, 1)]
    with pytest.raises(InvalidChange):
        a.complete_review(task, user=users["caseworker_a"], outcome="unchanged", notes="x", on=D(2026, 10, 21))


def test_no_reviews_after_exit(users, household_a) -> None:
    enrollment = _approved(users, household_a)
    a.exit_enrollment(enrollment, user=users["district"], reason="家庭成员就业，收入超过标准", on=D(2026, 3, 10))
    assert a.schedule_reviews(on=D(2026, 10, 2)) == []


def test_report_change_opens_a_review_due_in_ten_working_days(users, household_a) -> None:
    task = a.report_change(user=users["caseworker_a"], household=household_a, description="户主已就业",
                           on=D(2025, 9, 26))
    # 9/28, 9/29, 9/30, (10/1–10/8 off) 10/9, 10/10, 10/11 (Saturday worked), 10/13–10/16.
    assert (task.kind, task.due_date) == ("change", D(2025, 10, 16))
    with pytest.raises(NotFound):
        a.report_change(user=users["caseworker_b"], household=household_a, description="x", on=D(2025, 9, 26))


def test_reduce_from_next_month(users, household_a) -> None:
    enrollment = _approved(users, household_a)
    with pytest.raises(Forbidden):
        a.change_amount(enrollment, user=users["street"], new_amount=Decimal("900"), reason="x", on=D(2026, 2, 10))
    change = a.change_amount(enrollment, user=users["district"], new_amount=Decimal("900"),
                             reason="配偶就业，月收入增加 735 元", on=D(2026, 2, 10))
    enrollment.refresh_from_db()
    assert enrollment.end_date == D(2026, 2, 28)
    new = change.new_enrollment
    assert (change.kind, change.old_amount, change.new_amount, change.effective_date) == (
        "reduce", Decimal("1635.00"), Decimal("900.00"), D(2026, 3, 1))
    assert (new.programme, new.household_id, new.start_date, new.end_date, new.monthly_amount) == (
        "dibao", household_a.pk, D(2026, 3, 1), None, Decimal("900.00"))


def test_suspend_and_resume(users, household_a) -> None:
    enrollment = _approved(users, household_a)
    a.suspend_enrollment(enrollment, user=users["district"], reason="连续两次无法入户核查", on=D(2026, 1, 15))
    enrollment.refresh_from_db()
    assert enrollment.end_date == D(2026, 1, 31)
    with pytest.raises(InvalidChange):
        a.suspend_enrollment(enrollment, user=users["district"], reason="again", on=D(2026, 2, 3))
    change = a.resume_enrollment(enrollment, user=users["district"], reason="已完成核查", on=D(2026, 3, 5))
    assert (change.kind, change.new_enrollment.start_date, change.new_enrollment.monthly_amount) == (
        "resume", D(2026, 4, 1), Decimal("1635.00"))


def test_gradual_exit_keeps_paying_six_months(users, household_a) -> None:
    enrollment = _approved(users, household_a)
    change = a.start_gradual_exit(enrollment, user=users["district"], reason="户主就业后人均收入超过低保标准",
                                  on=D(2026, 3, 15))
    enrollment.refresh_from_db()
    # Paid as before through March, then 6 more months (April–September), then stopped.
    assert (change.kind, change.paid_until, enrollment.end_date, enrollment.monthly_amount) == (
        "gradual_exit", D(2026, 9, 30), D(2026, 9, 30), Decimal("1635.00"))
    short = _approved(users, f.make_household(f.COMMUNITY_A, members=3, no="SY-GRAD"))
    assert a.start_gradual_exit(short, user=users["district"], reason="就业", months=3,
                                on=D(2025, 11, 20)).paid_until == D(2026, 2, 28)


def test_rigid_hardship_expires_after_twelve_months(users, household_a) -> None:
    old = Enrollment.objects.create(household=household_a, programme="rigid_hardship", start_date=D(2024, 11, 1),
                                    monthly_amount=0, source="archive")
    assert a.expire_rigid_hardship(on=D(2025, 10, 31)) == []  # valid through 2025-10-31
    changes = a.expire_rigid_hardship(on=D(2025, 11, 1))
    old.refresh_from_db()
    assert old.end_date == D(2025, 10, 31)
    assert [(c.kind, c.effective_date) for c in changes] == [("expire", D(2025, 11, 1))]
    assert a.expire_rigid_hardship(on=D(2025, 11, 2)) == []


def test_rigid_hardship_approval_is_limited_and_triggers_a_temporary_assessment(users, household_a) -> None:
    # 3 × 1300 = 3900 a month: above 1.5 × 850; 46,800 a year ≈ 15,600 each < 56,000; rigid spending
    # 850 × 3 × 12 (living, by month's standard) + 30,000 ≥ 0.8 × 46,800.
    members = member_inputs(household_a, 户主={"monthly_income": "3900"})
    app = district_review(users, household_a, members=members, household_data={"rigid_expenses_12m": "30000"})
    assert app.evaluations.get().category == "rigid_hardship"
    created = a.district_approve(app, user=users["district"], on=D(2025, 10, 9))
    assert [(e.programme, e.start_date, e.end_date, e.monthly_amount) for e in created] == [
        ("rigid_hardship", D(2025, 11, 1), D(2026, 10, 31), Decimal("0.00"))]
    task = ReviewTask.objects.get(kind="temporary_assessment")
    assert task.due_date == D(2025, 10, 22)  # 10 working days, the Saturday 10/11 included


def test_tekun_self_care_assessment(users, household_a) -> None:
    levels = ["全自理", "半自理", "半自理", "半自理", "全护理", "全护理", "全护理"]
    assert [self_care_level(n) for n in range(7)] == levels
    elder = f.make_person("钱大爷", D(1948, 2, 2))
    household = f.make_household(f.COMMUNITY_A, members=1, no="SY-ELDER")
    household.memberships.update(person=elder)
    items = {"eat": True, "dress": False, "transfer": False, "toilet": True, "walk": False, "bathe": False}
    with pytest.raises(InvalidChange):  # 集中供养 needs the institution
        a.record_tekun_assessment(user=users["caseworker_a"], person=elder, items=items, support_mode="centralised",
                                  assessors="张社工、李社工", on=D(2025, 9, 20))
    assessment = a.record_tekun_assessment(user=users["caseworker_a"], person=elder, items=items,
                                           support_mode="centralised", institution="和平区社会福利中心",
                                           assessors="张社工、李社工", on=D(2025, 9, 20))
    assert (assessment.unable_count, assessment.level) == (4, "全护理")
    with pytest.raises(NotFound):
        a.record_tekun_assessment(user=users["caseworker_b"], person=elder, items=items, support_mode="dispersed",
                                  assessors="x", on=D(2025, 9, 20))
    app = evaluated(users, household, members={elder.pk: {"monthly_income": "300", "no_supporter": True,
                                                           "self_care": "全自理"}})
    # The assessment (全护理, 800) overrides the level declared at the visit: 1313 + 800.
    assert app.evaluations.get().result["members"][str(elder.pk)]["tekun_monthly"] == "2113"
