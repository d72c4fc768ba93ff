"""The monitoring dashboard's numbers, read within the user's jurisdiction.

Snapshot (now): alerts by scenario × state and district × state, overdue and escalated alerts.
Period [start, end]: people found (alerts generated or reopened), alerts closed and the median time to
close (calendar days from the episode's push to 销号), the people brought into care — counted where the
resulting enrollment started in the period: an application started from an alert and approved (its
enrollments, programme by programme, e.g. 低保) or temporary assistance given from an alert — and the
key-monitoring list (on it at the period's end, added during it).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr

from minzheng.authz.scope import area_prefix
from minzheng.core.models import Area
from minzheng.monitoring.choices import (
    FIND_SCENARIOS,
    SHORT_LABELS,
    AlertAction,
    AlertState,
    DispositionKind,
    Level,
    Scenario,
)
from minzheng.monitoring.models import AlertEvent, Disposition, KeyMonitoring
from minzheng.monitoring.selectors import overdue_q, visible_alerts
from minzheng.registry.choices import Programme
from minzheng.registry.models import Enrollment

STATES = list(AlertState.values)


@dataclass
class Bar:
    label: str
    total: int
    parts: list[tuple[str, int, float, float]] = field(default_factory=list)  # (css class, n, x %, width %)


def bars(rows: list[tuple[str, dict[str, int]]], parts: list[tuple[str, list[str]]]) -> list[Bar]:
    """Stacked horizontal bars scaled to the largest total (for the server-side SVG)."""
    top = max([sum(c.values()) for _, c in rows] + [1])
    out = []
    for label, counts in rows:
        bar, x = Bar(label=label, total=sum(counts.values())), 0.0
        for css, states in parts:
            n = sum(counts.get(s, 0) for s in states)
            width = round(100 * n / top, 2)
            if n:
                bar.parts.append((css, n, x, width))
            x += width
        out.append(bar)
    return out


PARTS: list[tuple[str, list[str]]] = [("bar-new", [AlertState.GENERATED, AlertState.PUSHED]),
         ("bar-work", [AlertState.SIGNED, AlertState.VERIFYING, AlertState.JUDGED, AlertState.DISPOSED]),
         ("bar-closed", [AlertState.CLOSED])]


def _matrix(qs: Any, key: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATES, 0))
    for row in qs.values(key, "state").annotate(n=Count("id")):
        out[row[key]][row["state"]] += row["n"]
    return out


def brought_into_care(alerts: Any, start: dt.date, end: dt.date) -> dict[str, Any]:
    """People of alerts whose application or temporary assistance led to an enrollment starting in the
    period (the application's enrollments carry ``asst:<number>:`` keys, see assistance.decisions)."""
    via_app = (Disposition.objects.filter(alert__in=alerts, kind=DispositionKind.APPLICATION,
                                          application__isnull=False)
               .values_list("application__number", "alert__person_id"))
    person_of = {number: person for number, person in via_app if number}
    by_programme: dict[str, set[int]] = defaultdict(set)
    if person_of:
        started = Enrollment.objects.filter(source_key__startswith="asst:", start_date__range=(start, end))
        for key, programme in started.values_list("source_key", "programme"):
            number = key.split(":")[1] if key and key.count(":") >= 2 else ""
            if number in person_of:
                by_programme[programme].add(person_of[number])
    temporary = set(Disposition.objects.filter(
        alert__in=alerts, kind=DispositionKind.TEMPORARY,
        temporary__enrollment__start_date__range=(start, end)).values_list("alert__person_id", flat=True))
    care = set().union(*by_programme.values()) if by_programme else set()
    return {
        "care": len(care),
        "dibao": len(by_programme.get(Programme.DIBAO, set())),
        "by_programme": sorted(((Programme(p).label, len(v)) for p, v in by_programme.items()),
                               key=lambda x: -x[1]),
        "temporary": len(temporary),
        "any": len(care | temporary),
    }


def _close_days(alerts: Any, start: dt.date, end: dt.date) -> list[int]:
    """Calendar days from the push of the (current episode of the) alert to its 销号, per alert closed."""
    closed = alerts.filter(state=AlertState.CLOSED, closed_on__range=(start, end), pushed_on__isnull=False)
    return sorted((c - p).days for p, c in closed.values_list("pushed_on", "closed_on"))


def dashboard(user: Any, *, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Any]:
    alerts = visible_alerts(user)
    by_scenario = _matrix(alerts, "scenario")
    by_district = _matrix(alerts.annotate(district=Substr("area_id", 1, 6)), "district")
    names = {a.code[:6]: a.name for a in Area.objects.filter(level="district", code__in=[
        f"{d}000000" for d in by_district])}
    overdue = alerts.filter(overdue_q(today))
    opened = (AlertEvent.objects.filter(alert__in=alerts, action__in=[AlertAction.GENERATE, AlertAction.REOPEN],
                                        on__range=(start, end)).values_list("alert__scenario", "alert__person_id"))
    found_find = {p for s, p in opened if s in FIND_SCENARIOS}
    found_watch = {p for s, p in opened if s not in FIND_SCENARIOS}
    days = _close_days(alerts, start, end)
    prefix = area_prefix(user) or "-"
    watch = KeyMonitoring.objects.filter(area__code__startswith=prefix)
    on_list = watch.filter(since__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end))
    scenario_rows = [(s, by_scenario.get(s, dict.fromkeys(STATES, 0))) for s in Scenario.values]
    district_rows = sorted(by_district.items())
    return {
        "states": [(s, AlertState(s).label) for s in STATES],
        "by_scenario": [(Scenario(s).label, [c[st] for st in STATES], sum(c.values())) for s, c in scenario_rows],
        "by_district": [(names.get(d, d), [c[st] for st in STATES], sum(c.values())) for d, c in district_rows],
        "scenario_bars": bars([(SHORT_LABELS[Scenario(s)], c) for s, c in scenario_rows], PARTS),
        "district_bars": bars([(names.get(d, d), c) for d, c in district_rows], PARTS),
        "open": alerts.exclude(state=AlertState.CLOSED).count(),
        "overdue": overdue.count(),
        "overdue_sign": overdue.filter(state=AlertState.PUSHED).count(),
        "escalated_street": alerts.exclude(state=AlertState.CLOSED).filter(level=Level.STREET).count(),
        "escalated_district": alerts.exclude(state=AlertState.CLOSED).filter(level=Level.DISTRICT).count(),
        "found": len(found_find | found_watch),
        "found_find": len(found_find),
        "found_watch": len(found_watch),
        "closed": len(days),
        "median_close_days": round(statistics.median(days), 1) if days else None,
        "into_care": brought_into_care(alerts, start, end),
        "watch_on_list": on_list.values("person_id").distinct().count(),
        "watch_added": watch.filter(since__range=(start, end)).values("person_id").distinct().count(),
        "watch_due": watch.filter(ended_on__isnull=True, next_revisit__lte=today).count(),
    }
