"""The main workflow in a real browser: Debian's chromium driven by Playwright against a live server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.core.masking import mask_id
from minzheng.core.models import Area
from minzheng.testing import factories as f
from minzheng.testing.browser import DESKTOP, PHONE, SHOTS, log_in, new_page
from minzheng.web.tests.support import enroll, head_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


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
    log_in(page, base, "cw_browser")
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
    page = new_page(browser, **DESKTOP)
    _walk(page, live_server.url, data, "desktop")
    page.context.close()
    reveals = AuditEvent.objects.filter(action="view_sensitive", actor_username="cw_browser")
    assert [(e.object_id, e.after) for e in reveals] == [(str(data["head"].pk), {"field": "id_number"})]


def test_same_walk_on_a_phone(live_server: Any, browser: Any) -> None:
    data = _city()
    page = new_page(browser, **PHONE)
    _walk(page, live_server.url, data, "phone")
    # Nothing is wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()
    assert AuditEvent.objects.filter(action="view_sensitive", actor_username="cw_browser").count() == 1
    assert dt.date.today()  # keep the import used when the walk changes
