"""The household change forms: each records a HouseholdChange and an audit row; refusals are shown; roles and
scope are enforced (403 for a role that may not write, 404 outside the jurisdiction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.authz.models import User
from minzheng.core.idnumber import make
from minzheng.core.models import Household, HouseholdChange, HouseholdMember, Person
from minzheng.testing import factories as f
from minzheng.web.tests.support import head_of, signed_in

D = dt.date(2025, 3, 1)


def _member(household: Household, relation: str) -> Person:
    return household.memberships.get(relation=relation, end_date__isnull=True).person


def _current(household: Household) -> list[tuple[str, str]]:
    return sorted(
        (m.person.name, m.relation)
        for m in HouseholdMember.objects.filter(household=household, end_date__isnull=True).select_related("person")
    )


def _last_change(household: Household) -> HouseholdChange:
    return HouseholdChange.objects.filter(household=household).latest("id")


def _last_event(household: Household) -> AuditEvent:
    return AuditEvent.objects.filter(object_type="core.household", object_id=str(household.pk)).latest("id")


def test_edit_contact_and_address(users: dict[str, User], household_a: Household) -> None:
    client = signed_in(users["caseworker_a"])
    page = client.get(f"/households/{household_a.pk}/edit/")
    assert "138****5678" in page.content.decode() and "13812345678" not in page.content.decode()
    response = client.post(f"/households/{household_a.pk}/edit/",
                           {"address": "和平区南京南街2号", "phone": "13900001111", "reason": "搬家"})
    assert (response.status_code, response["Location"]) == (302, f"/households/{household_a.pk}/")
    household_a.refresh_from_db()
    assert (household_a.address, household_a.phone) == ("和平区南京南街2号", "13900001111")
    change = _last_change(household_a)
    assert (change.kind, change.reason, change.actor_id) == ("update", "搬家", users["caseworker_a"].pk)
    assert change.after == {"address": "和平区南京南街2号", "phone": "13900001111"}
    ev = _last_event(household_a)
    assert (ev.action, ev.actor_username, ev.reason, ev.area_code) == ("update", "caseworker_a", "搬家", f.COMMUNITY_A)


def test_edit_with_blank_phone_keeps_it_and_reason_is_required(users: dict[str, User],
                                                               household_a: Household) -> None:
    client = signed_in(users["caseworker_a"])
    missing = client.post(f"/households/{household_a.pk}/edit/", {"address": "新地址", "phone": "", "reason": " "})
    assert missing.status_code == 200
    assert missing.context["form"].errors == {"reason": ["这个字段是必填项。"]}
    client.post(f"/households/{household_a.pk}/edit/", {"address": "新地址", "phone": "", "reason": "核实"})
    household_a.refresh_from_db()
    assert (household_a.address, household_a.phone) == ("新地址", "13812345678")


def test_add_an_existing_person_by_id_number(users: dict[str, User], household_a: Household, tree: Any) -> None:
    grandma = f.make_person("张淑芬", dt.date(1948, 2, 3), female=True)
    response = signed_in(users["caseworker_a"]).post(f"/households/{household_a.pk}/members/add/", {
        "id_number": grandma.id_number.lower(), "name": "", "relation": "母", "start_date": "2025-03-01",
        "reason": "随子女生活",
    })
    assert response.status_code == 302
    assert ("张淑芬", "母") in _current(household_a)
    change = _last_change(household_a)
    assert (change.kind, change.effective_date, change.reason) == ("add_member", D, "随子女生活")
    assert [m["name"] for m in change.after["members"]] == ["王建国", "李秀英", "王小明", "张淑芬"]
    assert _last_event(household_a).summary == f"增加成员 {household_a.household_no}"


def test_add_a_new_person_registers_them(users: dict[str, User], household_a: Household) -> None:
    idn = make("210102", dt.date(2024, 12, 1), 25)
    client = signed_in(users["caseworker_a"])
    nameless = client.post(f"/households/{household_a.pk}/members/add/", {
        "id_number": idn, "name": "", "relation": "孙子女", "start_date": "2025-03-01", "reason": "新生儿落户"})
    assert nameless.context["form"].non_field_errors() == ["该身份证号尚未登记，请填写姓名以登记新人员"]
    assert not Person.objects.filter(id_number=idn).exists()
    response = client.post(f"/households/{household_a.pk}/members/add/", {
        "id_number": idn, "name": "王乐乐", "relation": "孙子女", "phone": "", "start_date": "2025-03-01",
        "reason": "新生儿落户"})
    assert response.status_code == 302
    baby = Person.objects.get(id_number=idn)
    assert (baby.name, baby.sex, baby.birth_date, baby.area_id) == ("王乐乐", "M", dt.date(2024, 12, 1),
                                                                   f.COMMUNITY_A)
    assert ("王乐乐", "孙子女") in _current(household_a)
    assert AuditEvent.objects.filter(action="create", object_type="core.person", object_id=str(baby.pk)).count() == 1
    assert _last_change(household_a).kind == "add_member"


def test_add_refusals_are_shown_and_nothing_is_written(users: dict[str, User], household_a: Household,
                                                       household_b: Household) -> None:
    client = signed_in(users["caseworker_a"])
    url = f"/households/{household_a.pk}/members/add/"
    bad = client.post(url, {"id_number": "210102199001011234", "name": "某人", "relation": "子",
                            "start_date": "2025-03-01", "reason": "x"})
    assert bad.context["form"].non_field_errors() == ["身份证号校验码错误"]
    elsewhere = head_of(household_b)
    taken = client.post(url, {"id_number": elsewhere.id_number, "name": "", "relation": "子",
                              "start_date": "2025-03-01", "reason": "x"})
    assert taken.context["form"].non_field_errors() == [
        f"王建国 已是家庭 {household_b.household_no} 的成员，请先办理减员或分户"]
    wrong_name = client.post(url, {"id_number": elsewhere.id_number, "name": "李四", "relation": "子",
                                   "start_date": "2025-03-01", "reason": "x"})
    assert wrong_name.context["form"].non_field_errors() == ["姓名与该身份证号的登记信息不符"]
    assert HouseholdChange.objects.count() == 0


def test_remove_member(users: dict[str, User], household_a: Household) -> None:
    child = _member(household_a, "子")
    client = signed_in(users["caseworker_a"])
    form = client.get(f"/households/{household_a.pk}/members/remove/").context["form"]
    assert [label for _v, label in form.fields["person"].choices] == ["李秀英（配偶）", "王小明（子）"]
    response = client.post(f"/households/{household_a.pk}/members/remove/",
                           {"person": child.pk, "end_date": "2025-03-01", "reason": "参军"})
    assert response.status_code == 302
    assert _current(household_a) == [("李秀英", "配偶"), ("王建国", "户主")]
    change = _last_change(household_a)
    assert (change.kind, change.effective_date, change.reason) == ("remove_member", D, "参军")
    head = head_of(household_a)
    refused = client.post(f"/households/{household_a.pk}/members/remove/",
                          {"person": head.pk, "end_date": "2025-03-01", "reason": "x"})
    assert refused.status_code == 200 and refused.context["form"].errors  # the head is not offered


def test_change_head(users: dict[str, User], household_a: Household) -> None:
    spouse, child = _member(household_a, "配偶"), _member(household_a, "子")
    response = signed_in(users["caseworker_a"]).post(f"/households/{household_a.pk}/head/", {
        "new_head": spouse.pk, "former_head_relation": "配偶", f"rel_{spouse.pk}": "配偶",
        f"rel_{child.pk}": "子", "effective_date": "2025-03-01", "reason": "原户主外出务工"})
    assert response.status_code == 302
    assert _current(household_a) == [("李秀英", "户主"), ("王小明", "子"), ("王建国", "配偶")]
    change = _last_change(household_a)
    assert (change.kind, change.reason) == ("change_head", "原户主外出务工")
    assert _last_event(household_a).summary == f"变更户主 {household_a.household_no}"


def test_split_and_merge_back(users: dict[str, User], household_a: Household) -> None:
    spouse, child = _member(household_a, "配偶"), _member(household_a, "子")
    client = signed_in(users["caseworker_a"])
    response = client.post(f"/households/{household_a.pk}/split/", {
        "new_household_no": "SY-SPLIT-1", "new_head": spouse.pk, f"move_{child.pk}": "on", f"rel_{child.pk}": "子",
        "address": "", "phone": "", "effective_date": "2025-03-01", "reason": "成年分户"})
    assert response.status_code == 302
    new = Household.objects.get(household_no="SY-SPLIT-1")
    assert _current(new) == [("李秀英", "户主"), ("王小明", "子")]
    assert _current(household_a) == [("王建国", "户主")]
    assert (new.address, _last_change(new).kind, _last_change(household_a).kind) == (
        "和平区南京南街1号", "split", "split")

    step_one = client.get(f"/households/{household_a.pk}/merge/", {"source_no": "SY-SPLIT-1"})
    assert [f.name for f in step_one.context["form"]] == [
        "source_no", f"rel_{spouse.pk}", f"rel_{child.pk}", "effective_date", "reason"]
    response = client.post(f"/households/{household_a.pk}/merge/", {
        "source_no": "SY-SPLIT-1", f"rel_{spouse.pk}": "配偶", f"rel_{child.pk}": "子",
        "effective_date": "2025-04-01", "reason": "回原户"})
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.status == "closed"
    assert _current(household_a) == [("李秀英", "配偶"), ("王小明", "子"), ("王建国", "户主")]
    assert (_last_change(household_a).kind, _last_change(household_a).other_household_id) == ("merge", new.pk)
    assert AuditEvent.objects.filter(object_type="core.household", summary__startswith="合户").count() == 2


def test_merge_finds_only_households_in_scope(users: dict[str, User], household_a: Household,
                                              household_b: Household) -> None:
    response = signed_in(users["caseworker_a"]).get(f"/households/{household_a.pk}/merge/",
                                                    {"source_no": household_b.household_no})
    assert response.context["lookup"].errors == {"source_no": ["未找到可合并的在册家庭"]}


CHANGES = [
    ("edit/", {"address": "x", "phone": "", "reason": "x"}),
    ("members/add/", {"id_number": "x", "relation": "子", "start_date": "2025-03-01", "reason": "x"}),
    ("members/remove/", {"person": "1", "end_date": "2025-03-01", "reason": "x"}),
    ("head/", {"new_head": "1", "former_head_relation": "配偶", "effective_date": "2025-03-01", "reason": "x"}),
    ("split/", {"new_household_no": "N1", "new_head": "1", "effective_date": "2025-03-01", "reason": "x"}),
    ("merge/", {"source_no": "x", "effective_date": "2025-03-01", "reason": "x"}),
]


@pytest.mark.parametrize(("path", "data"), CHANGES)
def test_change_outside_the_community_is_404(users: dict[str, User], household_a: Household,
                                              household_b: Household, path: str, data: dict[str, str]) -> None:
    client = signed_in(users["caseworker_a"])
    assert client.get(f"/households/{household_b.pk}/{path}").status_code == 404
    assert client.post(f"/households/{household_b.pk}/{path}", data).status_code == 404
    assert HouseholdChange.objects.count() == 0


@pytest.mark.parametrize("who", ["auditor", "provider", "operator"])
@pytest.mark.parametrize(("path", "data"), CHANGES)
def test_roles_that_may_not_write_get_403(users: dict[str, User], household_a: Household, who: str, path: str,
                                          data: dict[str, str]) -> None:
    assert signed_in(users[who]).post(f"/households/{household_a.pk}/{path}", data).status_code == 403
    assert HouseholdChange.objects.count() == 0


def test_a_closed_household_takes_no_changes(users: dict[str, User], household_a: Household) -> None:
    Household.objects.filter(pk=household_a.pk).update(status="closed")
    client = signed_in(users["caseworker_a"])
    assert client.get(f"/households/{household_a.pk}/edit/").status_code == 404
    assert "修改联系方式</a>" not in client.get(f"/households/{household_a.pk}/").content.decode()
