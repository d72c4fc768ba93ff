"""The household list, its filters, its export and the detail page (scoping, masking, query counts)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from minzheng.audit.models import AuditEvent
from minzheng.authz.models import User
from minzheng.core.actions import households as hh
from minzheng.core.masking import mask_id, mask_phone
from minzheng.core.models import Area, Household
from minzheng.testing import factories as f
from minzheng.web.tests.support import enroll, head_of, sheet_rows, signed_in


def _listed(response: object) -> list[str]:
    return [r["household"].household_no for r in response.context["rows"]]  # type: ignore[attr-defined]


def test_list_shows_only_the_community_and_masks_numbers(users: dict[str, User], household_a: Household,
                                                         household_b: Household) -> None:
    response = signed_in(users["caseworker_a"]).get("/households/")
    assert _listed(response) == [household_a.household_no]
    html = response.content.decode()
    head = head_of(household_a)
    assert mask_id(head.id_number) in html
    assert head.id_number not in html
    assert "138****5678" in html and "13812345678" not in html
    assert household_b.household_no not in html
    for m in household_a.memberships.all():
        assert m.person.id_number not in html
    row = response.context["rows"][0]
    assert (row["head_name"], row["member_count"], row["street"], row["area"]) == (
        "王建国", 3, "南市场街道", "集贤社区")


def test_search_by_member_name_id_archive_number_and_address(users: dict[str, User], household_a: Household,
                                                             household_b: Household) -> None:
    client = signed_in(users["street"])
    spouse = household_a.memberships.get(relation="配偶").person
    spouse.name = "赵桂兰"
    spouse.save()
    assert _listed(client.get("/households/", {"q": "赵桂兰"})) == [household_a.household_no]
    assert _listed(client.get("/households/", {"q": spouse.id_number.lower()})) == [household_a.household_no]
    assert _listed(client.get("/households/", {"q": household_b.household_no})) == [household_b.household_no]
    Household.objects.filter(pk=household_b.pk).update(address="和平区太原北街9号")
    assert _listed(client.get("/households/", {"q": "太原北街"})) == [household_b.household_no]
    assert _listed(client.get("/households/", {"q": "查无此人"})) == []


def test_area_selects_cascade_and_filter(users: dict[str, User], household_a: Household,
                                         household_b: Household) -> None:
    other = f.make_household(f.COMMUNITY_OTHER_DISTRICT)
    city = signed_in(users["city"])
    page = city.get("/households/")
    selects = page.context["filter"].selects
    assert [s.name for s in selects] == ["district", "street", "community"]
    assert [a.name for a in selects[0].options] == [a.name for a in Area.objects.filter(level="district")]
    assert selects[1].options == [] and selects[2].options == []  # chosen level by level
    assert sorted(_listed(page)) == sorted([household_a.household_no, household_b.household_no, other.household_no])

    by_district = city.get("/households/", {"district": "210102000000"})
    assert sorted(_listed(by_district)) == sorted([household_a.household_no, household_b.household_no])
    assert [a.code for a in by_district.context["filter"].selects[1].options] == [f.STREET_A]
    by_community = city.get("/households/", {"district": "210102000000", "street": f.STREET_A,
                                             "community": f.COMMUNITY_B})
    assert _listed(by_community) == [household_b.household_no]
    assert by_community.context["filter"].area_code == f.COMMUNITY_B
    # A street that does not belong to the chosen district is dropped, not trusted.
    mismatched = city.get("/households/", {"district": "210103000000", "street": f.STREET_A})
    assert _listed(mismatched) == [other.household_no]

    street = signed_in(users["street"]).get("/households/", {"community": f.COMMUNITY_A})
    assert [s.name for s in street.context["filter"].selects] == ["community"]
    assert _listed(street) == [household_a.household_no]
    assert signed_in(users["caseworker_a"]).get("/households/").context["filter"].selects == []


def test_an_area_outside_the_jurisdiction_is_404(users: dict[str, User], household_a: Household) -> None:
    client = signed_in(users["caseworker_a"])
    assert client.get("/households/", {"community": f.COMMUNITY_B}).status_code == 404
    assert client.get("/households/export.xlsx", {"community": f.COMMUNITY_B}).status_code == 404
    assert signed_in(users["street"]).get("/households/", {"district": "210103000000"}).status_code == 404
    assert signed_in(users["city"]).get("/households/", {"district": "999999000000"}).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_programme_and_status_filters(users: dict[str, User], household_a: Household,
                                      household_b: Household) -> None:
    enroll(household_a, "dibao")
    enroll(household_b, "tekun", person=head_of(household_b))
    Household.objects.filter(pk=household_b.pk).update(status="closed")
    client = signed_in(users["street"])
    assert _listed(client.get("/households/", {"programme": "dibao"})) == [household_a.household_no]
    assert _listed(client.get("/households/", {"programme": "tekun"})) == [household_b.household_no]
    assert _listed(client.get("/households/", {"status": "closed"})) == [household_b.household_no]
    assert _listed(client.get("/households/", {"status": "active", "programme": "tekun"})) == []
    rows = client.get("/households/").context["rows"]
    assert {r["household"].household_no: r["categories"] for r in rows} == {
        household_a.household_no: ["dibao"], household_b.household_no: ["tekun"]}


def test_pagination(users: dict[str, User], tree: object) -> None:
    for i in range(23):
        f.make_household(f.COMMUNITY_A, members=1, no=f"SYP{i:04d}")
    client = signed_in(users["caseworker_a"])
    first = client.get("/households/")
    assert (first.context["page"].paginator.count, len(first.context["rows"])) == (23, 20)
    second = client.get("/households/", {"page": 2})
    assert _listed(second) == ["SYP0020", "SYP0021", "SYP0022"]
    assert "第 2 / 2 页" in second.content.decode()


def test_list_queries_do_not_grow_with_rows(users: dict[str, User], tree: object,
                                            django_assert_max_num_queries: object) -> None:
    client = signed_in(users["street"])
    f.make_household(f.COMMUNITY_A, members=3)
    with CaptureQueriesContext(connection) as few:
        client.get("/households/", {"programme": "", "q": "王"})
    for i in range(19):
        h = f.make_household(f.COMMUNITY_A if i % 2 else f.COMMUNITY_B, members=4)
        enroll(h, "dibao")
        enroll(h, "tekun", person=head_of(h))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/households/", {"programme": "", "q": "王"})
    assert len(response.context["rows"]) == 20
    assert len(many) == len(few)
    with django_assert_max_num_queries(11):  # type: ignore[operator]
        client.get("/households/")


def test_export_is_masked_scoped_and_audited(users: dict[str, User], household_a: Household,
                                             household_b: Household) -> None:
    enroll(household_a, "dibao")
    client = signed_in(users["caseworker_a"])
    response = client.get("/households/export.xlsx", {"q": "王建国", "status": "active"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(response.content)
    head = head_of(household_a)
    assert rows[0] == ("档案编号", "户主姓名", "户主公民身份号码", "家庭人数", "成员", "街道/乡镇", "社区/村", "住址",
                       "联系电话", "救助类别", "状态", "建档日期")
    assert rows[1][:10] == (household_a.household_no, "王建国", mask_id(head.id_number), 3,
                            "王建国、李秀英、王小明", "南市场街道", "集贤社区", "和平区南京南街1号",
                            mask_phone("13812345678"), "最低生活保障")
    assert rows[1][10] == "在册"
    assert rows[1][11] == dt.datetime(2020, 1, 1)
    assert len(rows) == 2  # household_b (community B) is not in caseworker A's export
    text = repr(rows)
    assert not re.search(r"\d{17}[\dX]", text) and "13812345678" not in text
    ev = AuditEvent.objects.get(action="export")
    assert (ev.actor_username, ev.object_type, ev.area_code) == ("caseworker_a", "core.household", f.COMMUNITY_A)
    assert ev.after == {"filter": {"q": "王建国", "status": "active"}, "rows": 1}
    assert ev.summary == "导出家庭名单 1 户"


def test_detail_shows_members_categories_and_history(users: dict[str, User], household_a: Household) -> None:
    enroll(household_a, "dibao")
    cw = users["caseworker_a"]
    hh.update_household(user=cw, household=household_a, reason="电话变更", phone="13900001111")
    response = signed_in(cw).get(f"/households/{household_a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    members = response.context["members"]
    assert [(r["person"].name, r["m"].relation) for r in members] == [("王建国", "户主"), ("李秀英", "配偶"),
                                                                      ("王小明", "子")]
    head = members[0]["person"]
    assert members[0]["id_number"] == mask_id(head.id_number)
    assert head.id_number not in html
    assert response.context["categories"] == ["dibao"]
    assert "最低生活保障" in html
    assert [c.kind for c in response.context["changes"]] == ["update"]
    assert "139****1111" in html and "13900001111" not in html  # the change record is masked on screen
    assert [(e.action, e.summary) for e in response.context["events"]] == [
        ("update", f"修改家庭信息 {household_a.household_no}")]
    assert "修改联系方式" in html  # a caseworker may write
    assert 'data-person="' in html and "显示完整号码" in html
    assert response["Cache-Control"] == "no-store, private"


def test_detail_out_of_scope_or_missing_is_404(users: dict[str, User], household_a: Household,
                                               household_b: Household) -> None:
    client = signed_in(users["caseworker_a"])
    assert client.get(f"/households/{household_b.pk}/").status_code == 404
    assert client.get("/households/999999/").status_code == 404
    assert client.get(f"/people/{head_of(household_b).pk}/").status_code == 404


def test_readers_who_may_not_write_see_no_write_buttons(users: dict[str, User], household_a: Household) -> None:
    html = signed_in(users["auditor"]).get(f"/households/{household_a.pk}/").content.decode()
    for label in ["修改联系方式", "增加成员", "减少成员", "变更户主", "分户", "合户"]:
        assert f">{label}</a>" not in html
    assert "显示完整号码" in html  # an auditor may still look, and it is logged
