"""Bank accounts, the bank payment file of a released payroll (one line per beneficiary), the bank's
return file and the state of every line (``workflow.LINE_FLOW``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minzheng.core import fieldcrypto
from minzheng.core.masking import mask_account
from minzheng.payments.choices import Beneficiary, FailureReason, LineState, ReturnOutcome
from minzheng.payments.models.basis import AppendOnly

# The purpose the account number's ciphertext is bound to (changing it makes every stored number unreadable).
ACCOUNT_PURPOSE = "payments.BankAccount.account_no"


class BankAccount(AppendOnly):
    """A payee account of a household or a person; a new account is a new row (the latest one is used).

    The number is stored encrypted (``account_ciphertext``, AES-256-GCM, :mod:`minzheng.core.fieldcrypto`)
    beside its masked form (``account_masked``: what every page shows, and its last four digits are what
    reconciliation compares), so lists never decrypt. Only the bank payment file carries the number
    whole (:meth:`account_number`; each download of that file is audited)."""

    household = models.ForeignKey("core.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    person = models.ForeignKey("core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    holder_name = models.CharField("户名", max_length=64)
    bank_name = models.CharField("开户银行", max_length=64)
    account_ciphertext = models.CharField("账号（密文）", max_length=255, editable=False)
    account_masked = models.CharField("账号（脱敏）", max_length=34, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "银行账户"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household__isnull=False, person__isnull=True)
                | models.Q(household__isnull=True, person__isnull=False),
                name="bank_account_household_or_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.masked}"

    @property
    def masked(self) -> str:
        return self.account_masked

    def set_account_number(self, number: str) -> None:
        """Encrypt ``number`` with the current key and keep its masked form (before the row is created)."""
        self.account_ciphertext = fieldcrypto.encrypt(number, purpose=ACCOUNT_PURPOSE)
        self.account_masked = mask_account(number)

    def account_number(self) -> str:
        """The whole number, decrypted: for the bank payment file only. Raises
        :class:`~minzheng.core.fieldcrypto.DecryptionError` rather than return anything else."""
        return fieldcrypto.decrypt(self.account_ciphertext, purpose=ACCOUNT_PURPOSE)

    account_number.alters_data = True  # type: ignore[attr-defined]  # a template never calls it


class Disbursement(AppendOnly):
    """A bank payment file of a payroll: sequence 1 is the payroll's, later ones carry re-issued lines."""

    payroll = models.ForeignKey("payments.Payroll", on_delete=models.PROTECT, related_name="disbursements")
    sequence = models.PositiveSmallIntegerField("批次")
    line_count = models.PositiveIntegerField("笔数")
    total = models.DecimalField("金额（元）", max_digits=16, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["payroll_id", "sequence"]
        verbose_name = "代发批次"
        constraints = [models.UniqueConstraint(fields=["payroll", "sequence"], name="one_disbursement_sequence")]

    def __str__(self) -> str:
        return f"{self.payroll} #{self.sequence}"

    @property
    def file_stem(self) -> str:
        return f"代发_{self.payroll.district}_{self.payroll.month:%Y%m}_{self.sequence:02d}"


class DisbursementLine(models.Model):
    """One beneficiary's money in a bank file; ``reference`` is the 业务参考号 the bank returns."""

    disbursement = models.ForeignKey(Disbursement, on_delete=models.PROTECT, related_name="lines")
    reference = models.CharField("业务参考号", max_length=32, unique=True)
    beneficiary_type = models.CharField(max_length=1, choices=Beneficiary.choices)
    beneficiary_id = models.BigIntegerField()
    household = models.ForeignKey("core.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    person = models.ForeignKey("core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(max_length=12)
    payee_name = models.CharField("收款人", max_length=64)
    account = models.ForeignKey(BankAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    state = models.CharField("状态", max_length=16, choices=LineState.choices, default=LineState.SENT)
    failure_reason = models.CharField("失败原因", max_length=16, choices=FailureReason.choices, blank=True)
    failure_text = models.CharField("银行说明", max_length=255, blank=True)
    reissue_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["disbursement_id", "id"]
        verbose_name = "代发明细"
        indexes = [models.Index(fields=["beneficiary_type", "beneficiary_id"]),
                   models.Index(fields=["area_code", "state"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="line_amount_positive"),
            models.UniqueConstraint(fields=["reissue_of"], condition=models.Q(reissue_of__isnull=False),
                                    name="one_reissue_per_line"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def account_masked(self) -> str:
        return self.account.masked if self.account is not None else ""


class LineEvent(AppendOnly):
    """Every state a line went through (sent, the bank's answer, reissue, hold), never edited."""

    line = models.ForeignKey(DisbursementLine, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    note = models.CharField(max_length=255, blank=True)
    bank_return = models.ForeignKey("payments.BankReturn", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["line_id", "at", "id"]
        verbose_name = "代发明细记录"

    def __str__(self) -> str:
        return f"{self.line_id} {self.action}"


class BankReturn(AppendOnly):
    """The bank's return file for a disbursement (回盘文件): kept as parsed lines with masked accounts."""

    disbursement = models.ForeignKey(Disbursement, on_delete=models.PROTECT, related_name="returns")
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField(max_length=64)
    counts = models.JSONField("对账结果", default=dict)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "银行回盘"
        constraints = [models.UniqueConstraint(fields=["disbursement", "sha256"], name="one_import_per_file")]

    def __str__(self) -> str:
        return self.file_name


class BankReturnLine(AppendOnly):
    bank_return = models.ForeignKey(BankReturn, on_delete=models.PROTECT, related_name="lines")
    row_no = models.PositiveIntegerField("行号")
    reference = models.CharField("业务参考号", max_length=64)
    account_masked = models.CharField("账号（脱敏）", max_length=40, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    paid = models.BooleanField("成功")
    reason = models.CharField(max_length=16, choices=FailureReason.choices, blank=True)
    reason_text = models.CharField(max_length=255, blank=True)
    line = models.ForeignKey(DisbursementLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("对账", max_length=16, choices=ReturnOutcome.choices)

    class Meta:
        ordering = ["bank_return_id", "row_no"]
        verbose_name = "回盘明细"

    def __str__(self) -> str:
        return f"{self.bank_return_id}:{self.row_no}"
