"""Overpayments found after the money left (a death reported months late, an exit decided late): the
amount to get back, moved by ``workflow.RECOVERY_FLOW``; each step is a :class:`RecoveryEvent`."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from minzheng.payments.choices import Beneficiary, RecoveryState
from minzheng.payments.models.basis import AppendOnly


class Recovery(models.Model):
    """应追回资金: ``months`` (``YYYY-MM``) and ``amount`` (positive, the sum of its recovery entries)."""

    beneficiary_type = models.CharField(max_length=1, choices=Beneficiary.choices)
    beneficiary_id = models.BigIntegerField()
    household = models.ForeignKey("core.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    person = models.ForeignKey("core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    district = models.CharField(max_length=6)
    area_code = models.CharField(max_length=12)
    payroll = models.ForeignKey("payments.Payroll", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="recoveries", verbose_name="发现于工资单")
    programmes = models.JSONField("项目", default=list)
    months = models.JSONField("月份", default=list)
    amount = models.DecimalField("应追回（元）", max_digits=14, decimal_places=2)
    repaid = models.DecimalField("已退还（元）", max_digits=14, decimal_places=2, default=Decimal(0))
    state = models.CharField("状态", max_length=16, choices=RecoveryState.choices, default=RecoveryState.FOUND)
    reason = models.TextField("原因")
    found_on = models.DateField("发现日期")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = "应追回资金"
        indexes = [models.Index(fields=["area_code", "state"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(condition=models.Q(repaid__gte=0) & models.Q(repaid__lte=models.F("amount")),
                                   name="recovery_repaid_within_amount"),
        ]

    def __str__(self) -> str:
        return f"追回 {self.beneficiary_type}{self.beneficiary_id} {self.amount}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.repaid


class RecoveryEvent(AppendOnly):
    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    on = models.DateField()
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recovery_id", "at", "id"]
        verbose_name = "追回记录"

    def __str__(self) -> str:
        return f"{self.recovery_id} {self.action}"
