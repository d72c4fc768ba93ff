"""Temporary assistance: help first then paperwork, and who approves which amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.assistance import actions as a
from minzheng.assistance.workflow import IllegalTransition
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.registry.models import Enrollment

D = dt.date


def test_street_approves_up_to_twice_the_dibao_standard(users, household_a) -> None:
    case = a.request_temporary(user=users["caseworker_a"], household=household_a, amount=Decimal("1700.00"),
                               circumstances="子女住院，自付医疗费 8000 元", on=D(2025, 8, 4))
    assert (case.state, case.kind, case.number) == ("pending", "expense", f"LS20250804{case.pk:06d}")
    a.approve_temporary(case, user=users["street"], on=D(2025, 8, 5))  # 1700 = 2 × 850: the street may
    case.refresh_from_db()
    assert (case.state, case.decision_level, case.decided_on) == ("approved", "street", D(2025, 8, 5))
    paid = case.enrollment
    assert (paid.programme, paid.start_date, paid.end_date, paid.monthly_amount) == (
        "temporary", D(2025, 8, 5), D(2025, 8, 5), Decimal("1700.00"))


def test_above_the_street_limit_only_the_district(users, household_a) -> None:
    case = a.request_temporary(user=users["caseworker_a"], household=household_a, amount=Decimal("1700.01"),
                               circumstances="火灾", on=D(2025, 8, 4))
    with pytest.raises(Forbidden, match=r"1700\.00"):
        a.approve_temporary(case, user=users["street"], on=D(2025, 8, 5))
    with pytest.raises(Forbidden):
        a.approve_temporary(case, user=users["caseworker_a"], on=D(2025, 8, 5))
    with pytest.raises(NotFound):
        a.approve_temporary(case, user=users["other_district"], on=D(2025, 8, 5))
    a.approve_temporary(case, user=users["district"], reasons="火灾损失大，同意", on=D(2025, 8, 6))
    case.refresh_from_db()
    assert (case.state, case.decision_level) == ("approved", "district")


def test_the_limit_follows_the_standard_in_force(users, household_a) -> None:
    case = a.request_temporary(user=users["caseworker_a"], household=household_a, amount=Decimal("1700.00"),
                               circumstances="支出突增", on=D(2025, 6, 20))
    with pytest.raises(Forbidden, match=r"1642\.00"):  # 2 × 821 before July 2025
        a.approve_temporary(case, user=users["street"], on=D(2025, 6, 30))


def test_urgent_help_first_paperwork_after(users, household_a) -> None:
    case = a.help_first(user=users["caseworker_a"], household=household_a, amount=Decimal("3000"),
                        circumstances="户主突发脑出血入院", on=D(2025, 9, 26))
    assert (case.state, case.helped_on, case.paperwork_due) == ("helped", D(2025, 9, 26), D(2025, 10, 16))
    assert case.enrollment.monthly_amount == Decimal("3000.00")  # given at once
    with pytest.raises(IllegalTransition):
        a.approve_temporary(case, user=users["district"], on=D(2025, 9, 27))  # paperwork first
    a.complete_paperwork(case, user=users["caseworker_a"], on=D(2025, 10, 9))
    a.approve_temporary(case, user=users["district"], on=D(2025, 10, 10))
    case.refresh_from_db()
    assert (case.state, case.paperwork_on) == ("approved", D(2025, 10, 9))
    assert Enrollment.objects.filter(programme="temporary").count() == 1  # not paid twice


def test_rejection_needs_reasons(users, household_a) -> None:
    case = a.request_temporary(user=users["caseworker_a"], household=household_a, amount=Decimal("500"),
                               circumstances="x", on=D(2025, 8, 4))
    with pytest.raises(InvalidChange):
        a.reject_temporary(case, user=users["street"], reasons="", on=D(2025, 8, 5))
    a.reject_temporary(case, user=users["street"], reasons="不属于临时救助情形", on=D(2025, 8, 5))
    case.refresh_from_db()
    assert (case.state, case.decision_reasons) == ("rejected", "不属于临时救助情形")
    assert case.enrollment_id is None
    with pytest.raises(InvalidChange):
        a.request_temporary(user=users["caseworker_a"], household=household_a, amount=Decimal("0"),
                            circumstances="x", on=D(2025, 8, 4))
