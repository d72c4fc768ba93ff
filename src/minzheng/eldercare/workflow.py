"""The transition tables of elderly care's workflows (one per workflow) and the one function that moves a
record along them. An illegal move raises :class:`InvalidChange`; every move is an event row."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from minzheng.core.errors import InvalidChange
from minzheng.eldercare.choices import AdaptationStatus, OrderStatus

# Home-care order: ordered → dispatched (to an enterprise) → assigned (to a worker) → checked in →
# checked out → rated; cancelled from any state before check-in. A dispatched order can be sent back
# to another enterprise (dispatched → dispatched) and an assigned one re-assigned (assigned → assigned).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.ORDERED: frozenset({OrderStatus.DISPATCHED, OrderStatus.CANCELLED}),
    OrderStatus.DISPATCHED: frozenset({OrderStatus.DISPATCHED, OrderStatus.ASSIGNED, OrderStatus.CANCELLED}),
    OrderStatus.ASSIGNED: frozenset({OrderStatus.ASSIGNED, OrderStatus.CHECKED_IN, OrderStatus.CANCELLED}),
    OrderStatus.CHECKED_IN: frozenset({OrderStatus.CHECKED_OUT}),
    OrderStatus.CHECKED_OUT: frozenset({OrderStatus.RATED}),
    OrderStatus.RATED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# Home adaptation: applied → assessed → planned → in works → accepted → subsidised; rejected after the
# application or the assessment.
ADAPTATION_TRANSITIONS: dict[str, frozenset[str]] = {
    AdaptationStatus.APPLIED: frozenset({AdaptationStatus.ASSESSED, AdaptationStatus.REJECTED}),
    AdaptationStatus.ASSESSED: frozenset({AdaptationStatus.PLANNED, AdaptationStatus.REJECTED}),
    AdaptationStatus.PLANNED: frozenset({AdaptationStatus.IN_WORKS}),
    AdaptationStatus.IN_WORKS: frozenset({AdaptationStatus.ACCEPTED}),
    AdaptationStatus.ACCEPTED: frozenset({AdaptationStatus.SUBSIDISED}),
    AdaptationStatus.SUBSIDISED: frozenset(),
    AdaptationStatus.REJECTED: frozenset(),
}


def move(record: Any, to: str, *, table: dict[str, frozenset[str]], labels: type[models.TextChoices],
         event_model: type[models.Model], link: str, user: Any, note: str = "") -> models.Model:
    """Move a locked ``record`` (with a ``status`` field) to ``to`` and append the event row
    ``event_model(<link>=record, from_status, to_status, actor, at, note)``; the caller saves the record."""
    current = record.status
    if to not in table[current]:
        raise InvalidChange(f"当前状态为“{labels(current).label}”，不能变为“{labels(to).label}”")
    record.status = to
    return event_model._default_manager.create(**{
        link: record, "from_status": current, "to_status": to,
        "actor": user if getattr(user, "is_authenticated", False) else None, "at": timezone.now(), "note": note,
    })
