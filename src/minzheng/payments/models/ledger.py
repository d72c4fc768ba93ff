"""The append-only ledger: one row per money movement owed to a beneficiary for a benefit month.

A (beneficiary, programme, benefit month) has at most one ``payment`` (a partial unique index); what is
due later is paid as ``arrears``, what was paid and not due is a ``recovery`` (an overpayment to get
back, with its own workflow) or, before the money left, a ``reversal`` of the entry. The sum of a key's
entries is what the beneficiary has been given for that month; the payroll makes it equal to what is
due. Rows are never updated or deleted: the model refuses it and a database trigger too (migration 0002).

Speed (100,000 households a run): references to the registry (household, person, enrollment), to the basis
and parameter tables and to the user are not database foreign-key constraints (``db_constraint=False``):
their checks lock every referenced household row at commit and cost more than the whole computation. The
rows referred to are never deleted (snapshots are append-only; the ORM's PROTECT still refuses deleting a
household, person or enrollment with entries). Only the indexes the reads need are kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from minzheng.payments.choices import Beneficiary, EntryKind
from minzheng.payments.models.basis import AppendOnly


class LedgerEntry(AppendOnly):
    payroll = models.ForeignKey("payments.Payroll", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="entries")
    district = models.CharField("区县代码", max_length=6)
    area_code = models.CharField("所在社区", max_length=12)
    beneficiary_type = models.CharField("对象类型", max_length=1, choices=Beneficiary.choices)
    beneficiary_id = models.BigIntegerField("对象编号（家庭或人员）")
    household = models.ForeignKey("core.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", db_constraint=False)
    person = models.ForeignKey("core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_constraint=False, db_index=False)
    enrollment = models.ForeignKey("registry.Enrollment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", db_constraint=False, db_index=False)
    programme = models.CharField("项目", max_length=32)
    benefit_month = models.DateField("所属月份")
    posting_month = models.DateField("发放月份")
    kind = models.CharField("类型", max_length=16, choices=EntryKind.choices)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    due = models.DecimalField("本月应发（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    category = models.CharField("家庭类别", max_length=16, blank=True)
    basis = models.ForeignKey("payments.BasisSnapshot", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", db_constraint=False, db_index=False)
    rule_version = models.ForeignKey("payments.RuleVersion", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", db_constraint=False, db_index=False)
    inputs_hash = models.CharField(max_length=16, blank=True)
    key_sig = models.CharField(max_length=16, blank=True, help_text="inputs of the key that do not depend on the month")
    overrides = models.CharField("实时输入", max_length=255, blank=True)
    reversed_entry = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       db_index=False)  # the partial unique index below serves it
    recovery = models.ForeignKey("payments.Recovery", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="entries", db_index=False)
    note = models.CharField("说明", max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", db_constraint=False, db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["benefit_month", "id"]
        verbose_name = "发放明细"
        indexes = [
            models.Index(fields=["beneficiary_type", "beneficiary_id", "programme", "benefit_month"],
                         name="ledger_key"),
            models.Index(fields=["posting_month", "area_code"], name="ledger_posting_area"),
            models.Index(fields=["benefit_month"], name="ledger_benefit_month"),
            models.Index(fields=["recovery"], condition=Q(recovery__isnull=False), name="ledger_recovery"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary_type", "beneficiary_id", "programme", "benefit_month"],
                condition=Q(kind="payment"), name="one_payment_per_beneficiary_programme_month",
            ),
            models.UniqueConstraint(fields=["reversed_entry"], condition=Q(reversed_entry__isnull=False),
                                    name="one_reversal_per_entry"),
            models.CheckConstraint(
                condition=(Q(kind__in=["payment", "arrears"], amount__gt=0, reversed_entry__isnull=True)
                           | Q(kind="recovery", amount__lt=0, recovery__isnull=False, reversed_entry__isnull=True)
                           | Q(kind="reversal", reversed_entry__isnull=False)),
                name="ledger_kind_amount_sign",
            ),
            models.CheckConstraint(
                condition=Q(beneficiary_type="h", person__isnull=True) | Q(beneficiary_type="p", person__isnull=False),
                name="ledger_beneficiary_matches",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.programme} {self.benefit_month:%Y-%m} {self.amount}"

    @property
    def month_text(self) -> str:
        return f"{self.benefit_month:%Y-%m}"
