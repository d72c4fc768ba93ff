"""Bearer tokens are the only way in: every other request is a 401 with one body, over real HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.api.tests.support import http, live
from minzheng.api.v1 import UNAUTHORIZED
from minzheng.authz.actions.users import issue_token, revoke_token
from minzheng.authz.models import APIToken, User
from minzheng.core.models import Household

UNAUTHORIZED_BODY = {"detail": UNAUTHORIZED}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token mz_abc",
        "Bearer mz_not-a-token",
        "Bearer not-even-prefixed",
        "Bearer mz_" + "x" * 500,
    ],
)
@live
def test_missing_or_unknown_token_is_401(api: str, household_a: Household, header: str | None) -> None:
    answer = http(f"{api}/households", headers={"Authorization": header} if header is not None else None)
    assert answer.status == 401
    assert answer.json() == UNAUTHORIZED_BODY
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="minzheng"'
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"


@live
def test_valid_token_then_revoked_is_401(api: str, users: dict[str, User], household_a: Household) -> None:
    token, raw = issue_token(actor=None, user=users["caseworker_a"], name="脚本")
    assert http(f"{api}/households", token=raw).status == 200
    assert http(f"{api}/households/{household_a.pk}", token=raw).status == 200
    revoke_token(actor=None, token=token)
    for url in (f"{api}/households", f"{api}/households/{household_a.pk}", f"{api}/people"):
        answer = http(url, token=raw)
        assert (answer.status, answer.json()) == (401, UNAUTHORIZED_BODY)


@live
def test_expired_token_is_401(api: str, users: dict[str, User], household_a: Household) -> None:
    token, raw = issue_token(actor=None, user=users["caseworker_a"], name="脚本", days=30)
    assert http(f"{api}/households/{household_a.pk}", token=raw).status == 200
    APIToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    answer = http(f"{api}/households/{household_a.pk}", token=raw)
    assert (answer.status, answer.json()) == (401, UNAUTHORIZED_BODY)


@live
def test_inactive_user_is_401(api: str, users: dict[str, User], tokens: dict[str, str]) -> None:
    User.objects.filter(pk=users["caseworker_a"].pk).update(is_active=False)
    answer = http(f"{api}/households", token=tokens["caseworker_a"])
    assert (answer.status, answer.json()) == (401, UNAUTHORIZED_BODY)


@live
def test_token_marks_last_use(api: str, users: dict[str, User]) -> None:
    token, raw = issue_token(actor=None, user=users["district"], name="脚本")
    assert token.last_used_at is None
    assert http(f"{api}/people", token=raw).status == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_signed_in_session_is_not_a_way_in(
    client: Client, users: dict[str, User], household_a: Household
) -> None:
    client.force_login(users["city"])
    answer = client.get(f"/api/v1/households/{household_a.pk}")
    assert answer.status_code == 401
    assert answer.json() == UNAUTHORIZED_BODY


def test_post_needs_no_csrf_token_but_a_bearer_token(users: dict[str, User], household_a: Household) -> None:
    client = Client(enforce_csrf_checks=True)
    person = household_a.memberships.get(relation="户主").person
    body = {"field": "phone", "reason": "核对"}
    client.force_login(users["city"])
    refused = client.post(f"/api/v1/people/{person.pk}/reveal", body, content_type="application/json")
    assert (refused.status_code, refused.json()) == (401, UNAUTHORIZED_BODY)
    raw = issue_token(actor=None, user=users["city"], name="脚本")[1]
    answer = client.post(
        f"/api/v1/people/{person.pk}/reveal", body, content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert answer.status_code == 200
