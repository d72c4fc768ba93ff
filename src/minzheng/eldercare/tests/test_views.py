"""The pages: every page answers for the staff in scope and 404s outside it; the public order page identifies
the elder by ID number and a registered phone (and locks after repeated failures); forms call the actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minzheng.analytics.population import snapshot_path
from minzheng.eldercare.actions.adaptation import apply_adaptation
from minzheng.eldercare.actions.community import create_policy, record_meal, save_meal_point
from minzheng.eldercare.actions.orders import assign_worker, check_in, check_out, place_order
from minzheng.eldercare.actions.providers import add_worker, link_manager, register_family_contact, save_enterprise
from minzheng.eldercare.actions.settlement import settle_month
from minzheng.eldercare.models import AllowanceRun, Assessment, Order
from minzheng.eldercare.tests import support as s
from minzheng.eldercare.tests.test_assessment import answers_for
from minzheng.testing import factories as f

TZ = timezone.get_fixed_timezone(8 * 60)


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=f.PASSWORD)
    return client


@pytest.fixture
def world(tree, users) -> dict[str, Any]:
    elder = s.person(s.pid(dt.date(1940, 5, 5)), "孙桂英", dt.date(1940, 5, 5), phone="13711110000")
    s.household_in_care([elder], "dibao")
    ent = save_enterprise(user=None, name="和平颐养家政服务有限公司", area_code=f.DISTRICT_A,
                          category_codes=["cleaning", "bathing"])
    link_manager(user=None, member=users["provider"], enterprise=ent)
    account = f.make_user("service_provider", f.COMMUNITY_A, "worker_zhang")
    worker = add_worker(user=None, enterprise=ent, name="张秀云", account=account)
    register_family_contact(user=None, person=elder, name="孙儿子", relation="子", phone="13500001111")
    order = place_order(user=users["caseworker_a"], person=elder, category_code="cleaning",
                        scheduled_at=dt.datetime(2025, 8, 4, 9, tzinfo=TZ), hours=Decimal("2"), address="和平区",
                        contact_name="孙儿子", contact_phone="13500001111")
    assign_worker(user=users["provider"], order=order, worker_id=worker.pk)
    check_in(user=account, order=order, place="和平区", at=dt.datetime(2025, 8, 4, 9, tzinfo=TZ))
    check_out(user=account, order=order, record_text="保洁", place="和平区", at=dt.datetime(2025, 8, 4, 11, tzinfo=TZ))
    settlement = settle_month(user=None, month="2025-08", enterprise=ent)
    case = apply_adaptation(user=None, person=elder, address="和平区", applied_on=dt.date(2025, 8, 1))
    point = save_meal_point(user=None, name="集贤社区长者食堂", kind="canteen", area_code=f.COMMUNITY_A)
    record_meal(user=None, point=point, person=elder, served_on=timezone.localdate(), meal="lunch",
                price=Decimal("15"))
    create_policy(user=None, year=2025, insurer="中国人寿", premium=Decimal("20"), starts_on=dt.date(2025, 1, 1),
                  ends_on=dt.date(2025, 12, 31))
    return {"elder": elder, "ent": ent, "worker": worker, "order": order, "settlement": settlement, "case": case,
            "point": point, "account": account}


def test_staff_pages_answer_in_scope_and_404_outside(client: Client, world, users) -> None:
    e = world["elder"]
    pages = [reverse("eldercare:person", args=[e.pk]), reverse("eldercare:order", args=[world["order"].pk]),
             reverse("eldercare:adaptation", args=[world["case"].pk]),
             reverse("eldercare:meal_point", args=[world["point"].pk]),
             reverse("eldercare:assessment_new", args=[e.pk]), reverse("eldercare:order_new", args=[e.pk])]
    lists = ["eldercare:home", "eldercare:allowance", "eldercare:assessments", "eldercare:orders",
             "eldercare:settlements", "eldercare:adaptations", "eldercare:meal_points", "eldercare:insurance",
             "eldercare:allowance_apply"]
    login(client, "caseworker_a")
    for url in pages + [reverse(n) for n in lists] + [reverse("eldercare:people") + "?q=孙桂英"]:
        assert client.get(url).status_code == 200, url
    assert "孙桂英" in client.get(reverse("eldercare:people") + f"?q={e.id_number}").content.decode()
    other = login(Client(), "caseworker_b")
    for url in pages:
        assert other.get(url).status_code == 404, url
    district = login(Client(), "district_a")
    assert district.get(reverse("eldercare:settlement", args=[world["settlement"].pk])).status_code == 200
    assert login(Client(), "district_b").get(
        reverse("eldercare:settlement", args=[world["settlement"].pk])).status_code == 404
    export = district.get(reverse("eldercare:settlement_export", args=[world["settlement"].pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert Client().get(reverse("eldercare:orders")).status_code == 302  # sign in first


def test_list_query_counts(client: Client, world, users, django_assert_max_num_queries) -> None:
    login(client, "caseworker_a")
    client.get(reverse("eldercare:orders"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("eldercare:orders")).status_code == 200


def test_public_order_with_a_registered_family_phone(client: Client, world) -> None:
    e = world["elder"]
    form = {"id_number": e.id_number, "phone": "13500001111", "category": "bathing",
            "scheduled_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "hours": "1.5",
            "address": "和平区集贤街8号", "contact_name": "孙儿子",
            "contact_phone": "13500001111", "note": ""}
    past = client.post(reverse("eldercare:public_order"), dict(form, scheduled_at="2020-01-01T09:00"))
    assert "60天内" in past.content.decode()
    response = client.post(reverse("eldercare:public_order"), form)
    assert response.status_code == 200 and "预约已提交" in response.content.decode()
    order = Order.objects.get(category__code="bathing")
    assert (order.channel, order.status, order.enterprise) == ("relative", "dispatched", world["ent"])
    for _ in range(5):
        bad = client.post(reverse("eldercare:public_order"), dict(form, phone="13900000000"))
        assert "身份证号或手机号不正确" in bad.content.decode()
    locked = client.post(reverse("eldercare:public_order"), form)
    assert "尝试次数过多" in locked.content.decode()


def test_provider_assigns_and_worker_checks_in_and_out(client: Client, world, users) -> None:
    order = place_order(user=users["caseworker_a"], person=world["elder"], category_code="bathing",
                        scheduled_at=timezone.now(), hours=Decimal("1"), address="和平区", contact_name="孙",
                        contact_phone="13500001111")
    manager = login(client, "provider")
    assert manager.get(reverse("eldercare:home"))["Location"] == reverse("eldercare:provider")
    assert f'data-order="{order.pk}"' in manager.get(reverse("eldercare:provider")).content.decode()
    manager.post(reverse("eldercare:order_action", args=[order.pk, "assign"]), {"worker": world["worker"].pk})
    worker = login(Client(), "worker_zhang")
    assert worker.get(reverse("eldercare:home"))["Location"] == reverse("eldercare:worker")
    page = reverse("eldercare:worker_visit", args=[order.pk])
    worker.post(page, {"lat": "41.780000", "lng": "123.400000", "place": ""})
    order.refresh_from_db()
    assert order.status == "checked_in" and order.visit.check_in_lat == Decimal("41.780000")
    worker.post(page, {"place": "和平区集贤街8号", "record": "协助洗澡"})
    order.refresh_from_db()
    assert order.status == "checked_out" and order.visit.record == "协助洗澡"
    assert login(Client(), "caseworker_b").get(page).status_code == 403  # not a provider


def test_assessment_form_and_report(client: Client, world, users) -> None:
    login(client, "caseworker_a")
    data = {"reason": "first", "assessed_on": "2025-08-10", "assessor_1": "张评估", "assessor_2": "李评估",
            "informant": "", "informant_relation": "", "diagnoses": "F03", "note": "", "risk_fall": "1",
            **{f"item_{k}": v for k, v in answers_for(70).items()}}
    response = client.post(reverse("eldercare:assessment_new", args=[world["elder"].pk]), data)
    a = Assessment.objects.get()
    assert response["Location"] == reverse("eldercare:assessment", args=[a.pk])
    assert (a.total, a.initial_level, a.final_level) == (70, 1, 2)
    report = client.get(reverse("eldercare:assessment_report", args=[a.pk])).content.decode()
    assert world["elder"].id_number in report and "能力等级" in report


def test_allowance_run_from_the_page(client: Client, world, users, settings, tmp_path,
                                     django_capture_on_commit_callbacks) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.DATA_DIR = tmp_path
    e = world["elder"]
    s.population(snapshot_path(tmp_path), [(e.id_number, e.name, e.birth_date)])
    login(client, "caseworker_a")
    assert client.post(reverse("eldercare:allowance_start"), {"month": "2025-08"}).status_code == 403
    city = login(Client(), "city_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = city.post(reverse("eldercare:allowance_start"), {"month": "2025-08"})
    run = AllowanceRun.objects.get()
    assert response["Location"] == reverse("eldercare:allowance_run", args=[run.pk])
    assert (run.status, run.eligible, run.created, run.monthly_total) == ("done", 1, 1, Decimal("100.00"))
    assert "应享受" in city.get(response["Location"]).content.decode()
