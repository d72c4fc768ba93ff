"""Helpers shared by the eldercare pages."""

from __future__ import annotations

from django.http import HttpRequest

from minzheng.authz.models import User


def jurisdiction_prefix(request: HttpRequest) -> str:
    """The signed-in user's code prefix (``"-"``, matching nothing, without a jurisdiction)."""
    user = request.user
    if isinstance(user, User) and user.jurisdiction is not None:
        return str(user.jurisdiction.prefix)
    return "-"
