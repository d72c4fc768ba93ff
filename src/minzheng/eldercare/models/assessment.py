"""Capability assessment: versioned instruments (GB/T 42195-2022 as data), assessments and the 特困
six-item self-care assessment. Assessments are decisions: rows that are never edited."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minzheng.eldercare.choices import (
    AssessmentReason,
    CapabilityLevel,
    InstrumentStatus,
    SelfCareLevel,
)


class Instrument(models.Model):
    """One version of an assessment instrument: items, dimensions, option scores, level thresholds and the
    level-change rules, all in ``definition`` (see ``instruments/gbt42195-2022.json``)."""

    code = models.CharField("工具代码", max_length=32)
    version = models.CharField("版本", max_length=16)
    name = models.CharField("名称", max_length=128)
    valid_from = models.DateField("启用日期")
    status = models.CharField("状态", max_length=16, choices=InstrumentStatus.choices,
                              default=InstrumentStatus.DRAFT)
    definition = models.JSONField("定义")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-valid_from"]
        verbose_name = "评估工具"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(status="active"),
                                    name="one_active_instrument_per_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Assessment(models.Model):
    """A GB/T 42195 capability assessment of one elderly person by two assessors."""

    number = models.CharField("评估编号", max_length=32, unique=True)
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField("所属区划", max_length=12, db_index=True)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    reason = models.CharField("评估原因", max_length=16, choices=AssessmentReason.choices)
    assessed_on = models.DateField("评估日期")
    assessor_1 = models.CharField("评估员一", max_length=64)
    assessor_2 = models.CharField("评估员二", max_length=64)
    informant = models.CharField("信息提供者", max_length=64, blank=True)
    informant_relation = models.CharField("与老人关系", max_length=16, blank=True)
    answers = models.JSONField("各项答案")
    facts = models.JSONField("等级变更依据", default=dict)
    dimension_scores = models.JSONField("一级指标得分")
    total = models.PositiveSmallIntegerField("总分")
    initial_level = models.PositiveSmallIntegerField("初步等级", choices=CapabilityLevel.choices)
    final_level = models.PositiveSmallIntegerField("能力等级", choices=CapabilityLevel.choices)
    applied_rules = models.JSONField("适用的等级变更规则", default=list)
    note = models.TextField("备注", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = "老年人能力评估"
        indexes = [models.Index(fields=["person", "assessed_on"])]

    def __str__(self) -> str:
        return self.number


class SelfCareAssessment(models.Model):
    """The six-item 生活自理能力 assessment of 特困 persons: how many items they cannot do decides the level."""

    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField("所属区划", max_length=12, db_index=True)
    assessed_on = models.DateField("评估日期")
    items = models.JSONField("六项（能否自主完成）")
    unable = models.PositiveSmallIntegerField("不能完成项数")
    level = models.CharField("自理能力", max_length=8, choices=SelfCareLevel.choices)
    assessor_1 = models.CharField("评估人一", max_length=64)
    assessor_2 = models.CharField("评估人二", max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = "特困人员生活自理能力评估"

    def __str__(self) -> str:
        return f"{self.person_id} {self.level}"
