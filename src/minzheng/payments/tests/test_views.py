"""Pages: who sees what (status codes), starting a run from the page (the background task), the entry's
explanation, recoveries, the household's history, reports with the cumulative figure and Excel; the
command line."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minzheng.audit.models import AuditEvent
from minzheng.cli import main
from minzheng.core.actions.people import update_person
from minzheng.core.models import Person
from minzheng.payments import actions as a
from minzheng.payments import tasks
from minzheng.payments.choices import PayrollState, RecoveryState
from minzheng.payments.models import LedgerEntry, Payroll, Recovery
from minzheng.payments.reports import cumulative_paid
from minzheng.payments.tests.support import D, Y, enrolled, released
from minzheng.testing import factories as f


@pytest.fixture
def paid(users, household_a, approver):
    head = household_a.memberships.get(relation="户主").person
    Person.objects.filter(pk=head.pk).update(monthly_income=Y(1000))
    enrolled(users, household=household_a, start=D(2025, 6, 1))
    return released(users, approver, "2025-06")


def test_pages_by_role(users, paid, client) -> None:
    entry = LedgerEntry.objects.get()
    urls = [reverse("payments:payroll_list"), reverse("payments:payroll_detail", args=[paid.pk]),
            reverse("payments:entry_detail", args=[entry.pk]), reverse("payments:recovery_list"),
            reverse("payments:report")]
    for name in ("district", "city", "street", "caseworker_a", "auditor"):
        client.force_login(users[name])
        assert [client.get(u).status_code for u in urls] == [200] * 5, name
    client.force_login(users["caseworker_b"])  # the other community: the payroll's figures, not the entry
    assert client.get(urls[1]).status_code == 200 and client.get(urls[2]).status_code == 404
    client.force_login(users["provider"])
    assert client.get(urls[0]).status_code == 403
    client.logout()
    assert client.get(urls[0]).status_code == 302


def test_a_run_started_from_the_page_is_a_background_task(users, household_a, client) -> None:
    enrolled(users, household=household_a, start=D(2025, 6, 1))
    client.force_login(users["caseworker_a"])  # reads, but does not prepare
    assert client.post(reverse("payments:payroll_list"), {"month": "2025-06", "district": "210102"}).status_code == 404
    client.force_login(users["district"])
    response = client.post(reverse("payments:payroll_list"), {"month": "2025-06", "district": "210102"})
    payroll = Payroll.objects.get()
    assert response.status_code == 302 and payroll.state == PayrollState.DRAFT and payroll.run_token
    page = client.get(reverse("payments:payroll_detail", args=[payroll.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "排队" in page
    outcome = tasks.run(payroll.pk, payroll.run_token, users["district"].pk)  # what the worker runs
    assert outcome["state"] == PayrollState.PREPARED and outcome["created"] == 1
    assert tasks.run(payroll.pk, payroll.run_token, users["district"].pk)["created"] == 0  # a retry writes nothing
    payroll.refresh_from_db()
    assert (payroll.progress, payroll.run_token, payroll.prepared_by_id) == (100, "", users["district"].pk)


def test_the_entry_page_explains_the_amount(users, paid, client) -> None:
    entry = LedgerEntry.objects.get()
    client.force_login(users["caseworker_a"])
    page = client.get(reverse("payments:entry_detail", args=[entry.pk])).content.decode()
    assert 'id="explanation-ok"' in page and "1545" in page and "dibao.standard" in page
    assert "假定值" in page or "assumed" in page


def test_recovery_workflow_pages(users, approver, client) -> None:
    person = f.make_person("钱大爷", D(1950, 1, 1))
    enrolled(users, programme="tekun", person=person, start=D(2025, 6, 1))
    released(users, approver, "2025-06")
    update_person(user=users["caseworker_a"], person=person, reason="死亡", death_date=D(2025, 5, 20))
    a.prepare_payroll(user=users["city"], month="2025-07", district="210102")
    recovery = Recovery.objects.get()
    assert (recovery.months, recovery.amount) == (["2025-06"], Y("1369.00"))
    client.force_login(users["district"])
    url = reverse("payments:recovery_detail", args=[recovery.pk])
    assert client.get(url).status_code == 200
    client.post(reverse("payments:recovery_act", args=[recovery.pk, "notify"]), {"reason": "已电话告知家属"})
    client.post(reverse("payments:recovery_act", args=[recovery.pk, "repay"]), {"amount": "369", "note": "首期"})
    recovery.refresh_from_db()
    assert (recovery.state, recovery.repaid) == (RecoveryState.REPAYING, Y("369.00"))
    client.force_login(users["street"])
    assert client.post(reverse("payments:recovery_act", args=[recovery.pk, "write_off"]),
                       {"reason": "无力偿还"}).status_code == 403


def test_report_cumulative_and_excel(users, paid, client) -> None:
    assert cumulative_paid(users["city"], D(2025, 1, 1), D(2025, 6, 1)) == Y("1545.00")
    assert cumulative_paid(users["other_district"], D(2025, 1, 1), D(2025, 6, 1)) == Y(0)
    client.force_login(users["city"])
    query = {"start": "2025-01", "end": "2025-06", "by": ["district", "programme"]}
    page = client.get(reverse("payments:report"), query).content.decode()
    assert 'id="cumulative-total">1545.00 元' in page and "和平区" in page and "最低生活保障" in page
    xlsx = client.get(reverse("payments:report"), {**query, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="export", object_type="payments.report").exists()
    assert client.get(reverse("payments:report"), {"start": "2025-13", "end": "x"}).status_code == 400


def test_household_page_shows_the_payment_history(users, paid, household_a, client) -> None:
    client.force_login(users["caseworker_a"])
    page = client.get(reverse("web:core:household_detail", args=[household_a.pk])).content.decode()
    account_url = reverse("payments:account_new", args=[household_a.pk])
    assert 'id="payment-history"' in page and "1545.00" in page and account_url not in page
    client.force_login(users["district"])
    page = client.get(reverse("web:core:household_detail", args=[household_a.pk])).content.decode()
    assert account_url in page and "记录核查依据" in page


def test_command_line_run_and_total(users, household_a, approver, capsys) -> None:
    enrolled(users, household=household_a, start=D(2025, 6, 1))
    assert main(["payroll", "run", "--month", "2025-06", "--district", "210102", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "和平区 2025-06: 已编制，本次写入 1 条" in out and "dibao" in out
    assert main(["payroll", "run", "--month", "2025-06", "--district", "210102", "--quiet"]) == 0
    assert "本次写入 0 条" in capsys.readouterr().out
    payroll = Payroll.objects.get()
    a.check_payroll(payroll, user=users["district"])
    a.approve_payroll(payroll, user=approver)
    a.release_payroll(payroll, user=users["district"])
    assert main(["payroll", "total", "--from", "2025-01", "--to", "2025-12"]) == 0
    assert "累计发放保障资金 2025-01 至 2025-12: 2545.00 元" in capsys.readouterr().out
    assert main(["payroll", "run", "--month", "2025-6"]) == 2


def test_a_registry_gap_is_flagged_and_paid_as_arrears_once_the_basis_is_taken_again(users, approver,
                                                                                    client) -> None:
    person = f.make_person("孙女士", D(1980, 4, 1))  # the archive's 护理补贴, but no certificate in the registry
    enrollment = enrolled(users, programme="disability_care", person=person, start=D(2025, 7, 1))
    july = released(users, approver, "2025-07")
    assert july.entries_count == 0 and july.exceptions[0]["reason"] == "no_certificate"
    update_person(user=users["caseworker_a"], person=person, reason="补录残疾证", disability_type="肢体",
                  disability_grade=1)
    client.force_login(users["district"])
    page = client.get(reverse("payments:payroll_detail", args=[july.pk])).content.decode()
    assert "档案中无残疾证信息" in page
    client.post(reverse("payments:basis_for_enrollment", args=[enrollment.pk]), {"payroll": july.pk})
    august = a.prepare_payroll(user=users["city"], month="2025-08", district="210102").payroll
    assert [(e.kind, f"{e.benefit_month:%m}", e.amount) for e in august.entries.order_by("benefit_month")] == [
        ("arrears", "07", Y("100.00")), ("payment", "08", Y("100.00"))]


def test_command_line_for_every_district_skips_districts_with_nobody_enrolled(users, household_a, capsys) -> None:
    enrolled(users, household=household_a, start=D(2025, 6, 1))
    assert main(["payroll", "run", "--month", "2025-06", "--quiet"]) == 0
    assert list(Payroll.objects.values_list("district", flat=True)) == ["210102"]
    assert "合计写入 1 条" in capsys.readouterr().out


def test_list_pages_do_not_grow_with_rows(users, approver, client, django_assert_max_num_queries) -> None:
    for i in range(2):
        enrolled(users, programme="high_age", person=f.make_person(f"高龄{i}", D(1930, 1, 1)), start=D(2025, 6, 1))
    payroll = released(users, approver, "2025-06")
    client.force_login(users["district"])
    urls = [reverse("payments:payroll_detail", args=[payroll.pk]),
            reverse("payments:disbursement_detail", args=[payroll.disbursements.get().pk])]
    with django_assert_max_num_queries(40) as few:
        for url in urls:
            client.get(url)
    for i in range(6):
        enrolled(users, programme="high_age", person=f.make_person(f"百岁{i}", D(1924, 1, 1)), start=D(2025, 7, 1))
    july = released(users, approver, "2025-07")
    urls = [reverse("payments:payroll_detail", args=[july.pk]),
            reverse("payments:disbursement_detail", args=[july.disbursements.get().pk])]
    with django_assert_max_num_queries(len(few.captured_queries)):
        for url in urls:
            client.get(url)
