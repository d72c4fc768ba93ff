"""Checks shared by the eldercare actions: who may act where."""

from __future__ import annotations

from typing import Any

from minzheng.authz.scope import area_prefix, has_role
from minzheng.core.errors import Forbidden, NotFound


def require_staff(user: Any, area_code: str, roles: frozenset[str]) -> None:
    """Staff with one of ``roles`` whose jurisdiction contains ``area_code``; ``None`` is the system.

    Out of the jurisdiction answers :class:`NotFound` (as if the record did not exist)."""
    if user is None:
        return
    prefix = area_prefix(user)
    if prefix is None or not area_code.startswith(prefix):
        raise NotFound("未找到该记录")
    if not has_role(user, roles):
        raise Forbidden("当前角色无权办理此事项")


def acting(user: Any) -> Any:
    """The user for foreign keys (``None`` for the system or an anonymous visitor)."""
    return user if getattr(user, "is_authenticated", False) else None
