"""Disbursement and reconciliation: the bank file (the only whole account numbers), a return file with a
wrong and a closed account, reissue one and hold the other, every state visible per beneficiary."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from minzheng.audit.models import AuditEvent
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Person
from minzheng.payments import actions as a
from minzheng.payments.choices import FailureReason, LineState, ReturnOutcome
from minzheng.payments.models import BankReturnLine, Disbursement, DisbursementLine
from minzheng.payments.tests.support import D, Y, enrolled, released
from minzheng.testing import factories as f

ACCOUNTS = ("6222020402011112222", "6222020402013334444", "6222020402015556666")


@pytest.fixture
def bank(users, household_a, household_b, approver):
    third = f.make_household(f.COMMUNITY_A, members=1)
    households = [household_a, household_b, third]
    for household, account in zip(households, ACCOUNTS, strict=True):
        head = household.memberships.get(relation="户主").person
        Person.objects.filter(pk=head.pk).update(monthly_income=Y(1000) if household is not third else Y(0))
        enrolled(users, household=household, start=D(2025, 6, 1))
        a.record_bank_account(user=users["district"], household=household, holder_name=head.name,
                              bank_name="中国工商银行沈阳分行", account_no=account)
    payroll = released(users, approver, "2025-06")
    return payroll, households


def _return_file(lines: list[DisbursementLine]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["业务参考号", "收款账号", "金额", "处理结果", "失败原因"])
    w.writerow([lines[0].reference, lines[0].account.account_number(), lines[0].amount, "成功", ""])
    w.writerow([lines[1].reference, lines[1].account.account_number(), lines[1].amount, "失败", "账号户名不符"])
    w.writerow([lines[2].reference, lines[2].account.account_number(), lines[2].amount, "失败", "账户已销户"])
    w.writerow(["MZ000000000000000000", "", "1.00", "成功", ""])
    return out.getvalue().encode("gbk")


def test_return_file_with_failures_then_reissue_one_and_hold_the_other(users, bank, client) -> None:
    _payroll, (_ha, hb, _third) = bank
    disbursement = Disbursement.objects.get()
    lines = list(disbursement.lines.select_related("account").order_by("beneficiary_id"))
    # June (standard 821): 1545 (3 people, income 1000), 642 (2 people, 1000) and 821 (alone, no income).
    assert [(line.amount, line.state) for line in lines] == [(Y("1545.00"), "sent"), (Y("642.00"), "sent"),
                                                             (Y("821.00"), "sent")]
    result = a.import_bank_return(disbursement, user=users["district"], file_name="回盘.csv",
                                  content=_return_file(lines))
    assert (result.counts["paid"], result.counts["failed"], result.counts["unknown"]) == (1, 2, 1)
    for line in lines:
        line.refresh_from_db()
    assert [(line.state, line.failure_reason) for line in lines] == [
        (LineState.PAID, ""), (LineState.FAILED, FailureReason.WRONG_ACCOUNT),
        (LineState.FAILED, FailureReason.CLOSED_ACCOUNT)]
    assert BankReturnLine.objects.filter(outcome=ReturnOutcome.UNKNOWN).count() == 1
    with pytest.raises(InvalidChange):  # the same file twice
        a.import_bank_return(disbursement, user=users["district"], file_name="回盘.csv", content=_return_file(lines))
    with pytest.raises(InvalidChange):  # a wrong account is not sent again as it is
        a.reissue_lines([lines[1]], user=users["district"])
    head_b = hb.memberships.get(relation="户主").person
    a.record_bank_account(user=users["district"], household=hb, holder_name=head_b.name, bank_name="中国建设银行",
                          account_no="6217000010012345678")
    batch = a.reissue_lines([lines[1]], user=users["district"], note="已核实新账户")
    a.hold_line(lines[2], user=users["district"], reason="账户已销户，待家属提供新账户")
    new = batch.lines.get()
    assert (batch.sequence, new.amount, new.state, new.reissue_of_id, new.account.account_number()) == (
        2, Y("642.00"), LineState.SENT, lines[1].pk, "6217000010012345678")
    lines[1].refresh_from_db()
    lines[2].refresh_from_db()
    assert (lines[1].state, lines[2].state) == (LineState.REISSUED, LineState.HELD)
    assert [e.to_state for e in lines[1].events.order_by("id")] == ["failed", "reissued"]
    # Per beneficiary: the household page shows each line and its state, the account masked.
    client.force_login(users["district"])
    page = client.get(reverse("web:core:household_detail", args=[hb.pk])).content.decode()
    assert "发放记录" in page and "已重新发放" in page and "已报送银行" in page
    assert "6217000010012345678" not in page and "***************5678" in page
    line_page = client.get(reverse("payments:line_detail", args=[lines[2].pk])).content.decode()
    assert "暂停发放" in line_page and "账户已销户" in line_page and ACCOUNTS[2] not in line_page


def test_account_numbers_are_whole_only_in_the_bank_file(users, bank, client) -> None:
    disbursement = Disbursement.objects.get()
    client.force_login(users["district"])
    page = client.get(reverse("payments:disbursement_detail", args=[disbursement.pk])).content.decode()
    assert all(number not in page for number in ACCOUNTS) and "***************2222" in page
    response = client.get(reverse("payments:disbursement_file", args=[disbursement.pk, "csv"]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    body = response.content.decode("utf-8-sig")
    assert all(number in body for number in ACCOUNTS) and "业务参考号" in body
    xlsx = client.get(reverse("payments:disbursement_file", args=[disbursement.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="export", object_type="payments.disbursement").count() == 2
    client.force_login(users["street"])  # reads the lines of its streets, never the file
    assert client.get(reverse("payments:disbursement_detail", args=[disbursement.pk])).status_code == 200
    assert client.get(reverse("payments:disbursement_file", args=[disbursement.pk, "csv"])).status_code == 404
