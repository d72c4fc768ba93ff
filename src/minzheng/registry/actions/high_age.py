"""Bulk writes of the automatic high-age allowance (高龄津贴 免申即享) for one benefit month.

The eldercare monthly run computes the delta in DuckDB (``minzheng.eldercare.allowance_sql``) and hands it
here; :func:`apply_month` lands it inside the caller's transaction: people missing from ``core.Person``
are created from the population, current rows are ended (rate changes at M−1's last day, deaths at the
end of the death month), new rows start on M's first day with ``source="automatic"`` and the natural key
``high_age:<YYYY-MM>:<id_number>`` in ``source_key``; one audit event per person and row, written in bulk.

Duplicates are impossible: on PostgreSQL the people touched are locked (``SELECT … FOR UPDATE``, the same
lock :func:`minzheng.eldercare.actions.allowance.apply_for_allowance` takes), then a person who gained a
current row since the delta was computed is left out (``raced``); an end that finds its row already
changed raises :class:`StaleDelta` and the whole month rolls back (the run can simply be repeated).
SQLite serialises writers (``BEGIN IMMEDIATE``), so the same checks suffice there.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Max, Q
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.models import AuditEvent
from minzheng.core.bulkwrite import insert_rows
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Area, Person
from minzheng.registry.actions.archive_rows import AUDIT_FIELDS, chunks
from minzheng.registry.choices import EnrollmentSource, Programme
from minzheng.registry.models import Enrollment


class StaleDelta(InvalidChange):
    """The enrollments changed between computing the delta and applying it: run the month again."""


@dataclass
class Applied:
    created: int = 0
    rate_changes: int = 0
    stopped_death: int = 0
    stopped_ineligible: int = 0
    persons_created: int = 0
    raced: int = 0


def source_key(month: str, id_number: str) -> str:
    return f"high_age:{month}:{id_number}"


def _lock_people(person_ids: Iterable[int]) -> None:
    if connection.vendor == "sqlite":
        return  # the transaction already holds SQLite's write lock
    for chunk in chunks(sorted(set(person_ids)), 5000):
        list(Person.objects.select_for_update().filter(pk__in=chunk).values_list("pk", flat=True))


def _current_holders(person_ids: list[int], first: dt.date) -> set[int]:
    held: set[int] = set()
    for chunk in chunks(person_ids, 900):
        held.update(
            Enrollment.objects.filter(programme=Programme.HIGH_AGE, person_id__in=chunk)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=first)).values_list("person_id", flat=True)
        )
    return held


def _end_rows(ids: list[int], last_day: dt.date) -> int:
    """End the rows ``ids`` on ``last_day`` if each still runs past it; all or :class:`StaleDelta`."""
    done = 0
    for chunk in chunks(ids, 900):
        n = (Enrollment.objects.filter(pk__in=chunk, programme=Programme.HIGH_AGE)
             .filter(Q(end_date__isnull=True) | Q(end_date__gt=last_day)).update(end_date=last_day))
        if n != len(chunk):
            raise StaleDelta("高龄津贴记录在计算后已被修改，请重新运行本月")
        done += n
    return done


class _Audit:
    def __init__(self, user: Any, reason: str) -> None:
        actor = user if getattr(user, "is_authenticated", False) else None
        self.head = (timezone.now(), getattr(actor, "pk", None), getattr(actor, "username", "") or "system",
                     getattr(actor, "role", "") or "")
        self.reason = reason
        self.rows: list[tuple[Any, ...]] = []

    def add(self, action: str, object_type: str, object_id: Any, area: str, summary: str,
            before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        self.rows.append((*self.head, action, object_type, str(object_id), area or "", summary[:255], before, after,
                          self.reason, None))

    def write(self) -> None:
        insert_rows(AuditEvent, AUDIT_FIELDS, self.rows)


def apply_month(*, user: Any, month: str, first: dt.date, new: list[dict[str, Any]],
                changes: list[dict[str, Any]], stops: list[dict[str, Any]], reason: str) -> Applied:
    """Land one month's delta (call inside a transaction). Rows are dicts as ``allowance_sql`` gives them:
    ``new``: id_number, person_id (None when not in core.Person), name, sex, birth_date, area_code, band, due;
    ``changes``: enrollment_id, id_number, person_id, area_code, amount, due, new_end;
    ``stops``: enrollment_id, id_number, person_id, area_code, amount, kind, death_date, new_end."""
    out = Applied()
    audit = _Audit(user, reason)
    _lock_people([r["person_id"] for r in (*new, *changes, *stops) if r["person_id"] is not None])

    known = [r["person_id"] for r in new if r["person_id"] is not None]
    raced = _current_holders(known, first) if known else set()
    out.raced = len(raced)
    new = [r for r in new if r["person_id"] not in raced]

    # People of the population not yet in the archive's person table.
    missing = [r for r in new if r["person_id"] is None]
    if missing:
        areas = set(Area.objects.values_list("code", flat=True))
        floor = Person.objects.aggregate(m=Max("pk"))["m"] or 0
        insert_rows(Person, ("id_number", "name", "sex", "birth_date", "area"),
                    ((r["id_number"], r["name"], r["sex"], r["birth_date"],
                      r["area_code"] if r["area_code"] in areas else None) for r in missing))
        wanted = {r["id_number"] for r in missing}
        pks = {idn: pk for pk, idn in Person.objects.filter(pk__gt=floor).values_list("pk", "id_number")
               if idn in wanted}
        if len(pks) != len(wanted):
            raise StaleDelta("新建人员数与计划不符，请重新运行本月")
        for r in missing:
            r["person_id"] = pks[r["id_number"]]
            audit.add(AuditAction.CREATE, "core.person", r["person_id"], r["area_code"] if r["area_code"] in areas
                      else "", f"高龄津贴免申即享：从户籍人口数据建立人员 {r['name']}", None,
                      {"source": "population", "area_code": r["area_code"]})
        out.persons_created = len(missing)

    prev_last = first - dt.timedelta(days=1)
    if changes:
        _end_rows([r["enrollment_id"] for r in changes], prev_last)
        for r in changes:
            audit.add(AuditAction.UPDATE, "registry.enrollment", r["enrollment_id"], r["area_code"],
                      f"高龄津贴调整标准：{r['amount']} → {r['due']} 元，原记录终止于 {prev_last}",
                      {"end_date": None}, {"end_date": prev_last.isoformat()})
        out.rate_changes = len(changes)
    by_end: dict[dt.date, list[int]] = defaultdict(list)
    for r in stops:
        by_end[r["new_end"]].append(r["enrollment_id"])
    for last_day, ids in by_end.items():
        _end_rows(ids, last_day)
    for r in stops:
        death = r["kind"] == "stop_death"
        why = f"死亡（{r['death_date']}）次月起停发" if death else "本月不再符合条件"
        audit.add(AuditAction.UPDATE, "registry.enrollment", r["enrollment_id"], r["area_code"],
                  f"高龄津贴停发：{why}，终止于 {r['new_end']}", {"end_date": None},
                  {"end_date": r["new_end"].isoformat()})
        if death:
            out.stopped_death += 1
        else:
            out.stopped_ineligible += 1

    starts = [(r, "new") for r in new] + [(r, "change") for r in changes]
    if starts:
        taken = set(Enrollment.objects.filter(source_key__startswith=f"high_age:{month}:")
                    .values_list("source_key", flat=True))
        keys = {}
        for r, _ in starts:
            key = source_key(month, r["id_number"])
            n = 1
            while key in taken:  # a row of this month that was ended again (a corrected death, say)
                n += 1
                key = f"{source_key(month, r['id_number'])}#{n}"
            keys[r["id_number"]] = key
        floor = Enrollment.objects.aggregate(m=Max("pk"))["m"] or 0
        insert_rows(Enrollment, ("person", "programme", "start_date", "monthly_amount", "source", "source_key"),
                    ((r["person_id"], Programme.HIGH_AGE.value, first, Decimal(r["due"]),
                      EnrollmentSource.AUTOMATIC.value, keys[r["id_number"]]) for r, _ in starts))
        made = dict(Enrollment.objects.filter(pk__gt=floor, programme=Programme.HIGH_AGE,
                                              source=EnrollmentSource.AUTOMATIC, start_date=first)
                    .values_list("person_id", "pk"))
        for r, kind in starts:
            pk = made.get(r["person_id"])
            if pk is None:
                raise StaleDelta("新增高龄津贴记录数与计划不符，请重新运行本月")
            what = "免申即享纳入" if kind == "new" else "调整标准后新记录"
            audit.add(AuditAction.CREATE, "registry.enrollment", pk, r["area_code"],
                      f"高龄津贴{what}：{month} 起 {r['due']} 元/月", None,
                      {"person_id": r["person_id"], "programme": "high_age", "start_date": first.isoformat(),
                       "monthly_amount": str(r["due"]), "source": "automatic", "source_key": keys[r["id_number"]]})
        out.created = len(new)
    audit.write()
    return out
