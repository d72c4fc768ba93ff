"""Assessments of a household (never edited: a reassessment is a new row) and the need register (需求台账)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from minzheng.services.choices import (
    ALL_WEEKDAYS,
    AnswerSource,
    AssessmentChannel,
    NeedLevel,
    NeedStatus,
    Priority,
)


class Assessment(models.Model):
    household = models.ForeignKey("core.Household", on_delete=models.PROTECT, related_name="service_assessments")
    version = models.ForeignKey("services.InstrumentVersion", on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField("评估日期")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("方式", max_length=16, choices=AssessmentChannel.choices)
    total_score = models.DecimalField("总分", max_digits=5, decimal_places=1)
    level = models.CharField("需求等级", max_length=8, choices=NeedLevel.choices)
    dimension_scores = models.JSONField("维度得分", default=dict)
    tags = models.JSONField("需求标签", default=list)
    red_flags = models.JSONField("风险指标", default=list)
    note = models.TextField("备注", blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "-assessed_on", "-id"]
        verbose_name = "需求评估"

    def __str__(self) -> str:
        return f"{self.household_id} {self.assessed_on} {self.level}"


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey("services.InstrumentItem", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField("得分")
    source = models.CharField("来源", max_length=16, choices=AnswerSource.choices, default=AnswerSource.VISIT)
    derived_score = models.PositiveSmallIntegerField("数据预填值", null=True, blank=True)

    class Meta:
        ordering = ["assessment_id", "item__order", "id"]
        verbose_name = "评估答案"
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="one_answer_per_item")]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.item_id}={self.score}"


class Need(models.Model):
    """One line of the need register: a household needs a service item, at a level and a priority."""

    household = models.ForeignKey("core.Household", on_delete=models.PROTECT, related_name="service_needs")
    person = models.ForeignKey("core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    item = models.ForeignKey("services.ServiceItem", on_delete=models.PROTECT, related_name="needs")
    level = models.CharField("需求等级", max_length=8, choices=NeedLevel.choices)
    priority = models.CharField("优先类别", max_length=16, choices=Priority.choices, default=Priority.OTHER)
    status = models.CharField("状态", max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="所在社区")
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    weekdays = models.PositiveSmallIntegerField("可上门日", default=ALL_WEEKDAYS)
    opened_at = models.DateTimeField("登记时间", default=timezone.now)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    close_reason = models.CharField("结束原因", max_length=128, blank=True)

    class Meta:
        ordering = ["-opened_at", "id"]
        verbose_name = "服务需求"
        indexes = [models.Index(fields=["status", "item"]), models.Index(fields=["area", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "item"],
                condition=models.Q(status__in=["open", "referred", "in_service"]),
                name="one_live_need_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}:{self.item_id}"
