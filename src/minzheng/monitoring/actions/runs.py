"""Recording a run of the scenario engine: new alerts are generated and pushed to their community with
deadlines; open alerts get the run's evidence; closed ones open again only on newer evidence.

The rules of ``monitoring-scenarios.md`` (Running): one alert per (scenario, person) while it is open;
a later run updates the evidence of an open alert rather than opening another; a closed alert opens again
only when a triggering row newer than its closing appears (``evidence_date`` after the closing date).
The same (as_of, engine, alerts) recorded twice is one run: the second call returns the first and writes
nothing. Two rows for one (scenario, person) in a run is an engine error: the whole run is refused.
Rows that cannot be routed (bad ID number, unknown community, unknown scenario) are rejected and listed
on the run. An open alert stays with the community it was pushed to even if a later row names another
(a reopened one goes to the row's community). People unknown to the registry are registered from the
row (sex and birth date from the ID number) by the system.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.audit.models import AuditEvent
from minzheng.authz.choices import RUNS_IMPORTS
from minzheng.authz.scope import has_role
from minzheng.core.actions.people import NewPerson, register_people
from minzheng.core.bulkwrite import insert_rows, update_rows
from minzheng.core.errors import Forbidden, InvalidChange
from minzheng.core.idnumber import REASON_LABELS, InvalidIDNumber, normalise
from minzheng.core.masking import mask_id
from minzheng.core.models import Area, Household, Person
from minzheng.core.workdays import Deadline
from minzheng.monitoring.actions._common import lock, move, number, records, step, today
from minzheng.monitoring.choices import AlertAction, AlertState, Level, Scenario
from minzheng.monitoring.deadlines import sign_by
from minzheng.monitoring.models import Alert, AlertEvent, MonitoringRun
from minzheng.monitoring.workflow import NEW, Transition

FIELDS = ("scenario", "id_number", "name", "household_id", "area_code", "as_of", "evidence",
          "suggested_action", "monthly_amount", "evidence_date")
OUTCOMES = ("new", "updated", "reopened", "unchanged")
SCENARIOS = frozenset(Scenario.values)
# The columns a run reads of the alerts it may change: what it compares and what the events and audit events
# say (what it writes back is set in memory first: ``EVIDENCE_FIELDS``, ``REOPEN_FIELDS``). Reading any other
# column of these alerts would load it one alert at a time.
LOADED = ("id", "scenario", "person_id", "household_id", "area_id", "state", "level", "number", "as_of", "evidence",
          "evidence_date", "monthly_amount", "suggested_action", "closed_on", "reopen_count")
CHUNK = 500


@dataclass
class Row:
    """One alert of the engine, checked and normalised."""

    index: int
    scenario: str
    id_number: str
    name: str
    household_no: str
    area_code: str
    as_of: dt.date
    evidence: dict[str, Any]
    evidence_date: dt.date | None
    monthly_amount: Decimal | None
    suggested_action: str

    def canonical(self) -> list[Any]:
        return [self.scenario, self.id_number, self.name, self.household_no, self.area_code,
                self.as_of.isoformat(), self.evidence, self.evidence_date.isoformat() if self.evidence_date else None,
                None if self.monthly_amount is None else str(self.monthly_amount), self.suggested_action]


def jsonable(value: Any) -> Any:
    """Evidence as plain JSON (dates ISO, amounts as text, tuples as lists)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{what} 不是日期") from None


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError("monthly_amount 不是金额") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError("monthly_amount 须为不小于 0 的金额")
    return amount


def _check(index: int, raw: Mapping[str, Any], communities: Mapping[str, Area]) -> Row:
    missing = [k for k in FIELDS if k not in raw]
    if missing:
        raise ValueError(f"缺少字段 {', '.join(missing)}")
    if raw["scenario"] not in SCENARIOS:
        raise ValueError(f"未知的场景 {raw['scenario']}")
    try:
        idn = normalise(str(raw["id_number"]))
    except InvalidIDNumber as exc:
        raise ValueError(REASON_LABELS[exc.reason]) from None
    name = str(raw["name"] or "").strip()
    if not name:
        raise ValueError("姓名为空")
    area_code = str(raw["area_code"] or "")
    if area_code not in communities:
        raise ValueError(f"社区区划代码 {area_code} 不存在或不是社区")
    evidence = raw["evidence"]
    if not isinstance(evidence, Mapping):
        raise ValueError("evidence 须为字典")
    undated = raw["evidence_date"] in (None, "")
    return Row(index=index, scenario=str(raw["scenario"]), id_number=idn, name=name,
               household_no=str(raw["household_id"] or "").strip(), area_code=area_code,
               as_of=_date(raw["as_of"], "as_of"), evidence=jsonable(evidence),
               evidence_date=None if undated else _date(raw["evidence_date"], "evidence_date"),
               monthly_amount=_amount(raw["monthly_amount"]), suggested_action=str(raw["suggested_action"] or ""))


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _by_key(rows: Sequence[Row]) -> tuple[dict[str, int], dict[tuple[str, int], Alert]]:
    """The pks of the people known by ID number, and per (scenario, person id) the open alert or else the
    latest closed."""
    ids = sorted({r.id_number for r in rows})
    people: dict[str, int] = {}
    for part in _chunks(ids):
        people.update(Person.objects.filter(id_number__in=part).values_list("id_number", "pk"))
    alerts: dict[tuple[str, int], Alert] = {}
    pks = sorted(people.values())
    for part in _chunks(pks):
        # Locked for the run: the alerts this run may update or reopen.
        for alert in (Alert.objects.select_for_update(of=("self",)).only(*LOADED).filter(person_id__in=part)
                      .order_by("id")):
            key = (alert.scenario, alert.person_id)
            known = alerts.get(key)
            if known is None or known.state == AlertState.CLOSED:
                alerts[key] = alert
    return people, alerts


def _changed(alert: Alert, row: Row, household: Household | None) -> bool:
    return (alert.evidence != row.evidence or alert.evidence_date != row.evidence_date
            or alert.monthly_amount != row.monthly_amount or alert.suggested_action != row.suggested_action
            or alert.household_id != (household.pk if household else None))


def _classify(row: Row, alert: Alert | None, household: Household | None) -> str:
    if alert is None:
        return "new"
    if alert.state != AlertState.CLOSED:
        return "updated" if _changed(alert, row, household) else "unchanged"
    # Undated evidence (no triggering row has a date) never counts as newer than the closing.
    if alert.closed_on is not None and row.evidence_date is not None and row.evidence_date > alert.closed_on:
        return "reopened"
    return "unchanged"


def _apply_evidence(alert: Alert, row: Row, household: Household | None, run: MonitoringRun) -> None:
    alert.evidence, alert.evidence_date = row.evidence, row.evidence_date
    alert.monthly_amount, alert.suggested_action = row.monthly_amount, row.suggested_action
    alert.household, alert.as_of, alert.last_run = household, row.as_of, run


def _pushing(alert: Alert, on: dt.date, deadline: Deadline) -> str:
    """The push's changes to the alert (in memory), and its note."""
    alert.pushed_on, alert.sign_by, alert.calendar_complete = on, deadline.date, deadline.complete
    alert.level = Level.COMMUNITY
    return f"推送至{alert.area.name}，请于 {deadline.date:%Y-%m-%d} 前签收"


def push(alert: Alert, *, user: Any, on: dt.date, run: MonitoringRun | None = None) -> Alert:
    """推送: a generated alert goes to its community, with the sign-for deadline in working days."""
    move(alert, AlertAction.PUSH, user=user, on=on, run=run, note=_pushing(alert, on, sign_by(on)))
    return alert


@transaction.atomic
def push_alert(alert: Alert, *, user: Any, on: dt.date | None = None) -> Alert:
    """Push one generated alert (runs push their alerts themselves; this is for one left generated)."""
    return push(lock(alert), user=user, on=today(on))


# -- the run's writes, in bulk ----------------------------------------------------------------------------
# A run writes the rows that moving one alert at a time through ``_common.move`` would (generate then push;
# update the evidence; reopen then push), with a number of statements that does not grow with the alerts.
# Every move is made in memory first, through the table (``_common.step``); then: people unknown to the
# registry are registered in bulk; new alerts are inserted with bulk_create, which returns their pks (on
# PostgreSQL, and on SQLite from 3.35), and numbered from them as ``number(on, pk)``; the columns a move
# changes are written for all updated, then all reopened alerts at once; and the alert events and audit
# events (``_common.records``, the same fields ``move`` writes) are inserted as plain rows in the order the
# moves would have written them, before the run's own audit event.

EVIDENCE_FIELDS = ("evidence", "evidence_date", "monthly_amount", "suggested_action", "household", "as_of",
                   "last_run", "state", "updated_at")
REOPEN_FIELDS = (*EVIDENCE_FIELDS, "area", "level", "reopen_count", "opened_at", "closed_at", "closed_on",
                 "signed_on", "verify_by", "escalated_on", "judged_on", "disposed_on", "finding", "overdue_kind",
                 "pushed_on", "sign_by", "calendar_complete")
EVENT_FIELDS = ("alert", "action", "from_state", "to_state", "from_level", "to_level", "on", "actor", "run", "note")
AUDIT_FIELDS = ("actor", "actor_username", "actor_role", "action", "object_type", "object_id", "area_code", "summary",
                "before", "after", "reason", "ip")
BATCH = 2000


@dataclass
class _Move:
    """One move of one alert, made in memory: the row of the table, and what its event and audit say."""

    alert: Alert
    row: Transition
    note: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def _create(row: Row, person: int, household: Household | None, area: Area, run: MonitoringRun, *,
            user: Any, on: dt.date, deadline: Deadline) -> list[_Move]:
    """生成 then 推送, in memory (the alert is saved later, with its number)."""
    now = timezone.now()
    alert = Alert(scenario=row.scenario, person_id=person, area=area, state=AlertState.GENERATED, first_run=run,
                  first_opened_at=now, opened_at=now)
    _apply_evidence(alert, row, household, run)
    generate = step(alert, AlertAction.GENERATE, user=user, from_state=NEW)
    note = f"{Scenario(row.scenario).label}（基准日 {row.as_of:%Y-%m-%d}）"
    moves = [_Move(alert, generate, note)]
    note = _pushing(alert, on, deadline)
    return [*moves, _Move(alert, step(alert, AlertAction.PUSH, user=user), note)]


def _update(alert: Alert, row: Row, household: Household | None, run: MonitoringRun, *, user: Any) -> list[_Move]:
    before = {"evidence_date": _iso(alert.evidence_date), "monthly_amount": str(alert.monthly_amount),
              "as_of": alert.as_of.isoformat()}
    _apply_evidence(alert, row, household, run)
    after = {"evidence_date": _iso(row.evidence_date), "monthly_amount": str(row.monthly_amount),
             "as_of": row.as_of.isoformat()}
    note = f"基准日 {row.as_of:%Y-%m-%d} 的监测更新了预警依据（最新触发数据 {_iso(row.evidence_date) or '无日期'}）"
    return [_Move(alert, step(alert, AlertAction.UPDATE_EVIDENCE, user=user), note, before, after)]


def _reopen(alert: Alert, row: Row, household: Household | None, area: Area, run: MonitoringRun, *,
            user: Any, on: dt.date, deadline: Deadline) -> list[_Move]:
    """重新开启 then 推送, in memory."""
    closed_on = alert.closed_on
    _apply_evidence(alert, row, household, run)
    alert.area, alert.level, alert.reopen_count = area, Level.COMMUNITY, alert.reopen_count + 1
    alert.opened_at, alert.closed_at, alert.closed_on = timezone.now(), None, None
    alert.signed_on = alert.verify_by = alert.escalated_on = alert.judged_on = alert.disposed_on = None
    alert.finding = alert.overdue_kind = ""
    note = f"销号（{closed_on}）后出现更新的触发数据（{_iso(row.evidence_date)}），重新开启"
    moves = [_Move(alert, step(alert, AlertAction.REOPEN, user=user), note)]
    note = _pushing(alert, on, deadline)
    return [*moves, _Move(alert, step(alert, AlertAction.PUSH, user=user), note)]


def _register(plan: Sequence[tuple[Row, str, Alert | None, Household | None]], people: dict[str, int],
              engine: str) -> dict[str, dict[str, Any]]:
    """People unknown to the registry, registered from their first row by the system; their audit events."""
    unknown: dict[str, NewPerson] = {}
    for row, outcome, _, _ in plan:
        if outcome == "new" and row.id_number not in people and row.id_number not in unknown:
            # Sex and birth date come from the ID number; recorded by the system for this run.
            unknown[row.id_number] = NewPerson(id_number=row.id_number, name=row.name, area_code=row.area_code,
                                               reason=f"监测预警（{engine}，基准日 {row.as_of:%Y-%m-%d}）发现的对象")
    if not unknown:
        return {}
    audit: list[dict[str, Any]] = []
    made = register_people(user=None, people=list(unknown.values()), audit=audit)
    people.update({p.id_number: p.pk for p in made})
    return {p.id_number: e for p, e in zip(made, audit, strict=True)}


def _insert(model: type[Model], fields: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ``rows`` (the keyword arguments of ``model(...)``) in their order with ``core.bulkwrite.insert_rows``
    (COPY on PostgreSQL, one prepared statement on SQLite): the values ``save()`` would write,
    without the ORM's cost per value. ``at`` (auto_now_add) is the time of the insert."""
    def plain(value: Any) -> Any:
        if isinstance(value, Model):
            return value.pk
        return value.value if isinstance(value, Enum) else value

    insert_rows(model, fields, ([plain(row[name]) for name in fields] for row in rows))


def _write(plan: Sequence[tuple[Row, str, Alert | None, Household | None]], people: dict[str, int],
           communities: Mapping[str, Area], run: MonitoringRun, *, user: Any, on: dt.date, engine: str) -> None:
    """The run's changes (see the comment above): the same rows, in the same order, as one alert at a time."""
    deadline = sign_by(on)
    registered = _register(plan, people, engine)
    made: list[Alert] = []
    updated: list[Alert] = []
    reopened: list[Alert] = []
    moves: list[tuple[Row, str, list[_Move]]] = []
    for row, outcome, alert, household in plan:
        if outcome == "new":
            steps = _create(row, people[row.id_number], household, communities[row.area_code], run, user=user,
                            on=on, deadline=deadline)
            made.append(steps[0].alert)
        elif outcome == "updated":
            assert alert is not None
            steps = _update(alert, row, household, run, user=user)
            updated.append(alert)
        elif outcome == "reopened":
            assert alert is not None
            steps = _reopen(alert, row, household, communities[row.area_code], run, user=user, on=on,
                            deadline=deadline)
            reopened.append(alert)
        else:
            continue
        moves.append((row, outcome, steps))
    conn = connections[router.db_for_write(Alert)]
    if conn.features.can_return_rows_from_bulk_insert:
        Alert.objects.bulk_create(made, batch_size=BATCH)
    else:  # (SQLite before 3.35) one insert each, for the pks
        for alert in made:
            alert.save(force_insert=True)
    for alert in made:
        alert.number = number(on, alert.pk)
    update_rows(Alert, made, ["number"], batch=BATCH)
    now = timezone.now()
    for alert in (*updated, *reopened):
        alert.updated_at = now  # what save() sets (auto_now)
    update_rows(Alert, updated, EVIDENCE_FIELDS, batch=BATCH)
    update_rows(Alert, reopened, REOPEN_FIELDS, batch=BATCH)
    events: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    for row, outcome, steps in moves:
        if outcome == "new" and (person_event := registered.pop(row.id_number, None)) is not None:
            audit.append(person_event)
        for move_ in steps:
            alert_event, audit_event = records(move_.alert, move_.row, user=user, on=on, note=move_.note, run=run,
                                               before=move_.before, after=move_.after)
            events.append(alert_event)
            audit.append(audit_event)
    _insert(AlertEvent, EVENT_FIELDS, events)
    _insert(AuditEvent, AUDIT_FIELDS, audit)


def _digest(rows: Iterable[Row]) -> str:
    canon = sorted((r.canonical() for r in rows), key=lambda c: (c[0], c[1]))
    text = json.dumps(canon, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def record_run(*, user: Any, as_of: dt.date, engine: str, alerts: list[dict[str, Any]],
               feed_stats: dict[str, Any], on: dt.date | None = None) -> MonitoringRun:
    """Record the engine's alerts as of ``as_of`` (see the module docstring). ``user=None`` is the system;
    a user must be a data operator or city administrator. ``on`` is the push date (today by default)."""
    if user is not None and not has_role(user, RUNS_IMPORTS):
        raise Forbidden("只有数据管理员或市级管理员可以登记监测结果")
    engine = (engine or "").strip()[:64] or "unknown"
    on = today(on)
    communities = {a.code: a for a in Area.objects.filter(level="community")}
    rows: list[Row] = []
    rejects: list[dict[str, Any]] = []
    for index, raw in enumerate(alerts):
        try:
            rows.append(_check(index, raw, communities))
        except ValueError as exc:
            rejects.append({"row": index, "scenario": str(raw.get("scenario", "")),
                            "id_number": mask_id(str(raw.get("id_number") or "")), "reason": str(exc)})
    seen = Counter((r.scenario, r.id_number) for r in rows)
    twice = sorted(key for key, n in seen.items() if n > 1)
    if twice:
        scenario, idn = twice[0]
        raise InvalidChange(f"同一场景同一人出现多行（{scenario} {mask_id(idn)} 等 {len(twice)} 组），整批不予登记")
    digest = _digest(rows)
    existing = MonitoringRun.objects.filter(as_of=as_of, engine=engine, digest=digest).first()
    if existing is not None:
        return existing

    people, known = _by_key(rows)
    numbers = sorted({r.household_no for r in rows if r.household_no})
    households: dict[str, Household] = {}
    for part in _chunks(numbers):
        households.update({h.household_no: h for h in Household.objects.filter(household_no__in=part)})
    plan: list[tuple[Row, str, Alert | None, Household | None]] = []
    for row in rows:
        person = people.get(row.id_number)
        alert = known.get((row.scenario, person)) if person is not None else None
        household = households.get(row.household_no)
        plan.append((row, _classify(row, alert, household), alert, household))

    by_scenario: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for row, outcome, _, _ in plan:
        by_scenario[row.scenario][outcome] += 1
    counts: dict[str, Any] = {k: sum(s[k] for s in by_scenario.values()) for k in OUTCOMES}
    counts["rejected"] = len(rejects)
    counts["by_scenario"] = {s: by_scenario[s] for s in Scenario.values if s in by_scenario}
    run = MonitoringRun.objects.create(as_of=as_of, engine=engine, digest=digest, recorded_by=user,
                                       feed_stats=jsonable(feed_stats or {}), counts=counts, rejects=rejects,
                                       rows=len(alerts), recorded_on=on)
    _write(plan, people, communities, run, user=user, on=on, engine=engine)
    record(user, AuditAction.IMPORT, run, summary=f"监测运行 {engine} 基准日 {as_of:%Y-%m-%d}",
           after={k: v for k, v in counts.items() if k != "by_scenario"})
    return run
