"""Helpers shared by the institutions actions: role and scope gates, required text, dates, photos."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from minzheng.authz.scope import area_prefix, has_role
from minzheng.core.errors import Forbidden, InvalidChange, NotFound

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def today(on: dt.date | None = None) -> dt.date:
    return on or timezone.localdate()


def required(text: str | None, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidChange(f"请填写{what}")
    return text


def require_role(user: Any, roles: frozenset[str], what: str) -> None:
    """``None`` is the system (data migration, demo, jobs) and may do anything."""
    if user is not None and not has_role(user, roles):
        raise Forbidden(f"当前角色不能{what}")


def require_area(user: Any, area_code: str) -> None:
    """The area lies in the user's jurisdiction (else it looks missing)."""
    if user is None:
        return
    prefix = area_prefix(user)
    if prefix is None or not area_code.startswith(prefix):
        raise NotFound("未找到该区划")


def not_future(day: dt.date, what: str) -> dt.date:
    if day > timezone.localdate():
        raise InvalidChange(f"{what}不能晚于今天")
    return day


def check_photo(photo: UploadedFile | None) -> UploadedFile | None:
    if photo is None:
        return None
    if photo.content_type not in PHOTO_TYPES:
        raise InvalidChange("照片须为 JPEG、PNG、WebP 或 HEIC 格式")
    if (photo.size or 0) > PHOTO_MAX_BYTES:
        raise InvalidChange("照片不能超过 10 MB")
    return photo


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
