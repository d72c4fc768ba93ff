"""Reads of the audit log, scoped to the reader's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from minzheng.audit.models import AuditEvent
from minzheng.authz.choices import READS_AUDIT
from minzheng.authz.scope import area_prefix
from minzheng.core.choices import AreaLevel


def visible_events(user: Any) -> QuerySet[AuditEvent]:
    """Events whose area lies in the reader's jurisdiction; events with no area (sign-ins, system jobs) only
    for a city-level jurisdiction."""
    prefix = area_prefix(user, roles=READS_AUDIT)
    if prefix is None:
        return AuditEvent.objects.none()
    scope = Q(area_code__startswith=prefix) & ~Q(area_code="")
    if user.jurisdiction.level == AreaLevel.CITY:
        scope |= Q(area_code="")
    return AuditEvent.objects.filter(scope)


def object_events(object_type: str, object_id: int | str) -> QuerySet[AuditEvent]:
    """The trail of one record (the caller has already checked the record is in scope)."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))
