"""Helpers for the payments tests: enrollments with explicit dates and a payroll walked through its steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from minzheng.core.models import Household, Person
from minzheng.payments import actions as a
from minzheng.payments.models import LedgerEntry, Payroll
from minzheng.registry.actions.enrollments import enroll
from minzheng.registry.models import Enrollment

D = dt.date
Y = Decimal
DISTRICT = "210102"


JUNE = D(2025, 6, 1)


def enrolled(users: dict[str, Any], *, programme: str = "dibao", start: D = JUNE,
             household: Household | None = None, person: Person | None = None, end: D | None = None,
             amount: str = "0") -> Enrollment:
    owner = household if household is not None else person
    assert owner is not None
    target = f"{'h' if household is not None else 'p'}{owner.pk}"
    return enroll(user=users["district"], programme=programme, start=start, end=end, monthly_amount=Y(amount),
                  household=household, person=person, source_key=f"test:{target}:{programme}:{start}",
                  reason="测试")


def prepared(users: dict[str, Any], month: str, **kw: Any) -> Payroll:
    return a.prepare_payroll(user=users["city"], month=month, district=DISTRICT, **kw).payroll


def released(users: dict[str, Any], approver: Any, month: str, **kw: Any) -> Payroll:
    """Prepared by the city, checked by the district, approved by the district's head, released."""
    payroll = prepared(users, month, **kw)
    a.check_payroll(payroll, user=users["district"])
    a.approve_payroll(payroll, user=approver)
    return a.release_payroll(payroll, user=users["district"])


def entries(payroll: Payroll) -> list[tuple[str, str, str, str, Decimal]]:
    """(kind, programme, beneficiary, benefit month, amount) of the payroll's entries, in order."""
    return [(e.kind, e.programme, f"{e.beneficiary_type}{e.beneficiary_id}", f"{e.benefit_month:%Y-%m}", e.amount)
            for e in LedgerEntry.objects.filter(payroll=payroll).order_by("benefit_month", "id")]
