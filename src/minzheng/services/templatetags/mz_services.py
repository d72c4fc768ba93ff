"""Template helpers of the services pages."""

from __future__ import annotations

from typing import Any

from django import template

from minzheng.services.choices import ReferralStatus

register = template.Library()


@register.filter
def referral_status(code: str) -> str:
    try:
        return str(ReferralStatus(code).label)
    except ValueError:
        return code


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``row|get:"name"``: a value of a dict by a key held in a variable."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
