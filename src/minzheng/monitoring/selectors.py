"""Reads of alerts and the key-monitoring list, scoped to the user's jurisdiction.

A community sees the alerts pushed to it; a street or district sees those of its communities, and its
inbox opens on the ones escalated to it. Out of scope raises :class:`NotFound`, exactly like missing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from minzheng.authz.scope import area_prefix
from minzheng.core.errors import NotFound
from minzheng.core.idnumber import InvalidIDNumber, normalise
from minzheng.core.models import Area
from minzheng.monitoring.choices import LEVEL_RANK, OPEN_STATES, SIGN_CLOCK, VERIFY_CLOCK, AlertState, Level
from minzheng.monitoring.models import Alert, KeyMonitoring, MonitoringRun
from minzheng.monitoring.workflow import acting_level


def visible_alerts(user: Any) -> QuerySet[Alert]:
    prefix = area_prefix(user)
    if prefix is None:
        return Alert.objects.none()
    return Alert.objects.filter(area__code__startswith=prefix)


def get_alert(user: Any, pk: int | str) -> Alert:
    try:
        return visible_alerts(user).select_related("person", "household", "area__parent__parent").get(pk=int(pk))
    except (Alert.DoesNotExist, ValueError):
        raise NotFound("未找到该预警") from None


def overdue_q(day: dt.date) -> Q:
    """Alerts past their running deadline on ``day``."""
    return Q(state__in=SIGN_CLOCK, sign_by__lt=day) | Q(state__in=VERIFY_CLOCK, verify_by__lt=day)


def escalated_to(user: Any) -> Q:
    """The alerts escalated to the user's level (street: street or district; district: district)."""
    level = acting_level(user)
    if level is None or level == Level.COMMUNITY:
        return Q(pk__in=[])
    return Q(level__in=[lv for lv, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[Level(level)]])


def search_alerts(user: Any, *, day: dt.date, q: str = "", state: str = "", scenario: str = "", area_code: str = "",
                  level: str = "", overdue: bool = False, escalated: bool = False) -> QuerySet[Alert]:
    """The inbox: ``state`` is a state, ``open`` (every state but closed) or empty (all)."""
    qs = visible_alerts(user)
    q = q.strip()
    if q:
        try:
            qs = qs.filter(person__id_number=normalise(q))
        except InvalidIDNumber:
            qs = qs.filter(Q(person__name__contains=q) | Q(number__iexact=q) | Q(household__household_no__iexact=q))
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state in AlertState.values:
        qs = qs.filter(state=state)
    if scenario:
        qs = qs.filter(scenario=scenario)
    if area_code:
        node = Area.objects.filter(code=area_code).first()
        qs = qs.filter(area__code__startswith=node.prefix) if node else qs.none()
    if level in Level.values:
        qs = qs.filter(level=level)
    if overdue:
        qs = qs.filter(overdue_q(day))
    if escalated:
        qs = qs.filter(escalated_to(user))
    return qs.select_related("person", "area", "household").order_by("sign_by", "-id")


def alert_history(alert: Alert) -> dict[str, Any]:
    """Events, judgements and dispositions of the alert (every episode), oldest first."""
    return {
        "events": list(alert.events.select_related("actor").order_by("at", "id")),
        "judgements": list(alert.judgements.select_related("judged_by").order_by("at", "id")),
        "dispositions": list(alert.dispositions.select_related("disposed_by", "application", "temporary",
                                                               "need__item").order_by("at", "id")),
    }


def visible_watch(user: Any) -> QuerySet[KeyMonitoring]:
    prefix = area_prefix(user)
    if prefix is None:
        return KeyMonitoring.objects.none()
    return KeyMonitoring.objects.filter(area__code__startswith=prefix)


def get_watch_entry(user: Any, pk: int | str) -> KeyMonitoring:
    try:
        return visible_watch(user).select_related("person", "household", "area", "alert").get(pk=int(pk))
    except (KeyMonitoring.DoesNotExist, ValueError):
        raise NotFound("未找到该重点监测对象") from None


def watch_list(user: Any, *, day: dt.date, due: bool = False, ended: bool = False,
               q: str = "") -> QuerySet[KeyMonitoring]:
    """The key-monitoring list: active entries by next revisit (``due``: revisit on or before ``day``)."""
    qs = visible_watch(user).filter(ended_on__isnull=not ended)
    if due:
        qs = qs.filter(next_revisit__lte=day)
    if q.strip():
        qs = qs.filter(Q(person__name__contains=q.strip()) | Q(household__household_no__iexact=q.strip()))
    return qs.select_related("person", "household", "area").order_by("next_revisit", "id")


def active_watch_for(alert: Alert) -> KeyMonitoring | None:
    return KeyMonitoring.objects.filter(person_id=alert.person_id, ended_on__isnull=True).first()


def recent_runs(limit: int = 10) -> list[MonitoringRun]:
    """The latest runs (city-wide counts, no personal data)."""
    return list(MonitoringRun.objects.order_by("-at", "-id")[:limit])
