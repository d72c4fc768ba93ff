"""Recording runs: alerts generated and pushed with deadlines, idempotence, evidence updates, reopening
only on newer evidence, one open alert per (scenario, person), rejected rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from minzheng.audit.models import AuditEvent
from minzheng.core.errors import Forbidden, InvalidChange
from minzheng.core.models import Person
from minzheng.monitoring import actions as m
from minzheng.monitoring.choices import AlertAction, AlertState, Finding
from minzheng.monitoring.models import Alert, AlertEvent, MonitoringRun
from minzheng.monitoring.tests.support import AS_OF, PUSH, member, row, run, walk
from minzheng.testing import factories as f

pytestmark = pytest.mark.django_db


def _state() -> list[tuple[object, ...]]:
    return list(Alert.objects.order_by("id").values_list("id", "state", "evidence", "evidence_date", "level",
                                                         "sign_by", "as_of", "last_run_id"))


def test_new_alerts_are_generated_and_pushed_with_deadlines(users, household_a):
    head = member(household_a)
    newcomer = f.new_id(dt.date(1940, 3, 5), female=True)
    r = run([row(head, household=household_a, amount=Decimal("100")),
             row(scenario="FIND_HIGH_AGE", id_number=newcomer, name="钱老太", amount=Decimal("200"))])
    assert r.counts["new"] == 2 and r.counts["updated"] == r.counts["reopened"] == r.counts["unchanged"] == 0
    assert r.counts["by_scenario"] == {
        "FIND_HIGH_AGE": {"new": 1, "updated": 0, "reopened": 0, "unchanged": 0},
        "MON_HARDSHIP_RISK": {"new": 1, "updated": 0, "reopened": 0, "unchanged": 0},
    }
    a = Alert.objects.get(person=head)
    assert (a.state, a.level, a.area_id, a.household_id) == (AlertState.PUSHED, "community", f.COMMUNITY_A,
                                                              household_a.pk)
    assert a.pushed_on == PUSH and a.sign_by == dt.date(2025, 8, 5)  # one working day
    assert a.number == f"YJ20250804{a.pk:06d}" and a.monthly_amount == Decimal("100.00")
    assert [(e.action, e.from_state, e.to_state) for e in a.events.all()] == [
        ("generate", "", "generated"), ("push", "generated", "pushed")]
    # The person unknown to the registry is registered from the ID: sex and birth date derived.
    found = Person.objects.get(id_number=newcomer)
    assert (found.name, found.sex, found.birth_date, found.area_id) == ("钱老太", "F", dt.date(1940, 3, 5),
                                                                        f.COMMUNITY_A)
    assert Alert.objects.get(person=found).household is None


def test_recording_the_same_run_twice_changes_nothing(users, household_a):
    rows = [row(member(household_a)), row(member(household_a, "配偶"), scenario="MON_DECEASED")]
    first = run(rows)
    before = (_state(), AlertEvent.objects.count(), AuditEvent.objects.count(), MonitoringRun.objects.count())
    second = run(rows)
    assert second.pk == first.pk and second.counts == first.counts
    assert (_state(), AlertEvent.objects.count(), AuditEvent.objects.count(), MonitoringRun.objects.count()) == before
    # A later run with the same findings leaves the alerts as they are (counted unchanged).
    later = run([dict(r, as_of=dt.date(2025, 8, 31)) for r in rows], as_of=dt.date(2025, 8, 31),
                on=dt.date(2025, 9, 1))
    assert later.pk != first.pk
    assert (later.counts["unchanged"], later.counts["new"], later.counts["updated"]) == (2, 0, 0)
    assert _state() == before[0] and AlertEvent.objects.count() == before[1]


def test_a_later_run_updates_the_evidence_of_an_open_alert(users, household_a):
    head = member(household_a)
    run([row(head)])
    alert = walk(Alert.objects.get(person=head), users["caseworker_a"], AlertState.SIGNED)
    newer = {"triggers": ["medical", "unemployed"], "self_paid_12m": "31000.00"}
    r = run([row(head, evidence=newer, evidence_date=dt.date(2025, 8, 20), as_of=dt.date(2025, 8, 31))],
            as_of=dt.date(2025, 8, 31), on=dt.date(2025, 9, 1))
    assert (r.counts["updated"], r.counts["new"]) == (1, 0)
    alert.refresh_from_db()
    assert Alert.objects.filter(person=head).count() == 1
    assert alert.state == AlertState.SIGNED and alert.evidence == newer
    assert (alert.evidence_date, alert.as_of, alert.last_run_id) == (dt.date(2025, 8, 20), dt.date(2025, 8, 31), r.pk)
    last = alert.events.last()
    assert (last.action, last.from_state, last.to_state, last.run_id) == ("update_evidence", "signed", "signed", r.pk)


def _closed(alert: Alert, user: object, on: dt.date) -> Alert:
    walk(alert, user, AlertState.JUDGED, finding=Finding.FALSE_ALARM)
    m.record_no_action(alert, user=user, reason="医保数据重复结算，已核实无大额自付", on=on)
    m.close(alert, user=user, on=on)
    alert.refresh_from_db()
    return alert


def test_a_closed_alert_reopens_only_on_newer_evidence(users, household_a):
    head, cw = member(household_a), users["caseworker_a"]
    run([row(head)])
    alert = _closed(Alert.objects.get(person=head), cw, dt.date(2025, 8, 8))
    assert (alert.state, alert.closed_on) == (AlertState.CLOSED, dt.date(2025, 8, 8))
    # Same or older triggering rows (even with other evidence): stays closed.
    for day in (dt.date(2025, 7, 20), dt.date(2025, 8, 8)):
        r = run([row(head, evidence_date=day, evidence={"again": day.isoformat()}, as_of=dt.date(2025, 8, 31))],
                as_of=dt.date(2025, 8, 31), on=dt.date(2025, 9, 1))
        assert (r.counts["unchanged"], r.counts["reopened"]) == (1, 0)
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED
    # A row newer than the closing: the same alert opens again and is pushed with new deadlines.
    r = run([row(head, evidence_date=dt.date(2025, 9, 10), as_of=dt.date(2025, 9, 30))], as_of=dt.date(2025, 9, 30),
            on=dt.date(2025, 10, 9))
    assert (r.counts["reopened"], r.counts["new"]) == (1, 0)
    alert.refresh_from_db()
    assert Alert.objects.filter(person=head).count() == 1
    assert (alert.state, alert.reopen_count, alert.finding, alert.closed_on) == (AlertState.PUSHED, 1, "", None)
    assert (alert.pushed_on, alert.sign_by) == (dt.date(2025, 10, 9), dt.date(2025, 10, 10))
    assert [e.action for e in alert.events.all()][-2:] == [AlertAction.REOPEN, AlertAction.PUSH]
    # The first episode's judgement and disposition are still there, never edited.
    assert alert.judgements.count() == 1 and alert.dispositions.count() == 1


def test_undated_evidence_never_reopens_a_closed_alert(users, household_a):
    head, cw = member(household_a), users["caseworker_a"]
    run([row(head, evidence_date=None)])
    alert = _closed(Alert.objects.get(person=head), cw, dt.date(2025, 8, 8))
    assert alert.evidence_date is None
    r = run([row(head, evidence_date=None, as_of=dt.date(2025, 8, 31))], as_of=dt.date(2025, 8, 31),
            on=dt.date(2025, 9, 1))
    assert (r.counts["unchanged"], r.counts["reopened"]) == (1, 0)


def test_one_open_alert_per_scenario_and_person_is_a_database_constraint(users, household_a):
    head = member(household_a)
    run([row(head)])
    alert = Alert.objects.get(person=head)
    copy = Alert(scenario=alert.scenario, person=head, area_id=alert.area_id, state=AlertState.PUSHED,
                 as_of=AS_OF, evidence={}, evidence_date=AS_OF, first_run=alert.first_run, last_run=alert.last_run,
                 first_opened_at=alert.opened_at, opened_at=alert.opened_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    # Another scenario for the same person is a separate alert.
    run([row(head, scenario="MON_ASSET_INCOME")])
    assert Alert.objects.filter(person=head).count() == 2


def test_two_rows_for_one_scenario_and_person_refuse_the_whole_run(users, household_a):
    head = member(household_a)
    with pytest.raises(InvalidChange, match="多行"):
        run([row(head), row(member(household_a, "配偶")), row(head, evidence={"x": 1})])
    assert not Alert.objects.exists() and not MonitoringRun.objects.exists()


def test_rows_that_cannot_be_routed_are_rejected_and_reported(users, household_a):
    r = run([row(member(household_a)), row(id_number="210102199001011234", name="坏号"),
             row(id_number=f.new_id(dt.date(1950, 1, 1)), area="210102001999"),
             dict(row(member(household_a, "配偶")), scenario="FIND_NOTHING")])
    assert (r.counts["new"], r.counts["rejected"], r.rows) == (1, 3, 4)
    assert [x["row"] for x in r.rejects] == [1, 2, 3]
    assert "校验码" in r.rejects[0]["reason"] and r.rejects[0]["id_number"] == "2101**********1234"


def test_only_the_system_or_a_data_operator_records_runs(users, household_a):
    with pytest.raises(Forbidden):
        m.record_run(user=users["caseworker_a"], as_of=AS_OF, engine="x", alerts=[row(member(household_a))],
                     feed_stats={})
    r = m.record_run(user=users["operator"], as_of=AS_OF, engine="x", alerts=[row(member(household_a))],
                     feed_stats={"deaths": {"read": 3, "rejected": 1}}, on=PUSH)
    assert r.recorded_by == users["operator"] and r.feed_stats == {"deaths": {"read": 3, "rejected": 1}}
    assert AuditEvent.objects.filter(action="import", object_id=str(r.pk), actor=users["operator"]).exists()
