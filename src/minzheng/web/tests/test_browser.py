"""The main workflow in a real browser: Debian's chromium driven by Playwright against a live server."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.core.masking import mask_id
from minzheng.core.models import Area
from minzheng.testing import factories as f
from minzheng.web.tests.support import enroll, head_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(os.environ.get("MINZHENG_SCREENSHOT_DIR", "/tmp"))


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _city() -> dict[str, Any]:
    """The tree, even after a transactional test elsewhere has flushed the migration's rows."""
    city, _ = Area.objects.get_or_create(code=f.CITY, defaults={"name": "沈阳市", "level": "city"})
    for code, name in (("210102000000", "和平区"), ("210103000000", "沈河区")):
        Area.objects.get_or_create(code=code, defaults={"name": name, "level": "district", "parent": city})
    f.build_tree()
    worker = f.make_user("community_worker", f.COMMUNITY_A, "cw_browser", full_name="张社工")
    household = f.make_household(f.COMMUNITY_A, members=3, no="SY-BROWSER-1")
    enroll(household, "dibao")
    f.make_household(f.COMMUNITY_B, members=2, no="SY-BROWSER-2")  # another community: never listed
    spouse = household.memberships.get(relation="配偶").person
    spouse.name = "赵桂兰"
    spouse.save()
    return {"worker": worker, "household": household, "head": head_of(household), "spouse": spouse}


def _walk(page: Any, base: str, data: dict[str, Any], shot: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "cw_browser")
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{base}/")
    assert page.locator("h1").first.inner_text().startswith("您好")
    page.screenshot(path=str(SHOTS / f"mz-{shot}-home.png"), full_page=True)

    # Search by a member's name (not the head's) from the home page's search box.
    page.fill("#quick-q", "赵桂兰")
    page.click("form.quick-search button")
    page.wait_for_url("**/households/?q=*")
    rows = page.locator("table.households tbody tr")
    assert rows.count() == 1
    assert "SY-BROWSER-1" in rows.first.inner_text()
    assert mask_id(data["head"].id_number) in rows.first.inner_text()
    assert data["head"].id_number not in page.content()
    page.screenshot(path=str(SHOTS / f"mz-{shot}-list.png"), full_page=True)

    page.click("text=SY-BROWSER-1")
    page.wait_for_url(f"**/households/{data['household'].pk}/")
    member_rows = page.locator("table.members tbody tr")
    assert member_rows.count() == 3
    head_row = page.locator(f"tr[data-person='{data['head'].pk}']")
    assert mask_id(data["head"].id_number) in head_row.inner_text()
    assert data["head"].id_number not in page.content()

    head_row.locator("form[data-reveal]:has(input[value=id_number]) button").click()
    head_row.locator(f"text={data['head'].id_number}").wait_for()
    page.screenshot(path=str(SHOTS / f"mz-{shot}-detail.png"), full_page=True)


def test_caseworker_searches_opens_and_reveals(live_server: Any, browser: Any) -> None:
    data = _city()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    _walk(context.new_page(), live_server.url, data, "desktop")
    context.close()
    reveals = AuditEvent.objects.filter(action="view_sensitive", actor_username="cw_browser")
    assert [(e.object_id, e.after) for e in reveals] == [(str(data["head"].pk), {"field": "id_number"})]


def test_same_walk_on_a_phone(live_server: Any, browser: Any) -> None:
    data = _city()
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    _walk(page, live_server.url, data, "phone")
    # Nothing is wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
    assert AuditEvent.objects.filter(action="view_sensitive", actor_username="cw_browser").count() == 1
    assert dt.date.today()  # keep the import used when the walk changes
