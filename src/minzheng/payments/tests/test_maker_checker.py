"""Maker-checker: who may take each step, in which state, and nothing is paid from an unapproved payroll."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from minzheng.core.errors import Forbidden, NotFound
from minzheng.core.models import Person
from minzheng.payments import actions as a
from minzheng.payments.choices import PayrollState
from minzheng.payments.models import Disbursement, Payroll, PayrollStep
from minzheng.payments.tests.support import D, Y, enrolled
from minzheng.payments.workflow import IllegalTransition, SegregationOfDuties
from minzheng.testing import factories as f


@pytest.fixture
def payroll(users, household_a):
    head = household_a.memberships.get(relation="户主").person
    Person.objects.filter(pk=head.pk).update(monthly_income=Y(1000))
    enrolled(users, household=household_a, start=D(2025, 6, 1))
    return a.prepare_payroll(user=users["district"], month="2025-06", district="210102").payroll


def test_the_preparer_cannot_check(users, payroll) -> None:
    with pytest.raises(SegregationOfDuties):
        a.check_payroll(payroll, user=users["district"])
    assert Payroll.objects.get().state == PayrollState.PREPARED


def test_a_street_user_cannot_approve(users, payroll, approver) -> None:
    a.check_payroll(payroll, user=users["city"])
    with pytest.raises(Forbidden):
        a.approve_payroll(payroll, user=users["street"])
    with pytest.raises(Forbidden):  # the city checks and releases, but only the district approves
        a.approve_payroll(payroll, user=f.make_user("city_admin", f.CITY, "city_2"))


def test_the_checker_cannot_approve_and_approval_needs_a_check(users, payroll, approver) -> None:
    with pytest.raises(IllegalTransition):
        a.approve_payroll(payroll, user=approver)
    a.check_payroll(payroll, user=approver)
    with pytest.raises(SegregationOfDuties):
        a.approve_payroll(payroll, user=approver)
    with pytest.raises(SegregationOfDuties):
        a.approve_payroll(payroll, user=users["district"])  # the preparer


def test_nothing_is_released_or_paid_before_approval(users, payroll, approver) -> None:
    with pytest.raises(IllegalTransition):
        a.release_payroll(payroll, user=users["city"])
    a.check_payroll(payroll, user=users["city"])
    with pytest.raises(IllegalTransition):
        a.release_payroll(payroll, user=users["city"])
    assert not Disbursement.objects.exists()
    a.approve_payroll(payroll, user=approver)
    a.release_payroll(payroll, user=users["city"])
    assert Disbursement.objects.get().line_count == 1
    assert [s.action for s in PayrollStep.objects.order_by("id")] == ["compute", "check", "approve", "release"]
    assert all(s.totals["paid"] == "1545.00" for s in PayrollStep.objects.all())


def test_another_districts_approver_finds_nothing(users, payroll, client) -> None:
    a.check_payroll(payroll, user=users["city"])
    with pytest.raises(NotFound):
        a.approve_payroll(payroll, user=users["other_district"])
    client.force_login(users["other_district"])
    assert client.get(reverse("payments:payroll_detail", args=[payroll.pk])).status_code == 404
    url = reverse("payments:payroll_act", args=[payroll.pk, "approve"])
    assert client.post(url).status_code == 404
    client.force_login(users["street"])
    assert client.get(reverse("payments:payroll_detail", args=[payroll.pk])).status_code == 200
    assert client.post(url).status_code == 403
    assert Payroll.objects.get().state == PayrollState.CHECKED


def test_the_database_holds_the_maker_checker_rule_too(users, payroll) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Payroll.objects.filter(pk=payroll.pk).update(checked_by=payroll.prepared_by)


def test_a_returned_payroll_must_be_checked_again(users, payroll, approver) -> None:
    a.check_payroll(payroll, user=users["city"])
    a.return_payroll(payroll, user=approver, reason="低保户数与上月差异较大，请核实")
    payroll.refresh_from_db()
    assert (payroll.state, payroll.checked_by) == (PayrollState.PREPARED, None)
    with pytest.raises(IllegalTransition):
        a.approve_payroll(payroll, user=approver)


def test_whoever_reran_or_corrected_the_payroll_cannot_check_it(users, payroll, household_a) -> None:
    a.reverse_entry(payroll.entries.get(), user=users["city"], reason="核实中")
    with pytest.raises(SegregationOfDuties):
        a.check_payroll(payroll, user=users["city"])
    payroll.refresh_from_db()
    assert payroll.prepared_by_id == users["district"].pk
