"""Home care in a real browser (Debian's chromium through Playwright, on a phone-sized screen): a relative
orders a visit on the public page; the enterprise's dispatcher assigns it to a worker; the worker checks in
(with the phone's position) and out; the visit appears in the month's settlement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from minzheng.core.models import Area
from minzheng.eldercare.actions.assessments import record_assessment
from minzheng.eldercare.actions.providers import add_worker, link_manager, register_family_contact, save_enterprise
from minzheng.eldercare.models import Order, Visit
from minzheng.eldercare.seeds import ensure_seeds
from minzheng.eldercare.tests import support as s
from minzheng.eldercare.tests.test_assessment import answers_for
from minzheng.testing import factories as f
from minzheng.testing.browser import PHONE, SHOTS, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

@pytest.fixture
def scene(tree, users) -> dict[str, Any]:
    """The reference data (a transactional test's flush removes what migrations seeded), an 84-year-old in a
    dibao household assessed at level 2 (10 hours a month), her son's registered phone, an enterprise."""
    Area.objects.get_or_create(code=f.CITY, defaults={"name": "沈阳市", "level": "city"})
    ensure_seeds()
    elder = s.person(s.pid(dt.date(1941, 3, 3), female=True), "孙桂英", dt.date(1941, 3, 3))
    s.household_in_care([elder], "dibao")
    record_assessment(user=None, person=elder, reason="first", assessed_on=timezone.localdate(), assessor_1="甲",
                      assessor_2="乙", answers=answers_for(55))
    register_family_contact(user=None, person=elder, name="孙建华", relation="子", phone="13500001111")
    ent = save_enterprise(user=None, name="和平颐养家政服务有限公司", area_code=f.DISTRICT_A,
                          category_codes=["bathing", "cleaning"])
    link_manager(user=None, member=users["provider"], enterprise=ent)
    worker = add_worker(user=None, enterprise=ent, name="张秀云", phone="13600000001",
                        account=f.make_user("service_provider", f.COMMUNITY_A, "worker_zhang", full_name="张秀云"))
    return {"elder": elder, "ent": ent, "worker": worker}


def test_relative_orders_enterprise_dispatches_worker_visits_settlement(scene, live_server: Any, browser: Any
                                                                       ) -> None:
    base = live_server.url
    page = new_page(browser, viewport=PHONE["viewport"], geolocation={"latitude": 41.7801, "longitude": 123.3952},
                    permissions=["geolocation"])
    now = timezone.localtime()
    month = now.strftime("%Y-%m")

    # 1. The son orders a bathing visit on his phone, without signing in.
    page.goto(f"{base}/eldercare/order/")
    page.fill("input[name=id_number]", scene["elder"].id_number)
    page.fill("input[name=phone]", "135 0000 1111")
    page.select_option("select[name=category]", "bathing")
    page.fill("input[name=scheduled_at]", (now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=hours]", "2")
    page.fill("input[name=address]", "和平区集贤街8号3单元202")
    page.fill("input[name=contact_name]", "孙建华")
    page.fill("input[name=contact_phone]", "13500001111")
    page.screenshot(path=str(SHOTS / "mz-eldercare-1-order.png"), full_page=True)
    page.click("#public-order button[type=submit]")
    page.locator("#order-done").wait_for()
    assert "和平颐养家政服务有限公司" in page.inner_text("#order-done")
    order = Order.objects.get()
    assert (order.channel, order.status) == ("relative", "dispatched")

    # 2. The enterprise's dispatcher assigns it to a worker.
    log_in(page, base, "provider")
    page.goto(f"{base}/eldercare/provider/")
    card = page.locator(f"#waiting [data-order='{order.pk}']")
    card.locator("select[name=worker]").select_option(str(scene["worker"].pk))
    page.screenshot(path=str(SHOTS / "mz-eldercare-2-dispatch.png"), full_page=True)
    card.locator("button[type=submit]").click()
    page.wait_for_url("**/eldercare/provider/")
    assert page.locator(f"#waiting [data-order='{order.pk}']").count() == 0

    # 3. The worker checks in on arrival (the phone's position) and out with the service record.
    log_in(page, base, "worker_zhang")
    page.goto(f"{base}/eldercare/")
    page.wait_for_url("**/eldercare/worker/")
    page.click(f"#todo [data-order='{order.pk}'] a")
    page.wait_for_function("document.querySelector('input[data-geo=lat]').value !== ''")
    page.click("#check-in")
    page.locator("#order-status[data-status=checked_in]").wait_for()
    visit = Visit.objects.get()
    assert (float(visit.check_in_lat), float(visit.check_in_lng)) == (41.7801, 123.3952)
    # The visit lasted two hours (within this month).
    start = max(timezone.now() - dt.timedelta(hours=2),
                timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0))
    Visit.objects.filter(pk=visit.pk).update(check_in_at=start)
    page.fill("textarea[name=record]", "协助洗澡、更衣，检查皮肤无压红")
    page.screenshot(path=str(SHOTS / "mz-eldercare-3-checkout.png"), full_page=True)
    page.click("#check-out")
    page.wait_for_url("**/eldercare/worker/")
    order.refresh_from_db()
    assert order.status == "checked_out"

    # 4. The district settles the month: the visit is there, paid at the bathing rate.
    log_in(page, base, "district_a")
    page.goto(f"{base}/eldercare/settlements/")
    page.fill("input[name=month]", month)
    page.select_option("select[name=enterprise]", str(scene["ent"].pk))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/eldercare/settlements/*/")
    row = page.locator(f"#lines tr[data-order='{order.number}']")
    assert row.get_attribute("data-decision") == "paid"
    hours = (timezone.now() - start).total_seconds() / 3600
    expected = int(min(hours, 2) * 2) / 2 * 60  # half-hours, at most the 2 ordered, 60 yuan an hour
    assert page.inner_text("[data-amount]") == f"{expected:.2f}"
    page.screenshot(path=str(SHOTS / "mz-eldercare-4-settlement.png"), full_page=True)
