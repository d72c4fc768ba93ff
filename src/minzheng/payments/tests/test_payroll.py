"""The payroll computes from the frozen basis, pays once, pays arrears itemised, stops after death and
recovers what was paid too late to stop — with exact amounts (standards 821 → 850 on 2025-07-01)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from minzheng.assistance import actions as asst
from minzheng.assistance.tests.support import district_review
from minzheng.core.actions.people import update_person
from minzheng.core.models import Person
from minzheng.payments import actions as a
from minzheng.payments import engine
from minzheng.payments.choices import BasisSource, PayrollState, RecoveryState
from minzheng.payments.models import BasisSnapshot, LedgerEntry, Payroll, Recovery
from minzheng.payments.tests.support import DISTRICT, D, Y, enrolled, entries, prepared, released
from minzheng.registry.actions.enrollments import end_enrollment
from minzheng.rules.parameters import ParameterSet, default_parameters
from minzheng.testing import factories as f


def _income(household, amount: str) -> None:
    head = household.memberships.get(relation="户主").person
    Person.objects.filter(pk=head.pk).update(monthly_income=Y(amount))


def test_rerun_changes_nothing_and_a_checked_payroll_is_never_recomputed(users, household_a) -> None:
    _income(household_a, "1000")
    enrolled(users, household=household_a, start=D(2025, 6, 1))
    first = a.prepare_payroll(user=users["city"], month="2025-06", district=DISTRICT)
    assert first.won and first.created == 1
    totals = first.payroll.totals
    assert totals["paid"] == "1545.00" and totals["by_programme"]["dibao"]["payment"] == "1545.00"
    again = a.prepare_payroll(user=users["city"], month="2025-06", district=DISTRICT)
    assert again.created == 0 and again.payroll.pk == first.payroll.pk
    assert again.payroll.totals == totals and LedgerEntry.objects.count() == 1
    assert again.payroll.steps.count() == 1  # the no-op re-run writes no step
    a.check_payroll(first.payroll, user=users["district"])
    after_check = a.prepare_payroll(user=users["city"], month="2025-06", district=DISTRICT)
    assert (after_check.won, after_check.created, LedgerEntry.objects.count()) == (False, 0, 1)
    assert Payroll.objects.get().state == PayrollState.CHECKED


def test_the_1_july_standard_applies_to_an_approved_household_without_reapplying(users, household_a,
                                                                                  approver) -> None:
    # Evaluated in April (standard 821): 821 × 3 − 1000 = 1463, the child's add-on 10 % of 821 = 82.1 → 82.
    app = district_review(users, household_a, on=D(2025, 4, 10), closed=D(2025, 4, 18))
    (enrollment,) = asst.district_approve(app, user=users["district"], on=D(2025, 4, 25))
    assert (enrollment.start_date, enrollment.monthly_amount) == (D(2025, 5, 1), Y("1545.00"))
    june = released(users, approver, "2025-06")
    assert entries(june) == [("payment", "dibao", f"h{household_a.pk}", "2025-06", Y("1545.00"))]
    _income(household_a, "0")  # a later edit of the registry changes nothing: the approved basis is frozen
    july = prepared(users, "2025-07")
    # 850 × 3 − 1000 = 1550 and 10 % of 850 = 85: 1635 from July, with no new application or evaluation.
    assert entries(july) == [("payment", "dibao", f"h{household_a.pk}", "2025-07", Y("1635.00"))]
    (basis,) = BasisSnapshot.objects.all()
    assert (basis.source, basis.valid_from, basis.decision.application_id) == (BasisSource.APPLICATION,
                                                                              D(2025, 5, 1), app.pk)
    june_entry, july_entry = LedgerEntry.objects.order_by("benefit_month")
    assert june_entry.basis_id == july_entry.basis_id == basis.pk
    assert june_entry.rule_version_id != july_entry.rule_version_id
    assert july_entry.rule_version.values["dibao.standard"]["values"][-1][:3] == ["2025-07-01", "850", "assumed"]
    assert app.evaluations.count() == 1


def test_a_late_decision_is_paid_as_arrears_itemised_by_month(users, household_a, household_b, approver) -> None:
    _income(household_a, "1000")
    _income(household_b, "1000")
    enrolled(users, household=household_a, start=D(2025, 6, 1))
    for month in ("2025-06", "2025-07", "2025-08"):
        released(users, approver, month)
    # Recorded in August, the decision starts in June: June at 821 × 2 − 1000 = 642, then 850 × 2 − 1000 = 700.
    enrolled(users, household=household_b, start=D(2025, 6, 1))
    september = prepared(users, "2025-09")
    hb = f"h{household_b.pk}"
    assert [e for e in entries(september) if e[2] == hb] == [
        ("arrears", "dibao", hb, "2025-06", Y("642.00")),
        ("arrears", "dibao", hb, "2025-07", Y("700.00")),
        ("arrears", "dibao", hb, "2025-08", Y("700.00")),
        ("payment", "dibao", hb, "2025-09", Y("700.00")),
    ]
    assert [e for e in entries(september) if e[2] != hb] == [
        ("payment", "dibao", f"h{household_a.pk}", "2025-09", Y("1635.00"))]
    assert september.totals["by_programme"]["dibao"] == {
        "paid": "4377.00", "count": 5, "payment": "2335.00", "arrears": "2042.00"}


def test_a_standard_decided_late_is_paid_as_arrears_for_the_months_already_paid(users, household_a,
                                                                                approver) -> None:
    _income(household_a, "1000")
    enrolled(users, household=household_a, start=D(2025, 7, 1))
    released(users, approver, "2025-07")  # 850: 1635
    base = default_parameters()
    standard = base.parameter("dibao.standard")
    raised = dict(standard.values)
    july = raised[D(2025, 7, 1)]
    assert july is not None
    raised[D(2025, 7, 1)] = dataclasses.replace(july, value=Y(870))
    params = ParameterSet({**{n: base.parameter(n) for n in base.names()},
                           "dibao.standard": dataclasses.replace(standard, values=tuple(sorted(raised.items())))})
    august = prepared(users, "2025-08", params=params)
    # 870 × 3 − 1000 = 1610, add-on 87: 1697; July was paid 1635, so 62 more for July.
    hh = f"h{household_a.pk}"
    assert entries(august) == [("arrears", "dibao", hh, "2025-07", Y("62.00")),
                               ("payment", "dibao", hh, "2025-08", Y("1697.00"))]


def test_death_reported_late_stops_payment_and_opens_a_recovery(users, approver) -> None:
    # A lone 75-year-old in 特困 (registry basis: no supporter from the enrollment): 1269 + 100 = 1369 a month.
    person = f.make_person("赵老汉", D(1950, 1, 1))
    enrolled(users, programme="tekun", person=person, start=D(2025, 3, 1))
    for month in ("2025-03", "2025-04", "2025-05", "2025-06"):
        assert [e[4] for e in entries(released(users, approver, month))] == [Y("1369.00")]
    update_person(user=users["caseworker_a"], person=person, reason="民政殡葬数据：3月死亡", death_date=D(2025, 3, 15))
    july = prepared(users, "2025-07")
    p = f"p{person.pk}"
    assert entries(july) == [("recovery", "tekun", p, m, Y("-1369.00")) for m in ("2025-04", "2025-05", "2025-06")]
    recovery = Recovery.objects.get()
    assert (recovery.months, recovery.amount, recovery.state, recovery.person_id, recovery.payroll_id) == (
        ["2025-04", "2025-05", "2025-06"], Y("4107.00"), RecoveryState.FOUND, person.pk, july.pk)
    assert "2025-03-15 死亡" in recovery.reason
    assert {e["reason"] for e in july.exceptions} == {"died"}
    assert not LedgerEntry.objects.filter(benefit_month__gte=D(2025, 7, 1), kind="payment").exists()
    # The March payment stays (death counts for its month); nothing more is recovered by a re-run.
    assert a.prepare_payroll(user=users["city"], month="2025-07", district=DISTRICT).created == 0
    a.record_repayment(recovery, user=users["district"], amount=Y("4107"), on=D(2025, 8, 5), note="家属退还")
    recovery.refresh_from_db()
    assert (recovery.state, recovery.repaid) == (RecoveryState.RECOVERED, Y("4107.00"))


def test_exit_stops_payment_from_the_next_month(users, household_a, approver) -> None:
    _income(household_a, "1000")
    enrollment = enrolled(users, household=household_a, start=D(2025, 6, 1))
    released(users, approver, "2025-06")
    end_enrollment(enrollment, user=users["district"], last_day=D(2025, 6, 30), reason="收入超过标准，退出")
    july = prepared(users, "2025-07")
    assert entries(july) == [] and july.state == PayrollState.PREPARED
    assert dt.date(2025, 7, 1) > enrollment.start_date


def test_past_months_are_recomputed_only_for_keys_whose_inputs_changed(users, approver) -> None:
    # A lone 92-year-old with a grade-1 certificate: 高龄 200 and 护理补贴 100 a month.
    person = f.make_person("周奶奶", D(1933, 3, 1), disability_type="肢体", disability_grade=1)
    enrolled(users, programme="high_age", person=person, start=D(2025, 6, 1))
    care = enrolled(users, programme="disability_care", person=person, start=D(2025, 6, 1))
    for month in ("2025-06", "2025-07"):
        released(users, approver, month)
    end_enrollment(care, user=users["district"], last_day=D(2025, 6, 30), reason="证件到期未换领，6月底停发")
    plan = engine.compute(Payroll(month=D(2025, 8, 1), district=DISTRICT, area_id="210102000000"))
    assert plan.stats["changed_keys"] == 1  # the care subsidy; the high-age allowance is not looked at again
    august = prepared(users, "2025-08")
    p = f"p{person.pk}"
    assert entries(august) == [("recovery", "disability_care", p, "2025-07", Y("-100.00")),
                               ("payment", "high_age", p, "2025-08", Y("200.00"))]
