"""The monthly payroll in a real browser (Debian's chromium through Playwright, a live server), as the
district does it with three different people (三人分离):

the district's 经办 records a household's bank account on the household page and starts the June payroll
from 资金发放 (a background job: the page shows it queued with its progress, the database worker runs it);
the preparer cannot check it; the city administrator checks it and is offered no approval; the preparer
cannot approve it; the district's head approves it on a phone; nothing before the approval offers a bank
file, nor can a forged release make one; the 经办 releases it and downloads the bank file (CSV and Excel),
whose every line is asserted to the fen with the whole account number, while every page shows the
numbers masked and the database holds them encrypted."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.text import Truncator
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from minzheng.audit.models import AuditEvent
from minzheng.core import fieldcrypto
from minzheng.core.models import Person
from minzheng.payments import actions as a
from minzheng.payments.models import BankAccount, Disbursement, LedgerEntry, Payroll, PayrollStep
from minzheng.payments.tests.support import enrolled
from minzheng.testing import factories as f
from minzheng.testing.browser import DESKTOP, PHONE, SHOTS, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D, Y = dt.date, Decimal
JUNE = D(2025, 6, 1)
BANK = "中国工商银行沈阳和平支行"
PURPOSE = "民政救助资金 2025-06"
REF = "MZ20250621010201"  # MZ + month + district + batch 01, then the line's number (6 digits)
# The whole numbers (only ever in the bank file) and what every page shows instead.
ACCOUNT_A, MASKED_A = "6222020402011112222", "***************2222"
ACCOUNT_B, MASKED_B = "6217000010012345678", "***************5678"
ACCOUNT_P, MASKED_P = "6228480012340099", "************0099"
HEADERS = ["序号", "业务参考号", "收款人户名", "收款账号", "开户银行", "金额", "用途"]


@pytest.fixture
def field_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """One encryption key for the account numbers (as in test_account_encryption), for this test only."""
    key = fieldcrypto.generate_key()
    monkeypatch.setenv(fieldcrypto.ENV_VAR, key)
    fieldcrypto.reset()
    yield fieldcrypto.key_id(fieldcrypto.parse_keys(key, source="test")[0])
    fieldcrypto.reset()


def _income(household: Any, amount: str) -> None:
    head = household.memberships.get(relation="户主").person
    Person.objects.filter(pk=head.pk).update(monthly_income=Y(amount))


def _city(users: dict[str, Any]) -> dict[str, Any]:
    """Four beneficiaries of 和平区 in June 2025 (低保 standard 821):
    - household A, 3 people, income 1000: 821 × 3 − 1000 = 1463, plus the child's add-on 82 → 1545.00
      (its account is recorded in the browser);
    - household B (community B), 2 people, income 1000: 821 × 2 − 1000 → 642.00;
    - household C, alone, no income → 821.00, and no account recorded: not sent to the bank;
    - 周奶奶, 92, grade-1 certificate: 高龄津贴 200 + 重度残疾人护理补贴 100 → one line of 300.00."""
    ha = f.make_household(f.COMMUNITY_A, members=3, no="SY-PAY-A")
    hb = f.make_household(f.COMMUNITY_B, members=2, no="SY-PAY-B")
    hc = f.make_household(f.COMMUNITY_A, members=1, no="SY-PAY-C")
    _income(ha, "1000")
    _income(hb, "1000")
    for household in (ha, hb, hc):
        enrolled(users, household=household, start=JUNE)
    elder = f.make_person("周奶奶", D(1933, 3, 1), female=True, disability_type="肢体", disability_grade=1)
    enrolled(users, programme="high_age", person=elder, start=JUNE)
    enrolled(users, programme="disability_care", person=elder, start=JUNE)
    a.record_bank_account(user=users["district"], household=hb, holder_name="李秀英", bank_name=BANK,
                          account_no=ACCOUNT_B)
    a.record_bank_account(user=users["district"], person=elder, holder_name="周奶奶", bank_name=BANK,
                          account_no=ACCOUNT_P)
    return {"a": ha, "b": hb, "c": hc, "elder": elder}


def _act(page: Any, action: str, note: str = "") -> None:
    """Press a payroll step's button (with its note) and wait for the next page."""
    form = page.locator(f"#actions form:has(button[data-action={action}])")
    if note:
        form.locator("input[name=note]").fill(note)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def _buttons(page: Any) -> list[str]:
    return page.locator("#actions button[data-action]").evaluate_all("bs => bs.map(b => b.dataset.action)")


def _run_worker() -> None:
    """What ``minzheng manage db_worker`` does, once over the queue, in this thread (no page is loading: on
    SQLite the live server shares this thread's connection)."""
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
           worker_id="browser-test", excluded_queue_names=[]).run()


def _no_whole_numbers(page: Any) -> None:
    html = page.content()
    for number in (ACCOUNT_A, ACCOUNT_B, ACCOUNT_P):
        assert number not in html


def test_prepare_check_approve_release_and_the_bank_file(live_server: Any, browser: Any, users: dict[str, Any],
                                                          approver: Any, field_key: str) -> None:
    base, city = live_server.url, _city(users)
    ha, hb, hc, elder = city["a"], city["b"], city["c"], city["elder"]

    # 1. The district's 经办 (区审批) records household A's account on its page: masked from then on.
    prep = signed_in(browser, base, "district_a", **DESKTOP)
    prep.goto(f"{base}/households/{ha.pk}/")
    with prep.expect_navigation():
        prep.click("#payment-history a:has-text('登记银行账户')")
    prep.fill("input[name=holder_name]", "王建国")
    prep.fill("input[name=bank_name]", BANK)
    prep.fill("input[name=account_no]", "6222 0204 0201 1112 222")  # as read off the bank card
    with prep.expect_navigation():
        prep.click("main button[type=submit]:has-text('登记')")
    assert prep.url == f"{base}/households/{ha.pk}/"
    assert prep.locator(".messages").inner_text() == "已登记银行账户"
    account_a = BankAccount.objects.get(household=ha)
    assert (account_a.holder_name, account_a.bank_name, account_a.account_masked) == ("王建国", BANK, MASKED_A)
    assert account_a.account_ciphertext.startswith(f"mz1:{field_key}:")
    with connection.cursor() as cursor:  # nothing in the table holds a whole number
        cursor.execute("SELECT * FROM payments_bankaccount")
        stored = repr(cursor.fetchall())
    assert all(number not in stored for number in (ACCOUNT_A, ACCOUNT_B, ACCOUNT_P))
    prep.goto(f"{base}/payments/households/{ha.pk}/account/")
    assert prep.locator("main li").all_inner_texts() == [f"全户 · {BANK} {MASKED_A} · {timezone.localdate():%Y-%m-%d}"]
    _no_whole_numbers(prep)

    # 2. …and starts the June payroll of 和平区: a background job, queued, the page refreshing itself.
    prep.goto(f"{base}/payments/")
    prep.fill("#start input[name=month]", "2025-06")
    prep.select_option("#start select[name=district]", "210102")
    with prep.expect_navigation():
        prep.click("#start button[type=submit]")
    payroll = Payroll.objects.get()
    assert prep.url == f"{base}/payments/payrolls/{payroll.pk}/"
    assert prep.locator(".messages").inner_text() == "已开始编制 2025-06 工资单，完成后刷新本页查看"
    assert prep.locator("#payroll-state").inner_text() == "编制中"
    assert prep.locator("#progress").inner_text().strip() == "0% 排队 queued"
    assert prep.locator("meta[http-equiv=refresh]").get_attribute("content") == "3"
    assert _buttons(prep) == []  # nothing to act on while it runs
    assert not prep.locator("#disbursements").count()
    prep.goto("about:blank")
    assert DBTaskResult.objects.get().status == "READY"
    _run_worker()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    prep.goto(f"{base}/payments/payrolls/{payroll.pk}/")
    assert prep.locator("#payroll-state").inner_text() == "已编制"
    assert not prep.locator("#progress").count() and not prep.locator("meta[http-equiv=refresh]").count()
    assert prep.locator("#paid-total").inner_text() == "3308.00"  # 1545 + 642 + 821 + 200 + 100
    entries = prep.locator("#entries tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))")
    assert entries == [
        ["家庭 SY-PAY-A", f.COMMUNITY_A, "最低生活保障", "2025-06", "正常发放", "1545.00", "1545.00"],
        ["家庭 SY-PAY-C", f.COMMUNITY_A, "最低生活保障", "2025-06", "正常发放", "821.00", "821.00"],
        ["周奶奶", f.COMMUNITY_A, "高龄津贴", "2025-06", "正常发放", "200.00", "200.00"],
        ["周奶奶", f.COMMUNITY_A, "重度残疾人护理补贴", "2025-06", "正常发放", "100.00", "100.00"],
        ["家庭 SY-PAY-B", f.COMMUNITY_B, "最低生活保障", "2025-06", "正常发放", "642.00", "642.00"],
    ]
    assert not prep.locator("#exceptions").count()  # nobody enrolled is paid nothing
    # Prepared: 复核 is the next step, not the release; and the preparer may not check it (三人分离).
    assert _buttons(prep) == ["recompute", "check"]
    assert not prep.locator("#disbursements").count()
    _act(prep, "check", "自己复核")
    assert prep.locator("main h1").inner_text() == "无权操作"
    assert Payroll.objects.get().state == "prepared"
    prep.context.close()

    # 3. The city administrator checks it; approval is not theirs (the district approves).
    checker = signed_in(browser, base, "city_admin", **DESKTOP)
    checker.goto(f"{base}/payments/payrolls/{payroll.pk}/")
    _act(checker, "check", "与上月比对无误")
    assert checker.locator(".messages").inner_text() == "已复核"
    assert checker.locator("#payroll-state").inner_text() == "已复核"
    assert _buttons(checker) == ["return"]  # no 审批 for the city, no 发放 before approval
    assert not checker.locator("#disbursements").count()
    checker.context.close()

    # 4. An unapproved payroll offers no bank file: the preparer sees 审批 (refused to them) but no 发放,
    #    and a release posted anyway (the 审批 form pointed at the release URL) is refused.
    prep = signed_in(browser, base, "district_a", **DESKTOP)
    prep.goto(f"{base}/payments/payrolls/{payroll.pk}/")
    assert _buttons(prep) == ["return", "approve"]
    assert not prep.locator("#disbursements").count()
    prep.eval_on_selector("#actions form:has(button[data-action=approve])",
                          "(f, url) => { f.action = url; }", f"/payments/payrolls/{payroll.pk}/act/release/")
    _act(prep, "approve")
    assert prep.locator(".messages").inner_text() == "当前状态（checked）不能执行“release”"
    assert prep.locator("#payroll-state").inner_text() == "已复核"
    _act(prep, "approve", "编制人审批")
    assert prep.locator("main h1").inner_text() == "无权操作"
    assert not Disbursement.objects.exists() and Payroll.objects.get().state == "checked"
    prep.context.close()

    # 5. The district's head approves on a phone; the page fits the screen; still no bank file.
    head = signed_in(browser, base, "district_head", **PHONE)
    head.goto(f"{base}/payments/payrolls/{payroll.pk}/")
    assert _buttons(head) == ["return", "approve"]
    _act(head, "approve", "同意发放")
    assert head.locator("#payroll-state").inner_text() == "已审批"
    assert head.locator("main .page-head p.muted").inner_text().split(" · ")[1:] == [
        "复核 市管理员", "审批 区分管领导", "发放 —"]
    assert _buttons(head) == ["release"]
    assert not head.locator("#disbursements").count() and not Disbursement.objects.exists()
    assert head.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    head.screenshot(path=str(SHOTS / "mz-payments-payroll-phone.png"), full_page=True)
    _no_whole_numbers(head)
    head.context.close()

    # 6. The 经办 releases it: one bank batch of four lines; household C has no account (not sent).
    prep = signed_in(browser, base, "district_a", **DESKTOP)
    prep.goto(f"{base}/payments/payrolls/{payroll.pk}/")
    _act(prep, "release")
    assert prep.locator("#payroll-state").inner_text() == "已发放"
    batch = Disbursement.objects.get()
    assert (batch.sequence, batch.line_count, batch.total) == (1, 4, Y("3308.00"))
    assert prep.locator("#disbursements li").all_inner_texts() == [
        f"第 1 批 · 4 笔 · 3308.00 元 · {timezone.localtime(batch.created_at):%Y-%m-%d %H:%M}"]
    computed = PayrollStep.objects.get(payroll=payroll, action="compute")
    assert computed.note.startswith("新增 5 条明细；")
    steps = prep.locator("#steps tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].slice(1).map(c => c.innerText.trim()))")
    assert steps == [
        ["draft → prepared（compute）", "区审批", "3308.00", "0.00", "5", Truncator(computed.note).chars(80)],
        ["prepared → checked（check）", "市管理员", "3308.00", "0.00", "5", "与上月比对无误"],
        ["checked → approved（approve）", "区分管领导", "3308.00", "0.00", "5", "同意发放"],
        ["approved → released（release）", "区审批", "3308.00", "0.00", "5", ""],
    ]
    with prep.expect_navigation():
        prep.click("#disbursements a")
    lines = prep.locator("#lines tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))")
    assert lines == [
        [f"{REF}000001", "王建国", MASKED_A, "1545.00", "已报送银行", ""],
        [f"{REF}000002", "李秀英", MASKED_B, "642.00", "已报送银行", ""],
        [f"{REF}000003", "王建国", "未登记", "821.00", "发放失败", "未登记银行账户"],
        [f"{REF}000004", "周奶奶", MASKED_P, "300.00", "已报送银行", ""],
    ]
    _no_whole_numbers(prep)

    # 7. The bank file: the whole numbers, the amounts to the fen, only the lines with an account.
    expected = [
        HEADERS,
        ["1", f"{REF}000001", "王建国", ACCOUNT_A, BANK, "1545.00", PURPOSE],
        ["2", f"{REF}000002", "李秀英", ACCOUNT_B, BANK, "642.00", PURPOSE],
        ["3", f"{REF}000004", "周奶奶", ACCOUNT_P, BANK, "300.00", PURPOSE],
    ]
    with prep.expect_download() as csv_download:
        prep.click("a:has-text('下载代发文件（CSV）')")
    raw = Path(csv_download.value.path()).read_bytes()
    assert csv_download.value.suggested_filename == "代发_210102_202506_01.csv"
    assert raw == ("\ufeff" + "".join(",".join(row) + "\r\n" for row in expected)).encode()
    assert list(csv.reader(io.StringIO(raw.decode("utf-8-sig")))) == expected
    with prep.expect_download() as xlsx_download:
        prep.click("a:has-text('下载代发文件（Excel）')")
    assert xlsx_download.value.suggested_filename == "代发_210102_202506_01.xlsx"
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()), read_only=True).active
    assert [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)] == expected
    exports = AuditEvent.objects.filter(action="export", object_type="payments.disbursement").order_by("id")
    assert [(e.actor.username, e.after["format"], e.after["lines"]) for e in exports] == [
        ("district_a", "csv", 3), ("district_a", "xlsx", 3)]

    # 8. Masked everywhere else: the line's page and the household page.
    with prep.expect_navigation():
        prep.click(f"#lines a:has-text('{REF}000001')")
    assert prep.locator("dl.facts dd").first.inner_text() == f"{MASKED_A}（{BANK}）"
    _no_whole_numbers(prep)
    prep.goto(f"{base}/households/{ha.pk}/")
    assert prep.locator("#payment-history li").all_inner_texts() == [
        f"2025-06 {REF}000001 · 1545.00 元 · {MASKED_A} · 已报送银行"]
    _no_whole_numbers(prep)
    prep.context.close()

    ledger = {(f"{e.beneficiary_type}{e.beneficiary_id}", e.programme, e.kind, e.amount)
              for e in LedgerEntry.objects.filter(payroll=payroll)}
    assert ledger == {(f"h{ha.pk}", "dibao", "payment", Y("1545.00")), (f"h{hb.pk}", "dibao", "payment", Y("642.00")),
                      (f"h{hc.pk}", "dibao", "payment", Y("821.00")),
                      (f"p{elder.pk}", "high_age", "payment", Y("200.00")),
                      (f"p{elder.pk}", "disability_care", "payment", Y("100.00"))}

