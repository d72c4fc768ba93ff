"""Bank accounts, the bank payment file of a released payroll, the bank's return file, and what is done
with failed lines (reissue to a corrected account, or hold).

The payment file (CSV or Excel) is the only place an account number appears whole; each download is
audited. A line is one beneficiary's payments, arrears and reversals of the payroll (recoveries are
collected through their own workflow, never deducted here). A beneficiary without a recorded account
gets a line that is failed (``no_account``) from the start: it is not sent to the bank until an account
is recorded and the line reissued.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, Sum

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.choices import Role
from minzheng.authz.scope import in_scope
from minzheng.core import fieldcrypto
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.core.models import Household, HouseholdMember, Person
from minzheng.core.shenyang import CITY
from minzheng.payments.actions._common import district_code
from minzheng.payments.choices import PAID_KINDS, FailureReason, LineState, PayrollState
from minzheng.payments.models import BankAccount, Disbursement, DisbursementLine, Payroll
from minzheng.payments.models.bank import ACCOUNT_PURPOSE
from minzheng.payments.workflow import PREPARERS, acts_on_district
from minzheng.web.excel import XLSX, workbook_bytes

ACCOUNT_RE = re.compile(r"^\d{8,30}$")
FILE_HEADERS = ("序号", "业务参考号", "收款人户名", "收款账号", "开户银行", "金额", "用途")


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _staff(user: Any, area_code: str) -> None:
    if not in_scope(user, area_code):
        raise NotFound("未找到该记录")
    if getattr(user, "role", None) not in PREPARERS:
        raise Forbidden("须由区县审批人员或市级管理员办理")


@transaction.atomic
def record_bank_account(*, user: Any, holder_name: str, bank_name: str, account_no: str,
                        household: Household | None = None, person: Person | None = None) -> BankAccount:
    """登记银行账户 of a household or a person (a new row; the latest is the one paid into)."""
    if (household is None) == (person is None):
        raise InvalidChange("请指定家庭或人员")
    area = household.area_id if household is not None else _person_area(person)  # type: ignore[arg-type]
    if user is not None:
        _staff(user, area)
    account_no = re.sub(r"\s", "", account_no or "")
    if not ACCOUNT_RE.match(account_no):
        raise InvalidChange("账号须为 8–30 位数字")
    if not (holder_name or "").strip() or not (bank_name or "").strip():
        raise InvalidChange("请填写户名和开户银行")
    account = BankAccount(household=household, person=person, holder_name=holder_name.strip(),
                          bank_name=bank_name.strip(), created_by=_actor(user))
    account.set_account_number(account_no)
    account.save()
    record(user, AuditAction.CREATE, account, area_code=area, summary=f"登记银行账户 {account.masked}",
           after={"holder_name": account.holder_name, "bank_name": account.bank_name, "account_no": account.masked})
    return account


@transaction.atomic
def reencrypt_bank_accounts(*, user: Any = None, batch_size: int = 1000) -> dict[str, int]:
    """Key rotation: re-encrypt with the current key every account number stored under an older one, so
    the older key can be retired (the number and its masked form stay as they are). Run by the system
    (``minzheng manage field_keys reencrypt``) or a city administrator; one audit event. Returns the
    number of accounts moved, by the key they were under."""
    if user is not None and getattr(user, "role", None) != Role.CITY_ADMIN:
        raise Forbidden("须由市级管理员办理")
    ring = fieldcrypto.keyring()
    current = f"{fieldcrypto.FORMAT}:{ring.current_id}:"
    ids = list(BankAccount.objects.exclude(account_ciphertext__startswith=current).order_by("id")
               .values_list("id", flat=True))
    moved: dict[str, int] = {}
    for i in range(0, len(ids), batch_size):
        batch = list(BankAccount.objects.filter(pk__in=ids[i : i + batch_size]).only("id", "account_ciphertext"))
        for account in batch:
            kid = fieldcrypto.key_id_of(account.account_ciphertext)
            number = ring.decrypt(account.account_ciphertext, purpose=ACCOUNT_PURPOSE)  # fails loudly
            account.account_ciphertext = ring.encrypt(number, purpose=ACCOUNT_PURPOSE)
            moved[kid] = moved.get(kid, 0) + 1
        # A bulk update, not save(): the account is not edited, only its encryption changes.
        BankAccount.objects.bulk_update(batch, ["account_ciphertext"])
    if ids:
        record(user, AuditAction.UPDATE, object_type=BankAccount._meta.label_lower, area_code=CITY[0],
               summary=f"银行账号密钥轮换：{len(ids)} 个账号改用密钥 {ring.current_id} 加密",
               after={"key": ring.current_id, "accounts": len(ids), "from": moved})
    return moved


def _person_area(person: Person) -> str:
    home = HouseholdMember.objects.filter(person=person, end_date__isnull=True).values_list(
        "household__area_id", flat=True).first()
    return home or person.area_id or ""


def current_accounts(households: set[int], people: set[int]) -> tuple[dict[int, BankAccount], dict[int, BankAccount]]:
    """The latest account of each household and person asked for."""
    by_household: dict[int, BankAccount] = {}
    by_person: dict[int, BankAccount] = {}
    ids_h, ids_p = sorted(households), sorted(people)
    for i in range(0, max(len(ids_h), len(ids_p)), 900):
        qs = BankAccount.objects.filter(Q(household_id__in=ids_h[i : i + 900]) | Q(person_id__in=ids_p[i : i + 900]))
        for account in qs.order_by("id"):
            if account.household_id:
                by_household[account.household_id] = account
            else:
                by_person[account.person_id] = account  # type: ignore[index]
    return by_household, by_person


def _payee(bt: str, bid: int, household_id: int | None, accounts: tuple[dict[int, BankAccount], ...],
           names: dict[tuple[str, int], str]) -> tuple[BankAccount | None, str]:
    by_household, by_person = accounts
    account = by_person.get(bid) if bt == "p" else None
    if account is None and household_id is not None:
        account = by_household.get(household_id)
    return account, account.holder_name if account else names.get((bt, bid), "")


def _names(keys: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    people = sorted(bid for bt, bid in keys if bt == "p")
    households = sorted(bid for bt, bid in keys if bt == "h")
    out: dict[tuple[str, int], str] = {}
    for i in range(0, len(people), 900):
        out |= {("p", pk): name for pk, name in Person.objects.filter(pk__in=people[i : i + 900]).values_list(
            "id", "name")}
    for i in range(0, len(households), 900):
        heads = HouseholdMember.objects.filter(household_id__in=households[i : i + 900], relation="户主",
                                               end_date__isnull=True).values_list("household_id", "person__name")
        out |= {("h", hid): name for hid, name in heads}
    return out


def build_disbursement(payroll: Payroll, *, user: Any) -> Disbursement:
    """The payroll's bank file (sequence 1); called by ``release_payroll`` inside its transaction."""
    if payroll.state != PayrollState.RELEASED:
        raise InvalidChange("未经审批发放的工资单不能生成代发文件")
    sums = (payroll.entries.filter(kind__in=PAID_KINDS).values("beneficiary_type", "beneficiary_id")
            .annotate(total=Sum("amount"), household=Max("household_id"), area=Max("area_code"))
            .order_by("beneficiary_type", "beneficiary_id"))
    rows = [r for r in sums if r["total"] > 0]
    keys = {(r["beneficiary_type"], r["beneficiary_id"]) for r in rows}
    accounts = current_accounts({r["household"] for r in rows if r["household"]},
                                {bid for bt, bid in keys if bt == "p"})
    names = _names(keys)
    disbursement = Disbursement.objects.create(payroll=payroll, sequence=1, line_count=len(rows),
                                               total=sum((r["total"] for r in rows), Decimal(0)),
                                               created_by=_actor(user))
    lines = []
    for n, r in enumerate(rows, start=1):
        bt, bid = r["beneficiary_type"], r["beneficiary_id"]
        account, payee = _payee(bt, bid, r["household"], accounts, names)
        lines.append(DisbursementLine(
            disbursement=disbursement, reference=_reference(disbursement, n), beneficiary_type=bt, beneficiary_id=bid,
            household_id=r["household"], person_id=bid if bt == "p" else None, area_code=r["area"], payee_name=payee,
            account=account, amount=r["total"], state=LineState.SENT if account else LineState.FAILED,
            failure_reason="" if account else FailureReason.NO_ACCOUNT,
        ))
    DisbursementLine.objects.bulk_create(lines, batch_size=2000)
    record(user, AuditAction.CREATE, disbursement, area_code=district_code(payroll.district),
           summary=f"生成代发文件 {payroll.month_text}：{len(lines)} 笔，{disbursement.total} 元",
           after={"lines": len(lines), "total": str(disbursement.total),
                  "no_account": sum(1 for line in lines if line.account is None)})
    return disbursement


def _reference(disbursement: Disbursement, n: int) -> str:
    payroll = disbursement.payroll
    return f"MZ{payroll.month:%Y%m}{payroll.district}{disbursement.sequence:02d}{n:06d}"


def file_rows(disbursement: Disbursement) -> list[list[Any]]:
    """The lines sent to the bank, with the whole account number, decrypted (the bank file only)."""
    lines = disbursement.lines.filter(account__isnull=False).select_related("account").order_by("id")
    purpose = f"民政救助资金 {disbursement.payroll.month_text}"
    return [[n, line.reference, line.payee_name, line.account.account_number(), line.account.bank_name,  # type: ignore
             f"{line.amount:.2f}", purpose] for n, line in enumerate(lines, start=1)]


@transaction.atomic
def export_bank_file(disbursement: Disbursement, *, user: Any, fmt: str, ip: str | None = None
                     ) -> tuple[str, bytes, str]:
    """``(file name, content, content type)`` of the bank payment file; the download is audited."""
    payroll = disbursement.payroll
    if not acts_on_district(user, payroll.district) or getattr(user, "role", None) not in PREPARERS:
        raise NotFound("未找到该代发文件")
    rows = file_rows(disbursement)
    if fmt == "xlsx":
        content = workbook_bytes(title="代发明细", headers=FILE_HEADERS, rows=rows, widths=(6, 26, 12, 24, 18, 12, 24))
        name, kind = f"{disbursement.file_stem}.xlsx", XLSX
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(FILE_HEADERS)
        writer.writerows(rows)
        content, name, kind = ("\ufeff" + out.getvalue()).encode(), f"{disbursement.file_stem}.csv", "text/csv"
    else:
        raise InvalidChange("格式须为 csv 或 xlsx")
    record(user, AuditAction.EXPORT, disbursement, area_code=district_code(payroll.district),
           summary=f"下载代发文件 {name}（含完整账号）", after={"format": fmt, "lines": len(rows),
                                                         "sha256": hashlib.sha256(content).hexdigest()}, ip=ip)
    return name, content, kind
