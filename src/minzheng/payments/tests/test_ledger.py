"""The ledger is append-only: a reversal nets to zero and keeps the original; the database refuses a
second payment for one (beneficiary, programme, month), and any UPDATE or DELETE."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from minzheng.core.errors import InvalidChange
from minzheng.core.models import Person
from minzheng.payments import actions as a
from minzheng.payments.models import LedgerEntry
from minzheng.payments.tests.support import D, Y, enrolled, entries, prepared
from minzheng.payments.workflow import IllegalTransition


@pytest.fixture
def june(users, household_a):
    head = household_a.memberships.get(relation="户主").person
    Person.objects.filter(pk=head.pk).update(monthly_income=Y(1000))
    enrolled(users, household=household_a, start=D(2025, 6, 1))
    return prepared(users, "2025-06")


def test_a_reversal_nets_to_zero_and_the_original_stays(users, household_a, june) -> None:
    original = LedgerEntry.objects.get()
    reversal = a.reverse_entry(original, user=users["district"], reason="核对发现户籍已迁出，待核实")
    hh = f"h{household_a.pk}"
    assert entries(june) == [("payment", "dibao", hh, "2025-06", Y("1545.00")),
                             ("reversal", "dibao", hh, "2025-06", Y("-1545.00"))]
    assert (reversal.reversed_entry_id, reversal.due) == (original.pk, None)
    assert reversal.created_by_id == users["district"].pk
    original.refresh_from_db()
    assert original.amount == Y("1545.00")
    june.refresh_from_db()
    assert (june.totals["paid"], june.totals["by_programme"]["dibao"]["reversal"]) == ("0.00", "-1545.00")
    with pytest.raises(InvalidChange):
        a.reverse_entry(original, user=users["district"], reason="再次冲正")
    with pytest.raises(InvalidChange):
        a.reverse_entry(reversal, user=users["district"], reason="冲正冲正")
    # What is due did not change, so the next run pays it again (as arrears): the ledger converges.
    rerun = a.prepare_payroll(user=users["city"], month="2025-06", district="210102")
    assert rerun.created == 1 and entries(june)[-1] == ("arrears", "dibao", hh, "2025-06", Y("1545.00"))


def test_a_checked_payroll_cannot_be_reversed(users, june) -> None:
    a.check_payroll(june, user=users["district"])
    with pytest.raises(IllegalTransition):
        a.reverse_entry(LedgerEntry.objects.get(), user=users["district"], reason="复核后冲正")


def test_the_database_refuses_a_second_payment_for_the_same_month(june) -> None:
    entry = LedgerEntry.objects.get()
    twin = {f.attname: getattr(entry, f.attname) for f in LedgerEntry._meta.concrete_fields if not f.primary_key}
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.bulk_create([LedgerEntry(**twin)])  # no model check in the way
    assert LedgerEntry.objects.count() == 1


def test_the_database_refuses_updates_and_deletes(june) -> None:
    entry = LedgerEntry.objects.get()
    for sql in ("UPDATE payments_ledgerentry SET amount = 1 WHERE id = %s",
                "DELETE FROM payments_ledgerentry WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.amount == Y("1545.00")
