"""Checks shared by the services actions: who may act where, and the referral transition table."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from minzheng.authz.scope import area_prefix, has_role
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.services.choices import REFERRAL_TRANSITIONS, ReferralStatus
from minzheng.services.models import Provider, Referral, ReferralEvent


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


def require_provider_user(user: Any, referral: Referral) -> Provider:
    """A user of the provider the referral was sent to (anyone else: :class:`NotFound`)."""
    from minzheng.services.selectors import provider_of

    provider = provider_of(user)
    if provider is None or referral.offering.provider_id != provider.pk:
        raise NotFound("未找到该转介单")
    return provider


def move(referral: Referral, to: str, *, user: Any, note: str = "") -> ReferralEvent:
    """Move a (locked) referral along the transition table and record the event; illegal moves raise."""
    current = referral.status
    if to not in REFERRAL_TRANSITIONS[current]:
        raise InvalidChange(
            f"转介单状态为“{ReferralStatus(current).label}”，不能变为“{ReferralStatus(to).label}”"
        )
    referral.status = to
    return ReferralEvent.objects.create(
        referral=referral, from_status=current, to_status=to,
        actor=user if getattr(user, "is_authenticated", False) else None, at=timezone.now(), note=note,
    )
