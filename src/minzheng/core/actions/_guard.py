from __future__ import annotations

from typing import Any

from minzheng.authz.choices import WRITES_REGISTRY
from minzheng.authz.scope import area_prefix, has_role
from minzheng.core.errors import Forbidden, InvalidChange, NotFound


def require_write(user: Any, area_code: str) -> None:
    """The user may change registry records in ``area_code``; ``None`` is the system (imports, jobs).

    Outside the jurisdiction answers :class:`NotFound` (as if the record did not exist).
    """
    if user is None:
        return
    prefix = area_prefix(user)
    if prefix is None or not area_code.startswith(prefix):
        raise NotFound("未找到该记录")
    if not has_role(user, WRITES_REGISTRY):
        raise Forbidden("当前角色无权修改档案")


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidChange("请填写变更原因")
    return reason
