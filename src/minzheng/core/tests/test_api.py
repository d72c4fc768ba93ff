"""The households and people API: scoping and auditing over real HTTP, then the shapes of the answers."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minzheng.api.tests.support import api_base, http, issue_tokens, live
from minzheng.audit.models import AuditEvent
from minzheng.authz.actions.users import issue_token
from minzheng.authz.models import User
from minzheng.core.models import Household, HouseholdMember, Person
from minzheng.registry.models import Enrollment
from minzheng.registry.selectors import household_categories
from minzheng.testing import factories as f

HOUSEHOLD_404 = {"detail": "未找到该家庭"}
PERSON_404 = {"detail": "未找到该人员"}


@pytest.fixture
def tokens(users: dict[str, User]) -> dict[str, str]:
    return issue_tokens(users)


@pytest.fixture
def api(live_server: Any, transactional_db: None) -> Iterator[str]:
    yield api_base(live_server)


def masked_id(idn: str) -> str:
    return idn[:4] + "**********" + idn[-4:]


def head_of(household: Household) -> Person:
    return household.memberships.get(relation="户主", end_date__isnull=True).person


def list_ids(base: str, token: str, path: str = "households", query: str = "") -> tuple[int, list[int]]:
    answer = http(f"{base}/{path}?page_size=100{query}", token=token)
    assert answer.status == 200, answer.text
    body = answer.json()
    return body["count"], [item["id"] for item in body["items"]]


def missing_household_pk() -> int:
    return (Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


# --- scoping, over real HTTP ---------------------------------------------------------------------------


@live
def test_community_caseworker_gets_own_household_and_the_same_404_for_others_and_missing(
    api: str, tokens: dict[str, str], household_a: Household, household_b: Household
) -> None:
    token = tokens["caseworker_a"]
    own = http(f"{api}/households/{household_a.pk}", token=token)
    assert own.status == 200
    assert own.json()["household_no"] == household_a.household_no
    other = http(f"{api}/households/{household_b.pk}", token=token)
    missing = http(f"{api}/households/{missing_household_pk()}", token=token)
    assert (other.status, other.json()) == (404, HOUSEHOLD_404)
    assert (missing.status, missing.json()) == (404, HOUSEHOLD_404)
    assert other.body == missing.body
    assert other.body.decode() == '{"detail": "未找到该家庭"}'  # UTF-8, not \\u escapes
    assert list_ids(api, token) == (1, [household_a.pk])
    assert list_ids(api, tokens["caseworker_b"]) == (1, [household_b.pk])
    # People follow the same rule.
    spouse_b = household_b.memberships.get(relation="配偶").person
    other_person = http(f"{api}/people/{spouse_b.pk}", token=token)
    missing_person = http(f"{api}/people/{spouse_b.pk + 1000}", token=token)
    assert (other_person.status, other_person.json()) == (404, PERSON_404)
    assert other_person.body == missing_person.body


@live
def test_district_sees_both_communities_of_its_district_not_the_other_district(
    api: str, tokens: dict[str, str], household_a: Household, household_b: Household
) -> None:
    other = f.make_household(f.COMMUNITY_OTHER_DISTRICT, members=1)
    by_no = sorted([household_a, household_b], key=lambda h: h.household_no)
    assert list_ids(api, tokens["district"]) == (2, [h.pk for h in by_no])
    assert list_ids(api, tokens["street"]) == (2, [h.pk for h in by_no])
    assert list_ids(api, tokens["other_district"]) == (1, [other.pk])
    assert list_ids(api, tokens["city"])[0] == 3
    assert list_ids(api, tokens["auditor"])[0] == 3
    for h in (household_a, household_b):
        assert http(f"{api}/households/{h.pk}", token=tokens["district"]).status == 200
    refused = http(f"{api}/households/{other.pk}", token=tokens["district"])
    assert (refused.status, refused.json()) == (404, HOUSEHOLD_404)
    # People: 5 members in the district, 1 in the other one.
    assert list_ids(api, tokens["district"], "people")[0] == 5
    assert list_ids(api, tokens["other_district"], "people")[0] == 1
    other_head = head_of(other)
    assert http(f"{api}/people/{other_head.pk}", token=tokens["district"]).status == 404
    assert http(f"{api}/people/{other_head.pk}", token=tokens["other_district"]).status == 200


@live
@pytest.mark.parametrize("role", ["provider", "operator"])
def test_roles_without_personal_data_see_nothing(
    api: str, tokens: dict[str, str], household_a: Household, role: str
) -> None:
    token = tokens[role]
    head = head_of(household_a)
    for path in ("households", "people", f"people?q={head.id_number}", "households?q=王建国"):
        answer = http(f"{api}/{path}", token=token)
        assert (answer.status, answer.json()) == (200, {"items": [], "count": 0, "page": 1, "page_size": 20})
    detail = http(f"{api}/households/{household_a.pk}", token=token)
    assert (detail.status, detail.json()) == (404, HOUSEHOLD_404)
    person = http(f"{api}/people/{head.pk}", token=token)
    assert (person.status, person.json()) == (404, PERSON_404)
    reveal = http(f"{api}/people/{head.pk}/reveal", token=token, method="POST",
                  body={"field": "id_number", "reason": "核对"})
    assert (reveal.status, reveal.json()) == (404, PERSON_404)
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()


@live
def test_lists_mask_id_numbers_and_phones(api: str, tokens: dict[str, str], household_a: Household) -> None:
    head = head_of(household_a)
    Person.objects.filter(pk=head.pk).update(phone="13900001111")
    token = tokens["caseworker_a"]
    households = http(f"{api}/households", token=token)
    assert households.json()["items"] == [
        {
            "id": household_a.pk,
            "household_no": household_a.household_no,
            "area": {"code": f.COMMUNITY_A, "name": "集贤社区"},
            "address": "和平区南京南街1号",
            "phone": "138****5678",
            "status": "active",
            "members": 3,
            "head": "王建国",
            "categories": [],
        }
    ]
    people = http(f"{api}/people?q=王建国", token=token)
    assert people.json()["items"] == [
        {
            "id": head.pk,
            "name": "王建国",
            "sex": "M",
            "birth_date": "1970-05-01",
            "id_number": masked_id(head.id_number),
            "phone": "139****1111",
            "area": {"code": f.COMMUNITY_A, "name": "集贤社区"},
        }
    ]
    detail = http(f"{api}/households/{household_a.pk}", token=token)
    person = http(f"{api}/people/{head.pk}", token=token)
    for answer in (households, people, detail, person):
        assert head.id_number not in answer.text
        assert "13900001111" not in answer.text
        assert "13812345678" not in answer.text


@live
def test_reveal_returns_the_full_id_number_and_writes_one_audit_event(
    api: str, users: dict[str, User], tokens: dict[str, str], household_a: Household
) -> None:
    head = head_of(household_a)
    before = AuditEvent.objects.count()
    answer = http(f"{api}/people/{head.pk}/reveal", token=tokens["caseworker_a"], method="POST",
                  body={"field": "id_number", "reason": "  核对身份  "})
    assert (answer.status, answer.json()) == (
        200, {"person_id": head.pk, "field": "id_number", "value": head.id_number}
    )
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action="view_sensitive")
    assert event.actor == users["caseworker_a"]
    assert (event.actor_username, event.actor_role) == ("caseworker_a", "community_worker")
    assert (event.object_type, event.object_id) == ("core.person", str(head.pk))
    assert event.area_code == f.COMMUNITY_A
    assert event.summary == "查看 王建国 的完整公民身份号码"
    assert event.after == {"field": "id_number"}
    assert event.reason == "核对身份"
    assert event.ip == "127.0.0.1"


@live
def test_reveal_phone_and_refusals_write_nothing(
    api: str, tokens: dict[str, str], household_a: Household, household_b: Household
) -> None:
    head = head_of(household_a)
    token = tokens["caseworker_a"]
    url = f"{api}/people/{head.pk}/reveal"
    assert http(url, token=token, method="POST", body={"field": "name", "reason": "x"}).status == 422
    assert http(url, token=token, method="POST", body={"field": "phone", "reason": "   "}).status == 422
    assert http(url, token=token, method="POST", body={"field": "phone"}).status == 422
    assert http(url, method="POST", body={"field": "phone", "reason": "核对"}).status == 401
    out_of_scope = http(f"{api}/people/{head_of(household_b).pk}/reveal", token=token, method="POST",
                        body={"field": "id_number", "reason": "核对"})
    assert (out_of_scope.status, out_of_scope.json()) == (404, PERSON_404)
    assert AuditEvent.objects.filter(action="view_sensitive").count() == 0
    Person.objects.filter(pk=head.pk).update(phone="13900001111")
    answer = http(url, token=token, method="POST", body={"field": "phone", "reason": "电话回访"})
    assert answer.json() == {"person_id": head.pk, "field": "phone", "value": "13900001111"}
    assert AuditEvent.objects.filter(action="view_sensitive").count() == 1


@live
def test_pagination_counts(api: str, tokens: dict[str, str], tree: Any) -> None:
    made = [f.make_household(f.COMMUNITY_A, members=1, no=f"HH{i:04d}") for i in range(25)]
    f.make_household(f.COMMUNITY_B, members=1)  # out of scope: counted nowhere
    token = tokens["caseworker_a"]
    pages = [http(f"{api}/households?page_size=10&page={n}", token=token).json() for n in (1, 2, 3, 4)]
    assert [p["count"] for p in pages] == [25, 25, 25, 25]
    assert [len(p["items"]) for p in pages] == [10, 10, 5, 0]
    assert [p["page"] for p in pages] == [1, 2, 3, 4]
    assert [item["household_no"] for p in pages for item in p["items"]] == [h.household_no for h in made]
    default = http(f"{api}/households", token=token).json()
    assert (default["count"], len(default["items"]), default["page_size"]) == (25, 20, 20)
    people = http(f"{api}/people?page=2&page_size=20", token=token).json()
    assert (people["count"], len(people["items"])) == (25, 5)
    for bad in ("page=0", "page_size=0", "page_size=101", "page=abc"):
        assert http(f"{api}/households?{bad}", token=token).status == 422, bad


# --- shapes of the answers (Django test client) ------------------------------------------------------------


@pytest.fixture
def client_for(users: dict[str, User]) -> Any:
    """``client_for("caseworker_a")``: a test client that sends that user's bearer token."""

    def make(key: str) -> Client:
        raw = issue_token(actor=None, user=users[key], name="test")[1]
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


def test_household_detail(client_for: Any, household_a: Household) -> None:
    head = head_of(household_a)
    spouse = household_a.memberships.get(relation="配偶").person
    child = household_a.memberships.get(relation="子").person
    Person.objects.filter(pk=spouse.pk).update(
        monthly_income=Decimal("1234.5"), disability_type="肢体", disability_grade=2
    )
    dibao = Enrollment.objects.create(
        household=household_a, programme="dibao", start_date=dt.date(2024, 1, 1), monthly_amount=Decimal(850)
    )
    tekun = Enrollment.objects.create(
        person=child, programme="tekun", start_date=dt.date(2023, 6, 1), monthly_amount=Decimal("1300.75")
    )
    ended = Enrollment.objects.create(
        household=household_a, programme="dibao_edge",
        start_date=dt.date(2022, 1, 1), end_date=dt.date(2022, 12, 31),
    )
    answer = client_for("caseworker_a").get(f"/api/v1/households/{household_a.pk}")
    assert answer.status_code == 200
    assert answer.json() == {
        "id": household_a.pk,
        "household_no": household_a.household_no,
        "area": {"code": f.COMMUNITY_A, "name": "集贤社区"},
        "address": "和平区南京南街1号",
        "phone": "138****5678",
        "status": "active",
        "registered_date": "2020-01-01",
        "members": [
            {
                "person_id": head.pk, "name": "王建国", "sex": "M", "birth_date": "1970-05-01",
                "relation": "户主",
                "start_date": "2020-01-01", "id_number": masked_id(head.id_number), "disability": None,
                "monthly_income": "0.00",
            },
            {
                "person_id": spouse.pk, "name": "李秀英", "sex": "F", "birth_date": "1972-08-09",
                "relation": "配偶",
                "start_date": "2020-01-01", "id_number": masked_id(spouse.id_number),
                "disability": {"type": "肢体", "grade": 2}, "monthly_income": "1234.50",
            },
            {
                "person_id": child.pk, "name": "王小明", "sex": "M", "birth_date": "2010-03-04",
                "relation": "子",
                "start_date": "2020-01-01", "id_number": masked_id(child.id_number), "disability": None,
                "monthly_income": "0.00",
            },
        ],
        "categories": ["tekun", "dibao"],
        "enrollments": [
            {"id": dibao.pk, "programme": "dibao", "person": None, "start_date": "2024-01-01",
             "end_date": None, "monthly_amount": "850.00", "source": "archive"},
            {"id": tekun.pk, "programme": "tekun", "person": {"id": child.pk, "name": "王小明"},
             "start_date": "2023-06-01", "end_date": None, "monthly_amount": "1300.75", "source": "archive"},
            {"id": ended.pk, "programme": "dibao_edge", "person": None, "start_date": "2022-01-01",
             "end_date": "2022-12-31", "monthly_amount": "0.00", "source": "archive"},
        ],
    }


def test_person_detail(client_for: Any, household_a: Household, household_b: Household) -> None:
    head = head_of(household_a)
    Person.objects.filter(pk=head.pk).update(phone="13900001111", serious_illness=True, self_care="半自理")
    Enrollment.objects.create(person=head, programme="high_age", start_date=dt.date(2024, 1, 1))
    answer = client_for("street").get(f"/api/v1/people/{head.pk}")
    assert answer.json() == {
        "id": head.pk,
        "name": "王建国",
        "sex": "M",
        "birth_date": "1970-05-01",
        "death_date": None,
        "id_number": masked_id(head.id_number),
        "phone": "139****1111",
        "area": {"code": f.COMMUNITY_A, "name": "集贤社区"},
        "household": {
            "household_id": household_a.pk, "household_no": household_a.household_no, "relation": "户主"
        },
        "disability": None,
        "serious_illness": True,
        "self_care": "半自理",
        "monthly_income": "0.00",
        "programmes": ["high_age"],
    }
    # Registered in A, living in a household of B: community A sees the person, not B's household.
    head_b = head_of(household_b)
    Person.objects.filter(pk=head_b.pk).update(area_id=f.COMMUNITY_A)
    seen_by_a = client_for("caseworker_a").get(f"/api/v1/people/{head_b.pk}").json()
    assert seen_by_a["household"] is None
    seen_by_b = client_for("caseworker_b").get(f"/api/v1/people/{head_b.pk}").json()
    assert seen_by_b["household"] == {
        "household_id": household_b.pk, "household_no": household_b.household_no, "relation": "户主"
    }


def test_people_search_by_exact_id_number_or_exact_name(
    client_for: Any, household_a: Household, household_b: Household
) -> None:
    client = client_for("district")
    head_a, head_b = head_of(household_a), head_of(household_b)

    def found(q: str) -> list[int]:
        answer = client.get("/api/v1/people", {"q": q})
        assert answer.status_code == 200
        return [p["id"] for p in answer.json()["items"]]

    assert found(head_a.id_number) == [head_a.pk]
    assert found(f" {head_a.id_number[:9]} {head_a.id_number[9:]} ") == [head_a.pk]  # spaces are ignored
    assert found(head_a.id_number[:6] + head_a.id_number[8:17]) == [head_a.pk]  # the old 15-digit form
    assert found("王建国") == [head_a.pk, head_b.pk]
    assert found("王建") == []  # names match exactly
    assert found(head_a.id_number[:17] + ("0" if head_a.id_number[17] != "0" else "1")) == []
    assert len(found("")) == 5
    assert client_for("caseworker_b").get("/api/v1/people", {"q": head_a.id_number}).json()["count"] == 0


def test_household_filters(client_for: Any, household_a: Household, household_b: Household) -> None:
    client = client_for("street")
    closed = f.make_household(f.COMMUNITY_B, members=1)
    Household.objects.filter(pk=closed.pk).update(status="closed")
    child_b = household_b.memberships.get(relation="配偶").person
    Enrollment.objects.create(household=household_a, programme="dibao", start_date=dt.date(2024, 1, 1))
    Enrollment.objects.create(person=child_b, programme="tekun", start_date=dt.date(2024, 1, 1))

    def found(**params: str) -> list[int]:
        answer = client.get("/api/v1/households", params)
        assert answer.status_code == 200, answer.content
        return [h["id"] for h in answer.json()["items"]]

    assert sorted(found()) == sorted([household_a.pk, household_b.pk, closed.pk])
    assert sorted(found(status="active")) == sorted([household_a.pk, household_b.pk])
    assert found(status="closed") == [closed.pk]
    assert sorted(found(area_code=f.COMMUNITY_B)) == sorted([household_b.pk, closed.pk])
    assert found(area_code=f.COMMUNITY_OTHER_DISTRICT) == []
    assert found(q=household_a.household_no) == [household_a.pk]
    assert found(programme="dibao") == [household_a.pk]
    # A member's own enrollment puts the household in the programme (as its categories say).
    assert found(programme="tekun") == [household_b.pk]
    assert client.get("/api/v1/households", {"status": "gone"}).status_code == 422
    assert client.get("/api/v1/households", {"programme": "nothing"}).status_code == 422


def test_list_categories_agree_with_the_registry_selector(client_for: Any, tree: Any) -> None:
    today = timezone.localdate()
    cases = {
        "none": f.make_household(members=2),
        "household_dibao": f.make_household(members=2),
        "member_tekun_and_edge": f.make_household(members=3),
        "ended_enrollment": f.make_household(members=1),
        "future_enrollment": f.make_household(members=1),
        "former_member_tekun": f.make_household(members=2),
        "ends_today": f.make_household(members=1),
    }
    since_2024 = dt.date(2024, 1, 1)
    Enrollment.objects.create(household=cases["household_dibao"], programme="dibao", start_date=since_2024)
    Enrollment.objects.create(household=cases["household_dibao"], programme="high_age", start_date=since_2024)
    m = cases["member_tekun_and_edge"].memberships.filter(relation="子").get().person
    Enrollment.objects.create(person=m, programme="tekun", start_date=dt.date(2024, 1, 1))
    Enrollment.objects.create(household=cases["member_tekun_and_edge"], programme="dibao_edge",
                              start_date=dt.date(2024, 1, 1))
    Enrollment.objects.create(household=cases["ended_enrollment"], programme="dibao",
                              start_date=dt.date(2020, 1, 1), end_date=today - dt.timedelta(days=1))
    Enrollment.objects.create(household=cases["future_enrollment"], programme="dibao",
                              start_date=today + dt.timedelta(days=1))
    Enrollment.objects.create(household=cases["ends_today"], programme="rigid_hardship",
                              start_date=dt.date(2020, 1, 1), end_date=today)
    former = cases["former_member_tekun"].memberships.get(relation="配偶")
    HouseholdMember.objects.filter(pk=former.pk).update(end_date=dt.date(2023, 1, 1))
    Enrollment.objects.create(person=former.person, programme="tekun", start_date=dt.date(2022, 1, 1))

    items = client_for("caseworker_a").get("/api/v1/households").json()["items"]
    listed = {h["id"]: h["categories"] for h in items}
    expected = {h.pk: household_categories(h, today) for h in cases.values()}
    assert listed == expected
    assert {k: expected[h.pk] for k, h in cases.items()} == {
        "none": [],
        "household_dibao": ["dibao"],
        "member_tekun_and_edge": ["tekun", "dibao_edge"],
        "ended_enrollment": [],
        "future_enrollment": [],
        "former_member_tekun": [],
        "ends_today": ["rigid_hardship"],
    }


def test_list_query_count_does_not_grow_with_the_page(client_for: Any, tree: Any) -> None:
    client = client_for("city")
    client.get("/api/v1/households")  # marks the token as used: later requests only read it

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/households").status_code == 200
        return len(captured)

    f.make_household(members=3)
    one = queries()
    for _ in range(15):
        f.make_household(members=3)
    # token, count, page (with the category subqueries), current members with their people
    assert one == queries() == 4


def test_non_numeric_negative_and_huge_ids(client_for: Any, household_a: Household) -> None:
    client = client_for("city")
    not_a_number = client.get("/api/v1/households/abc")
    assert not_a_number.status_code == 422
    assert not_a_number.json()["detail"][0]["loc"] == ["path", "household_id"]
    for pk in ("-1", "0", "99999999999999999999"):
        assert client.get(f"/api/v1/households/{pk}").json() == HOUSEHOLD_404, pk
        assert client.get(f"/api/v1/people/{pk}").json() == PERSON_404, pk
