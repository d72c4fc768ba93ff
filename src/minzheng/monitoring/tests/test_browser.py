"""An alert from pushed to closed in a real browser (Debian's chromium through Playwright, a live server):
a community caseworker on a phone opens the pushed alert from the inbox, signs for it, verifies, judges
real hardship, gives temporary assistance first and closes it (销号); the page shows the alert closed with
its whole history. The district then sees it on the dashboard."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from minzheng.assistance.models import TemporaryAssistance
from minzheng.monitoring import actions as m
from minzheng.monitoring.models import Alert
from minzheng.monitoring.tests.support import member, row
from minzheng.testing.browser import DESKTOP, PHONE, SHOTS, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _step(page: Any, step: str, fields: dict[str, str] | None = None) -> None:
    """Open a step's panel on the alert page, fill it, submit; back on the alert page without an error."""
    panel = page.locator(f"details[data-step='{step}']")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for name, value in (fields or {}).items():
        field = panel.locator(f"[name$='-{name}']")
        kind = field.first.evaluate("e => e.tagName + ':' + (e.type || '')")
        if kind.startswith("SELECT"):
            field.select_option(value)
        elif kind.endswith(":radio"):
            panel.locator(f"[name$='-{name}'][value='{value}']").check()
        else:
            field.fill(value)
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    assert not page.locator("#step-error").count(), page.locator("#step-error").inner_text()


def test_a_caseworker_takes_an_alert_from_pushed_to_closed(live_server: Any, browser: Any, users: Any,
                                                           household_a: Any) -> None:
    base, head = live_server.url, member(household_a)
    m.record_run(user=None, as_of=row(head)["as_of"], engine="browser", feed_stats={},
                 alerts=[row(head, household=household_a)])
    alert = Alert.objects.get(person=head)
    assert alert.state == "pushed"

    cw = signed_in(browser, base, "caseworker_a", **PHONE)
    cw.goto(f"{base}/monitoring/")
    assert head.id_number not in cw.content()
    cw.screenshot(path=str(SHOTS / "mz-monitoring-inbox-phone.png"), full_page=True)
    with cw.expect_navigation():
        cw.click(f"tr[data-alert='{alert.number}'] a")
    assert cw.locator("#alert-state").inner_text() == "已推送（待签收）"
    assert cw.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    _step(cw, "sign_for")
    assert cw.locator("#alert-state").inner_text() == "已签收（待核查）"
    _step(cw, "start_verification", {"note": "已联系家属，明日入户"})
    _step(cw, "judge", {"finding": "real_hardship", "method": "home_visit",
                        "note": "入户核实：户主住院，自付医疗费用高，家庭生活困难"})
    assert cw.locator("#alert-state").inner_text() == "已研判（待处置）"
    cw.screenshot(path=str(SHOTS / "mz-monitoring-judged-phone.png"), full_page=True)
    _step(cw, "dispose-temporary", {"amount": "2000", "circumstances": "户主住院，先行给予临时救助"})
    assert cw.locator("#alert-state").inner_text() == "已处置（待销号）"
    _step(cw, "close", {"note": "已先行救助，转入临时救助补办手续"})
    assert cw.locator("#alert-state").inner_text() == "已销号"
    history = cw.inner_text("#history")
    for label in ("生成预警", "推送至社区", "签收", "开始核查", "研判", "处置", "销号"):
        assert label in history
    assert cw.locator("#history li[data-event]").count() == 7
    assert "给予临时救助" in cw.inner_text("body") and head.id_number not in cw.content()
    cw.screenshot(path=str(SHOTS / "mz-monitoring-closed-phone.png"), full_page=True)
    cw.context.close()

    alert.refresh_from_db()
    case = TemporaryAssistance.objects.get()
    assert (alert.state, alert.finding) == ("closed", "real_hardship")
    assert (case.amount, case.state, case.household_id) == (Decimal("2000.00"), "helped", household_a.pk)
    assert list(alert.events.values_list("actor__username", flat=True))[2:] == ["caseworker_a"] * 5

    di = signed_in(browser, base, "district_a", **DESKTOP)
    di.goto(f"{base}/monitoring/dashboard/")
    assert di.locator("[data-stat=temporary] .stat-num").inner_text() == "1"
    assert di.locator("[data-stat=closed] .stat-num").inner_text() == "1"
    di.screenshot(path=str(SHOTS / "mz-monitoring-dashboard.png"), full_page=True)
    di.context.close()
