"""The demo seed runs two cycles through the real actions (and does nothing the second time)."""

from __future__ import annotations

import datetime as dt

from minzheng.payments.choices import LineState, PayrollState
from minzheng.payments.demo import seed_demo
from minzheng.payments.models import DisbursementLine, Payroll, Recovery
from minzheng.payments.tests.support import D, enrolled
from minzheng.testing import factories as f


def test_demo_seed(users, household_a) -> None:
    enrolled(users, household=household_a, start=D(2025, 1, 1))
    for i in range(3):
        enrolled(users, programme="high_age", person=f.make_person(f"高龄{i}", D(1930 + i, 2, 1)), start=D(2025, 1, 1))
    made = seed_demo(today=dt.date(2025, 9, 15))
    assert made["months"] == "2025-07、2025-08" and made["recoveries"] == 1 and made["failed"] == 2
    assert set(Payroll.objects.values_list("state", flat=True)) == {PayrollState.RELEASED}
    assert Recovery.objects.get().months == ["2025-07"]
    states = set(DisbursementLine.objects.values_list("state", flat=True))
    assert {LineState.PAID, LineState.REISSUED, LineState.HELD, LineState.SENT} <= states
    assert seed_demo(today=dt.date(2025, 9, 15)) == {}
