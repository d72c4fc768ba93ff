"""Bearer-token authentication: the only way into the API (no session, so no CSRF).

``Authorization: Bearer mz_…`` is resolved by :func:`minzheng.authz.actions.users.user_for_token`; a
missing, malformed, unknown, expired or revoked token, or an inactive user, answers 401.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from minzheng.authz.actions.users import user_for_token
from minzheng.authz.models import User

TOKEN_PREFIX = "mz_"  # noqa: S105 (the prefix of every token, not a secret)
MAX_TOKEN_LENGTH = 128


class BearerToken(HttpBearer):
    """An API token issued by ``authz.actions.users.issue_token``."""

    openapi_bearerFormat = "mz_…"
    openapi_description = "API token issued to a user (authz.actions.users.issue_token): `Bearer mz_…`."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
            return None
        user = user_for_token(token)
        if user is None:
            return None
        # The token's user, never a session's: handlers and actions read ``request.user``.
        request.user = user
        return user


def api_user(request: HttpRequest) -> User:
    """The user the bearer token authenticated (set by :class:`BearerToken`)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or getattr(request, "auth", None) is not user:
        raise AuthenticationError()
    return user
