"""Checklists, campaigns and inspections (持单检查): every failed item becomes a finding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record, snapshot
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Area
from minzheng.institutions import defaults, models
from minzheng.institutions.actions._common import (
    check_photo,
    not_future,
    require_area,
    require_role,
    required,
)
from minzheng.institutions.actions.findings import assign_rectification, create_finding
from minzheng.institutions.choices import (
    DEFAULT_DEADLINE_DAYS,
    PUBLISHES_STANDARDS,
    RUNS_CAMPAIGNS,
    CampaignStatus,
    ChecklistCategory,
    FindingAction,
    InstitutionStatus,
    ItemOutcome,
    Severity,
)
from minzheng.institutions.models import ChecklistVersion, Inspection, InspectionCampaign, InspectionResult, Institution
from minzheng.institutions.selectors import checklist_on
from minzheng.institutions.workflow import NEW, authorise

_REAL = SimpleNamespace(ChecklistVersion=models.ChecklistVersion, ChecklistItem=models.ChecklistItem)


@transaction.atomic
def publish_checklist_version(*, user: Any, spec: Mapping[str, Any], reason: str = "") -> ChecklistVersion:
    """A new version of a checklist from ``spec["valid_from"]`` (shape of ``defaults.DEFAULT_CHECKLIST``); the
    version in force until then ends that day. Inspections keep the version they were made with."""
    require_role(user, PUBLISHES_STANDARDS, "发布检查表")
    items = list(spec.get("items") or [])
    if not items:
        raise InvalidChange("检查表至少要有一个条目")
    codes = [str(it.get("code", "")).strip() for it in items]
    if "" in codes or len(set(codes)) != len(codes):
        raise InvalidChange("条目编号不能为空或重复")
    if any(it.get("category") not in ChecklistCategory.values or not str(it.get("text", "")).strip()
           for it in items):
        raise InvalidChange("条目类别或内容无效")
    start: dt.date = spec["valid_from"]
    previous = ChecklistVersion.objects.select_for_update().filter(code=spec["code"]).order_by("-version").first()
    if previous is not None:
        if start <= previous.valid_from:
            raise InvalidChange(f"新版本启用日期须晚于上一版本（{previous.valid_from}）")
        if previous.valid_to is None or previous.valid_to > start:
            previous.valid_to = start
            previous.save(update_fields=["valid_to"])
    version = defaults.write_checklist(_REAL, dict(spec), version=(previous.version + 1) if previous else 1,
                                       published_by=user)
    record(user, AuditAction.CREATE, version, summary=f"发布检查表 {version}",
           after={"valid_from": start.isoformat(), "items": codes}, reason=reason)
    return version


@transaction.atomic
def start_campaign(*, user: Any, name: str, area_code: str, starts_on: dt.date, ends_on: dt.date,
                   checklist: ChecklistVersion | None = None) -> InspectionCampaign:
    """A drive over the city or a district: every institution in operation there is due for inspection."""
    require_role(user, RUNS_CAMPAIGNS, "发起检查行动")
    require_area(user, area_code)
    area = Area.objects.filter(code=area_code).first()
    if area is None or area.level not in ("city", "district"):
        raise InvalidChange("检查行动的范围须为全市或一个区县")
    if ends_on < starts_on:
        raise InvalidChange("截止日期不能早于开始日期")
    campaign = InspectionCampaign.objects.create(name=required(name, "行动名称"), area=area, starts_on=starts_on,
                                                 ends_on=ends_on, checklist=checklist, created_by=user)
    record(user, AuditAction.CREATE, campaign, area_code=area.code, summary=f"发起检查行动 {campaign.name}",
           after=snapshot(campaign))
    return campaign


@transaction.atomic
def close_campaign(*, user: Any, campaign: InspectionCampaign) -> InspectionCampaign:
    require_role(user, RUNS_CAMPAIGNS, "结束检查行动")
    require_area(user, campaign.area_id)
    campaign = InspectionCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise InvalidChange("检查行动已结束")
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    record(user, AuditAction.UPDATE, campaign, area_code=campaign.area_id, summary=f"结束检查行动 {campaign.name}",
           after={"status": campaign.status})
    return campaign


def _pick_checklist(campaign: InspectionCampaign | None, checklist: ChecklistVersion | None,
                    day: dt.date) -> ChecklistVersion:
    if campaign is not None and campaign.checklist_id:
        if checklist is not None and checklist.pk != campaign.checklist_id:
            raise InvalidChange("该检查行动指定了另一版本的检查表")
        return campaign.checklist  # type: ignore[return-value]
    return checklist or checklist_on(day)


def _check_campaign(campaign: InspectionCampaign, institution: Institution, day: dt.date) -> None:
    if campaign.status != CampaignStatus.OPEN:
        raise InvalidChange("检查行动已结束")
    if not institution.area_id.startswith(campaign.area.prefix):
        raise InvalidChange("该机构不在检查行动范围内")
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise InvalidChange(f"检查日期不在行动期间（{campaign.starts_on}—{campaign.ends_on}）内")


@transaction.atomic
def record_inspection(*, user: Any, institution: Institution, inspected_on: dt.date, inspectors: str,
                      results: Mapping[str, tuple[str, str]], campaign: InspectionCampaign | None = None,
                      checklist: ChecklistVersion | None = None, summary: str = "",
                      photos: Mapping[str, UploadedFile] | None = None, owner_name: str = "", owner_phone: str = "",
                      deadlines: Mapping[str, dt.date] | None = None,
                      extra_findings: Sequence[Mapping[str, Any]] = ()) -> Inspection:
    """One inspection with the whole checklist: ``results`` maps every item code to (outcome, note).

    Each failed item becomes a finding (major if the item says so; its note, or the item's text, describes it);
    ``extra_findings`` adds hazards outside the list ({"severity", "description"}). With an owner, every finding
    is handed over at once with the deadline for its severity (default: ``DEFAULT_DEADLINE_DAYS``).
    """
    authorise(user, "finding", NEW, FindingAction.FIND, institution)
    day = not_future(inspected_on, "检查日期")
    if institution.status == InstitutionStatus.CLOSED:
        raise InvalidChange("已停业的机构不需检查")
    if campaign is not None:
        campaign = InspectionCampaign.objects.select_related("area", "checklist").get(pk=campaign.pk)
        _check_campaign(campaign, institution, day)
    version = _pick_checklist(campaign, checklist, day)
    items = {it.code: it for it in version.items.all()}
    unknown = sorted(set(results) - set(items))
    if unknown:
        raise InvalidChange("以下条目不属于" + str(version) + "：" + "、".join(unknown))
    missing = [code for code in items if code not in results]
    if missing:
        raise InvalidChange("持单检查须逐条填写，尚缺：" + "、".join(missing))
    if any(outcome not in ItemOutcome.values for outcome, _ in results.values()):
        raise InvalidChange("检查结果无效")
    checked: dict[str, UploadedFile] = {}
    for code, upload in (photos or {}).items():
        if check_photo(upload) is not None:
            checked[code] = upload
    inspection = Inspection.objects.create(
        institution=institution, campaign=campaign, checklist=version, inspected_on=day,
        inspectors=required(inspectors, "检查人员"), summary=summary.strip(), recorded_by=user,
    )
    InspectionResult.objects.bulk_create([
        InspectionResult(inspection=inspection, item=items[code], outcome=outcome, note=note.strip())
        for code, (outcome, note) in results.items()
    ])
    findings = []
    for code, item in items.items():
        outcome, note = results[code]
        if outcome == ItemOutcome.FAIL:
            severity = Severity.MAJOR if item.major else Severity.GENERAL
            findings.append(create_finding(user=user, inspection=inspection, item=item, severity=severity,
                                           description=note.strip() or item.text, photo=checked.get(code)))
    for extra in extra_findings:
        if extra.get("severity") not in Severity.values:
            raise InvalidChange("隐患等级无效")
        findings.append(create_finding(user=user, inspection=inspection, item=None, severity=extra["severity"],
                                       description=required(extra.get("description"), "隐患描述")))
    record(user, AuditAction.CREATE, inspection, area_code=institution.area_id,
           summary=f"安全检查 {institution.name}：发现隐患 {len(findings)} 处",
           after={"checklist": str(version), "campaign": campaign.pk if campaign else None,
                  "failed": [c for c, (o, _) in results.items() if o == ItemOutcome.FAIL],
                  "findings": [f.pk for f in findings]})
    if owner_name.strip():
        for finding in findings:
            deadline = (deadlines or {}).get(finding.severity) or day + dt.timedelta(
                days=DEFAULT_DEADLINE_DAYS[Severity(finding.severity)])
            assign_rectification(user=user, finding=finding, owner_name=owner_name, owner_phone=owner_phone,
                                 deadline=deadline, on=day)
    return inspection
