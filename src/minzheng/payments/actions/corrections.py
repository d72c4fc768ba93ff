"""Corrections: the reversal of an entry (before the money leaves) and the recovery workflow (after).

A reversal is a new entry of the opposite amount pointing at the original, which stays; an entry is
reversed at most once (a unique index). Only an entry of a payroll still being prepared can be
reversed: once checked, figures change only through the next month's payroll. What is due is decided by
the enrollments and the basis, so a reversal made without changing them is paid again by the next run
(as arrears): to stop a payment, end or suspend the enrollment.

A recovery (应追回) is found by the payroll; it is then notified to the beneficiary (or family),
repaid in one or more instalments until recovered, or written off by the district with reasons.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record, snapshot
from minzheng.core.errors import InvalidChange
from minzheng.payments.actions._common import FEN
from minzheng.payments.actions.payroll import payroll_totals
from minzheng.payments.choices import EntryKind, PayrollAction, PayrollState, RecoveryAction
from minzheng.payments.models import LedgerEntry, Payroll, PayrollStep, Recovery, RecoveryEvent
from minzheng.payments.workflow import authorise


@transaction.atomic
def reverse_entry(entry: LedgerEntry, *, user: Any, reason: str) -> LedgerEntry:
    """冲正 a payment or arrears entry of a payroll that is still prepared (not yet checked)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidChange("请填写冲正原因")
    if entry.payroll_id is None:
        raise InvalidChange("只能冲正工资单中的明细")
    payroll = Payroll.objects.select_for_update().get(pk=entry.payroll_id)
    authorise(user, "payroll", payroll.state, PayrollAction.RECOMPUTE, payroll.district)
    if payroll.run_token:
        raise InvalidChange("工资单正在编制，请稍后")
    if entry.kind not in (EntryKind.PAYMENT, EntryKind.ARREARS):
        raise InvalidChange("只能冲正发放或补发明细")
    if LedgerEntry.objects.filter(reversed_entry=entry).exists():
        raise InvalidChange("该明细已冲正")
    try:
        with transaction.atomic():
            reversal = LedgerEntry.objects.create(
                payroll=payroll, district=entry.district, area_code=entry.area_code,
                beneficiary_type=entry.beneficiary_type, beneficiary_id=entry.beneficiary_id,
                household_id=entry.household_id, person_id=entry.person_id, enrollment_id=entry.enrollment_id,
                programme=entry.programme, benefit_month=entry.benefit_month, posting_month=payroll.month,
                kind=EntryKind.REVERSAL, amount=-entry.amount, category=entry.category, basis_id=entry.basis_id,
                rule_version_id=entry.rule_version_id, reversed_entry=entry, note=reason[:255], created_by=user,
            )
    except IntegrityError:
        raise InvalidChange("该明细已冲正") from None
    payroll.totals = payroll_totals(payroll)
    payroll.entries_count = payroll.entries.count()
    payroll.save(update_fields=["totals", "entries_count", "updated_at"])
    PayrollStep.objects.create(payroll=payroll, action="reverse", from_state=PayrollState.PREPARED,
                               to_state=PayrollState.PREPARED, actor=user, totals=payroll.totals,
                               note=f"冲正明细 {entry.pk}：{reason}")
    record(user, AuditAction.CREATE, reversal, area_code=entry.area_code,
           summary=f"冲正明细 {entry.pk}（{entry.programme} {entry.benefit_month:%Y-%m} {entry.amount} 元）",
           after=snapshot(reversal, ["kind", "amount", "reversed_entry_id"]), reason=reason)
    return reversal


def _move(recovery: Recovery, action: str, *, user: Any, on: dt.date, note: str = "",
          amount: Decimal | None = None) -> Recovery:
    row = authorise(user, "recovery", recovery.state, action, recovery.district)
    before = recovery.state
    recovery.state = row.target
    recovery.save()
    RecoveryEvent.objects.create(recovery=recovery, action=action, from_state=before, to_state=row.target,
                                 amount=amount, on=on, note=note, actor=user)
    record(user, AuditAction.UPDATE, recovery, area_code=recovery.area_code,
           summary=f"{RecoveryAction(action).label} 应追回 {recovery.amount} 元",
           before={"state": before, "repaid": str(recovery.repaid - (amount or 0))},
           after={"state": row.target, "repaid": str(recovery.repaid)}, reason=note)
    return recovery


def _lock(recovery: Recovery) -> Recovery:
    return Recovery.objects.select_for_update().get(pk=recovery.pk)


@transaction.atomic
def notify_recovery(recovery: Recovery, *, user: Any, note: str, on: dt.date | None = None) -> Recovery:
    """告知: the beneficiary (or family) was told what to repay and why."""
    if not (note or "").strip():
        raise InvalidChange("请填写告知情况")
    return _move(_lock(recovery), RecoveryAction.NOTIFY, user=user, on=on or timezone.localdate(), note=note.strip())


@transaction.atomic
def record_repayment(recovery: Recovery, *, user: Any, amount: Decimal, on: dt.date | None = None,
                     note: str = "") -> Recovery:
    """登记退还: an instalment; the recovery is recovered when nothing is outstanding."""
    recovery = _lock(recovery)
    amount = Decimal(amount).quantize(FEN)
    if amount <= 0 or amount > recovery.outstanding:
        raise InvalidChange(f"退还金额须大于 0 且不超过未退还的 {recovery.outstanding} 元")
    on = on or timezone.localdate()
    recovery.repaid += amount
    _move(recovery, RecoveryAction.REPAY, user=user, on=on, note=note, amount=amount)
    if recovery.outstanding == 0:
        _move(recovery, RecoveryAction.COMPLETE, user=user, on=on, note="全部追回")
    return recovery


@transaction.atomic
def write_off_recovery(recovery: Recovery, *, user: Any, reason: str, on: dt.date | None = None) -> Recovery:
    """核销 (district only): what is outstanding will not be recovered, with the reasons."""
    if not (reason or "").strip():
        raise InvalidChange("请填写核销理由")
    return _move(_lock(recovery), RecoveryAction.WRITE_OFF, user=user, on=on or timezone.localdate(),
                 note=reason.strip())


