"""What the payroll reads: a district's enrollments, its basis snapshots (with the deaths recorded
since), the ledger's state per key, the low-income programmes by household, and the per-key input
signatures that let a payroll skip the past months of keys whose inputs did not change.

Nothing here writes. See :mod:`.engine` for how these are compared and computed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, CharField, OuterRef, Q, QuerySet, Subquery

from minzheng.assistance.choices import DecisionKind, Outcome
from minzheng.assistance.models import Decision
from minzheng.core.models import HouseholdMember, Person
from minzheng.payments import basis as b
from minzheng.payments.models import BasisSnapshot, LedgerEntry, Payroll, RuleVersion
from minzheng.registry.models import Enrollment
from minzheng.rules.model import Month

Key = tuple[str, int, str, int]  # beneficiary type, id, programme, month index
Key3 = tuple[str, int, str]  # beneficiary type, id, programme
Owner = tuple[str, int]  # ("h", household) or ("p", person outside any household)
Fingerprint = tuple[int, int, str, str]  # enrollment, basis, rule digest, effective-inputs hash
FAR = 10**7


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def lookback() -> int:
    return int(getattr(settings, "MINZHENG_PAYROLL_LOOKBACK_MONTHS", 12))


@dataclass(frozen=True, slots=True)
class Who:
    """Where an entry belongs: its enrollment, the household and person, the community."""

    enrollment_id: int | None
    household_id: int | None
    person_id: int | None
    area_code: str


@dataclass(frozen=True, slots=True)
class Enr:
    id: int
    bt: str
    bid: int
    programme: str
    start: int
    end: int
    owner: tuple[str, int]  # ("h", household) the beneficiary belongs to, or ("p", person) when none
    household_id: int | None
    person_id: int | None
    area_code: str
    fixed_fen: int | None  # an amount decided outside the rules (一事一议, temporary assistance)
    review_start: int | None = None  # a new amount decided after a review (``chg:``) starts this month
    who: Who = Who(None, None, None, "")
    member_id: str = ""  # the person's id as a snapshot member id (person-level)

    @property
    def key3(self) -> Key3:
        return (self.bt, self.bid, self.programme)


@dataclass
class Snap:
    id: int
    valid_from: int
    inputs_hash: str
    parsed: b.Parsed
    death_months: dict[str, int]  # live deaths the snapshot does not carry: member id → month index
    death_days: dict[str, dt.date]


@dataclass
class Held:
    """What the ledger holds for a key."""

    net: int = 0
    payments: int = 0
    last_due: int | None = None
    fingerprint: Fingerprint | None = None


def district_enrollments(district: str, first: dt.date, last: dt.date) -> tuple[QuerySet[Enrollment], ...]:
    """Enrollments overlapping ``[first, last]`` of the district's households, and of people outside a
    household of the district (by their current household, else their registered area)."""
    overlap = Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=first))
    with_household = Enrollment.objects.filter(overlap, household__isnull=False,
                                               household__area__code__startswith=district)
    current = HouseholdMember.objects.filter(person_id=OuterRef("person_id"), end_date__isnull=True)
    people = Enrollment.objects.filter(overlap, household__isnull=True).annotate(
        home=Subquery(current.values("household_id")[:1], output_field=BigIntegerField()),
        home_area=Subquery(current.values("household__area_id")[:1], output_field=CharField()),
    ).filter(Q(home_area__startswith=district) | Q(home_area__isnull=True, person__area__code__startswith=district))
    return with_household, people


def has_enrollments(district: str, month: Month) -> bool:
    """Whether anything of the district runs in ``month`` (a payroll would have something to pay)."""
    last = month.shift(1).first_day - dt.timedelta(days=1)
    return any(qs.exists() for qs in district_enrollments(district, month.first_day, last))


def _fixed_applications() -> set[str]:
    """Applications approved through 一事一议: their enrollments pay the committee's amount."""
    numbers = Decision.objects.filter(kind=DecisionKind.EXCEPTION, outcome=Outcome.APPROVE).values_list(
        "application__number", flat=True)
    return {n for n in numbers if n}


def load_enrollments(district: str, first: Month, last: Month) -> list[Enr]:
    with_household, people = district_enrollments(district, first.first_day, last.shift(1).first_day
                                                  - dt.timedelta(days=1))
    fixed_apps = _fixed_applications()
    out = []
    fields = ("id", "household_id", "person_id", "programme", "start_date", "end_date", "monthly_amount",
              "source_key")
    rows = [(*r[:8], None, r[8], None) for r in with_household.values_list(*fields, "household__area_id")]
    rows += list(people.values_list(*fields, "home", "home_area", "person__area_id"))
    for eid, hid, pid, programme, start, end, amount, source_key, home, area, person_area in rows:
        household = hid or home
        source = (source_key or "").split(":")
        fixed = programme == "temporary" or (source[0] == "asst" and len(source) > 1 and source[1] in fixed_apps)
        area_code = area or person_area or ""
        out.append(Enr(
            id=eid, bt="p" if pid else "h", bid=pid or hid, programme=programme,
            start=month_index(start), end=FAR if end is None else month_index(end),
            owner=("h", household) if household else ("p", pid), household_id=household, person_id=pid,
            area_code=area_code, fixed_fen=int(amount * 100) if fixed else None,
            review_start=month_index(start) if source[0] == "chg" else None,
            who=Who(eid, household, pid, area_code), member_id=str(pid) if pid else "",
        ))
    return sorted(out, key=lambda e: e.id)


def enrollment_ids_query(district: str, first: Month, last: Month) -> Q:
    with_household, people = district_enrollments(district, first.first_day, last.shift(1).first_day
                                                  - dt.timedelta(days=1))
    return Q(enrollment_id__in=with_household.values("id")) | Q(enrollment_id__in=people.values("id"))


def load_snapshots(district: str, first: Month, last: Month) -> dict[tuple[str, int], list[Snap]]:
    with_household, people = district_enrollments(district, first.first_day, last.shift(1).first_day
                                                  - dt.timedelta(days=1))
    deaths: dict[str, dt.date] = {str(pid): day for pid, day in Person.objects.filter(
        death_date__isnull=False).values_list("id", "death_date") if day is not None}
    qs = BasisSnapshot.objects.filter(
        Q(household__area__code__startswith=district)
        | Q(person_id__in=people.values("person_id")) | Q(person_id__in=with_household.values("person_id"))
    ).order_by("valid_from", "id")
    out: dict[tuple[str, int], list[Snap]] = defaultdict(list)
    for sid, hid, pid, valid_from, packed, digest in qs.values_list(
            "id", "household_id", "person_id", "valid_from", "packed", "inputs_hash"):
        parsed = b.unpack(packed) if packed else b.parse(BasisSnapshot.objects.get(pk=sid).inputs)
        live = {mid: deaths[mid] for mid, row in zip(parsed.member_ids, parsed.members, strict=True)
                if mid in deaths and month_index(deaths[mid]) != row[1]} if deaths else {}
        out[("h", hid) if hid else ("p", pid)].append(Snap(
            sid, month_index(valid_from), digest, parsed, {mid: month_index(d) for mid, d in live.items()}, live))
    return out


def pick(snaps: list[Snap] | None, month: int) -> Snap | None:
    """The snapshot governing ``month`` (the earliest one also governs the months before it)."""
    if not snaps:
        return None
    if len(snaps) == 1:
        return snaps[0]
    chosen = snaps[0]
    for snap in snaps:
        if snap.valid_from <= month:
            chosen = snap
    return chosen


def load_held(district: str, first: Month, last: Month, *, months: Iterable[int] | None = None,
              beneficiaries: Iterable[tuple[str, int]] | None = None) -> dict[Key, Held]:
    """The ledger's state per key over the window, in fen: every key of ``months`` (all the window's by
    default), and every month of the ``beneficiaries`` given."""
    scope = LedgerEntry.objects.filter(enrollment_ids_query(district, first, last),
                                       benefit_month__gte=first.first_day, benefit_month__lte=last.first_day
                                       ).order_by()
    out: dict[Key, Held] = {}
    if months is None and beneficiaries is None:
        _held(scope, out)
        return out
    days = sorted(Month.from_index(m).first_day for m in months or ())
    if days:
        _held(scope.filter(benefit_month__in=days), out)
    for kind in ("h", "p"):
        ids = sorted({bid for bt, bid in beneficiaries or () if bt == kind})
        for i in range(0, len(ids), 5000):
            _held(scope.filter(beneficiary_type=kind, beneficiary_id__in=ids[i : i + 5000]), out)
    return out


def _held(scope: QuerySet[LedgerEntry], out: dict[Key, Held]) -> None:
    digests = dict(RuleVersion.objects.values_list("id", "digest"))
    inner_sql, params = scope.values("id").query.sql_with_params()
    where = inner_sql.split(" WHERE ", 1)[1]
    table = LedgerEntry._meta.db_table  # the WHERE clause is the ORM's, its values bound as parameters
    sql = f"""
        SELECT g.beneficiary_type, g.beneficiary_id, g.programme, g.benefit_month, g.net, g.payments,
               CAST(ROUND(e.due * 100) AS BIGINT), e.enrollment_id, e.basis_id, e.rule_version_id, e.inputs_hash
        FROM (SELECT beneficiary_type, beneficiary_id, programme, benefit_month,
                     SUM(CAST(ROUND(amount * 100) AS BIGINT)) AS net,
                     SUM(CASE WHEN kind = 'payment' THEN 1 ELSE 0 END) AS payments,
                     MAX(CASE WHEN due IS NOT NULL THEN id END) AS last_id
              FROM {table} WHERE {where}
              GROUP BY beneficiary_type, beneficiary_id, programme, benefit_month) g
        LEFT JOIN {table} e ON e.id = g.last_id"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for bt, bid, programme, month, net, payments, due, eid, basis_id, rv, eff in cursor.fetchall():
            day = month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month))
            fingerprint = None if eid is None else (eid, basis_id or 0, digests.get(rv, ""), eff)
            out[(bt, int(bid), programme, Month.of(day).index)] = Held(int(net), int(payments),
                                                                       None if due is None else int(due), fingerprint)


class Bits:
    """The low-income programmes each household (or lone person) is enrolled in, month by month."""

    def __init__(self, enrollments: list[Enr]) -> None:
        self.by_owner: dict[tuple[str, int], list[Enr]] = defaultdict(list)
        for e in enrollments:
            if e.programme in b.LOW_INCOME:
                self.by_owner[e.owner].append(e)
        self.cache: dict[tuple[tuple[str, int], int], tuple[str, ...]] = {}

    def programmes(self, owner: tuple[str, int], month: int) -> tuple[str, ...]:
        key = (owner, month)
        if key not in self.cache:
            self.cache[key] = tuple(sorted({e.programme for e in self.by_owner.get(owner, ())
                                            if e.start <= month <= e.end}))
        return self.cache[key]




def key_signatures(cash: list[Enr], snapshots: dict[Owner, list[Snap]], bits: Bits) -> dict[Key3, str]:
    """A hash, per key, of every input of its amount that does not depend on the month: the key's
    enrollments (periods, fixed amounts), its household's (and the person's own) snapshots with the
    deaths recorded since, and the household's low-income enrollments. Equal to the one written on the
    key's entries by the previous payroll ⇒ its past months need no recomputation (unless a month's
    parameters changed)."""
    owners: dict[Owner, str] = {}

    def owner(o: Owner) -> str:
        if o not in owners:
            snaps = ";".join(f"{x.id}@{x.valid_from}:{sorted(x.death_days.items())}" for x in snapshots.get(o, ()))
            lows = ";".join(f"{e.id},{e.programme},{e.start},{e.end}" for e in bits.by_owner.get(o, ()))
            owners[o] = b.short_hash(snaps, lows)
        return owners[o]

    by_key: dict[Key3, list[Enr]] = defaultdict(list)
    for e in cash:
        by_key[(e.bt, e.bid, e.programme)].append(e)
    out = {}
    for key, es in by_key.items():
        first = es[0]
        periods = ";".join(f"{e.id},{e.start},{e.end},{e.fixed_fen}" for e in sorted(es, key=lambda x: x.id))
        out[key] = b.short_hash(owner(first.owner), owner(("p", first.bid)) if first.member_id else "", periods)
    return out


def stored_signatures(payroll: Payroll | None) -> dict[Key3, str]:
    """The signatures the payroll wrote (the latest per key)."""
    if payroll is None:
        return {}
    rows = LedgerEntry.objects.filter(payroll=payroll).order_by("id").values_list(
        "beneficiary_type", "beneficiary_id", "programme", "key_sig")
    return {(bt, bid, programme): sig for bt, bid, programme, sig in rows}
