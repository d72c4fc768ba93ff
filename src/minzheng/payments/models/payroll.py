"""The monthly payroll of a district (moved by ``workflow.PAYROLL_FLOW``) and its steps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from minzheng.payments.choices import PayrollState
from minzheng.payments.models.basis import AppendOnly


class Payroll(models.Model):
    """One district's payroll for one month: prepared → checked → approved → released.

    ``run_key`` (``YYYY-MM:district``) is unique: two runs for the same month and district cannot both
    create one. ``totals`` holds the figures by programme and kind as last computed; every step keeps a
    copy in its :class:`PayrollStep`. ``progress``/``run_token``/``heartbeat_at`` belong to the run that
    is computing it (draft) and let a crashed run be taken over.
    """

    month = models.DateField("发放月份")
    district = models.CharField("区县代码", max_length=6)
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+", verbose_name="区县")
    run_key = models.CharField(max_length=32, unique=True)
    state = models.CharField("状态", max_length=16, choices=PayrollState.choices, default=PayrollState.DRAFT)
    totals = models.JSONField("合计", default=dict)
    entries_count = models.PositiveIntegerField("明细条数", default=0)
    exceptions = models.JSONField("需关注", default=list, blank=True)
    window = models.JSONField("核对的月份及参数版本", default=dict, blank=True)
    rule_version = models.ForeignKey("payments.RuleVersion", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    progress_note = models.CharField(max_length=255, blank=True)
    run_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="编制人")
    prepared_at = models.DateTimeField("编制时间", null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="复核人")
    checked_at = models.DateTimeField("复核时间", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="审批人")
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="发放人")
    released_at = models.DateTimeField("发放时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "district"]
        verbose_name = "发放工资单"
        indexes = [models.Index(fields=["district", "month"])]
        constraints = [
            # Maker-checker in the database too: the checker is not the preparer; the approver neither.
            models.CheckConstraint(
                condition=Q(checked_by__isnull=True) | Q(prepared_by__isnull=True) | ~Q(checked_by=F("prepared_by")),
                name="payroll_checker_is_not_preparer",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | ((Q(prepared_by__isnull=True) | ~Q(approved_by=F("prepared_by")))
                   & (Q(checked_by__isnull=True) | ~Q(approved_by=F("checked_by")))),
                name="payroll_approver_is_not_maker_or_checker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.district}"

    @property
    def month_text(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def total(self) -> str:
        return str(self.totals.get("net", "0"))


class PayrollStep(AppendOnly):
    """One move of the payroll (or a recomputation): who, when, and the totals at that moment."""

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField("操作", max_length=16)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    totals = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["payroll_id", "at", "id"]
        verbose_name = "工资单步骤"

    def __str__(self) -> str:
        return f"{self.payroll_id} {self.action}"
