"""The transition table: every illegal move raises; the wrong role or jurisdiction is refused; deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.assistance import actions as a
from minzheng.assistance.choices import AppAction, AppState, TempAction, TempState
from minzheng.assistance.models import Application, ApplicationStep, Decision
from minzheng.assistance.tests.support import evaluated, investigated, submitted
from minzheng.assistance.workflow import (
    APPLICATION_FLOW,
    NEW,
    TEMPORARY_FLOW,
    IllegalTransition,
    transition,
)
from minzheng.audit.models import AuditEvent
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.testing import factories as f

D = dt.date
LEGAL = {(str(t.source), str(t.action)) for t in APPLICATION_FLOW}


@pytest.mark.parametrize("state", [NEW, *AppState.values])
@pytest.mark.parametrize("action", AppAction.values)
def test_every_pair_is_either_in_the_table_or_illegal(state: str, action: str) -> None:
    if (state, action) in LEGAL:
        assert transition("application", state, action).action == action
    else:
        with pytest.raises(IllegalTransition):
            transition("application", state, action)


def test_table_shape() -> None:
    assert len(LEGAL) == len(APPLICATION_FLOW)  # no duplicate rows
    final = {AppState.APPROVED, AppState.NOTIFIED, AppState.WITHDRAWN}
    assert not [t for t in APPLICATION_FLOW if t.source in final]  # nothing leaves a final state
    by = {(t.source, t.action): t for t in APPLICATION_FLOW}
    assert by[(AppState.EVALUATED, AppAction.STREET_APPROVE)].roles == {"street_reviewer"}
    assert by[(AppState.DISTRICT_REVIEW, AppAction.DISTRICT_APPROVE)].roles == {"district_approver"}
    assert by[(AppState.EXCEPTION, AppAction.APPROVE_EXCEPTION)].roles == {"district_approver"}
    assert by[(NEW, AppAction.SUBMIT)].roles == {"community_worker", "street_reviewer"}
    temp = {(str(t.source), str(t.action)) for t in TEMPORARY_FLOW}
    assert (TempState.APPROVED, TempAction.APPROVE) not in temp
    with pytest.raises(IllegalTransition):
        transition("temporary", TempState.REJECTED, TempAction.APPROVE)


def test_illegal_action_on_a_real_case_raises_and_changes_nothing(users, household_a) -> None:
    app = evaluated(users, household_a)
    steps = ApplicationStep.objects.count()
    with pytest.raises(IllegalTransition):
        a.publish_notice(app, user=users["street"], on=D(2025, 9, 26))
    with pytest.raises(IllegalTransition):
        a.district_approve(app, user=users["district"], on=D(2025, 9, 26))
    with pytest.raises(IllegalTransition):
        a.notify_rejection(app, user=users["caseworker_a"], on=D(2025, 9, 26))
    app.refresh_from_db()
    assert app.state == AppState.EVALUATED
    assert ApplicationStep.objects.count() == steps


def test_wrong_role_is_refused(users, household_a) -> None:
    app = evaluated(users, household_a)
    with pytest.raises(Forbidden):
        a.street_approve(app, user=users["caseworker_a"], on=D(2025, 9, 26))  # a community cannot review
    with pytest.raises(Forbidden):
        a.street_approve(app, user=users["district"], on=D(2025, 9, 26))  # nor can the district do the street's part
    with pytest.raises(Forbidden):
        a.street_approve(app, user=users["city"], on=D(2025, 9, 26))  # the city admin reads, never decides
    with pytest.raises(Forbidden):
        a.street_reject(app, user=users["auditor"], reasons="x", on=D(2025, 9, 26))
    assert Application.objects.get(pk=app.pk).state == AppState.EVALUATED


def test_wrong_jurisdiction_looks_missing(users, household_a) -> None:
    with pytest.raises(NotFound):  # community B may not open a case in community A
        a.submit_application(user=users["caseworker_b"], household=household_a, channel="resident")
    app = evaluated(users, household_a)
    with pytest.raises(NotFound):
        a.evaluate_application(app, user=users["caseworker_b"], on=D(2025, 9, 26))
    district_b_street = f.make_user("street_reviewer", "210103001000", "street_b")
    with pytest.raises(NotFound):
        a.street_approve(app, user=district_b_street, on=D(2025, 9, 26))
    with pytest.raises(NotFound):
        a.street_approve(app, user=users["other_district"], on=D(2025, 9, 26))


def test_submission_accepts_with_authorisation_and_sets_the_deadline(users, household_a) -> None:
    app = submitted(users, household_a, D(2025, 9, 26))
    assert app.number == f"SQ20250926{app.pk:06d}"
    assert app.state == AppState.ACCEPTED
    assert (app.accepted_on, app.base_due_date, app.due_date) == (D(2025, 9, 26), D(2025, 11, 13), D(2025, 11, 13))
    assert app.calendar_complete
    assert list(app.steps.values_list("action", "to_state")) == [
        ("submit", "submitted"), ("record_authorisation", "accepted")]
    assert AuditEvent.objects.filter(object_type="assistance.application", object_id=str(app.pk)).count() == 2
    with pytest.raises(InvalidChange):  # one open application per household
        submitted(users, household_a, D(2025, 9, 27))


def test_without_authorisation_the_clock_waits(users, household_a) -> None:
    app = a.submit_application(user=users["caseworker_a"], household=household_a, channel="resident",
                               on=D(2025, 9, 22))
    assert (app.state, app.due_date) == (AppState.SUBMITTED, None)
    with pytest.raises(InvalidChange):
        a.record_authorisation(app, user=users["caseworker_a"], on=D(2025, 9, 26))  # neither signed nor a scan
    a.record_authorisation(app, user=users["street"], signed=True, on=D(2025, 9, 26))
    app.refresh_from_db()
    assert (app.state, app.accepted_on, app.due_date) == (AppState.ACCEPTED, D(2025, 9, 26), D(2025, 11, 13))


def test_step_dates_cannot_go_backwards(users, household_a) -> None:
    app = submitted(users, household_a, D(2025, 9, 26))
    with pytest.raises(InvalidChange):
        a.assign_investigators(app, user=users["caseworker_a"], investigator_1=users["caseworker_a"],
                               investigator_2=users["street"], on=D(2025, 9, 25))


def test_two_distinct_investigators_of_the_jurisdiction(users, household_a) -> None:
    app = submitted(users, household_a)
    with pytest.raises(InvalidChange):
        a.assign_investigators(app, user=users["caseworker_a"], investigator_1=users["caseworker_a"],
                               investigator_2=users["caseworker_a"], on=D(2025, 9, 26))
    with pytest.raises(InvalidChange):  # community B's worker is not staff of community A
        a.assign_investigators(app, user=users["caseworker_a"], investigator_1=users["caseworker_a"],
                               investigator_2=users["caseworker_b"], on=D(2025, 9, 26))
    a.assign_investigators(app, user=users["caseworker_a"], investigator_1=users["caseworker_a"],
                           investigator_2=users["street"], on=D(2025, 9, 26))
    other = f.make_user("community_worker", f.COMMUNITY_A, "cw_a2")
    with pytest.raises(Forbidden):  # only an assigned investigator records the visit
        a.record_investigation(app, user=other, visit_date=D(2025, 9, 26), visit_record="x", members={},
                               on=D(2025, 9, 26))


def test_investigation_must_cover_every_member(users, household_a) -> None:
    app = submitted(users, household_a)
    a.assign_investigators(app, user=users["caseworker_a"], investigator_1=users["caseworker_a"],
                           investigator_2=users["street"], on=D(2025, 9, 26))
    head = household_a.memberships.get(relation="户主").person_id
    with pytest.raises(InvalidChange):
        a.record_investigation(app, user=users["caseworker_a"], visit_date=D(2025, 9, 26), visit_record="入户",
                               members={head: {"monthly_income": "1000"}}, on=D(2025, 9, 26))


def test_extension_to_45_working_days_once_with_a_reason(users, household_a) -> None:
    app = investigated(users, household_a)
    with pytest.raises(Forbidden):
        a.extend_deadline(app, user=users["caseworker_a"], reason="x", on=D(2025, 10, 20))
    with pytest.raises(InvalidChange):
        a.extend_deadline(app, user=users["street"], reason="  ", on=D(2025, 10, 20))
    a.extend_deadline(app, user=users["street"], reason="需核实异地房产", on=D(2025, 10, 20))
    app.refresh_from_db()
    assert (app.base_due_date, app.due_date, app.extended_on) == (D(2025, 11, 13), D(2025, 12, 4), D(2025, 10, 20))
    assert app.state == AppState.INVESTIGATED
    assert Decision.objects.get(application=app, kind="extension").reasons == "需核实异地房产"
    with pytest.raises(InvalidChange):
        a.extend_deadline(app, user=users["district"], reason="again", on=D(2025, 10, 21))


def test_overdue_flags_by_the_daily_sweep(users, household_a) -> None:
    app = investigated(users, household_a)
    assert not app.overdue_on(D(2025, 11, 13))
    assert app.overdue_on(D(2025, 11, 14))
    assert a.run_sweep(D(2025, 11, 13))["overdue_flagged"] == 0
    report = a.run_sweep(D(2025, 11, 14))
    assert report["overdue_flagged"] == 1
    assert Application.objects.get(pk=app.pk).overdue_since == D(2025, 11, 14)
    again = a.run_sweep(D(2025, 11, 14))  # idempotent per date
    assert again["repeated"] and again["overdue_flagged"] == 1
    assert a.run_sweep(D(2025, 11, 17))["overdue_flagged"] == 0  # already flagged
    a.extend_deadline(app, user=users["street"], reason="补充材料", on=D(2025, 11, 17))
    app.refresh_from_db()
    assert app.overdue_since is None and not app.overdue_on(D(2025, 11, 17))


def test_withdrawal_before_review(users, household_a) -> None:
    app = investigated(users, household_a)
    a.withdraw_application(app, user=users["caseworker_a"], reason="家庭收入已增加，申请人撤回", on=D(2025, 9, 29))
    app.refresh_from_db()
    assert app.state == AppState.WITHDRAWN and not app.is_open
    with pytest.raises(IllegalTransition):
        a.evaluate_application(app, user=users["caseworker_a"], on=D(2025, 9, 29))


def test_the_daily_task_runs_the_sweep(users, household_a) -> None:
    from minzheng.assistance.tasks import daily_sweep

    investigated(users, household_a)
    report = daily_sweep.call("2025-11-14")
    assert (report["day"], report["overdue_flagged"], report["open_cases"]) == ("2025-11-14", 1, 1)
    assert daily_sweep.call("2025-11-14")["repeated"]
