"""The needs-assessment instrument (需求评估指标体系): versions with dated validity, items with weights."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from minzheng.services.choices import Derivation, Dimension, VersionStatus


class Instrument(models.Model):
    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=128)
    description = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "评估工具"

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    """One version of an instrument, valid over ``[valid_from, valid_to)``. Items and weights of an active or
    retired version are never edited: a change is a new version (an assessment keeps pointing at the
    version it was scored with)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    # {"economy": "1.5", ...}: relative weight of each dimension in the total score.
    dimension_weights = models.JSONField("维度权重", default=dict)
    # {"high": "60", "medium": "35", "low": "15"}: lowest total score (0–100) of each need level.
    thresholds = models.JSONField("等级阈值", default=dict)
    note = models.TextField("版本说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instrument_id", "-version"]
        verbose_name = "评估工具版本"
        constraints = [
            models.UniqueConstraint(fields=["instrument", "version"], name="instrument_version_unique"),
            models.UniqueConstraint(
                fields=["instrument"], condition=models.Q(status="active"), name="one_active_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name} v{self.version}"


class InstrumentItem(models.Model):
    """One indicator: a question with scored options, a weight inside its dimension, an optional
    derivation from held data, and rules that turn a high enough score into need tags (service items)."""

    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="items")
    code = models.CharField("指标代码", max_length=32)
    dimension = models.CharField("维度", max_length=16, choices=Dimension.choices)
    question = models.CharField("指标", max_length=255)
    help_text = models.CharField("说明", max_length=255, blank=True)
    # [{"score": 0, "label": "无"}, {"score": 1, "label": "…"}, …]
    options = models.JSONField("选项", default=list)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2, default=Decimal("1"))
    derive = models.CharField("数据预填", max_length=32, choices=Derivation.choices, blank=True)
    # [{"min": 2, "tag": "care.nursing"}]: a score ≥ min adds the tag (a service item code).
    tag_rules = models.JSONField("需求标签规则", default=list)
    red_flag = models.BooleanField("风险指标", default=False, help_text="答到最高分时需求等级直接为高")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        ordering = ["version_id", "order", "id"]
        verbose_name = "评估指标"
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="instrument_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.question}"

    @property
    def max_score(self) -> int:
        return max((int(o["score"]) for o in self.options), default=0)
