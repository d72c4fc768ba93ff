"""Inspections with the checklist (持单检查) and close-out of what they find (销号管理): versions pinned,
major hazards escalated, overdue flags, verification by someone else, reopen, and campaign coverage."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.institutions import actions as act
from minzheng.institutions.defaults import DEFAULT_CHECKLIST
from minzheng.institutions.models import Escalation, Finding, FindingStep
from minzheng.institutions.models.rating import ImmutableError
from minzheng.institutions.selectors import (
    campaign_coverage,
    checklist_on,
    is_overdue,
    search_findings,
)
from minzheng.institutions.tasks import daily_escalation
from minzheng.institutions.tests.conftest import INSPECTED, checklist, inspect, results
from minzheng.institutions.workflow import IllegalTransition

D = dt.date


def test_every_item_must_be_answered_and_failed_items_become_findings(users, homes) -> None:
    partial = results()
    partial.pop("G10")
    with pytest.raises(InvalidChange, match="持单检查须逐条填写，尚缺：G10"):
        act.record_inspection(user=users["street"], institution=homes["a"], inspected_on=INSPECTED,
                              inspectors="李明", results=partial)
    inspection = inspect(users["street"], homes["a"], M05="二楼安全出口上锁", G01="灭火器过期")
    assert inspection.checklist == checklist() and inspection.results.count() == 18
    major, general = inspection.findings.order_by("item__order")
    assert (major.severity, major.description, major.state) == ("major", "二楼安全出口上锁", "open")
    assert (general.severity, general.item.code) == ("general", "G01")
    assert inspection.results.get(item__code="M05").outcome == "fail"


def test_a_major_hazard_is_escalated_to_the_district_and_the_city_at_once(users, homes) -> None:
    inspection = inspect(users["street"], homes["a"], M01="东楼鉴定为D级危房仍住人", G03="卫生间无扶手")
    major = inspection.findings.get(severity="major")
    general = inspection.findings.get(severity="general")
    assert sorted(major.escalations.values_list("level", "area_code", "reason")) == [
        ("city", "210100000000", "major_hazard"), ("district", "210102000000", "major_hazard")]
    assert not general.escalations.exists()
    assert list(search_findings(users["city"], escalated=True)) == [major]
    assert list(search_findings(users["other_district"], escalated=True)) == []


def test_checklist_version_is_pinned_to_the_inspection(users, homes) -> None:
    v1 = checklist()
    old = inspect(users["street"], homes["a"], on=D(2025, 6, 15), G02="无巡查记录")
    spec = copy.deepcopy(DEFAULT_CHECKLIST)
    spec["valid_from"] = D(2025, 7, 1)
    spec["items"] = [it for it in spec["items"] if it["code"] != "G02"] + [
        {"code": "G11", "category": "fire", "text": "电动自行车不在楼内停放、充电", "major": False}]
    with pytest.raises(Forbidden):
        act.publish_checklist_version(user=users["district"], spec=spec)
    v2 = act.publish_checklist_version(user=users["city"], spec=spec)
    v1.refresh_from_db()
    assert (v1.valid_to, checklist_on(D(2025, 6, 30)), checklist_on(D(2025, 7, 1))) == (D(2025, 7, 1), v1, v2)

    old.refresh_from_db()
    assert old.checklist == v1 and old.results.count() == 18
    assert old.findings.get().item.code == "G02" and old.findings.get().item.version == v1
    with pytest.raises(InvalidChange, match="以下条目不属于养老机构安全隐患排查检查表（第2版）：G02"):
        act.record_inspection(user=users["street"], institution=homes["a"], inspected_on=D(2025, 8, 1),
                              inspectors="李明", results=results(v1))
    new = act.record_inspection(user=users["street"], institution=homes["a"], inspected_on=D(2025, 8, 1),
                                inspectors="李明", results=results(v2, G11="走廊充电"))
    assert new.checklist == v2 and new.findings.get().item.code == "G11"
    assert sorted(v1.items.values_list("code", flat=True)) != sorted(v2.items.values_list("code", flat=True))


def test_close_out_only_after_verification_by_someone_other_than_the_submitter(users, homes, member) -> None:
    inspection = inspect(users["street"], homes["a"], owner="张院长", G01="灭火器过期")
    finding = inspection.findings.get()
    assert (finding.state, finding.owner_name, finding.deadline) == ("rectifying", "张院长", D(2025, 9, 25))
    with pytest.raises(IllegalTransition):
        act.close_finding(user=users["district"], finding=finding)  # not verified: no close-out
    with pytest.raises(IllegalTransition):
        act.verify_rectification(user=users["district"], finding=finding)  # nothing reported yet

    finding = act.submit_rectification(user=users["district"], finding=finding, note="已全部更换灭火器")
    with pytest.raises(InvalidChange, match="验收人不能是整改报送人"):
        act.verify_rectification(user=users["district"], finding=finding)
    with pytest.raises(IllegalTransition):
        act.close_finding(user=users["city"], finding=finding)
    finding = act.verify_rectification(user=users["city"], finding=finding, note="现场复核合格")
    assert (finding.state, finding.verified_by, finding.submitted_by) == ("verified", users["city"],
                                                                         users["district"])
    finding = act.close_finding(user=users["district"], finding=finding, note="销号")
    assert finding.state == "closed" and finding.closed_on is not None
    assert list(finding.steps.values_list("action", "from_state", "to_state")) == [
        ("find", "", "open"), ("assign", "open", "rectifying"), ("submit", "rectifying", "submitted"),
        ("verify", "submitted", "verified"), ("close", "verified", "closed")]
    with pytest.raises(ImmutableError):
        finding.steps.first().save()


def test_institution_staff_report_rectifications_but_do_not_verify(users, homes, member) -> None:
    finding = inspect(users["street"], homes["a"], owner="张院长", G04="燃气报警器失效").findings.get()
    finding = act.submit_rectification(user=member, finding=finding, note="已更换燃气报警器")
    assert finding.submitted_by == member
    with pytest.raises(Forbidden):
        act.verify_rectification(user=member, finding=finding)
    with pytest.raises(Forbidden):
        act.verify_rectification(user=users["street"], finding=finding)  # the street inspects, the district verifies
    other = inspect(users["street"], homes["street"], G04="燃气报警器失效").findings.get()
    with pytest.raises(NotFound):
        act.submit_rectification(user=member, finding=other, note="不是本机构")
    assert act.verify_rectification(user=users["district"], finding=finding).state == "verified"


def test_rejected_or_reopened_findings_go_back_to_rectification(users, homes) -> None:
    finding = inspect(users["street"], homes["a"], owner="张院长", G08="药品未集中保管").findings.get()
    finding = act.submit_rectification(user=users["street"], finding=finding, note="已设药品柜")
    with pytest.raises(InvalidChange, match="请填写验收不通过的原因"):
        act.reject_rectification(user=users["district"], finding=finding, note="")
    finding = act.reject_rectification(user=users["district"], finding=finding, note="药品柜未上锁")
    assert finding.state == "reopened" and finding.submitted_by == users["street"]
    finding = act.submit_rectification(user=users["street"], finding=finding, note="已上锁")
    finding = act.verify_rectification(user=users["district"], finding=finding)
    finding = act.close_finding(user=users["district"], finding=finding)
    finding = act.reopen_finding(user=users["city"], finding=finding, note="复查发现药品仍散放")
    assert (finding.state, finding.closed_on, finding.verified_by) == ("reopened", None, None)
    finding = act.assign_rectification(user=users["street"], finding=finding, owner_name="护理部主任",
                                       deadline=dt.date.today() + dt.timedelta(days=10))
    assert finding.state == "rectifying" and finding.owner_name == "护理部主任"


def test_overdue_flag_and_the_escalation_job(users, homes) -> None:
    inspection = inspect(users["street"], homes["a"], owner="张院长", M07="夜间无人值守", G09="无食品留样")
    major = inspection.findings.get(severity="major")
    general = inspection.findings.get(severity="general")
    assert general.deadline == D(2025, 9, 25) and major.deadline == D(2025, 10, 10)
    assert not is_overdue(general, D(2025, 9, 25)) and is_overdue(general, D(2025, 9, 26))
    assert not is_overdue(major, D(2025, 10, 10))
    flagged = search_findings(users["district"], overdue=True, on=D(2025, 9, 26))
    assert list(flagged) == [general] and flagged[0].overdue  # and still today

    assert act.escalate_overdue(on=D(2025, 9, 26)) == 1  # the general one, to the district
    assert act.escalate_overdue(on=D(2025, 9, 26)) == 0  # idempotent
    assert act.escalate_overdue(on=D(2025, 10, 11)) == 2  # the major one: district and city
    assert Escalation.objects.filter(reason="overdue").count() == 3
    assert daily_escalation.call("2025-10-11") == 0  # the daily job runs the same, idempotent
    assert Finding.objects.prefetch_related("escalations").get(pk=major.pk).escalation_tags == [
        "重大隐患督办（区县、市局）", "逾期上报（区县、市局）"]
    submitted = act.submit_rectification(user=users["street"], finding=general, note="已留样")
    assert not is_overdue(submitted, D(2025, 12, 1))  # reported done: no longer owed


def test_inspecting_is_for_inspectors_in_scope(users, homes) -> None:
    with pytest.raises(Forbidden):
        inspect(users["caseworker_a"], homes["a"])
    with pytest.raises(NotFound):
        inspect(users["other_district"], homes["a"])
    with pytest.raises(InvalidChange, match="已停业"):
        inspect(users["district"], homes["closed"])
    with pytest.raises(InvalidChange, match="检查日期不能晚于今天"):
        inspect(users["district"], homes["a"], on=dt.date.today() + dt.timedelta(days=2))
    assert Finding.objects.count() == 0 and FindingStep.objects.count() == 0


def test_campaign_coverage_reaches_100_percent_when_every_institution_is_inspected(users, homes) -> None:
    campaign = act.start_campaign(user=users["city"], name="2025 下半年安全隐患排查整治", area_code="210100000000",
                                  starts_on=D(2025, 7, 1), ends_on=D(2025, 12, 31))

    def coverage(user=users["city"]):
        rows, total = campaign_coverage(user, campaign, on=D(2025, 9, 30))
        return {r.area.code[:6]: (r.due, r.inspected, str(r.percent)) for r in rows}, (total.inspected, total.due,
                                                                                       str(total.percent))

    # the closed institution is not due
    assert coverage() == ({"210102": (2, 0, "0.0"), "210103": (1, 0, "0.0")}, (0, 3, "0.0"))
    inspect(users["street"], homes["a"], on=D(2025, 6, 30))  # before the campaign and not part of it
    act.record_inspection(user=users["street"], institution=homes["a"], inspected_on=D(2025, 9, 1),
                          inspectors="李明", results=results(M05="安全出口锁闭"), campaign=campaign)
    by_district, total = coverage()
    assert by_district["210102"] == (2, 1, "50.0") and total == (1, 3, "33.3")
    rows, _ = campaign_coverage(users["city"], campaign, on=D(2025, 9, 30))
    missing = [i.name for i in rows[0].missing]
    assert (rows[0].findings_open, rows[0].major_open, missing) == (1, 1, ["南市场街道敬老院"])
    for key in ("street", "other"):
        inspector = users["district"] if key == "street" else users["other_district"]
        act.record_inspection(user=inspector, institution=homes[key], inspected_on=D(2025, 9, 2),
                              inspectors="王芳", results=results(), campaign=campaign)
    assert coverage() == ({"210102": (2, 2, "100.0"), "210103": (1, 1, "100.0")}, (3, 3, "100.0"))
    assert coverage(users["district"]) == ({"210102": (2, 2, "100.0")}, (2, 2, "100.0"))  # own district only


def test_campaign_rules(users, homes) -> None:
    with pytest.raises(NotFound):
        act.start_campaign(user=users["district"], name="越权", area_code="210103000000", starts_on=D(2025, 7, 1),
                           ends_on=D(2025, 12, 31))
    district = act.start_campaign(user=users["district"], name="和平区专项检查", area_code="210102000000",
                                  starts_on=D(2025, 7, 1), ends_on=D(2025, 8, 31))
    with pytest.raises(InvalidChange, match="不在检查行动范围内"):
        act.record_inspection(user=users["city"], institution=homes["other"], inspected_on=D(2025, 7, 5),
                              inspectors="王芳", results=results(), campaign=district)
    with pytest.raises(InvalidChange, match="不在行动期间"):
        act.record_inspection(user=users["district"], institution=homes["a"], inspected_on=INSPECTED,
                              inspectors="王芳", results=results(), campaign=district)
    act.close_campaign(user=users["district"], campaign=district)
    with pytest.raises(InvalidChange, match="检查行动已结束"):
        act.record_inspection(user=users["district"], institution=homes["a"], inspected_on=D(2025, 7, 5),
                              inspectors="王芳", results=results(), campaign=district)
