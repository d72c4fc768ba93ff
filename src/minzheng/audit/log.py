"""Writing the audit trail. Call these inside the transaction of the change they describe."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

from minzheng.audit.choices import AuditAction
from minzheng.audit.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The model's concrete field values as JSON-ready data (foreign keys by id)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields if f.attname not in {"created_at", "updated_at"}]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose value changed, on both sides."""
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def event_fields(
    actor: Any,
    action: str | AuditAction,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str | int = "",
    area_code: str = "",
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    ip: str | None = None,
) -> dict[str, Any]:
    """The fields of the event :func:`record` writes (``AuditEvent(**fields)``; for writing many at once,
    :func:`record_bulk` or plain rows). ``obj`` must have its pk."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    user = actor if getattr(actor, "is_authenticated", False) else None
    return {
        "actor": user,
        "actor_username": getattr(user, "username", "") or ("system" if actor is None else str(actor)),
        "actor_role": getattr(user, "role", "") or "",
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "area_code": area_code or "",
        "summary": summary[:255],
        "before": before,
        "after": after,
        "reason": reason,
        "ip": ip,
    }


def record(
    actor: Any,
    action: str | AuditAction,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str | int = "",
    area_code: str = "",
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one audit event. ``actor`` is a user or ``None`` for the system (imports, jobs)."""
    return AuditEvent.objects.create(**event_fields(
        actor, action, obj, object_type=object_type, object_id=object_id, area_code=area_code, summary=summary,
        before=before, after=after, reason=reason, ip=ip))


def record_bulk(events: list[AuditEvent]) -> None:
    """Append many events at once (imports), in the order given; the caller fills every field
    (:func:`event_fields` fills them as :func:`record` does)."""
    AuditEvent.objects.bulk_create(events, batch_size=2000)
