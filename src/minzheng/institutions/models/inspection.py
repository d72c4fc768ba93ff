"""Safety inspections with a checklist (持单检查) and the rectification of what they find (销号管理).

A checklist version is a fixed list of items; an inspection pins the version it was made with, so a later
version never changes what an old inspection asked. Every failed item becomes a finding that moves through
``workflow.FINDING_FLOW``; each move is a step row, never edited. A major hazard is escalated to the district
and the city at once; an owed rectification past its deadline is escalated as overdue.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from minzheng.institutions.choices import (
    OWED,
    CampaignStatus,
    ChecklistCategory,
    EscalationLevel,
    EscalationReason,
    FindingAction,
    FindingState,
    ItemOutcome,
    Severity,
    ValueStatus,
)
from minzheng.institutions.models.rating import ImmutableError


def photo_path(instance: Any, filename: str) -> str:
    """Random names under a dated folder: the original file name may carry personal data."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    name = uuid.uuid4().hex
    return f"institutions/findings/{name[:2]}/{name}.{ext}"


class ChecklistVersion(models.Model):
    code = models.CharField("检查表编号", max_length=32)
    version = models.PositiveSmallIntegerField("版本")
    title = models.CharField("名称", max_length=128)
    valid_from = models.DateField("启用日期")
    valid_to = models.DateField("停用日期", null=True, blank=True)
    status = models.CharField("来源", max_length=16, choices=ValueStatus.choices, default=ValueStatus.OFFICIAL)
    reference = models.TextField("依据", blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = "检查表版本"
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="checklist_version_unique")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"


class ChecklistItem(models.Model):
    version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="items")
    code = models.CharField("条目编号", max_length=16)
    category = models.CharField("类别", max_length=16, choices=ChecklistCategory.choices)
    text = models.TextField("检查内容")
    major = models.BooleanField("不符合即为重大事故隐患", default=False)
    reference = models.CharField("依据", max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "order", "id"]
        verbose_name = "检查条目"
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="checklist_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:30]}"


class InspectionCampaign(models.Model):
    """An inspection drive over an area (the city or a district): every active institution in it is due."""

    name = models.CharField("名称", max_length=128)
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="范围")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期")
    checklist = models.ForeignKey(ChecklistVersion, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="指定检查表")
    status = models.CharField("状态", max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = "检查行动"
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                              name="campaign_dates_ordered")]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    """One visit with the checklist. Recorded once, never edited."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="inspections")
    campaign = models.ForeignKey(InspectionCampaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="inspections")
    checklist = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField("检查日期")
    inspectors = models.CharField("检查人员", max_length=255)
    summary = models.TextField("检查意见", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = "安全检查"

    def __str__(self) -> str:
        return f"{self.institution_id} {self.inspected_on}"


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("结果", max_length=8, choices=ItemOutcome.choices)
    note = models.TextField("情况说明", blank=True)

    class Meta:
        ordering = ["inspection_id", "item__order", "id"]
        verbose_name = "检查结果"
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspection_result_unique")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.outcome}"


class Finding(models.Model):
    """A hazard found by an inspection (隐患), tracked until it is closed (销号)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="findings")
    item = models.ForeignKey(ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    severity = models.CharField("隐患等级", max_length=16, choices=Severity.choices)
    description = models.TextField("隐患描述")
    photo = models.FileField("现场照片", upload_to=photo_path, blank=True, max_length=200)
    state = models.CharField("状态", max_length=16, choices=FindingState.choices, default=FindingState.OPEN)
    owner_name = models.CharField("整改责任人", max_length=64, blank=True)
    owner_phone = models.CharField("责任人电话", max_length=20, blank=True)
    deadline = models.DateField("整改期限", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="整改报送人")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="验收人")
    closed_on = models.DateField("销号日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = "隐患"
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"隐患#{self.pk} {self.get_severity_display()}"

    def overdue_on(self, day: dt.date) -> bool:
        """The rectification is still owed on ``day`` and its deadline has passed."""
        return self.state in OWED and self.deadline is not None and self.deadline < day

    @property
    def overdue(self) -> bool:
        return self.overdue_on(timezone.localdate())

    @property
    def escalation_tags(self) -> list[str]:
        """One short tag per reason with the levels it went to, e.g. "重大隐患督办（区县、市局）" (reads the
        prefetched ``escalations``)."""
        short_level = {EscalationLevel.DISTRICT: "区县", EscalationLevel.CITY: "市局"}
        short_reason = {EscalationReason.MAJOR_HAZARD: "重大隐患督办", EscalationReason.OVERDUE: "逾期上报"}
        levels: dict[str, list[str]] = {}
        for e in sorted(self.escalations.all(), key=lambda e: (e.reason != EscalationReason.MAJOR_HAZARD,
                                                                e.level != EscalationLevel.DISTRICT)):
            levels.setdefault(e.reason, []).append(short_level[EscalationLevel(e.level)])
        return [f"{short_reason[EscalationReason(r)]}（{'、'.join(ls)}）" for r, ls in levels.items()]


class FindingStep(models.Model):
    """One move of a finding through its workflow: who, when, from which state to which, and why."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField("操作", max_length=16, choices=FindingAction.choices)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, choices=FindingState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    on = models.DateField("办理日期")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField("说明", blank=True)
    owner_name = models.CharField("整改责任人", max_length=64, blank=True)
    deadline = models.DateField("整改期限", null=True, blank=True)
    photo = models.FileField("照片", upload_to=photo_path, blank=True, max_length=200)

    class Meta:
        ordering = ["finding_id", "at", "id"]
        verbose_name = "隐患办理记录"

    def __str__(self) -> str:
        return f"{self.finding_id} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("a finding step is never edited")
        super().save(*args, **kwargs)


class Escalation(models.Model):
    """A finding put before the district or the city (重大隐患挂牌督办, 逾期未整改)."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="escalations")
    level = models.CharField("上报至", max_length=16, choices=EscalationLevel.choices)
    area_code = models.CharField("上报单位区划", max_length=12)
    reason = models.CharField("原因", max_length=16, choices=EscalationReason.choices)
    on = models.DateField("上报日期")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = "隐患上报"
        constraints = [models.UniqueConstraint(fields=["finding", "level", "reason"], name="escalation_once")]

    def __str__(self) -> str:
        return f"{self.finding_id} → {self.level} ({self.reason})"
