"""Template filters of the web UI: masking, labels of choices, ages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext

from minzheng.core import masking
from minzheng.registry.choices import Programme
from minzheng.web.masking import describe

register = template.Library()


@register.filter
def tr(value: Any) -> str:
    """Translate a label that comes from data (a choice label in Chinese) through the catalogue."""
    text = str(value) if value is not None else ""
    return gettext(text) if text else ""


@register.filter
def mask_id(value: str | None) -> str:
    return masking.mask_id(value)


@register.filter
def mask_phone(value: str | None) -> str:
    return masking.mask_phone(value)


@register.filter
def masked(value: Any) -> str:
    """Before/after data as one masked line."""
    return describe(value)


@register.filter
def programme_label(code: str) -> str:
    try:
        return gettext(Programme(code).label)
    except ValueError:
        return code


@register.filter
def age(person: Any) -> int | str:
    if person is None or not getattr(person, "birth_date", None):
        return ""
    return int(person.age_on(timezone.localdate()))
