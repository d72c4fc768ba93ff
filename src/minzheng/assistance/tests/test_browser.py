"""The application procedure in a real browser (Debian's chromium through Playwright, a live server):
a caseworker applies for a household and records the home visit on a phone, the street approves and
publishes the notice, the notice is closed, the district approves → an enrollment from next month with
the evaluated amount on the household page; a second application is rejected with written reasons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from minzheng.assistance import actions as a
from minzheng.assistance.models import Application
from minzheng.assistance.tests.support import evaluated
from minzheng.core.models import Area
from minzheng.registry.models import Enrollment
from minzheng.testing import factories as f
from minzheng.testing.browser import DESKTOP, PHONE, SHOTS, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _city(settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    city, _ = Area.objects.get_or_create(code=f.CITY, defaults={"name": "沈阳市", "level": "city"})
    Area.objects.get_or_create(code=f.DISTRICT_A, defaults={"name": "和平区", "level": "district", "parent": city})
    Area.objects.get_or_create(code="210103000000", defaults={"name": "沈河区", "level": "district", "parent": city})
    f.build_tree()
    return {
        "caseworker_a": f.make_user("community_worker", f.COMMUNITY_A, "asst_cw", full_name="张社工"),
        "street": f.make_user("street_reviewer", f.STREET_A, "asst_street", full_name="李审核"),
        "district": f.make_user("district_approver", f.DISTRICT_A, "asst_district", full_name="王审批"),
        "first": f.make_household(f.COMMUNITY_A, members=3, no="SY-ASST-1"),
        "second": f.make_household(f.COMMUNITY_A, members=2, no="SY-ASST-2"),
    }


def _step(page: Any, action: str, fields: dict[str, str] | None = None, on: dt.date | None = None) -> None:
    """Open a step's panel on the case page, fill it and submit; wait for the case page again."""
    panel = page.locator(f"details[data-step={action}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for name, value in (fields or {}).items():
        field = panel.locator(f"[name='{action}-{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    if on is not None:
        panel.locator(f"[name='{action}-on']").fill(on.isoformat())
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    assert not page.locator("#step-error").count(), page.locator("#step-error").inner_text()


def test_application_from_submission_to_enrollment_and_a_rejection(live_server: Any, browser: Any, settings: Any,
                                                                   tmp_path: Path) -> None:
    data = _city(settings, tmp_path)
    base, today = live_server.url, timezone.localdate()
    d0 = today - dt.timedelta(days=20)

    # 1. The caseworker, on a phone: the application, the investigators, the home visit.
    cw = signed_in(browser, base, "asst_cw", **PHONE)
    cw.goto(f"{base}/assistance/applications/new/?household={data['first'].pk}")
    assert cw.input_value("input[name=household_no]") == "SY-ASST-1"
    cw.check("input[name=authorisation_signed]")
    cw.fill("input[name=reason]" if cw.locator("input[name=reason]").count() else "textarea[name=reason]", "户主失业")
    cw.fill("input[name=on]", d0.isoformat())
    with cw.expect_navigation():
        cw.click("button[name=submit-application]")
    app = Application.objects.get(household=data["first"])
    assert cw.locator("#app-state").inner_text() == "已受理（待入户调查）"
    _step(cw, "assign_investigators", {"investigator_1": str(data["caseworker_a"].pk),
                                       "investigator_2": str(data["street"].pk)}, on=d0)
    cw.click("#go-investigation")
    cw.wait_for_url(f"**/applications/{app.pk}/investigation/")
    cw.fill("input[name=visit_date]", d0.isoformat())
    cw.fill("input[name=on]", d0.isoformat())
    cw.fill("textarea[name=visit_record]", "两名调查人员入户：户主失业在家，配偶无业，儿子读初中。")
    head = data["first"].memberships.get(relation="户主").person
    cw.fill(f"input[name=m{head.pk}-monthly_income]", "1000")
    assert cw.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    cw.screenshot(path=str(SHOTS / "mz-assistance-visit-phone.png"), full_page=True)
    with cw.expect_navigation():
        cw.click("button[name=and_evaluate]")
    assert "已保存入户调查并完成规则评估" in cw.content()
    cw.context.close()

    # 2. The street: the evaluation (assumed values marked), approval, the notice; closed after 7 days.
    st = signed_in(browser, base, "asst_street", **DESKTOP)
    st.goto(f"{base}/assistance/applications/{app.pk}/")
    assert "本结果使用了假定值" in st.inner_text("#evaluation")
    assert "1635.00" in st.inner_text("#evaluation")
    _step(st, "street_approve", {"opinion": "经审核符合低保条件"}, on=d0)
    _step(st, "publish_notice", on=d0)
    st.goto(f"{base}/assistance/applications/{app.pk}/notice/")
    notice = st.inner_text("body")
    assert "王建国" in notice and "1635.00" in notice and head.id_number not in notice
    assert data["first"].address not in notice and "1000" not in notice
    st.screenshot(path=str(SHOTS / "mz-assistance-notice.png"), full_page=True)
    st.goto(f"{base}/assistance/applications/{app.pk}/")
    _step(st, "close_notice", on=d0 + dt.timedelta(days=8))
    st.context.close()

    # 3. The district approves today: paid from the first day of next month at the evaluated amount.
    di = signed_in(browser, base, "asst_district", **DESKTOP)
    di.goto(f"{base}/assistance/applications/{app.pk}/")
    di.screenshot(path=str(SHOTS / "mz-assistance-review.png"), full_page=True)
    _step(di, "district_approve", {"opinion": "同意"})
    assert di.locator("#app-state").inner_text() == "已批准"
    start = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)
    enrollment = Enrollment.objects.get(household=data["first"])
    assert (enrollment.programme, enrollment.start_date, enrollment.monthly_amount) == (
        "dibao", start, Decimal("1635.00"))  # 850 × 3 − 1000 + the child's add-on 85
    di.goto(f"{base}/households/{data['first'].pk}/")
    listed = di.inner_text("body")
    assert "最低生活保障" in listed and start.isoformat() in listed and "1635.00" in listed
    di.screenshot(path=str(SHOTS / "mz-assistance-household.png"), full_page=True)
    di.context.close()

    # 4. A second application, evaluated above every line, is rejected by the street with written reasons.
    second = evaluated(data, data["second"], on=d0, members={
        m.person_id: {"monthly_income": "4000" if m.relation == "户主" else "0"}
        for m in data["second"].memberships.filter(end_date__isnull=True)})
    a.run_sweep(today)  # nothing is overdue yet; the sweep leaves the case alone
    st = signed_in(browser, base, "asst_street", **DESKTOP)
    st.goto(f"{base}/assistance/applications/{second.pk}/")
    _step(st, "street_reject", {"reasons": "家庭人均月收入 2000 元，高于低保标准的 1.5 倍，不符合条件。"})
    assert st.locator("#app-state").inner_text() == "不予批准（待书面告知）"
    st.click("#rejection-link")
    st.wait_for_url(f"**/applications/{second.pk}/rejection/")
    assert "高于低保标准的 1.5 倍" in st.inner_text("#rejection-reasons")
    st.screenshot(path=str(SHOTS / "mz-assistance-rejection.png"), full_page=True)
    st.context.close()
    second.refresh_from_db()
    assert second.state == "rejected" and second.rejection_notify_due is not None
