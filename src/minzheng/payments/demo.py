"""Demo data for payments: ``seed_demo()`` after the demo city is imported (and the assistance demo).

In the district of the demo accounts (the community with the most archived households) it runs two
monthly cycles through the real actions: last month but one (prepared by the city ``shiji``, checked
by ``quxian``, approved by the district head ``quxian_sp``, released, every line paid), then a death
recorded late (a person paid last month but one had died the month before it), and last month's
payroll — which finds that overpayment (a recovery) — released with a bank return file in which one
account is wrong and one closed: the first is reissued to a newly recorded account, the second held.
Bank accounts (synthetic numbers) are recorded for every beneficiary. Idempotent: a second call does
nothing. Accounts missing at that point are created without a usable password.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.db.models import Count
from django.utils import timezone

from minzheng.authz.choices import Role
from minzheng.authz.models import User
from minzheng.core.actions.people import update_person
from minzheng.core.models import Area, Household, HouseholdMember, Person
from minzheng.payments import actions as a
from minzheng.payments.actions.bank import file_rows
from minzheng.payments.models import BankAccount, Disbursement, LedgerEntry, Payroll
from minzheng.rules.model import Month

BANK = "沈阳农商银行"


def _user(username: str, role: str, area: Area, name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, jurisdiction=area, full_name=name)
        user.set_unusable_password()
        user.save()
    return user


def _accounts(user: User, payroll: Payroll) -> int:
    """A synthetic account for every beneficiary of the payroll that has none."""
    made = 0
    keys = payroll.entries.values_list("beneficiary_type", "beneficiary_id", "household_id").distinct()
    have_h = set(BankAccount.objects.filter(household__isnull=False).values_list("household_id", flat=True))
    have_p = set(BankAccount.objects.filter(person__isnull=False).values_list("person_id", flat=True))
    for bt, bid, household_id in keys:
        if (bt == "h" and bid in have_h) or (bt == "p" and (bid in have_p or household_id in have_h)):
            continue
        if bt == "h":
            household = Household.objects.get(pk=bid)
            head = HouseholdMember.objects.filter(household=household, relation="户主", end_date__isnull=True).first()
            a.record_bank_account(user=user, household=household, holder_name=head.person.name if head else "户主",
                                  bank_name=BANK, account_no=f"62214{bid:014d}")
            have_h.add(bid)
        else:
            person = Person.objects.get(pk=bid)
            a.record_bank_account(user=user, person=person, holder_name=person.name, bank_name=BANK,
                                  account_no=f"62215{bid:014d}")
            have_p.add(bid)
        made += 1
    return made


def _return_file(disbursement: Disbursement, failures: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["业务参考号", "收款账号", "金额", "处理结果", "失败原因"])
    for _, reference, _, account, _, amount, _ in file_rows(disbursement):
        reason = failures.get(reference, "")
        writer.writerow([reference, account, amount, "失败" if reason else "成功", reason])
    return out.getvalue().encode("utf-8")


def _cycle(users: dict[str, User], district: str, month: Month) -> Payroll:
    payroll = a.prepare_payroll(user=users["city"], month=month, district=district).payroll
    a.check_payroll(payroll, user=users["checker"], note="已核对户数、金额与上月变化")
    a.approve_payroll(payroll, user=users["head"], note="同意发放")
    _accounts(users["checker"], payroll)
    return a.release_payroll(payroll, user=users["checker"], note="报送银行代发")


def seed_demo(today: dt.date | None = None) -> dict[str, Any]:
    """Seed the demo payrolls; returns what was made (nothing when already seeded)."""
    today = today or timezone.localdate()
    this = Month.of(today)
    first, second = this.shift(-2), this.shift(-1)
    community = (Area.objects.filter(level="community").annotate(n=Count("households")).order_by("-n", "code")
                 .first())
    if community is None or community.parent is None or community.parent.parent is None:
        return {}
    district_area, city = community.parent.parent, Area.objects.get(code="210100000000")
    district = district_area.code[:6]
    if Payroll.objects.filter(district=district, month__gte=first.first_day).exists():
        return {}
    users = {"city": _user("shiji", Role.CITY_ADMIN, city, "演示市级管理员"),
             "checker": _user("quxian", Role.DISTRICT_APPROVER, district_area, "演示区县审批人员"),
             "head": _user("quxian_sp", Role.DISTRICT_APPROVER, district_area, "演示区县分管领导")}
    made: dict[str, Any] = {"district": district, "months": f"{first}、{second}"}
    payroll = _cycle(users, district, first)
    disbursement = payroll.disbursements.get(sequence=1)
    a.import_bank_return(disbursement, user=users["checker"], file_name=f"回盘_{first}.csv",
                         content=_return_file(disbursement, {}))
    # A death reported late: a person paid for ``first`` had died the month before it.
    paid = LedgerEntry.objects.filter(payroll=payroll, beneficiary_type="p", kind="payment").order_by("id").first()
    if paid is not None and paid.person is not None:
        update_person(user=users["checker"], person=paid.person, reason="【演示】殡葬数据比对：上月已死亡",
                      death_date=first.shift(-1).first_day + dt.timedelta(days=9))
    payroll = _cycle(users, district, second)
    made["entries"] = payroll.entries_count
    made["recoveries"] = payroll.recoveries.count()
    disbursement = payroll.disbursements.get(sequence=1)
    sent = list(disbursement.lines.filter(account__isnull=False).order_by("id")[:2])
    if len(sent) == 2:
        failures = {sent[0].reference: "账号户名不符", sent[1].reference: "账户已销户"}
        a.import_bank_return(disbursement, user=users["checker"], file_name=f"回盘_{second}.csv",
                             content=_return_file(disbursement, failures))
        wrong, closed = (type(sent[0]).objects.get(pk=line.pk) for line in sent)
        owner: dict[str, Any] = ({"person": wrong.person} if wrong.beneficiary_type == "p"
                                 else {"household": wrong.household})
        a.record_bank_account(user=users["checker"], holder_name=wrong.payee_name, bank_name="中国建设银行沈阳分行",
                              account_no=f"62170{wrong.beneficiary_id:014d}", **owner)
        a.reissue_lines([wrong], user=users["checker"], note="【演示】已核实新账户")
        a.hold_line(closed, user=users["checker"], reason="【演示】账户已销户，待家属提供新账户")
        made["failed"] = 2
    return made
