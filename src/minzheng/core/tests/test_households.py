"""Household changes through the actions: composition before/after, audit in the same transaction, scope."""

import datetime as dt

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.core.actions import households as hh
from minzheng.core.actions.people import register_person, reveal_person_field, update_person
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.core.models import Household, HouseholdChange, HouseholdMember
from minzheng.testing import factories as f

D = dt.date(2025, 3, 1)


def members(household: Household) -> dict[str, str]:
    return {
        m.person.name: m.relation
        for m in HouseholdMember.objects.filter(household=household, end_date__isnull=True).select_related("person")
    }


@pytest.fixture
def newborn(tree):
    return f.make_person("王小红", dt.date(2024, 12, 1), female=True)


def test_add_member_records_change_and_audit(users, household_a, newborn) -> None:
    m = hh.add_member(
        user=users["caseworker_a"],
        household=household_a,
        person=newborn,
        relation="女",
        start_date=D,
        reason="新生儿落户",
    )
    assert m.start_date == D
    assert members(household_a)["王小红"] == "女"
    change = HouseholdChange.objects.get(household=household_a, kind="add_member")
    assert len(change.before["members"]) == 3
    assert len(change.after["members"]) == 4
    assert change.reason == "新生儿落户"
    assert change.actor == users["caseworker_a"]
    ev = AuditEvent.objects.get(object_type="core.household", object_id=str(household_a.pk))
    assert (ev.action, ev.actor_username, ev.area_code, ev.reason) == (
        "update",
        "caseworker_a",
        f.COMMUNITY_A,
        "新生儿落户",
    )
    assert ev.after["members"][-1]["id_number"].count("*") == 10  # IDs masked in the trail


def test_add_member_refuses_a_person_in_another_household(users, household_a, household_b) -> None:
    someone = household_b.memberships.get(relation="配偶").person
    with pytest.raises(InvalidChange, match="已是家庭"):
        hh.add_member(
            user=users["street"], household=household_a, person=someone, relation="其他", start_date=D, reason="x"
        )
    assert not HouseholdChange.objects.exists()
    assert not AuditEvent.objects.exists()  # nothing half-applied, nothing audited


def test_remove_member_ends_membership(users, household_a) -> None:
    child = household_a.memberships.get(relation="子").person
    hh.remove_member(user=users["caseworker_a"], household=household_a, person=child, end_date=D, reason="迁出")
    assert "王小明" not in members(household_a)
    past = HouseholdMember.objects.get(person=child)
    assert (past.start_date, past.end_date) == (dt.date(2020, 1, 1), D)


def test_head_cannot_be_removed(users, household_a) -> None:
    head = household_a.memberships.get(relation="户主").person
    with pytest.raises(InvalidChange, match="变更户主"):
        hh.remove_member(user=users["caseworker_a"], household=household_a, person=head, end_date=D, reason="x")


def test_change_head(users, household_a) -> None:
    spouse = household_a.memberships.get(relation="配偶").person
    hh.change_head(
        user=users["caseworker_a"],
        household=household_a,
        new_head=spouse,
        former_head_relation="配偶",
        effective_date=D,
        reason="原户主外出务工",
    )
    assert members(household_a) == {"李秀英": "户主", "王建国": "配偶", "王小明": "子"}
    change = HouseholdChange.objects.get(kind="change_head")
    assert {m["name"]: m["relation"] for m in change.before["members"]}["王建国"] == "户主"
    assert {m["name"]: m["relation"] for m in change.after["members"]}["李秀英"] == "户主"
    # history keeps the dated relations
    assert HouseholdMember.objects.filter(household=household_a).count() == 5


def test_split_and_merge(users, household_a) -> None:
    child = household_a.memberships.get(relation="子").person
    new = hh.split_household(
        user=users["caseworker_a"],
        household=household_a,
        new_household_no="SY90000001",
        new_head=child,
        others={},
        effective_date=D,
        reason="成年分户",
    )
    assert members(new) == {"王小明": "户主"}
    assert new.area_id == household_a.area_id
    assert set(members(household_a)) == {"王建国", "李秀英"}
    assert HouseholdChange.objects.filter(kind="split").count() == 2

    later = dt.date(2025, 9, 1)
    hh.merge_households(
        user=users["caseworker_a"],
        target=household_a,
        source=new,
        relations={child.pk: "子"},
        effective_date=later,
        reason="回原户",
    )
    new.refresh_from_db()
    assert new.status == "closed"
    assert members(household_a) == {"王建国": "户主", "李秀英": "配偶", "王小明": "子"}
    assert members(new) == {}
    merge = HouseholdChange.objects.get(household=household_a, kind="merge")
    assert merge.other_household == new
    assert [m["name"] for m in merge.after["members"]] == ["王建国", "李秀英", "王小明"]


def test_split_refuses_to_empty_the_household(users, tree) -> None:
    one = f.make_household(f.COMMUNITY_A, members=2)
    spouse = one.memberships.get(relation="配偶").person
    head = one.memberships.get(relation="户主").person
    with pytest.raises(InvalidChange):
        hh.split_household(
            user=users["caseworker_a"],
            household=one,
            new_household_no="SY1",
            new_head=head,
            others={},
            effective_date=D,
            reason="x",
        )
    hh.split_household(
        user=users["caseworker_a"],
        household=one,
        new_household_no="SY2",
        new_head=spouse,
        others={},
        effective_date=D,
        reason="x",
    )


def test_out_of_scope_write_looks_missing(users, household_b, newborn) -> None:
    with pytest.raises(NotFound):
        hh.add_member(
            user=users["caseworker_a"], household=household_b, person=newborn, relation="女", start_date=D, reason="x"
        )
    with pytest.raises(NotFound):
        hh.add_member(
            user=users["other_district"], household=household_b, person=newborn, relation="女", start_date=D, reason="x"
        )


def test_roles_without_write_are_refused(users, household_a, newborn) -> None:
    for role in ("auditor",):
        with pytest.raises(Forbidden):
            hh.add_member(
                user=users[role], household=household_a, person=newborn, relation="女", start_date=D, reason="x"
            )
    for role in ("provider", "operator"):
        with pytest.raises(NotFound):  # they read no personal data: the household is invisible to them
            hh.add_member(
                user=users[role], household=household_a, person=newborn, relation="女", start_date=D, reason="x"
            )


def test_reason_is_required(users, household_a, newborn) -> None:
    with pytest.raises(InvalidChange, match="原因"):
        hh.add_member(
            user=users["caseworker_a"], household=household_a, person=newborn, relation="女", start_date=D, reason="  "
        )


def test_update_household_audits_only_the_difference(users, household_a) -> None:
    hh.update_household(user=users["caseworker_a"], household=household_a, reason="电话变更", phone="13900001111")
    ev = AuditEvent.objects.get(action="update")
    assert ev.before == {"phone": "13812345678"}
    assert ev.after == {"phone": "13900001111"}
    hh.update_household(user=users["caseworker_a"], household=household_a, reason="无变化", phone="13900001111")
    assert AuditEvent.objects.count() == 1


def test_create_household_requires_a_community(users, tree) -> None:
    head = f.make_person("赵大海", dt.date(1960, 1, 1))
    with pytest.raises(InvalidChange, match="区划"):
        hh.create_household(user=users["city"], household_no="SY77", area_code=f.STREET_A, head=head, start_date=D)
    h = hh.create_household(
        user=users["city"], household_no="SY77", area_code=f.COMMUNITY_A, head=head, start_date=D, address="和平区1号"
    )
    assert members(h) == {"赵大海": "户主"}
    assert AuditEvent.objects.get(action="create").object_id == str(h.pk)


def test_register_person_derives_and_cross_checks(users, tree) -> None:
    p = register_person(
        user=users["caseworker_a"],
        id_number="210102195003041239 ",
        name="孙立",
        area_code=f.COMMUNITY_A,
        sex="男",
        reason="登记",
    )
    assert (p.id_number, p.sex, p.birth_date) == ("210102195003041239", "M", dt.date(1950, 3, 4))
    with pytest.raises(InvalidChange, match="性别"):
        register_person(
            user=users["caseworker_a"], id_number="210102195003041247", name="孙丽", area_code=f.COMMUNITY_A, sex="男"
        )
    with pytest.raises(InvalidChange, match="出生日期"):
        register_person(
            user=users["caseworker_a"],
            id_number="210102195003041247",
            name="孙丽",
            area_code=f.COMMUNITY_A,
            birth_date=dt.date(1950, 3, 5),
        )
    with pytest.raises(InvalidChange, match="校验码"):
        register_person(
            user=users["caseworker_a"], id_number="210102195003041236", name="孙丽", area_code=f.COMMUNITY_A
        )
    with pytest.raises(InvalidChange, match="已登记"):
        register_person(
            user=users["caseworker_a"], id_number="210102500304123", name="孙立", area_code=f.COMMUNITY_A
        )  # the 15-digit form of the same number


def test_update_person_and_reveal_are_audited(users, household_a) -> None:
    head = household_a.memberships.get(relation="户主").person
    update_person(
        user=users["caseworker_a"], person=head, reason="入户核实", disability_type="肢体", disability_grade=2
    )
    ev = AuditEvent.objects.get(action="update")
    assert ev.after == {"disability_grade": 2, "disability_type": "肢体"}
    full = reveal_person_field(user=users["caseworker_a"], person=head, field="id_number", reason="核对")
    assert full == head.id_number
    view = AuditEvent.objects.get(action="view_sensitive")
    assert (view.object_id, view.after, view.area_code) == (str(head.pk), {"field": "id_number"}, f.COMMUNITY_A)
