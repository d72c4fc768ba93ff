"""Reconciliation: the bank's return file (回盘) marks each line paid or failed (wrong account, closed
account, other); a failed line is reissued (to the beneficiary's account as now recorded, in a new batch
of the same payroll) or held. Each move of a line is a :class:`LineEvent`; each call is audited.

Return file: CSV (UTF-8, with or without BOM, or GBK) or Excel, with a header row holding at least
``业务参考号`` and ``处理结果`` (成功/失败), and optionally ``收款账号``, ``金额``, ``失败原因``. A line whose
amount or account's last four digits differ is not applied (``mismatch``); the same file twice is
refused; a result already recorded is ``duplicate``; a contrary one ``conflict`` (never applied).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from openpyxl import load_workbook

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange, NotFound
from minzheng.core.masking import mask_account
from minzheng.payments.actions._common import district_code
from minzheng.payments.actions.bank import _payee, current_accounts
from minzheng.payments.choices import FailureReason, LineAction, LineState, ReturnOutcome
from minzheng.payments.models import BankReturn, BankReturnLine, Disbursement, DisbursementLine, LineEvent
from minzheng.payments.workflow import authorise, transition

COLUMNS = {"业务参考号": "reference", "收款账号": "account", "金额": "amount", "处理结果": "result",
           "失败原因": "reason"}
PAID_WORDS = {"成功", "success", "s", "paid", "已入账"}
FAILED_WORDS = {"失败", "failed", "fail", "f"}


@dataclass
class ReturnRow:
    row_no: int
    reference: str
    account: str
    amount: Decimal | None
    paid: bool
    reason: str
    reason_text: str


def failure_reason(text: str) -> str:
    if "销户" in text or "closed" in text.lower():
        return FailureReason.CLOSED_ACCOUNT
    if any(word in text for word in ("账号", "户名", "不符", "不存在")) or "account" in text.lower():
        return FailureReason.WRONG_ACCOUNT
    return FailureReason.OTHER


def _records(content: bytes, file_name: str) -> list[dict[str, str]]:
    if file_name.lower().endswith(".xlsx"):
        ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        rows = [["" if v is None else str(v).strip() for v in r] for r in ws.iter_rows(values_only=True)]
    else:
        for encoding in ("utf-8-sig", "gbk"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidChange("无法识别回盘文件的编码（应为 UTF-8 或 GBK）")
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    if not rows:
        raise InvalidChange("回盘文件为空")
    header = [COLUMNS.get(h, "") for h in rows[0]]
    if "reference" not in header or "result" not in header:
        raise InvalidChange("回盘文件须包含“业务参考号”和“处理结果”两列")
    return [{name: value for name, value in zip(header, r, strict=False) if name} for r in rows[1:] if any(r)]


def parse_return(content: bytes, file_name: str) -> list[ReturnRow]:
    out = []
    for n, rec in enumerate(_records(content, file_name), start=2):
        result = rec.get("result", "").strip().lower()
        if result not in PAID_WORDS and result not in FAILED_WORDS:
            raise InvalidChange(f"第 {n} 行：处理结果“{rec.get('result', '')}”应为 成功 或 失败")
        try:
            amount = Decimal(rec["amount"].replace(",", "")) if rec.get("amount") else None
        except InvalidOperation:
            raise InvalidChange(f"第 {n} 行：金额“{rec['amount']}”无法识别") from None
        paid = result in PAID_WORDS
        text = rec.get("reason", "")
        out.append(ReturnRow(n, rec.get("reference", "").strip(), rec.get("account", "").strip(), amount, paid,
                             "" if paid else failure_reason(text), text[:255]))
    return out


def _move(line: DisbursementLine, action: str, *, user: Any, note: str = "",
          bank_return: BankReturn | None = None) -> DisbursementLine:
    row = transition("line", line.state, action)
    before = line.state
    line.state = row.target
    line.save()
    LineEvent.objects.create(line=line, action=action, from_state=before, to_state=row.target, note=note[:255],
                             bank_return=bank_return, actor=user if getattr(user, "is_authenticated", False) else None)
    return line


@transaction.atomic
def import_bank_return(disbursement: Disbursement, *, user: Any, file_name: str, content: bytes) -> BankReturn:
    """Apply the bank's return file to the lines of ``disbursement`` (see the module docstring)."""
    disbursement = Disbursement.objects.select_related("payroll").get(pk=disbursement.pk)
    payroll = disbursement.payroll
    authorise(user, "line", LineState.SENT, LineAction.BANK_PAID, payroll.district)
    digest = hashlib.sha256(content).hexdigest()
    if BankReturn.objects.filter(disbursement=disbursement, sha256=digest).exists():
        raise InvalidChange("该回盘文件已导入")
    rows = parse_return(content, file_name)
    bank_return = BankReturn.objects.create(disbursement=disbursement, file_name=file_name[:255], sha256=digest,
                                            uploaded_by=user)
    lines = {line.reference: line for line in DisbursementLine.objects.select_for_update(of=("self",)).filter(
        disbursement=disbursement).select_related("account")}
    counts = {outcome.value: 0 for outcome in ReturnOutcome} | {"paid": 0, "failed": 0}
    out = []
    for r in rows:
        line = lines.get(r.reference)
        outcome = _outcome(line, r)
        if outcome == ReturnOutcome.APPLIED and line is not None:
            if r.paid:
                _move(line, LineAction.BANK_PAID, user=user, bank_return=bank_return, note="银行回盘：成功")
            else:
                line.failure_reason, line.failure_text = r.reason, r.reason_text
                _move(line, LineAction.BANK_FAILED, user=user, bank_return=bank_return,
                      note=f"银行回盘：{FailureReason(r.reason).label}（{r.reason_text}）")
            counts["paid" if r.paid else "failed"] += 1
        counts[outcome] += 1
        out.append(BankReturnLine(bank_return=bank_return, row_no=r.row_no, reference=r.reference[:64],
                                  account_masked=mask_account(r.account)[:40], amount=r.amount, paid=r.paid,
                                  reason=r.reason, reason_text=r.reason_text, line=line, outcome=outcome))
    BankReturnLine.objects.bulk_create(out)
    bank_return.counts = counts
    BankReturn.objects.filter(pk=bank_return.pk).update(counts=counts)
    record(user, AuditAction.IMPORT, bank_return, area_code=district_code(payroll.district),
           summary=f"导入银行回盘 {file_name}：成功 {counts['paid']}，失败 {counts['failed']}", after=counts)
    return bank_return


def _outcome(line: DisbursementLine | None, r: ReturnRow) -> str:
    if line is None:
        return ReturnOutcome.UNKNOWN
    masked = line.account.account_masked if line.account else ""  # its last four digits; nothing decrypted
    if (r.amount is not None and r.amount != line.amount) or (r.account and r.account[-4:] != masked[-4:]):
        return ReturnOutcome.MISMATCH
    if line.state == LineState.SENT:
        return ReturnOutcome.APPLIED
    if (line.state == LineState.PAID) == r.paid and line.state in (LineState.PAID, LineState.FAILED):
        return ReturnOutcome.DUPLICATE
    return ReturnOutcome.CONFLICT


def _lines_for(user: Any, lines: Iterable[DisbursementLine], action: str) -> list[DisbursementLine]:
    locked = list(DisbursementLine.objects.select_for_update(of=("self",)).filter(pk__in=[line.pk for line in lines])
                  .select_related("disbursement__payroll", "account").order_by("id"))
    if not locked:
        raise NotFound("未找到该代发明细")
    for line in locked:
        authorise(user, "line", line.state, action, line.disbursement.payroll.district)
    return locked


@transaction.atomic
def reissue_lines(lines: Iterable[DisbursementLine], *, user: Any, note: str = "") -> Disbursement:
    """Send failed (or held) lines again, in a new batch of their payroll, to each beneficiary's account
    as recorded now; a wrong or closed account must have been replaced first."""
    locked = _lines_for(user, lines, LineAction.REISSUE)
    payrolls = {line.disbursement.payroll_id for line in locked}
    if len(payrolls) != 1:
        raise InvalidChange("一次只能重新发放同一工资单的明细")
    payroll = locked[0].disbursement.payroll
    accounts = current_accounts({line.household_id for line in locked if line.household_id},
                                {line.beneficiary_id for line in locked if line.beneficiary_type == "p"})
    plans = []
    for line in locked:
        account, payee = _payee(line.beneficiary_type, line.beneficiary_id, line.household_id, accounts,
                                {(line.beneficiary_type, line.beneficiary_id): line.payee_name})
        if account is None:
            raise InvalidChange(f"{line.reference}：未登记银行账户，请先登记")
        if line.account_id == account.pk and line.failure_reason in (FailureReason.WRONG_ACCOUNT,
                                                                     FailureReason.CLOSED_ACCOUNT):
            raise InvalidChange(f"{line.reference}：原账户{line.get_failure_reason_display()}，请先登记新的银行账户")
        plans.append((line, account, payee))
    sequence = (payroll.disbursements.aggregate(n=Max("sequence"))["n"] or 0) + 1
    batch = Disbursement.objects.create(payroll=payroll, sequence=sequence, line_count=len(plans),
                                        total=sum((line.amount for line, _, _ in plans), Decimal(0)), created_by=user)
    for n, (line, account, payee) in enumerate(plans, start=1):
        DisbursementLine.objects.create(
            disbursement=batch, reference=f"MZ{payroll.month:%Y%m}{payroll.district}{sequence:02d}{n:06d}",
            beneficiary_type=line.beneficiary_type, beneficiary_id=line.beneficiary_id, household_id=line.household_id,
            person_id=line.person_id, area_code=line.area_code, payee_name=payee, account=account, amount=line.amount,
            reissue_of=line,
        )
        _move(line, LineAction.REISSUE, user=user, note=note or f"重新发放至 {account.masked}（第 {sequence} 批）")
    record(user, AuditAction.CREATE, batch, area_code=district_code(payroll.district),
           summary=f"重新发放 {len(plans)} 笔（第 {sequence} 批），{batch.total} 元", reason=note,
           after={"lines": [line.reference for line, _, _ in plans]})
    return batch


@transaction.atomic
def hold_line(line: DisbursementLine, *, user: Any, reason: str) -> DisbursementLine:
    """暂停发放 a failed line (the money stays owed; reissue it later)."""
    if not (reason or "").strip():
        raise InvalidChange("请填写暂停原因")
    (locked,) = _lines_for(user, [line], LineAction.HOLD)
    _move(locked, LineAction.HOLD, user=user, note=reason.strip())
    record(user, AuditAction.UPDATE, locked, area_code=locked.area_code, summary=f"暂停发放 {locked.reference}",
           before={"state": LineState.FAILED}, after={"state": LineState.HELD}, reason=reason.strip())
    return locked
