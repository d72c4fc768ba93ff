"""Every page answers each role as it should (200, 403, 404), and the home page counts the right things."""

from __future__ import annotations

import pytest

from minzheng.authz.models import User
from minzheng.core.models import Household
from minzheng.testing import factories as f
from minzheng.web.tests.support import enroll, head_of, signed_in

PAGES = {
    "home": "/",
    "list": "/households/",
    "export": "/households/export.xlsx",
    "detail": "/households/{a}/",
    "person": "/people/{p}/",
    "edit": "/households/{a}/edit/",
    "add": "/households/{a}/members/add/",
    "remove": "/households/{a}/members/remove/",
    "head": "/households/{a}/head/",
    "split": "/households/{a}/split/",
    "merge": "/households/{a}/merge/",
    "audit": "/audit/",
    "audit_export": "/audit/export.xlsx",
    "users": "/users/",
    "user_new": "/users/new/",
    "user": "/users/{u}/",
    "password": "/password/",
}
READER = dict.fromkeys(PAGES, 200) | {"audit": 403, "audit_export": 403, "users": 403, "user_new": 403, "user": 403}
AUDITOR = READER | dict.fromkeys(["edit", "add", "remove", "head", "split", "merge"], 403) | {
    "audit": 200, "audit_export": 200}
NOTHING = dict.fromkeys(PAGES, 403) | {"home": 200, "password": 200}
EXPECTED = {
    "caseworker_a": READER,
    "caseworker_b": READER | dict.fromkeys(["detail", "person", "edit", "add", "remove", "head", "split", "merge"],
                                           404),
    "street": READER,
    "district": READER,
    "other_district": READER | dict.fromkeys(["detail", "person", "edit", "add", "remove", "head", "split",
                                              "merge"], 404),
    "city": dict.fromkeys(PAGES, 200),
    "auditor": AUDITOR,
    "provider": NOTHING,
    "operator": NOTHING,
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_page_for_every_role(users: dict[str, User], household_a: Household, who: str) -> None:
    client = signed_in(users[who])
    ids = {"a": household_a.pk, "p": head_of(household_a).pk, "u": users["caseworker_a"].pk}
    got = {name: client.get(url.format(**ids)).status_code for name, url in PAGES.items()}
    assert got == EXPECTED[who]


def test_anonymous_is_sent_to_sign_in(db: None) -> None:
    from django.test import Client

    for url in ["/", "/households/", "/audit/", "/users/", "/password/"]:
        response = Client().get(url)
        assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")


def test_home_counts_in_scope_households_by_category(users: dict[str, User], tree: object) -> None:
    a1 = f.make_household(f.COMMUNITY_A, members=2)
    a2 = f.make_household(f.COMMUNITY_A, members=3)
    b1 = f.make_household(f.COMMUNITY_B, members=1)
    other = f.make_household(f.COMMUNITY_OTHER_DISTRICT, members=1)
    enroll(a1, "dibao")
    enroll(a2, "tekun", person=head_of(a2))  # a member's own 特困 counts for the household
    enroll(b1, "dibao")
    enroll(b1, "dibao_edge", end=__import__("datetime").date(2024, 6, 30))  # ended: not counted
    enroll(other, "dibao")

    def counts(who: str) -> dict[str, int]:
        stats = signed_in(users[who]).get("/").context["stats"]
        return {"total": stats["total"], **{c["code"]: c["count"] for c in stats["categories"]}}

    assert counts("caseworker_a") == {"total": 2, "tekun": 1, "dibao": 1, "dibao_edge": 0, "rigid_hardship": 0}
    assert counts("street") == {"total": 3, "tekun": 1, "dibao": 2, "dibao_edge": 0, "rigid_hardship": 0}
    assert counts("city") == {"total": 4, "tekun": 1, "dibao": 3, "dibao_edge": 0, "rigid_hardship": 0}
    street_rows = signed_in(users["street"]).get("/").context["stats"]["rows"]
    assert [(r["area"].code, r["total"], [c["count"] for c in r["counts"]]) for r in street_rows] == [
        (f.COMMUNITY_A, 2, [1, 1, 0, 0]),
        (f.COMMUNITY_B, 1, [0, 1, 0, 0]),
    ]
    city_rows = signed_in(users["city"]).get("/").context["stats"]["rows"]
    assert [(r["area"].name, r["total"]) for r in city_rows] == [("和平区", 3), ("沈河区", 1)]
    assert "stats" not in signed_in(users["provider"]).get("/").context
