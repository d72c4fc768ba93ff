"""Masking of personal data for lists and exports (GB/T 35273 display limits)."""

from __future__ import annotations

from minzheng.core.idnumber import mask as mask_id

__all__ = ["mask_account", "mask_id", "mask_phone"]


def mask_phone(phone: str | None) -> str:
    """``138****1234`` for a mobile number; other numbers keep only their last four digits."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) == 11 and digits.isdigit():
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_account(account: str | None) -> str:
    """Bank accounts: only the last four characters."""
    if not account:
        return ""
    return "*" * max(len(account) - 4, 0) + account[-4:]
