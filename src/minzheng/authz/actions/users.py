"""User management by a city administrator: roles and jurisdictions, passwords, unlocking, API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import diff, record, snapshot
from minzheng.authz.choices import MANAGES_USERS, Role
from minzheng.authz.models import APIToken, User
from minzheng.authz.models.tokens import hash_token
from minzheng.authz.scope import has_role
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.core.models import Area

USER_FIELDS = ["username", "full_name", "phone", "role", "jurisdiction_id", "is_active"]


def _require_admin(actor: Any, area_code: str | None) -> None:
    if actor is None:
        return
    if not has_role(actor, MANAGES_USERS):
        raise Forbidden("当前角色无权管理用户")
    if area_code is None or not area_code.startswith(actor.jurisdiction.prefix):
        raise NotFound("未找到该记录")


def _check_password(password: str, user: User | None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidChange("；".join(exc.messages)) from None


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    jurisdiction_code: str,
    full_name: str = "",
    phone: str = "",
) -> User:
    if role not in Role.values:
        raise InvalidChange(f"角色无效: {role}")
    _require_admin(actor, jurisdiction_code)
    if not Area.objects.filter(code=jurisdiction_code).exists():
        raise InvalidChange("管辖范围的区划代码不存在")
    if User.objects.filter(username=username).exists():
        raise InvalidChange("用户名已存在")
    user = User(username=username, role=role, jurisdiction_id=jurisdiction_code, full_name=full_name, phone=phone)
    _check_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    record(
        actor,
        AuditAction.CREATE,
        user,
        area_code=jurisdiction_code,
        summary=f"新建用户 {username}",
        after=snapshot(user, USER_FIELDS),
    )
    return user


@transaction.atomic
def update_user(*, actor: Any, user: User, reason: str = "", **changes: Any) -> User:
    allowed = {"full_name", "phone", "role", "jurisdiction_id", "is_active"}
    if set(changes) - allowed:
        raise InvalidChange("未知字段")
    _require_admin(actor, user.jurisdiction_id)
    if "jurisdiction_id" in changes:
        _require_admin(actor, changes["jurisdiction_id"])
    if "role" in changes and changes["role"] not in Role.values:
        raise InvalidChange("角色无效")
    before = snapshot(user, USER_FIELDS)
    for key, value in changes.items():
        setattr(user, key, value)
    user.save()
    b, a = diff(before, snapshot(user, USER_FIELDS))
    if b or a:
        record(
            actor,
            AuditAction.UPDATE,
            user,
            area_code=user.jurisdiction_id or "",
            summary=f"修改用户 {user.username}",
            before=b,
            after=a,
            reason=reason,
        )
    return user


@transaction.atomic
def set_password(*, actor: Any, user: User, password: str) -> User:
    """An administrator resets a password, or a user changes their own (``actor is user``)."""
    if actor is not None and actor.pk != user.pk:
        _require_admin(actor, user.jurisdiction_id)
    _check_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    record(actor, AuditAction.UPDATE, user, area_code=user.jurisdiction_id or "", summary=f"修改密码 {user.username}")
    return user


@transaction.atomic
def unlock_user(*, actor: Any, user: User) -> User:
    _require_admin(actor, user.jurisdiction_id)
    before = {"locked_until": user.locked_until.isoformat() if user.locked_until else None}
    User.objects.filter(pk=user.pk).update(locked_until=None, failed_logins=0)
    user.refresh_from_db()
    record(
        actor,
        AuditAction.UPDATE,
        user,
        area_code=user.jurisdiction_id or "",
        summary=f"解锁用户 {user.username}",
        before=before,
        after={"locked_until": None},
    )
    return user


@transaction.atomic
def issue_token(*, actor: Any, user: User, name: str, days: int | None = 365) -> tuple[APIToken, str]:
    """Create an API token for ``user`` (themselves or by an admin). Returns the row and the raw token."""
    if actor is not None and actor.pk != user.pk:
        _require_admin(actor, user.jurisdiction_id)
    raw = APIToken.generate()
    token = APIToken.objects.create(
        user=user,
        name=name,
        prefix=raw[3:11],
        digest=hash_token(raw),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    record(
        actor,
        AuditAction.CREATE,
        token,
        area_code=user.jurisdiction_id or "",
        summary=f"签发 API 令牌 {token.prefix}… 给 {user.username}",
    )
    return token, raw


def user_for_token(raw: str) -> User | None:
    """The active user behind a bearer token, or ``None`` (revoked, expired, unknown, inactive user)."""
    token = APIToken.objects.select_related("user", "user__jurisdiction").filter(digest=hash_token(raw)).first()
    now = timezone.now()
    if token is None or token.revoked or (token.expires_at and token.expires_at <= now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def revoke_token(*, actor: Any, token: APIToken) -> None:
    if actor is not None and actor.pk != token.user_id:
        _require_admin(actor, token.user.jurisdiction_id)
    APIToken.objects.filter(pk=token.pk).update(revoked=True)
    record(actor, AuditAction.UPDATE, token, summary=f"吊销 API 令牌 {token.prefix}…")
