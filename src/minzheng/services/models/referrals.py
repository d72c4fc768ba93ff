"""Match runs and their decisions, referrals (转介) with their events, service records and feedback."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from minzheng.services.choices import DeclineReason, ReferralStatus, RunStatus


class MatchRun(models.Model):
    """One matching of the open needs under ``scope`` (idempotent by ``key``)."""

    key = models.CharField("运行键", max_length=64, unique=True)
    status = models.CharField("状态", max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    scope = models.ForeignKey("core.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    stats = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "匹配运行"

    def __str__(self) -> str:
        return self.key


class Match(models.Model):
    """A decision of a run for one need: the offering (or none: unserved) and why."""

    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="matches")
    need = models.ForeignKey("services.Need", on_delete=models.PROTECT, related_name="matches")
    offering = models.ForeignKey(
        "services.Offering", null=True, blank=True, on_delete=models.PROTECT, related_name="matches"
    )
    cost = models.BigIntegerField("成本", default=0)
    explanation = models.JSONField("匹配理由", default=dict)

    class Meta:
        ordering = ["run_id", "id"]
        verbose_name = "匹配结果"
        constraints = [models.UniqueConstraint(fields=["run", "need"], name="one_match_per_need_and_run")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.need_id}→{self.offering_id}"


class Referral(models.Model):
    need = models.ForeignKey("services.Need", on_delete=models.PROTECT, related_name="referrals")
    offering = models.ForeignKey("services.Offering", on_delete=models.PROTECT, related_name="referrals")
    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField("状态", max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.PENDING)
    created_at = models.DateTimeField("转介时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    respond_by = models.DateTimeField("接收期限")
    responded_at = models.DateTimeField("答复时间", null=True, blank=True)
    decline_reason = models.CharField("拒绝原因", max_length=16, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField("拒绝说明", blank=True)
    worker_name = models.CharField("上门人员", max_length=64, blank=True)
    worker_phone = models.CharField("上门人员电话", max_length=20, blank=True)
    planned_at = models.DateTimeField("预约上门时间", null=True, blank=True)
    first_visit_by = models.DateTimeField("首次上门期限", null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField("督办级别", default=0)
    escalated_at = models.DateTimeField("督办时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "转介单"
        indexes = [models.Index(fields=["status", "respond_by"])]
        constraints = [
            models.UniqueConstraint(
                fields=["need"],
                condition=models.Q(status__in=["pending", "accepted", "in_service"]),
                name="one_live_referral_per_need",
            ),
        ]

    def __str__(self) -> str:
        return f"转介单 {self.pk}"


class ReferralEvent(models.Model):
    """A move of a referral (never edited): from, to, who, when, why."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["referral_id", "at", "id"]
        verbose_name = "转介记录"

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status}→{self.to_status}"


def photo_path(instance: ServicePhoto, filename: str) -> str:
    """Random names under a dated folder: the original file name may carry personal data."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"services/visits/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class ServiceRecord(models.Model):
    """One visit: when, how long, who, check-in, what was done, and the beneficiary's confirmation."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="records")
    worker_name = models.CharField("服务人员", max_length=64)
    started_at = models.DateTimeField("服务开始时间")
    duration_minutes = models.PositiveIntegerField("服务时长（分钟）")
    checkin_at = models.DateTimeField("签到时间")
    checkin_lat = models.FloatField("签到纬度", null=True, blank=True)
    checkin_lng = models.FloatField("签到经度", null=True, blank=True)
    content = models.TextField("服务内容")
    beneficiary_confirmed = models.BooleanField("服务对象确认", default=False)
    confirmed_by = models.CharField("确认人", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "服务记录"

    def __str__(self) -> str:
        return f"{self.referral_id} {self.started_at:%Y-%m-%d %H:%M}"


class ServicePhoto(models.Model):
    record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="photos")
    uploaded_at = models.DateTimeField()
    image = models.FileField("照片", upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["record_id", "id"]
        verbose_name = "服务照片"

    def __str__(self) -> str:
        return self.image.name


class Feedback(models.Model):
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="feedback")
    satisfaction = models.PositiveSmallIntegerField("满意度")
    comment = models.TextField("意见", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = "满意度评价"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__gte=1, satisfaction__lte=5), name="feedback_satisfaction_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.satisfaction}"
