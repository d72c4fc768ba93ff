"""The transition table, who may act where, deadlines in working days, and the overdue escalation."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.core.errors import Forbidden, NotFound
from minzheng.monitoring import actions as m
from minzheng.monitoring.choices import AlertAction, AlertState, Finding, Level
from minzheng.monitoring.models import Alert, AlertEvent, MonitoringSweep
from minzheng.monitoring.tasks import daily_escalation
from minzheng.monitoring.tests.support import PUSH, member, pushed, row, run, walk
from minzheng.monitoring.workflow import ALERT_FLOW, NEW, IllegalTransition, actions_from, authorise, transition

pytestmark = pytest.mark.django_db

STAFF_STEPS = {
    AlertAction.SIGN_FOR: lambda a, u: m.sign_for(a, user=u, on=dt.date(2025, 8, 20)),
    AlertAction.START_VERIFICATION: lambda a, u: m.start_verification(a, user=u, on=dt.date(2025, 8, 20)),
    AlertAction.JUDGE: lambda a, u: m.judge(a, user=u, finding="real_hardship", method="phone", note="x",
                                            on=dt.date(2025, 8, 20)),
    AlertAction.DISPOSE: lambda a, u: m.record_no_action(a, user=u, reason="x", on=dt.date(2025, 8, 20)),
    AlertAction.CLOSE: lambda a, u: m.close(a, user=u, on=dt.date(2025, 8, 20)),
}


def test_the_table_is_the_lifecycle():
    staff = [(r.source, r.action, r.target) for r in ALERT_FLOW if not r.by_system]
    assert staff == [
        ("pushed", "sign_for", "signed"), ("signed", "start_verification", "verifying"),
        ("verifying", "judge", "judged"), ("judged", "dispose", "disposed"), ("disposed", "dispose", "disposed"),
        ("disposed", "close", "closed"),
    ]
    assert transition(NEW, "generate").target == "generated"
    assert transition("generated", "push").target == "pushed"
    assert transition("closed", "reopen").target == "generated"
    assert {r.action for r in actions_from("closed")} == {"reopen"}


def test_every_move_outside_the_table_raises():
    allowed = {(r.source, r.action) for r in ALERT_FLOW}
    refused = 0
    for state in [NEW, *AlertState.values]:
        for action in AlertAction.values:
            if (state, action) in allowed:
                continue
            with pytest.raises(IllegalTransition):
                transition(state, action)
            refused += 1
    assert refused == 8 * 10 - len(ALERT_FLOW)


def _at(state: str, user: object, household_a: object) -> Alert:
    alert = pushed(member(household_a))
    if state == AlertState.PUSHED:
        return alert
    order = [AlertState.SIGNED, AlertState.VERIFYING, AlertState.JUDGED]
    if state in order:
        return walk(alert, user, state)
    alert = walk(alert, user, AlertState.JUDGED)
    m.record_no_action(alert, user=user, reason="已享受", on=dt.date(2025, 8, 8))
    if state == AlertState.CLOSED:
        m.close(alert, user=user, on=dt.date(2025, 8, 8))
    alert.refresh_from_db()
    return alert


@pytest.mark.parametrize("state", [AlertState.PUSHED, AlertState.SIGNED, AlertState.VERIFYING, AlertState.JUDGED,
                                   AlertState.DISPOSED, AlertState.CLOSED])
def test_staff_actions_the_state_does_not_allow_raise(state, users, household_a):
    cw = users["caseworker_a"]
    alert = _at(state, cw, household_a)
    allowed = {r.action for r in actions_from(state) if not r.by_system}
    events = AlertEvent.objects.count()
    for action, step in STAFF_STEPS.items():
        if action in allowed:
            continue
        with pytest.raises(IllegalTransition):
            step(alert, cw)
    assert AlertEvent.objects.count() == events
    alert.refresh_from_db()
    assert alert.state == state


def test_the_whole_way_and_its_history(users, household_a):
    cw = users["caseworker_a"]
    alert = walk(pushed(member(household_a)), cw, AlertState.JUDGED)
    m.record_no_action(alert, user=cw, reason="已享受医疗救助", on=dt.date(2025, 8, 7))
    m.close(alert, user=cw, note="核实完毕", on=dt.date(2025, 8, 8))
    alert.refresh_from_db()
    assert (alert.state, alert.closed_on, alert.finding) == ("closed", dt.date(2025, 8, 8), Finding.REAL_HARDSHIP)
    steps = [(e.action, e.from_state, e.to_state, e.actor_id) for e in alert.events.all()]
    assert steps == [
        ("generate", "", "generated", None), ("push", "generated", "pushed", None),
        ("sign_for", "pushed", "signed", cw.pk), ("start_verification", "signed", "verifying", cw.pk),
        ("judge", "verifying", "judged", cw.pk), ("dispose", "judged", "disposed", cw.pk),
        ("close", "disposed", "closed", cw.pk),
    ]
    # Every move is audited with who and the state before and after.
    audited = AuditEvent.objects.filter(object_type="monitoring.alert", object_id=str(alert.pk)).order_by("id")
    assert [(a.actor_username, a.before, a.after["state"]) for a in audited][-2:] == [
        ("caseworker_a", {"state": "judged"}, "disposed"), ("caseworker_a", {"state": "disposed"}, "closed")]
    with pytest.raises(RuntimeError):
        alert.events.first().save()  # events are never edited


def test_outside_the_community_the_alert_does_not_exist(users, household_a):
    alert = pushed(member(household_a))
    for name in ("caseworker_b", "other_district"):
        with pytest.raises(NotFound):
            m.sign_for(alert, user=users[name], on=PUSH)
    # Inside the jurisdiction but not the community worker (before any escalation): forbidden.
    for name in ("street", "district", "city", "auditor"):
        with pytest.raises(Forbidden):
            m.sign_for(alert, user=users[name], on=PUSH)
    with pytest.raises(NotFound):  # a provider reads no personal data at all
        m.sign_for(alert, user=users["provider"], on=PUSH)
    with pytest.raises(Forbidden):  # system moves are not for staff
        authorise(users["caseworker_a"], "closed", "reopen", area_code=alert.area_id)
    alert.refresh_from_db()
    assert alert.state == AlertState.PUSHED and alert.events.count() == 2


def test_deadlines_count_working_days(users, household_a):
    cw = users["caseworker_a"]
    # Pushed on a Friday: sign for by Monday; signed that Monday: verify within 7 working days.
    alert = pushed(member(household_a), on=dt.date(2025, 8, 1))
    assert alert.sign_by == dt.date(2025, 8, 4)
    m.sign_for(alert, user=cw, on=dt.date(2025, 8, 4))
    alert.refresh_from_db()
    assert alert.verify_by == dt.date(2025, 8, 13)
    # Across the National Day holidays (1–8 October 2025, Saturday 11 October worked).
    other = pushed(member(household_a, "配偶"), on=dt.date(2025, 9, 30))
    assert other.sign_by == dt.date(2025, 10, 9)
    m.sign_for(other, user=cw, on=dt.date(2025, 10, 9))
    other.refresh_from_db()
    assert other.verify_by == dt.date(2025, 10, 17)  # 10, 11 (a worked Saturday), 13, 14, 15, 16, 17


def test_overdue_sign_for_goes_to_the_street_then_the_district(users, household_a):
    alert = pushed(member(household_a))  # pushed Monday 4 August, sign for by Tuesday 5th
    on_time = pushed(member(household_a, "配偶"), scenario="MON_ASSET_INCOME")
    m.sign_for(on_time, user=users["caseworker_a"], on=dt.date(2025, 8, 5))
    assert m.escalate_overdue(on=dt.date(2025, 8, 5))["overdue"] == 0
    report = m.escalate_overdue(on=dt.date(2025, 8, 6))
    assert (report["overdue"], report["to_street"], report["to_district"]) == (1, 1, 0)
    alert.refresh_from_db()
    assert (alert.level, alert.escalated_on, alert.overdue_kind) == (Level.STREET, dt.date(2025, 8, 6), "sign")
    # Idempotent per day: the same day again writes nothing and answers the same report.
    events = AlertEvent.objects.count()
    assert m.escalate_overdue(on=dt.date(2025, 8, 6)) == report
    assert AlertEvent.objects.count() == events and MonitoringSweep.objects.count() == 2
    # Still overdue: the street keeps it for two working days past the deadline, then the district.
    assert m.escalate_overdue(on=dt.date(2025, 8, 7))["to_district"] == 0
    assert m.escalate_overdue(on=dt.date(2025, 8, 8))["to_district"] == 1
    alert.refresh_from_db()
    assert alert.level == Level.DISTRICT
    assert [(e.from_level, e.to_level, e.on) for e in alert.events.filter(action="escalate")] == [
        ("community", "street", dt.date(2025, 8, 6)), ("street", "district", dt.date(2025, 8, 8))]
    assert m.escalate_overdue(on=dt.date(2025, 8, 11))["to_district"] == 0  # no level above the district
    on_time.refresh_from_db()
    assert on_time.level == Level.COMMUNITY


def test_overdue_verification_escalates_and_the_escalated_levels_may_act(users, household_a):
    cw = users["caseworker_a"]
    alert = walk(pushed(member(household_a)), cw, AlertState.SIGNED)  # signed 4 August: verify by 13th
    assert m.escalate_overdue(on=dt.date(2025, 8, 13))["overdue"] == 0
    m.escalate_overdue(on=dt.date(2025, 8, 14))
    alert.refresh_from_db()
    assert (alert.level, alert.overdue_kind) == (Level.STREET, "verify")
    with pytest.raises(Forbidden):  # not yet the district's
        m.start_verification(alert, user=users["district"], on=dt.date(2025, 8, 14))
    m.start_verification(alert, user=users["street"], on=dt.date(2025, 8, 14))  # the street steps in
    # Jumping a level when the sweep did not run: straight to the district.
    late = walk(pushed(member(household_a, "配偶")), cw, AlertState.SIGNED)
    m.escalate_overdue(on=dt.date(2025, 8, 25))
    late.refresh_from_db()
    assert late.level == Level.DISTRICT
    m.start_verification(late, user=users["district"], on=dt.date(2025, 8, 25))
    with pytest.raises(NotFound):
        m.judge(late, user=users["other_district"], finding="real_hardship", method="phone", note="x")


def test_the_daily_task_runs_the_sweep(users, household_a):
    pushed(member(household_a))
    result = daily_escalation.call("2025-08-06")
    assert result["to_street"] == 1
    assert MonitoringSweep.objects.get(day=dt.date(2025, 8, 6)).report == result


def test_an_escalated_alert_that_is_reopened_starts_at_the_community(users, household_a):
    cw, head = users["caseworker_a"], member(household_a)
    alert = pushed(head)
    m.escalate_overdue(on=dt.date(2025, 8, 6))
    walk(alert, cw, AlertState.JUDGED, day=dt.date(2025, 8, 6))
    m.record_no_action(alert, user=cw, reason="误报", on=dt.date(2025, 8, 9))
    m.close(alert, user=cw, on=dt.date(2025, 8, 9))
    run([row(head, evidence_date=dt.date(2025, 8, 30), as_of=dt.date(2025, 8, 31))], as_of=dt.date(2025, 8, 31),
        on=dt.date(2025, 9, 1))
    alert.refresh_from_db()
    assert (alert.state, alert.level, alert.escalated_on) == (AlertState.PUSHED, Level.COMMUNITY, None)
