"""An application (申请) and its procedure: steps, decisions, 一事一议 proposals and public notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models

from minzheng.assistance.choices import OPEN_STATES, AppAction, AppState, Channel, DecisionKind, Outcome


class AppendOnly(models.Model):
    """A row that is written once and never edited or deleted (decisions, steps, notices)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError(f"{self._meta.label} rows are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError(f"{self._meta.label} rows are never deleted")


def authorisation_path(instance: Application, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"assistance/authorisations/{dt.date.today():%Y/%m}/{instance.number or 'new'}.{suffix}"


class Application(models.Model):
    """One household's application for the low-income categories, moved by ``workflow.APPLICATION_FLOW``.

    ``area`` is the community of the household when the application was made: every scoped read filters
    on it. ``due_date`` is 30 working days from acceptance (45 after an extension); ``calendar_complete``
    is false when the working-day calendar did not cover the years counted (the date is an estimate).
    """

    number = models.CharField("申请编号", max_length=24, unique=True, null=True, blank=True)
    household = models.ForeignKey("core.Household", on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="applications",
                                  verbose_name="申请人")
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="所在社区")
    programmes = models.JSONField("申请事项", default=list)
    channel = models.CharField("申请方式", max_length=16, choices=Channel.choices)
    reason = models.TextField("申请理由", blank=True)
    state = models.CharField("状态", max_length=20, choices=AppState.choices, default=AppState.SUBMITTED)
    submitted_on = models.DateField("申请日期")
    # 家庭经济状况核对授权书: an uploaded scan, or a signature recorded by the caseworker.
    authorisation_signed = models.BooleanField("已签署核对授权书", default=False)
    authorisation_date = models.DateField("授权日期", null=True, blank=True)
    authorisation_file = models.FileField("授权书扫描件", upload_to=authorisation_path, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    base_due_date = models.DateField("法定办结日期（30个工作日）", null=True, blank=True)
    due_date = models.DateField("办结期限", null=True, blank=True)
    calendar_complete = models.BooleanField("工作日日历完整", default=True)
    extended_on = models.DateField("延期日期", null=True, blank=True)
    extension_reason = models.TextField("延期原因", blank=True)
    overdue_since = models.DateField("逾期标记日期", null=True, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    rejection_notify_due = models.DateField("书面告知期限", null=True, blank=True)
    rejection_notified_on = models.DateField("书面告知日期", null=True, blank=True)
    review_months = models.PositiveSmallIntegerField("核查周期（月）", null=True, blank=True)
    irregular_income = models.BooleanField("收入来源不固定", default=False)
    last_step_on = models.DateField("最近办理日期")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = "救助申请"
        indexes = [models.Index(fields=["area", "state"]), models.Index(fields=["state", "due_date"])]

    def __str__(self) -> str:
        return self.number or f"application {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def overdue_on(self, day: dt.date) -> bool:
        """Past the procedure deadline while still open, or a rejection not yet notified in time."""
        if self.is_open and self.due_date is not None:
            return day > self.due_date
        if self.state == AppState.REJECTED and self.rejection_notify_due is not None:
            return day > self.rejection_notify_due
        return False


class ApplicationStep(AppendOnly):
    """One move of the transition table: the history shown on the case and to the resident (by date)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField("办理事项", max_length=32)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    on = models.DateField("办理日期")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "at", "id"]
        verbose_name = "办理步骤"

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.on}"

    @property
    def action_label(self) -> str:
        return AppAction(self.action).label if self.action in AppAction.values else self.action


class ExceptionCase(AppendOnly):
    """一事一议: the street's proposal to a committee for a case the ordinary rules do not cover."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="exceptions")
    circumstances = models.TextField("特殊困难情形")
    requested_programme = models.CharField("拟给予的救助", max_length=32)
    requested_person = models.ForeignKey("core.Person", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name="特困对象（按人认定时）")
    requested_amount = models.DecimalField("拟给予金额（元/月）", max_digits=12, decimal_places=2)
    requested_months = models.PositiveSmallIntegerField("拟给予期限（月）")
    proposed_on = models.DateField("提请日期")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-proposed_on", "-id"]
        verbose_name = "一事一议"

    def __str__(self) -> str:
        return f"一事一议 {self.application_id} {self.proposed_on}"


class Decision(AppendOnly):
    """A decision on an application, written once: who, when, the outcome and the written reasons.

    For 一事一议 it carries the committee's members and the exception's scope (programme, person, amount)
    and duration (months from the first month paid).
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField("决定类型", max_length=16, choices=DecisionKind.choices)
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    reasons = models.TextField("理由", blank=True)
    decided_on = models.DateField("决定日期")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exception = models.ForeignKey(ExceptionCase, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="decisions")
    committee_members = models.JSONField("参会人员", default=list, blank=True)
    programme = models.CharField("救助项目", max_length=32, blank=True)
    person = models.ForeignKey("core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额（元/月）", max_digits=12, decimal_places=2, null=True, blank=True)
    months = models.PositiveSmallIntegerField("期限（月）", null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "at", "id"]
        verbose_name = "审核审批决定"

    def __str__(self) -> str:
        return f"{self.kind} {self.outcome} {self.decided_on}"


class PublicNotice(AppendOnly):
    """公示: only the allowed fields are stored, so nothing else can be printed.

    ``entries`` is a list of ``{"name", "people", "amount"}``; minors in 特困 are never in it.
    ``displayed`` is false when nothing may be shown (only minors in 特困).
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notices")
    issuer = models.CharField("公示单位", max_length=64)
    notice_date = models.DateField("公示日期")
    start_date = models.DateField("公示开始")
    end_date = models.DateField("公示结束（含）")
    complaint_phone = models.CharField("监督举报电话", max_length=32)
    entries = models.JSONField("公示对象", default=list)
    displayed = models.BooleanField("张贴公示", default=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "公示"

    def __str__(self) -> str:
        return f"公示 {self.application_id} {self.start_date}"
