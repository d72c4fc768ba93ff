"""Jurisdiction scoping: which part of the administrative tree a user may see.

A jurisdiction is a code prefix (city ``2101``, district ``210102``, street ``210102001``, community the
full 12 digits). Selectors filter with ``area__code__startswith=prefix`` (no join: code is the key);
a user whose role reads no
personal data gets ``None`` and sees nothing.
"""

from __future__ import annotations

from typing import Any

from minzheng.authz.choices import READS_PERSONAL_DATA, Role

NOTHING = None


def area_prefix(user: Any, *, roles: frozenset[str] = READS_PERSONAL_DATA) -> str | None:
    """The code prefix the user may read, or ``None`` for nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.role not in roles or user.jurisdiction_id is None:
        return NOTHING
    return str(user.jurisdiction.prefix)


def in_scope(user: Any, area_code: str | None, *, roles: frozenset[str] = READS_PERSONAL_DATA) -> bool:
    prefix = area_prefix(user, roles=roles)
    return prefix is not None and area_code is not None and area_code.startswith(prefix)


def has_role(user: Any, roles: frozenset[str] | set[str]) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in roles


__all__ = ["NOTHING", "Role", "area_prefix", "has_role", "in_scope"]
