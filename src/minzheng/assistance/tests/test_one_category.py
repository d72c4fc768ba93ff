"""One person, one category: refusals, supersession with a reason, and what may stand side by side."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.assistance import actions as a
from minzheng.assistance.choices import AppState
from minzheng.assistance.models import EnrollmentChange
from minzheng.assistance.tests.support import district_review, member_inputs
from minzheng.core.models import HouseholdMember
from minzheng.registry.actions.enrollments import CategoryConflict, conflicts, enroll
from minzheng.registry.models import Enrollment
from minzheng.testing import factories as f

D = dt.date
ARCHIVED = D(2024, 1, 1)


def _archive(programme: str, *, household=None, person=None, start=ARCHIVED, end=None, amount="500") -> Enrollment:
    return Enrollment.objects.create(household=household, person=person, programme=programme, start_date=start,
                                     end_date=end, monthly_amount=Decimal(amount), source="archive")


def test_a_household_already_in_dibao_is_refused_without_a_reason(users, household_a) -> None:
    old = _archive("dibao", household=household_a)
    app = district_review(users, household_a)
    with pytest.raises(CategoryConflict) as refused:
        a.district_approve(app, user=users["district"], on=D(2025, 10, 9))
    assert refused.value.conflicting == [old]
    app.refresh_from_db()
    assert app.state == AppState.DISTRICT_REVIEW  # nothing happened
    created = a.district_approve(app, user=users["district"], on=D(2025, 10, 9),
                                 supersede_reason="重新核定：家庭收入变化，按新认定结果发放")
    old.refresh_from_db()
    assert old.end_date == D(2025, 10, 31)  # the old amount is paid through the approval month
    assert (created[0].start_date, created[0].monthly_amount) == (D(2025, 11, 1), Decimal("1635.00"))
    change = EnrollmentChange.objects.get(enrollment=old)
    assert (change.kind, change.effective_date, change.paid_until) == ("supersede", D(2025, 11, 1), D(2025, 10, 31))


def test_a_status_is_superseded_by_the_new_determination(users, household_a) -> None:
    edge = _archive("dibao_edge", household=household_a, amount="0")
    app = district_review(users, household_a)
    a.district_approve(app, user=users["district"], on=D(2025, 10, 9))
    edge.refresh_from_db()
    assert edge.end_date == D(2025, 10, 31)
    assert EnrollmentChange.objects.get(enrollment=edge).reason == "由新的认定结果取代"


def test_an_orphan_cannot_be_counted_in_dibao_even_with_a_reason(users, household_a) -> None:
    child = household_a.memberships.get(relation="子").person
    _archive("orphan", person=child, amount="2609")
    app = district_review(users, household_a)  # the investigation did not mark the child as an orphan
    with pytest.raises(CategoryConflict, match="孤儿"):
        a.district_approve(app, user=users["district"], on=D(2025, 10, 9), supersede_reason="取代")


def test_an_orphan_left_out_of_the_household_dibao_stands_beside_it(users, household_a) -> None:
    child = household_a.memberships.get(relation="子").person
    orphan = _archive("orphan", person=child, amount="2609")
    members = member_inputs(household_a, 户主={"monthly_income": "1000"}, 子={"orphan": True})
    app = district_review(users, household_a, members=members)
    created = a.district_approve(app, user=users["district"], on=D(2025, 10, 9))
    # 850 × 2 − 1000 = 700 for the two adults; the orphan is left out of members and income.
    assert [(e.programme, e.person_id, e.monthly_amount) for e in created] == [("dibao", None, Decimal("700.00"))]
    orphan.refresh_from_db()
    assert orphan.end_date is None


def test_a_tekun_member_beside_dibao_for_the_others(users) -> None:
    household = f.make_household(f.COMMUNITY_A, members=2, no="SY-MIXED")
    elder = f.make_person("赵奶奶", D(1950, 1, 1))
    HouseholdMember.objects.create(household=household, person=elder, relation="母", start_date=D(2020, 1, 1))
    members = member_inputs(household, 户主={"monthly_income": "1200"}, 母={"no_supporter": True})
    app = district_review(users, household, members=members)
    created = a.district_approve(app, user=users["district"], on=D(2025, 10, 9))
    # 赵奶奶: 1313 + 100 (全自理 by default); the couple: 850 × 2 − 1200 = 500.
    assert sorted((e.programme, e.person_id, e.monthly_amount) for e in created) == [
        ("dibao", None, Decimal("500.00")), ("tekun", elder.pk, Decimal("1413.00"))]


def test_registry_enroll_refuses_a_second_category_for_one_person(users, household_a) -> None:
    head = household_a.memberships.get(relation="户主").person
    _archive("tekun", person=head, amount="1413")
    with pytest.raises(CategoryConflict):
        enroll(user=users["district"], programme="dibao", person=head, start=D(2025, 11, 1),
               monthly_amount=Decimal("850"), source_key="t:1")
    with pytest.raises(CategoryConflict):
        enroll(user=users["district"], programme="orphan", person=head, start=D(2025, 11, 1),
               monthly_amount=Decimal("2609"), source_key="t:2")
    # The household's dibao leaves its tekun member out: allowed beside a person-level tekun.
    assert conflicts(programme="dibao", household=household_a, start=D(2025, 11, 1)) == []
    hh = enroll(user=users["district"], programme="dibao", household=household_a, start=D(2025, 11, 1),
                monthly_amount=Decimal("700"), source_key="t:3")
    # …but not a second household status, nor 单人保 for someone the household's dibao counts.
    with pytest.raises(CategoryConflict):
        enroll(user=users["district"], programme="dibao_edge", household=household_a, start=D(2025, 12, 1),
               monthly_amount=Decimal("0"), source_key="t:4")
    spouse = household_a.memberships.get(relation="配偶").person
    with pytest.raises(CategoryConflict):
        enroll(user=users["district"], programme="dibao", person=spouse, start=D(2025, 12, 1),
               monthly_amount=Decimal("850"), source_key="t:5")
    # An ended enrollment no longer conflicts; the same source key twice is the same row.
    assert enroll(user=users["district"], programme="dibao", household=household_a, start=D(2025, 11, 1),
                  monthly_amount=Decimal("700"), source_key="t:3") == hh
    assert conflicts(programme="tekun", person=head, start=D(2024, 1, 1)) != []
    Enrollment.objects.filter(person=head).update(end_date=D(2025, 10, 31))
    assert conflicts(programme="dibao", person=spouse, start=D(2026, 1, 1)) != []  # still the household's dibao
