"""Signing in with lockout after repeated failures (登录失败处理)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.models import User
from minzheng.core.errors import DomainError


class LoginRefused(DomainError):
    pass


GENERIC = "用户名或密码错误"


def check_credentials(*, username: str, password: str, ip: str | None = None, request: Any = None) -> User:
    """Return the user for a correct password; count failures and lock after the threshold.

    A locked account is refused even with the right password until the lock expires. Unknown user names
    get the same message as wrong passwords.
    """
    now = timezone.now()
    user = User.objects.filter(username=username).first()
    if user is not None and user.locked_until and user.locked_until > now:
        with transaction.atomic():
            record(user, AuditAction.LOGIN_FAILED, user, summary="账户锁定期间尝试登录", ip=ip)
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise LoginRefused(f"账户已锁定，请 {minutes} 分钟后再试或联系管理员")
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        if user is not None:
            _register_failure(user, ip, now)
        else:
            with transaction.atomic():
                record(
                    None,
                    AuditAction.LOGIN_FAILED,
                    object_type="authz.user",
                    object_id=username[:64],
                    summary="未知用户名登录失败",
                    ip=ip,
                )
        raise LoginRefused(GENERIC)
    assert isinstance(authed, User)
    with transaction.atomic():
        User.objects.filter(pk=authed.pk).update(failed_logins=0, locked_until=None, last_login=now)
        record(authed, AuditAction.LOGIN, authed, summary="登录成功", ip=ip)
    authed.refresh_from_db()
    return authed


def _register_failure(user: User, ip: str | None, now: dt.datetime) -> None:
    threshold = settings.MINZHENG_LOCKOUT_THRESHOLD
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        record(user, AuditAction.LOGIN_FAILED, user, summary=f"密码错误（第 {user.failed_logins} 次）", ip=ip)
        if user.failed_logins >= threshold:
            until = now + dt.timedelta(minutes=settings.MINZHENG_LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            record(user, AuditAction.LOCKED, user, summary=f"连续 {threshold} 次登录失败，锁定至 {until:%H:%M}", ip=ip)


def password_expired(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or user.password_changed_at is None:
        return False
    age = timezone.now() - user.password_changed_at
    return age > dt.timedelta(days=settings.MINZHENG_PASSWORD_MAX_AGE_DAYS)
