"""Each disposition's effect in the app it reaches, and which findings allow which measures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from minzheng.assistance import actions as a
from minzheng.assistance.models import Application, ReviewTask, TemporaryAssistance
from minzheng.audit.models import AuditEvent
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Household, HouseholdMember
from minzheng.monitoring import actions as m
from minzheng.monitoring.choices import AlertState, Finding
from minzheng.monitoring.models import Disposition
from minzheng.monitoring.tests.support import member, pushed, walk
from minzheng.registry.models import Enrollment
from minzheng.services.models import Need
from minzheng.testing import factories as f

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 8, 7)


def _enroll(programme: str, *, household: Household | None = None, person: Any = None,
            start: dt.date = dt.date(2023, 1, 1), end: dt.date | None = None, amount: str = "100") -> Enrollment:
    return Enrollment.objects.create(household=household, person=person, programme=programme, start_date=start,
                                     end_date=end, monthly_amount=Decimal(amount))


def test_deceased_payments_stop_from_the_month_after_death(users, household_a):
    cw, spouse = users["caseworker_a"], member(household_a, "配偶")
    _enroll("dibao", household=household_a, amount="1500")
    living = _enroll("disability_living", person=spouse)
    care = _enroll("disability_care", person=spouse, end=dt.date(2025, 12, 31))
    ended_before = _enroll("high_age", person=spouse, end=dt.date(2025, 3, 31))
    later = _enroll("orphan", person=spouse, start=dt.date(2025, 8, 1))
    alert = walk(pushed(spouse, household=household_a, scenario="MON_DECEASED",
                        evidence={"death_date": "2025-06-14", "overpaid_months": 1}), cw, AlertState.JUDGED)
    d = m.stop_payments(alert, user=cw, on=DAY)
    for e in (living, care, ended_before, later):
        e.refresh_from_db()
    assert living.end_date == care.end_date == dt.date(2025, 6, 30)  # June paid, nothing from July
    assert ended_before.end_date == dt.date(2025, 3, 31) and later.end_date is None  # untouched
    assert (d.kind, d.death_date, d.stop_from) == ("stop_payments", dt.date(2025, 6, 14), dt.date(2025, 7, 1))
    assert [(x["id"], x.get("end_date"), x.get("not_started", False)) for x in d.ended_enrollments] == [
        (living.pk, "2025-06-30", False), (care.pk, "2025-06-30", False), (later.pk, None, True)]
    spouse.refresh_from_db()
    assert spouse.death_date == dt.date(2025, 6, 14)
    # The household's own 低保 lives on; its amount is re-determined by a change review.
    assert d.review_task is not None and d.review_task.household_id == household_a.pk
    assert ReviewTask.objects.filter(household=household_a, kind="change").count() == 1
    alert.refresh_from_db()
    assert (alert.state, alert.disposed_on) == (AlertState.DISPOSED, DAY)


def test_stop_needs_a_death_and_only_the_deceased_scenario(users, household_a):
    cw = users["caseworker_a"]
    alert = walk(pushed(member(household_a), scenario="MON_DECEASED", evidence={}), cw, AlertState.JUDGED)
    with pytest.raises(InvalidChange, match="死亡日期"):
        m.stop_payments(alert, user=cw, on=DAY)
    # The engine's evidence: the death row's date (no top-level death_date).
    engine = walk(pushed(member(household_a, "子"), scenario="MON_DECEASED", evidence={
        "stop_from": "2025-06", "rows": [{"source": "deaths", "kind": "death", "ref": "公安", "date": "2025-05-20"}]}),
        cw, AlertState.JUDGED)
    assert m.stop_payments(engine, user=cw, on=DAY).stop_from == dt.date(2025, 6, 1)
    other = walk(pushed(member(household_a, "配偶")), cw, AlertState.JUDGED)
    with pytest.raises(InvalidChange, match="死亡停发"):
        m.stop_payments(other, user=cw, death_date=dt.date(2025, 6, 1), on=DAY)
    assert Disposition.objects.count() == 1


def test_an_application_is_started_pre_filled_from_the_alert(users, household_a):
    cw, child = users["caseworker_a"], member(household_a, "子")
    alert = walk(pushed(child, household=household_a), cw, AlertState.JUDGED)
    d = m.start_application(alert, user=cw, programmes=["dibao", "dibao_edge"], authorisation_signed=True, on=DAY)
    app = d.application
    assert (app.household_id, app.applicant_id, app.channel, app.state) == (household_a.pk, child.pk, "caseworker",
                                                                            "accepted")
    assert app.programmes == ["dibao", "dibao_edge"] and app.submitted_on == DAY
    assert app.reason.startswith(f"【监测预警 {alert.number}】困难风险（重点监测）")
    assert "12个月自付合计: 23500.00" in app.reason


def test_an_application_for_someone_outside_the_archive_opens_a_household(users, tree):
    cw = users["caseworker_a"]
    newcomer = f.make_person("孙无档", dt.date(1960, 2, 2))
    alert = walk(pushed(newcomer), cw, AlertState.JUDGED)
    d = m.start_application(alert, user=cw, on=DAY)
    household = Household.objects.get(household_no=f"JC{alert.number}")
    assert household.area_id == f.COMMUNITY_A
    assert HouseholdMember.objects.get(household=household).person == newcomer
    assert d.application.household == household and d.application.state == "submitted"
    alert.refresh_from_db()
    assert alert.household == household


def test_temporary_assistance_is_given_first(users, household_a):
    cw = users["caseworker_a"]
    alert = walk(pushed(member(household_a), household=household_a), cw, AlertState.JUDGED)
    d = m.start_temporary(alert, user=cw, amount=Decimal("1500"), on=DAY)
    case = TemporaryAssistance.objects.get()
    assert d.temporary == case and (case.state, case.kind, case.amount, case.helped_on) == (
        "helped", "urgent", Decimal("1500.00"), DAY)
    assert (case.enrollment.programme, case.enrollment.start_date) == ("temporary", DAY)
    assert case.circumstances.startswith(f"【监测预警 {alert.number}】")


def test_referrals_to_special_and_service_assistance(users, household_a):
    cw = users["caseworker_a"]
    alert = walk(pushed(member(household_a), household=household_a), cw, AlertState.JUDGED)
    m.refer_special(alert, user=cw, special="medical", note="大病自付费用高，转医疗救助", on=DAY)
    d = m.refer_service(alert, user=cw, item_code="care.nursing", note="需上门照料", on=DAY)
    need = Need.objects.get()
    assert d.need == need and (need.household_id, need.person_id, need.item.code, need.status, need.area_id) == (
        household_a.pk, member(household_a).pk, "care.nursing", "open", f.COMMUNITY_A)
    assert AuditEvent.objects.filter(object_type="services.need", object_id=str(need.pk), actor=cw).exists()
    # A second referral for the same item links the live need rather than opening another.
    again = m.refer_service(alert, user=cw, item_code="care.nursing", on=DAY)
    assert again.need == need and Need.objects.count() == 1
    kinds = list(alert.dispositions.values_list("kind", "special"))
    assert kinds == [("refer_special", "medical"), ("refer_service", ""), ("refer_service", "")]
    alert.refresh_from_db()
    assert alert.state == AlertState.DISPOSED and alert.events.filter(action="dispose").count() == 3
    with pytest.raises(InvalidChange):
        m.refer_special(alert, user=cw, special="lottery", note="x", on=DAY)


@pytest.mark.parametrize("finding", [Finding.ALREADY_COVERED, Finding.NOT_ELIGIBLE, Finding.FALSE_ALARM,
                                     Finding.UNREACHABLE])
def test_other_findings_allow_only_a_reasoned_no_action(finding, users, household_a):
    cw = users["caseworker_a"]
    alert = walk(pushed(member(household_a), household=household_a), cw, AlertState.JUDGED, finding=finding)
    with pytest.raises(InvalidChange, match="不予处置"):
        m.start_temporary(alert, user=cw, amount=Decimal("100"), on=DAY)
    with pytest.raises(InvalidChange, match="理由"):
        m.record_no_action(alert, user=cw, reason="  ", on=DAY)
    d = m.record_no_action(alert, user=cw, reason="经核实已享受医疗救助", on=DAY)
    assert (d.kind, d.note, d.disposed_by) == ("no_action", "经核实已享受医疗救助", cw)
    assert not TemporaryAssistance.objects.exists()
    with pytest.raises(RuntimeError):
        d.save()  # decisions are never edited


def test_a_disposition_before_the_judgement_is_refused(users, household_a):
    cw = users["caseworker_a"]
    alert = walk(pushed(member(household_a)), cw, AlertState.VERIFYING)
    with pytest.raises(InvalidChange):
        m.record_no_action(alert, user=cw, reason="x", on=DAY)
    with pytest.raises(InvalidChange, match="早于"):
        judged = walk(pushed(member(household_a, "配偶")), cw, AlertState.JUDGED)
        m.record_no_action(judged, user=cw, reason="x", on=dt.date(2025, 8, 1))


def test_an_approved_application_counts_the_alert_person_into_care(users, household_a):
    """The whole way through the assistance procedure: the enrollment the approval creates carries the
    application's number, which the dashboard follows back to the alert."""
    from minzheng.monitoring.dashboard import brought_into_care
    from minzheng.monitoring.models import Alert

    cw, head = users["caseworker_a"], member(household_a)
    alert = walk(pushed(head, household=household_a), cw, AlertState.JUDGED)
    app = m.start_application(alert, user=cw, authorisation_signed=True, on=DAY).application
    a.assign_investigators(app, user=cw, investigator_1=cw, investigator_2=users["street"], on=DAY)
    members = {mm.person_id: {"monthly_income": "0", "financial_assets": "0"}
               for mm in household_a.memberships.filter(end_date__isnull=True)}
    a.record_investigation(app, user=cw, visit_date=DAY, visit_record="入户查看", members=members, on=DAY)
    a.evaluate_application(app, user=cw, on=DAY)
    a.street_approve(app, user=users["street"], opinion="同意", on=DAY)
    a.publish_notice(app, user=users["street"], on=DAY)
    a.close_notice(app, user=users["street"], on=dt.date(2025, 8, 15))
    created = a.district_approve(Application.objects.get(pk=app.pk), user=users["district"], on=dt.date(2025, 8, 18))
    assert {e.programme for e in created} == {"dibao"} and created[0].start_date == dt.date(2025, 9, 1)
    scope = Alert.objects.all()
    assert brought_into_care(scope, dt.date(2025, 9, 1), dt.date(2025, 9, 30))["dibao"] == 1
    assert brought_into_care(scope, dt.date(2025, 8, 1), dt.date(2025, 8, 31))["dibao"] == 0
