"""Two payroll runs for the same month and district at the same moment: exactly one writes."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from minzheng.core.models import Person
from minzheng.payments import actions as a
from minzheng.payments.models import LedgerEntry, Payroll
from minzheng.payments.tests.support import D, Y, enrolled
from minzheng.testing import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_runs_for_one_month_exactly_one_wins(users) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so two runs cannot overlap")
    households = [f.make_household(f.COMMUNITY_A, members=2) for _ in range(6)]
    for household in households:
        Person.objects.filter(memberships__household=household, memberships__relation="户主").update(
            monthly_income=Y(1000))
        enrolled(users, household=household, start=D(2025, 6, 1))
    barrier = threading.Barrier(2)
    results: list[Any] = []
    errors: list[BaseException] = []

    def slow(pct: int, note: str) -> None:
        time.sleep(0.05)  # keep the winner computing while the other run arrives

    def run(user: Any) -> None:
        try:
            barrier.wait()
            results.append(a.prepare_payroll(user=user, month="2025-06", district="210102", progress=slow))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(users[name],)) for name in ("city", "district")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(r.won for r in results) == [False, True]
    assert Payroll.objects.count() == 1
    assert LedgerEntry.objects.count() == 6 == sum(r.created for r in results)
    assert LedgerEntry.objects.values("beneficiary_id").distinct().count() == 6
    assert {r.payroll.pk for r in results} == {Payroll.objects.get().pk}
