"""Helpers for API tests, shared by minzheng.api.tests and the domain apps' ``test_api.py`` modules.

Live tests talk real HTTP to pytest-django's ``live_server``. They run in a transactional database that
is flushed afterwards: ``LIVE`` (or ``@live``) asks for ``serialized_rollback``, which restores the area
tree the migrations seed. (The flush past the append-only audit triggers is handled in the root conftest.)
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from minzheng.authz.actions.users import issue_token

LIVE = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]
"""``pytestmark = LIVE`` for a module of live tests; ``@live`` for one test."""

F = TypeVar("F", bound=Callable[..., Any])


def live(func: F) -> F:
    for mark in LIVE:
        func = mark(func)
    return func


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body)


def http(
    url: str,
    *,
    token: str | None = None,
    method: str = "GET",
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One real HTTP request; 4xx and 5xx answers are returned, not raised. Non-ASCII in ``url`` is quoted."""
    url = urllib.parse.quote(url, safe=":/?&=%")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (http://localhost only)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers.items()), exc.read())


def issue_tokens(users: dict[str, Any]) -> dict[str, str]:
    """A raw bearer token for each user, by the same key."""
    return {key: issue_token(actor=None, user=user, name="test")[1] for key, user in users.items()}


def api_base(live_server: Any) -> str:
    return f"{live_server.url}/api/v1"
