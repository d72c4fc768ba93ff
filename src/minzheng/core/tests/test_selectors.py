"""Scoping of reads: out of scope answers exactly like missing."""

import pytest

from minzheng.core import selectors as s
from minzheng.core.errors import NotFound
from minzheng.testing import factories as f


def test_scope_by_level(users, household_a, household_b, tree) -> None:
    other = f.make_household(f.COMMUNITY_OTHER_DISTRICT)
    ids = lambda u: set(s.visible_households(users[u]).values_list("pk", flat=True))  # noqa: E731
    assert ids("caseworker_a") == {household_a.pk}
    assert ids("caseworker_b") == {household_b.pk}
    assert ids("street") == {household_a.pk, household_b.pk}
    assert ids("district") == {household_a.pk, household_b.pk}
    assert ids("other_district") == {other.pk}
    assert ids("city") == {household_a.pk, household_b.pk, other.pk}
    assert ids("auditor") == {household_a.pk, household_b.pk, other.pk}
    assert ids("provider") == set()
    assert ids("operator") == set()


def test_out_of_scope_and_missing_raise_the_same(users, household_a, household_b) -> None:
    with pytest.raises(NotFound) as out_of_scope:
        s.get_household(users["caseworker_a"], household_b.pk)
    with pytest.raises(NotFound) as missing:
        s.get_household(users["caseworker_a"], 999999)
    assert str(out_of_scope.value) == str(missing.value)
    assert s.get_household(users["caseworker_a"], household_a.pk) == household_a


def test_people_scope_follows_current_membership(users, household_a, household_b) -> None:
    member_b = household_b.memberships.get(relation="户主").person
    member_b.area_id = f.COMMUNITY_A  # registered in A, lives in a household of B
    member_b.save()
    assert s.get_person(users["caseworker_b"], member_b.pk) == member_b
    assert s.get_person(users["caseworker_a"], member_b.pk) == member_b
    spouse_b = household_b.memberships.get(relation="配偶").person
    with pytest.raises(NotFound):
        s.get_person(users["caseworker_a"], spouse_b.pk)


def test_search(users, household_a, household_b) -> None:
    head = household_a.memberships.get(relation="户主").person
    cw = users["caseworker_a"]
    assert list(s.search_households(cw, q="王建国")) == [household_a]
    assert list(s.search_households(cw, q=head.id_number.lower())) == [household_a]
    assert list(s.search_households(cw, q=household_a.household_no)) == [household_a]
    assert list(s.search_households(cw, q="南京南街")) == [household_a]
    assert list(s.search_households(users["street"], area_code=f.COMMUNITY_B)) == [household_b]
    assert list(s.search_households(cw, area_code=f.COMMUNITY_B)) == []
    assert list(s.search_households(users["street"], q="不存在的人")) == []
