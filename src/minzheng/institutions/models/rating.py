"""Star rating (等级评定, GB/T 37276): the versioned standard as data, applications and the decisions.

A standard version lists its parts with their maximum points (summing to 1000) and its levels, each with a
minimum total and a minimum for every part. Each value carries its status (official / assumed) so that a value
the research could not confirm is shown as such wherever it is used. A version in use is never edited: a change
is a new version from a date, and a rating keeps the version it was decided under.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from minzheng.institutions.choices import RatingState, ValueStatus


class ImmutableError(RuntimeError):
    pass


class RatingStandard(models.Model):
    code = models.CharField("标准编号", max_length=32)
    version = models.PositiveSmallIntegerField("版本")
    title = models.CharField("名称", max_length=128)
    valid_from = models.DateField("施行日期")
    valid_to = models.DateField("停止日期", null=True, blank=True)
    validity_years = models.PositiveSmallIntegerField("评定结果有效期（年）", default=3)
    validity_status = models.CharField("有效期来源", max_length=16, choices=ValueStatus.choices,
                                       default=ValueStatus.ASSUMED)
    reference = models.TextField("依据", blank=True)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = "评定标准"
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="rating_standard_version_unique")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class RatingPart(models.Model):
    standard = models.ForeignKey(RatingStandard, on_delete=models.PROTECT, related_name="parts")
    code = models.CharField("分项代码", max_length=32)
    name = models.CharField("分项", max_length=32)
    max_points = models.DecimalField("满分", max_digits=6, decimal_places=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["standard_id", "order", "id"]
        verbose_name = "评定分项"
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="rating_part_code_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}分）"


class RatingLevel(models.Model):
    standard = models.ForeignKey(RatingStandard, on_delete=models.PROTECT, related_name="levels")
    stars = models.PositiveSmallIntegerField("等级（星）")
    name = models.CharField("等级名称", max_length=16)
    min_total = models.DecimalField("总分不低于", max_digits=6, decimal_places=1)
    status = models.CharField("来源", max_length=16, choices=ValueStatus.choices, default=ValueStatus.OFFICIAL)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["standard_id", "stars"]
        verbose_name = "评定等级"
        constraints = [
            models.UniqueConstraint(fields=["standard", "stars"], name="rating_level_stars_unique"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="rating_level_stars_1_5"),
        ]

    def __str__(self) -> str:
        return self.name


class RatingPartMinimum(models.Model):
    level = models.ForeignKey(RatingLevel, on_delete=models.PROTECT, related_name="minimums")
    part = models.ForeignKey(RatingPart, on_delete=models.PROTECT, related_name="+")
    min_points = models.DecimalField("分项不低于", max_digits=6, decimal_places=1)
    status = models.CharField("来源", max_length=16, choices=ValueStatus.choices, default=ValueStatus.OFFICIAL)

    class Meta:
        ordering = ["level_id", "part__order"]
        verbose_name = "分项最低分"
        constraints = [models.UniqueConstraint(fields=["level", "part"], name="rating_part_minimum_unique")]

    def __str__(self) -> str:
        return f"{self.level_id}/{self.part_id} ≥ {self.min_points}"


class RatingApplication(models.Model):
    """A request to rate one institution under the standard in force on the day it was made."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="rating_applications")
    standard = models.ForeignKey(RatingStandard, on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=16, choices=RatingState.choices, default=RatingState.APPLIED)
    requested_stars = models.PositiveSmallIntegerField("申请等级", null=True, blank=True)
    applied_on = models.DateField("申请日期")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = "等级评定申请"

    def __str__(self) -> str:
        return f"{self.institution_id} {self.applied_on}"


class Rating(models.Model):
    """The decision on an application: the scores, the level (or none) and the rule that decided it.

    Never edited; a later rating supersedes it from its own ``valid_from``.
    """

    application = models.OneToOneField(RatingApplication, on_delete=models.PROTECT, related_name="rating")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="ratings")
    standard = models.ForeignKey(RatingStandard, on_delete=models.PROTECT, related_name="+")
    stars = models.PositiveSmallIntegerField("评定等级", null=True, blank=True)
    total = models.DecimalField("总分", max_digits=6, decimal_places=1)
    rule = models.CharField("决定规则", max_length=255)
    explanation = models.JSONField("逐级判定", default=list)
    veto_reason = models.TextField("单项否决理由", blank=True)
    assessors = models.CharField("评定人员", max_length=255)
    assessed_on = models.DateField("评定日期")
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_to = models.DateField("有效期至（不含）", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("决定时间")

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = "等级评定结果"
        constraints = [
            models.CheckConstraint(condition=models.Q(stars__isnull=True) | models.Q(stars__gte=1, stars__lte=5),
                                   name="rating_stars_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.stars or 0}★ {self.assessed_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("a rating decision is never edited")
        super().save(*args, **kwargs)


class RatingScore(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="scores")
    part = models.ForeignKey(RatingPart, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField("得分", max_digits=6, decimal_places=1)

    class Meta:
        ordering = ["rating_id", "part__order"]
        verbose_name = "分项得分"
        constraints = [models.UniqueConstraint(fields=["rating", "part"], name="rating_score_unique")]

    def __str__(self) -> str:
        return f"{self.part_id}: {self.points}"


class RatingItemScore(models.Model):
    """A detailed item's score, when the assessors give them (the part's score is then their sum)."""

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="item_scores")
    part = models.ForeignKey(RatingPart, on_delete=models.PROTECT, related_name="+")
    code = models.CharField("细项编号", max_length=32)
    label = models.CharField("细项", max_length=255, blank=True)
    points = models.DecimalField("得分", max_digits=6, decimal_places=1)
    max_points = models.DecimalField("满分", max_digits=6, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["rating_id", "part__order", "id"]
        verbose_name = "细项得分"
        constraints = [models.UniqueConstraint(fields=["rating", "part", "code"], name="rating_item_unique")]

    def __str__(self) -> str:
        return f"{self.code}: {self.points}"
