"""The service-assistance workflow in a real browser (Debian's chromium through Playwright, on a phone-sized
screen): a caseworker assesses a household and runs matching; the provider accepts the referral and records a
visit with a photo; the household's chain of assistance shows the visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from minzheng.core.models import Area
from minzheng.services.actions.catalogue import ensure_taxonomy
from minzheng.services.actions.instruments import load_default
from minzheng.services.models import Referral, ServiceRecord
from minzheng.services.tests.test_assessment import VISIT
from minzheng.services.tests.test_views import PNG
from minzheng.testing import factories as f
from minzheng.testing.browser import SHOTS, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

@pytest.fixture
def city(db: None) -> None:
    """The top of the tree, the taxonomy and the instrument, even after another transactional test flushed
    what the migrations made."""
    top, _ = Area.objects.get_or_create(code=f.CITY, defaults={"name": "沈阳市", "level": "city"})
    for code, name in (("210102000000", "和平区"), ("210103000000", "沈河区")):
        Area.objects.get_or_create(code=code, defaults={"name": name, "level": "district", "parent": top})
    ensure_taxonomy()
    load_default()


def test_assess_match_accept_visit_timeline(city, live_server: Any, browser: Any, users, elder, catalogue,
                                            provider_users, settings, tmp_path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    page = new_page(browser, viewport={"width": 412, "height": 915})

    # 1. The caseworker assesses the household on a phone: the archive pre-fills 半自理 and 低保.
    log_in(page, base, "caseworker_a")
    page.goto(f"{base}/services/households/{elder.pk}/assess/")
    assert page.locator("input[name=item_H1][value='2']").is_checked()
    for code, score in VISIT.items():
        page.check(f"input[name=item_{code}][value='{score}']")
    page.screenshot(path=str(SHOTS / "mz-services-assess.png"))
    page.click("#assessment-form button[type=submit]")
    page.wait_for_url("**/services/assessments/*/")
    assert page.locator("[data-level]").inner_text() == "高"
    assert page.locator("[data-total]").inner_text() == "33.0"

    # 2. Matching from the services page (a background task; the immediate backend runs it at once).
    page.goto(f"{base}/services/")
    page.click("text=运行供需匹配")
    page.wait_for_url("**/services/runs/*/")
    assert page.locator("#run-status").get_attribute("data-status") == "done"
    assert page.locator("[data-served]").inner_text() == "4"
    row = page.locator("tr", has_text="助餐").first
    assert "集贤社区长者食堂" in row.inner_text() and "服务范围覆盖：集贤社区" in row.inner_text()
    page.screenshot(path=str(SHOTS / "mz-services-run.png"))
    referral = Referral.objects.get(need__item__code="life.meal")

    # 3. The canteen's user accepts (who will come) and records a visit with a photo.
    log_in(page, base, "provider")
    page.goto(f"{base}/services/inbox/")
    page.click(f"tr[data-referral='{referral.pk}'] a")
    page.fill("#accept-form input[name=worker_name]", "张阿姨")
    page.fill("#accept-form input[name=worker_phone]", "13600001111")
    page.click("#accept-form button[type=submit]")
    page.locator("#referral-status[data-status=accepted]").wait_for()
    page.click("#record-visit")
    visit_time = timezone.localtime() + dt.timedelta(minutes=2)  # the visit starts after the referral was made
    page.fill("input[name=started_at]", visit_time.strftime("%Y-%m-%dT%H:%M"))
    page.fill("textarea[name=content]", "送午餐并协助进食")
    page.fill("input[name=duration_minutes]", "45")
    page.check("input[name=beneficiary_confirmed]")
    page.fill("input[name=confirmed_by]", "赵桂兰")
    page.set_input_files("input[name=photos]", files=[{"name": "visit.png", "mimeType": "image/png", "buffer": PNG}])
    page.screenshot(path=str(SHOTS / "mz-services-visit.png"), full_page=True)
    page.click("#visit-form button[type=submit]")
    page.locator("#referral-status[data-status=in_service]").wait_for()
    assert ServiceRecord.objects.get().photos.count() == 1

    # 4. Back at the office, the household's chain of assistance shows the visit next to the money.
    log_in(page, base, "caseworker_a")
    page.goto(f"{base}/services/households/{elder.pk}/timeline/")
    first = page.locator("#timeline li").first
    assert first.get_attribute("data-kind") == "visit"
    assert "上门服务：助餐" in first.inner_text() and "张阿姨" in first.inner_text()
    assert "送午餐并协助进食" in first.inner_text()
    assert page.locator("#timeline li[data-kind=money]", has_text="最低生活保障").count() == 1
    assert page.locator("#timeline li[data-kind=visit] img").count() == 1
    page.screenshot(path=str(SHOTS / "mz-services-timeline.png"), full_page=True)
