"""The pages: status codes per role, scope (404 outside), the Excel export, the phone checklist form, the rating
form, rectification through the finding page, the pinned query count of the registry list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minzheng.audit.models import AuditEvent
from minzheng.institutions import actions as act
from minzheng.institutions.models import Finding, Inspection, InstitutionMembership, Rating
from minzheng.institutions.tests.conftest import INSPECTED, make_institution, results
from minzheng.testing import factories as f
from minzheng.web.tests.support import sheet_rows, signed_in

D = dt.date
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def world(users, homes, member):
    """A rating, an inspection with a major and a general finding (handed over), a city campaign."""
    campaign = act.start_campaign(user=users["city"], name="2025 下半年安全隐患排查整治", area_code="210100000000",
                                  starts_on=D(2025, 7, 1), ends_on=D(2025, 12, 31))
    rating = act.rate_institution(user=users["district"], institution=homes["a"], assessors="赵评",
                                  assessed_on=D(2025, 8, 1), scores={"environment": 100, "facilities": 110,
                                                                     "operations": 125, "service": 500})
    inspection = act.record_inspection(user=users["street"], institution=homes["a"], inspected_on=INSPECTED,
                                       inspectors="李明、王芳", campaign=campaign, owner_name="张院长",
                                       results=results(M05="二楼安全出口上锁", G01="灭火器过期"))
    return {"campaign": campaign, "rating": rating, "inspection": inspection,
            "finding": inspection.findings.get(severity="general")}


def _urls(world, homes) -> dict[str, list[str]]:
    a = homes["a"].pk
    return {
        "reads": [reverse("institutions:institution_list"), reverse("institutions:institution_detail", args=[a]),
                  reverse("institutions:finding_list"),
                  reverse("institutions:finding_detail", args=[world["finding"].pk]),
                  reverse("institutions:inspection_detail", args=[world["inspection"].pk]),
                  reverse("institutions:inspection_print", args=[world["inspection"].pk]),
                  reverse("institutions:notice_print", args=[world["inspection"].pk]),
                  reverse("institutions:rating_detail", args=[world["rating"].pk]),
                  reverse("institutions:standards"), reverse("institutions:institution_export")],
        "staff": [reverse("institutions:campaign_list"),
                  reverse("institutions:campaign_detail", args=[world["campaign"].pk])],
        "manage": [reverse("institutions:institution_create"), reverse("institutions:institution_edit", args=[a])],
        "rate": [reverse("institutions:rating_form", args=[a])],
        "inspect": [reverse("institutions:inspection_form", args=[a])],
    }


# role → expected status of each group of pages about institution "a" (in community A of district 210102)
MATRIX = {
    "caseworker_a": {"reads": 200, "staff": 200, "manage": 403, "rate": 403, "inspect": 403},
    "street": {"reads": 200, "staff": 200, "manage": 403, "rate": 403, "inspect": 200},
    "district": {"reads": 200, "staff": 200, "manage": 200, "rate": 200, "inspect": 200},
    "city": {"reads": 200, "staff": 200, "manage": 200, "rate": 200, "inspect": 200},
    "auditor": {"reads": 200, "staff": 200, "manage": 403, "rate": 403, "inspect": 403},
    "provider": {"reads": 200, "staff": 403, "manage": 403, "rate": 403, "inspect": 403},
    "operator": {"reads": 403, "staff": 403, "manage": 403, "rate": 403, "inspect": 403},
}


def test_status_codes_per_role(users, homes, world) -> None:
    urls = _urls(world, homes)
    for role, expected in MATRIX.items():
        client = signed_in(users[role])
        for group, status in expected.items():
            for url in urls[group]:
                assert client.get(url).status_code == status, (role, url)
    anonymous = Client()
    assert anonymous.get(urls["reads"][0]).status_code == 302


def test_out_of_scope_users_get_404_for_everything_about_the_institution(users, homes, world) -> None:
    urls = _urls(world, homes)
    own = [u for u in urls["reads"] if u not in (reverse("institutions:institution_list"),
                                                   reverse("institutions:finding_list"),
                                                   reverse("institutions:standards"),
                                                   reverse("institutions:institution_export"))]
    for role in ("other_district", "caseworker_b"):
        client = signed_in(users[role])
        for url in own:
            assert client.get(url).status_code == 404, (role, url)
        assert "集贤社区养老院" not in client.get(reverse("institutions:institution_list")).content.decode()
    other = signed_in(users["other_district"])
    for url in urls["manage"][1:] + urls["rate"] + urls["inspect"]:
        assert other.get(url).status_code == 404, url
    finding = world["finding"]
    assert other.post(reverse("institutions:finding_act", args=[finding.pk, "assign"])).status_code == 404
    assert other.get(reverse("institutions:campaign_detail", args=[world["campaign"].pk])).status_code == 200


def test_institution_staff_see_only_their_institution(users, homes, world, member) -> None:
    client = signed_in(member)
    html = client.get(reverse("institutions:institution_list")).content.decode()
    assert "集贤社区养老院" in html and "南市场街道敬老院" not in html and "共 1 家" in html
    assert client.get(reverse("institutions:institution_detail", args=[homes["street"].pk])).status_code == 404
    outsider = f.make_user("service_provider", f.COMMUNITY_A, "other_home_staff")
    assert "共 0 家" in signed_in(outsider).get(reverse("institutions:institution_list")).content.decode()
    assert signed_in(outsider).get(reverse("institutions:institution_detail", args=[homes["a"].pk])).status_code \
        == 404


def test_rectification_through_the_finding_page(users, world, member, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    finding = world["finding"]
    url = reverse("institutions:finding_detail", args=[finding.pk])
    staff = signed_in(member)
    page = staff.get(url).content.decode()
    assert 'data-action="submit"' in page and 'data-action="verify"' not in page
    photo = SimpleUploadedFile("after.png", PNG, content_type="image/png")
    response = staff.post(reverse("institutions:finding_act", args=[finding.pk, "submit"]),
                          {"submit-note": "已更换灭火器 12 具", "submit-photo": photo})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.state == "submitted" and finding.submitted_by == member
    step = finding.steps.get(action="submit")
    assert step.photo.name.startswith("institutions/findings/")
    assert staff.get(reverse("institutions:photo", args=["step", step.pk])).status_code == 200
    assert signed_in(users["other_district"]).get(
        reverse("institutions:photo", args=["step", step.pk])).status_code == 404
    assert staff.post(reverse("institutions:finding_act", args=[finding.pk, "verify"]),
                      {"verify-note": "自己验收"}).status_code == 403
    district = signed_in(users["district"])
    assert 'data-action="verify"' in district.get(url).content.decode()
    district.post(reverse("institutions:finding_act", args=[finding.pk, "verify"]), {"verify-note": "合格"})
    district.post(reverse("institutions:finding_act", args=[finding.pk, "close"]), {"close-note": "销号"})
    finding.refresh_from_db()
    assert finding.state == "closed" and finding.verified_by == users["district"]


def test_excel_export_lists_the_registry_with_masked_phones(users, homes, world) -> None:
    response = signed_in(users["district"]).get(reverse("institutions:institution_export") + "?kind=public")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    rows = sheet_rows(response.content)
    assert rows[0][:4] == ("机构名称", "性质", "区县", "街道/乡镇") and rows[0][-3:] == (
        "当前等级（星）", "等级有效期至", "未销号重大隐患")
    assert len(rows) == 2  # the one public institution of district 210102 (the other public one is in 210103)
    name, kind, district, street, community, *_rest = rows[1]
    assert (name, kind, district, street, community) == ("集贤社区养老院", "公办", "和平区", "南市场街道", "集贤社区")
    assert rows[1][10] == "138****5678" and rows[1][12] == 4 and rows[1][14] == "是"
    assert "13812345678" not in str(rows)
    event = AuditEvent.objects.get(action="export", object_type="institutions.institution")
    assert event.after == {"filter": {"kind": "public"}, "rows": 1}
    city_rows = sheet_rows(signed_in(users["city"]).get(reverse("institutions:institution_export")).content)
    assert len(city_rows) == 5


def test_registry_list_query_count_does_not_grow_with_rows(users, homes) -> None:
    client = signed_in(users["city"])
    url = reverse("institutions:institution_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        make_institution(f"新增养老院{n}", f.COMMUNITY_B if n % 2 else f.STREET_A)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few) <= 12


def test_the_phone_checklist_form_records_the_inspection(users, homes, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = signed_in(users["street"])
    url = reverse("institutions:inspection_form", args=[homes["street"].pk])
    page = client.get(url).content.decode()
    assert page.count('class="item-major"') == 8 and 'capture="environment"' in page and 'name="outcome_G10"' in page
    data: dict[str, Any] = {"inspected_on": "2025-09-12", "inspectors": "李明、王芳", "owner_name": "王院长",
            "deadline_major": "2025-10-12", "deadline_general": "2025-09-27"}
    data.update({f"outcome_{code}": "pass" for code in [f"M0{i}" for i in range(1, 9)] +
                 [f"G{i:02d}" for i in range(1, 11)]})
    data.update({"outcome_M03": "fail", "note_M03": "电梯超期未检",
                 "photo_M03": SimpleUploadedFile("lift.png", PNG, content_type="image/png")})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    inspection = Inspection.objects.get()
    finding = inspection.findings.get()
    assert (finding.severity, finding.state, finding.deadline, finding.owner_name) == (
        "major", "rectifying", D(2025, 10, 12), "王院长")
    assert finding.photo.name and finding.escalations.count() == 2
    record = client.get(reverse("institutions:inspection_print", args=[inspection.pk])).content.decode()
    assert "养老机构安全检查记录" in record and "电梯超期未检" in record
    notice = client.get(reverse("institutions:notice_print", args=[inspection.pk])).content.decode()
    assert "安全隐患整改通知书" in notice and "2025年10月12日" in notice and "挂牌督办" in notice


def test_an_incomplete_checklist_is_sent_back(users, homes) -> None:
    client = signed_in(users["street"])
    url = reverse("institutions:inspection_form", args=[homes["a"].pk])
    response = client.post(url, {"inspected_on": "2025-09-12", "inspectors": "李明", "outcome_M01": "pass"})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert Inspection.objects.count() == 0


def test_the_rating_form_computes_and_explains_the_level(users, homes) -> None:
    client = signed_in(users["district"])
    url = reverse("institutions:rating_form", args=[homes["street"].pk])
    page = client.get(url).content.decode()
    assert "假定值 assumed" in page and "服务（满分 600）" in page
    bad = client.post(url, {"score_environment": "121", "score_facilities": "130", "score_operations": "150",
                            "score_service": "600", "assessors": "赵评", "assessed_on": "2025-08-01"})
    assert bad.status_code == 200 and Rating.objects.count() == 0
    response = client.post(url, {"score_environment": "120", "score_facilities": "130", "score_operations": "130",
                                 "score_service": "470", "assessors": "赵评、钱审", "assessed_on": "2025-08-01"})
    rating = Rating.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("institutions:rating_detail",
                                                                           args=[rating.pk])
    detail = client.get(response["Location"]).content.decode()
    assert rating.stars == 3 and "四级未达：服务 470 低于 480" in detail


def test_registering_an_institution_and_linking_staff(users, tree, defaults) -> None:
    client = signed_in(users["district"])
    response = client.post(reverse("institutions:institution_create"), {
        "name": "文安社区日间照料中心", "kind": "private", "area": f.COMMUNITY_B, "beds": "30", "status": "active"})
    assert response.status_code == 302
    created = client.get(response["Location"])
    assert "文安社区日间照料中心" in created.content.decode()
    wrong = client.post(reverse("institutions:institution_create"), {
        "name": "越界", "kind": "private", "area": f.COMMUNITY_OTHER_DISTRICT, "beds": "3", "status": "active"})
    assert wrong.status_code == 200 and "越界" not in str(list(Finding.objects.all()))
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    client.post(reverse("institutions:member_add", args=[pk]), {"username": "provider", "title": "院长"})
    assert InstitutionMembership.objects.get().user == users["provider"]
    client.post(reverse("institutions:member_add", args=[pk]), {"username": "street_a"})
    assert InstitutionMembership.objects.count() == 1  # only service_provider accounts are linked


def test_campaign_page_shows_coverage_and_escalated_hazards(users, homes, world) -> None:
    html = signed_in(users["district"]).get(
        reverse("institutions:campaign_detail", args=[world["campaign"].pk])).content.decode()
    assert '<span class="coverage-pct">50.0%</span>' in html and "南市场街道敬老院" in html
    assert "二楼安全出口上锁" in html  # the major hazard, escalated
    city = signed_in(users["city"]).get(reverse("institutions:campaign_list")).content.decode()
    assert "星级评定覆盖" in city and "33.3%" in city  # 1 of 3 institutions in operation rated
    overdue = signed_in(users["district"]).get(reverse("institutions:finding_list") + "?overdue=on").content.decode()
    assert "逾期" in overdue and "灭火器过期" in overdue  # 2025-09-25 has passed
