"""The pages: every page renders for the right role; provider users reach only their referrals (404 for the
rest); caseworkers only their jurisdiction; list pages keep a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.services.models import Need, Referral, ServiceRecord
from minzheng.services.tests.conftest import make_single
from minzheng.services.tests.test_referrals import MEAL_ONLY, assess, run
from minzheng.testing import factories as f

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def matched(users, elder, catalogue, provider_users):
    assess(users["caseworker_a"], elder)
    run(users["caseworker_a"])
    return Referral.objects.get(need__item__code="life.meal")


def test_staff_pages_render(client, users, matched, elder) -> None:
    client.force_login(users["caseworker_a"])
    a = elder.service_assessments.get()
    pages = [
        reverse("services:home"), reverse("services:needs"), reverse("services:needs") + "?status=referred",
        reverse("services:household", args=[elder.pk]), reverse("services:assess", args=[elder.pk]),
        reverse("services:assessment", args=[a.pk]), reverse("services:timeline", args=[elder.pk]),
        reverse("services:runs"), reverse("services:run", args=[matched.match.run_id]),
        reverse("services:catalogue"), reverse("services:stats"), reverse("services:instrument"),
        reverse("services:inbox"), reverse("services:referral", args=[matched.pk]),
        reverse("services:catalogue_hsds", args=["services"]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("services:run", args=[matched.match.run_id])).content.decode()
    assert "服务范围覆盖：集贤社区" in page
    assert "长者食堂" in client.get(reverse("services:referral", args=[matched.pk])).content.decode()
    assert client.get(reverse("services:catalogue_hsds", args=["other"])).status_code == 404


def test_the_assessment_form_posts_an_assessment(client, users, elder, catalogue) -> None:
    client.force_login(users["caseworker_a"])
    url = reverse("services:assess", args=[elder.pk])
    page = client.get(url).content.decode()
    assert "档案预填" in page
    assert re.search(r'name="item_H1" value="2"[^>]* checked', page)  # 半自理 pre-filled
    data = {f"item_{code}": score for code, score in MEAL_ONLY.items()} | {
        "item_E1": 2, "item_H1": 2, "item_H2": 0, "item_H3": 0, "item_R1": 3, "item_R3": 2, "item_D1": 0,
        "weekdays": ["0", "2", "4"], "note": "老人行动不便", "lat": "41.78", "lng": "123.39"}
    response = client.post(url, data)
    assessment = elder.service_assessments.get()
    assert response.status_code == 302 and response["Location"] == reverse("services:assessment", args=[assessment.pk])
    assert (assessment.level, assessment.lat) == ("medium", 41.78)
    assert set(Need.objects.filter(household=elder).values_list("weekdays", flat=True)) == {0b10101}
    response = client.post(url, data | {"weekdays": []})
    assert response.status_code == 200 and "请至少选择一天" in response.content.decode()


def test_provider_user_accepts_records_a_visit_with_a_photo(client, users, matched, provider_users, elder,
                                                            settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(provider_users["canteen"])
    assert client.get(reverse("services:home"))["Location"] == reverse("services:inbox")
    inbox = client.get(reverse("services:inbox")).content.decode()
    assert f'data-referral="{matched.pk}"' in inbox
    detail = client.get(reverse("services:referral", args=[matched.pk])).content.decode()
    assert "139****1111" in detail  # masked until accepted
    client.post(reverse("services:referral_accept", args=[matched.pk]),
                {"worker_name": "张阿姨", "worker_phone": "13600001111", "planned_at": "2030-01-02T09:30"})
    matched.refresh_from_db()
    assert (matched.status, matched.worker_name) == ("accepted", "张阿姨")
    assert matched.planned_at == dt.datetime(2030, 1, 2, 1, 30, tzinfo=dt.UTC)
    assert "13900001111" in client.get(reverse("services:referral", args=[matched.pk])).content.decode()
    assert AuditEvent.objects.filter(action="view_sensitive", object_id=str(elder.pk)).count() == 1
    started = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    photo = SimpleUploadedFile("赵桂兰家.png", PNG, content_type="image/png")
    response = client.post(reverse("services:referral_visit", args=[matched.pk]), {
        "worker_name": "张阿姨", "started_at": started, "duration_minutes": 40, "content": "送午餐",
        "beneficiary_confirmed": "on", "confirmed_by": "赵桂兰", "photos": [photo], "lat": "41.7801", "lng": "123.395"})
    assert response.status_code == 302
    visit = ServiceRecord.objects.get()
    stored = visit.photos.get()
    assert stored.image.name.startswith("services/visits/") and "赵桂兰" not in stored.image.name
    assert client.get(reverse("services:photo", args=[stored.pk])).status_code == 200
    # The caseworker sees it on the household's chain; another community's worker sees nothing.
    client.force_login(users["caseworker_a"])
    timeline = client.get(reverse("services:timeline", args=[elder.pk])).content.decode()
    assert "上门服务：助餐" in timeline and "送午餐" in timeline and "最低生活保障" in timeline
    assert client.get(reverse("services:photo", args=[stored.pk])).status_code == 200
    client.force_login(users["caseworker_b"])
    assert client.get(reverse("services:photo", args=[stored.pk])).status_code == 404
    assert client.get(reverse("services:timeline", args=[elder.pk])).status_code == 404


def test_provider_users_reach_nothing_else(client, users, matched, provider_users, elder) -> None:
    client.force_login(provider_users["station"])
    assert client.get(reverse("services:referral", args=[matched.pk])).status_code == 404
    assert client.post(reverse("services:referral_accept", args=[matched.pk]), {"worker_name": "x"}).status_code == 404
    assert client.post(reverse("services:referral_decline", args=[matched.pk]), {"reason": "full"}).status_code == 404
    assert client.get(reverse("services:referral_visit", args=[matched.pk])).status_code == 404
    client.force_login(provider_users["canteen"])
    for name, args in [("household", [elder.pk]), ("timeline", [elder.pk]), ("needs", []), ("runs", []),
                       ("stats", []), ("assess", [elder.pk])]:
        assert client.get(reverse(f"services:{name}", args=args)).status_code in (403, 404), name
    assert client.get(reverse("web:core:household_detail", args=[elder.pk])).status_code in (403, 404)
    assert client.post(reverse("services:run_start")).status_code == 403
    # Staff cannot answer for a provider.
    client.force_login(users["caseworker_a"])
    assert client.post(reverse("services:referral_accept", args=[matched.pk]), {"worker_name": "x"}).status_code == 403
    assert Referral.objects.get(pk=matched.pk).status == "pending"


def test_caseworkers_see_only_their_jurisdiction(client, users, matched, elder) -> None:
    other = make_single(area=f.COMMUNITY_OTHER_DISTRICT, name="大西户")
    assess(users["city"], other)
    client.force_login(users["caseworker_b"])
    assert client.get(reverse("services:referral", args=[matched.pk])).status_code == 404
    assert client.get(reverse("services:household", args=[elder.pk])).status_code == 404
    assert client.get(reverse("services:run", args=[matched.match.run_id])).status_code == 404
    page = client.get(reverse("services:needs")).content.decode()
    assert elder.household_no not in page
    client.force_login(users["street"])
    page = client.get(reverse("services:needs")).content.decode()
    assert elder.household_no in page and other.household_no not in page


def test_list_pages_keep_their_query_count(client, users, elder, catalogue, provider_users,
                                           django_assert_max_num_queries) -> None:
    for i in range(6):
        assess(users["caseworker_a"], make_single(name=f"户{i}"))
    run(users["caseworker_a"])
    client.force_login(users["caseworker_a"])
    with django_assert_max_num_queries(14):
        assert client.get(reverse("services:needs")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("services:inbox")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("services:run", args=[Referral.objects.first().match.run_id])).status_code == 200
    client.force_login(provider_users["canteen"])
    with django_assert_max_num_queries(14):
        assert client.get(reverse("services:inbox")).status_code == 200


def test_managers_change_capacity_from_the_catalogue(client, users, catalogue) -> None:
    client.force_login(users["caseworker_a"])
    url = reverse("services:offering_capacity", args=[catalogue["station_meal"].pk])
    assert client.post(url, {"capacity": 9}).status_code == 403
    client.force_login(users["district"])
    assert client.post(url, {"capacity": 9}).status_code == 302
    catalogue["station_meal"].refresh_from_db()
    assert catalogue["station_meal"].capacity == 9


def test_a_double_click_starts_one_run(client, users, elder, catalogue, settings,
                                       django_capture_on_commit_callbacks) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(users["caseworker_a"])
    page = client.get(reverse("services:home")).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    assert key.startswith(f.COMMUNITY_A + "-")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = client.post(reverse("services:run_start"), {"key": key})
        second = client.post(reverse("services:run_start"), {"key": key})
    assert len(callbacks) == 1  # one task for the two clicks
    assert first["Location"] == second["Location"]
    from minzheng.services.models import MatchRun

    run = MatchRun.objects.get()
    assert (run.key, run.status, run.scope_id) == (key, "queued", f.COMMUNITY_A)
    assert run.task_id  # queued on the task backend after commit
