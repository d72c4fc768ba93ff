"""What a district's payroll for a month must add to the ledger (reads only; ``actions.payroll`` writes).

For every cash enrollment of the district and every month of the window — the payroll's month and the
``MINZHENG_PAYROLL_LOOKBACK_MONTHS`` (12) months before it, never before the district's first payroll —
the engine knows what the ledger holds for the key (beneficiary, programme, month): the net of its
entries and the *fingerprint* of the last computation (enrollment, basis snapshot, parameter digest,
hash of the effective inputs). A key is recomputed only when its fingerprint changed or its net differs
from the last amount due, so a re-run with nothing changed evaluates nothing and writes nothing. The
past months are not even read for a key whose month-independent inputs (``inputs.key_signatures``) are
those the previous payroll recorded, unless that month's parameters changed since: the steady state
reads the month's keys and the few that changed, not the whole window.

Recomputed keys go through the rules' bulk path (one ``evaluate_bulk`` per month, integer fen) and the
difference between what is due and what was given becomes entries: the month's ``payment``; ``arrears``
for more due (a late decision, a standard raised late, itemised per month); for less due, a
``reversal`` of this (unreleased) payroll's own entries, else a ``recovery`` (the money has left).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minzheng.payments import basis as b
from minzheng.payments.choices import CASH_PROGRAMMES, EntryKind
from minzheng.payments.inputs import (
    Bits,
    Enr,
    Fingerprint,
    Held,
    Key,
    Key3,
    Snap,
    Who,
    key_signatures,
    load_enrollments,
    load_held,
    load_snapshots,
    lookback,
    pick,
    stored_signatures,
)
from minzheng.payments.models import LedgerEntry, Payroll
from minzheng.rules.bulk import CATEGORY_CODES, BulkResult, evaluate_bulk
from minzheng.rules.explain import MEMBER_STATUSES
from minzheng.rules.model import Month
from minzheng.rules.parameters import ParameterSet

Progress = Callable[[int, str], None]
_DIBAO, _SINGLE = MEMBER_STATUSES.index("dibao"), MEMBER_STATUSES.index("single_cover")
HH_OUTPUT = {"tekun": "tekun_monthly", "orphan": "orphan_monthly", "unsupported_child": "orphan_monthly",
              "high_age": "high_age_monthly", "disability_living": "disability_living_monthly",
              "disability_care": "disability_care_monthly"}
MEMBER_OUTPUT = {**HH_OUTPUT, "dibao": "single_cover_monthly"}


@dataclass(slots=True)
class Planned:
    kind: str
    key: Key
    amount: int  # fen, signed
    due: int | None
    who: Who
    basis_id: int | None = None
    digest: str = ""
    inputs_hash: str = ""
    overrides: str = ""
    category: str = ""
    reversed_entry_id: int | None = None
    note: str = ""


@dataclass
class Plan:
    month: Month
    entries: list[Planned] = field(default_factory=list)
    rule_values: dict[str, dict[str, Any]] = field(default_factory=dict)  # digest → values
    digest: str = ""  # the parameters of the payroll's own month
    window: dict[str, str] = field(default_factory=dict)  # every month checked → its parameter digest
    signatures: dict[Key3, str] = field(default_factory=dict)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    # Owners whose basis must be taken from the registry first: owner → (source, valid-from month index).
    missing: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)


@dataclass
class _Need:
    key: Key
    enr: Enr
    snap: Snap | None  # None: a fixed amount (no rules, no basis)
    overrides: str
    eff: str
    fingerprint: Fingerprint
    person_row: int | None = None  # the beneficiary's row in the unit (person-level)
    unit: int = -1


def compute(payroll: Payroll, *, params: ParameterSet | None = None, progress: Progress | None = None) -> Plan:
    """The entries ``payroll`` must add so that every key of its window nets to what is due."""
    say = progress or (lambda pct, note: None)
    month = Month.of(payroll.month)
    first_payroll = Payroll.objects.filter(district=payroll.district).order_by("month").values_list(
        "month", flat=True).first() or payroll.month
    first = max(month.shift(-lookback()), Month.of(first_payroll))
    plan = Plan(month=month)
    say(5, "读取享受记录 reading enrollments")
    enrollments = load_enrollments(payroll.district, first, month)
    cash = [e for e in enrollments if e.programme in CASH_PROGRAMMES]
    say(15, f"读取核定依据 reading basis snapshots ({len(cash):,} enrollments)")
    snapshots = load_snapshots(payroll.district, first, month)
    bits = Bits(enrollments)
    digests: dict[int, str] = {}
    for m in range(first.index, month.index + 1):
        digest, values = b.rule_digest(params, Month.from_index(m))
        digests[m] = digest
        plan.rule_values.setdefault(digest, values)
    plan.digest = digests[month.index]
    plan.window = {str(Month.from_index(m)): digests[m] for m in digests}
    # Past months: only the keys whose inputs changed since the previous payroll, and every key of a month
    # whose parameters changed (or that the previous payroll did not cover).
    say(30, "读取台账 reading the ledger")
    previous = Payroll.objects.filter(district=payroll.district, month__lt=payroll.month).order_by("-month").first()
    plan.signatures = key_signatures(cash, snapshots, bits)
    stored = stored_signatures(previous)
    seen = previous.window if previous is not None else {}
    full = {m for m in digests if m == month.index or seen.get(str(Month.from_index(m))) != digests[m]}
    dirty = {k for k, sig in plan.signatures.items() if stored.get(k) != sig}
    many = len(plan.signatures) > 1000 and len(dirty) * 5 > len(plan.signatures)
    if len(full) == len(digests) or many:  # cheaper to read it all
        full = set(digests)
        held = load_held(payroll.district, first, month)
    else:
        held = load_held(payroll.district, first, month, months=full, beneficiaries={k[:2] for k in dirty})
    cache: dict[tuple[int, tuple[str, ...]], tuple[str, str]] = {}
    plan.stats = {"enrollments": len(cash), "snapshots": sum(len(v) for v in snapshots.values()),
                  "ledger_keys": len(held), "evaluated": 0, "months": month.index - first.index + 1,
                  "changed_keys": len(dirty), "months_in_full": len(full)}
    for e in cash:
        snaps = snapshots.get(e.owner)
        if e.review_start is not None and e.start <= month.index <= e.end and snaps and not any(
                s.valid_from >= e.review_start for s in snaps):
            plan.missing[e.owner] = ("review", e.review_start)
    span = max(month.index - first.index, 1)
    for m in range(first.index, month.index + 1):
        say(35 + 55 * (m - first.index) // span, f"核算 {Month.from_index(m)} computing")
        context = _Context(snapshots, held, bits, digests[m], params, payroll, cache)
        if m in full:
            _month(plan, m, m == month.index, cash, context)
        else:
            _month(plan, m, False, [e for e in cash if e.key3 in dirty], context, only=dirty)
    say(92, f"待写入 {len(plan.entries):,} 条 entries to write")
    return plan


def _covering(cash: list[Enr], m: int) -> dict[tuple[str, int, str], Enr]:
    out: dict[tuple[str, int, str], Enr] = {}
    for e in cash:
        if e.start <= m <= e.end:
            k = (e.bt, e.bid, e.programme)
            if k not in out or (out[k].start, out[k].id) < (e.start, e.id):
                out[k] = e
    return out


@dataclass
class _Context:
    snapshots: dict[tuple[str, int], list[Snap]]
    held: dict[Key, Held]
    bits: Bits
    digest: str
    params: ParameterSet | None
    payroll: Payroll
    cache: dict[tuple[int, tuple[str, ...]], tuple[str, str]]  # (snapshot, programmes) → overrides, hash


Located = tuple[Fingerprint, "Snap | None", "int | None", str, str]  # fingerprint, snapshot, row, overrides, hash


def _locate(e: Enr, m: int, ctx: _Context) -> Located | None:
    """The computation ``e`` needs for month ``m`` (``None``: no basis), without evaluating anything."""
    if e.fixed_fen is not None:
        eff = b.short_hash("fixed", str(e.fixed_fen))
        return (e.id, 0, "", eff), None, None, "", eff
    snap = pick(ctx.snapshots.get(e.owner), m)
    person_row = None
    if e.member_id:
        if snap is None or e.member_id not in snap.parsed.member_ids:
            snap = pick(ctx.snapshots.get(("p", e.bid)), m)
            if snap is None or e.member_id not in snap.parsed.member_ids:
                return None
        person_row = snap.parsed.member_ids.index(e.member_id)
    elif snap is None:
        return None
    programmes = ctx.bits.programmes(e.owner, m)
    cached = ctx.cache.get((snap.id, programmes))
    if cached is None:
        overrides = b.overrides_text(programmes, snap.death_days)
        cached = ctx.cache[(snap.id, programmes)] = (overrides, b.short_hash(snap.inputs_hash, overrides))
    overrides, eff = cached
    return (e.id, snap.id, ctx.digest, eff), snap, person_row, overrides, eff


def _missing(plan: Plan, e: Enr, ctx: _Context) -> None:
    """Record which basis the registry must supply: the household's (none yet), or the person's own
    (a person-level beneficiary absent from the household's snapshot, or outside any household)."""
    owner = e.owner if not ctx.snapshots.get(e.owner) else ("p", e.bid)
    source, start = plan.missing.get(owner, ("registry", e.start))
    plan.missing[owner] = (source, min(start, e.start))


def _month(plan: Plan, m: int, current: bool, cash: list[Enr], ctx: _Context, only: set[Key3] | None = None
           ) -> None:
    covering = _covering(cash, m)
    builder = b.ColumnBuilder()
    units: dict[tuple[int, str], int] = {}
    needs: list[_Need] = []
    dues: dict[Key, tuple[int, _Need | None, str]] = {}  # due, computation, category
    held = ctx.held
    for k, e in covering.items():
        key = (*k, m)
        located = _locate(e, m, ctx)
        if located is None:
            if current:
                _missing(plan, e, ctx)
                plan.exceptions.append({"enrollment": e.id, "programme": e.programme, "beneficiary": f"{e.bt}{e.bid}",
                                        "reason": "no_basis"})
            continue
        state = held.get(key)
        if state is not None and state.fingerprint == located[0] and state.net == state.last_due:
            continue
        fingerprint, snap, person_row, overrides, eff = located
        need = _Need(key, e, snap, overrides, eff, fingerprint, person_row)
        if need.snap is None:
            dues[key] = (e.fixed_fen or 0, need, "")
            continue
        unit_key = (need.snap.id, need.overrides)
        if unit_key not in units:
            units[unit_key] = builder.add(need.snap.parsed, need.snap.death_months, b.programme_bits(
                ctx.bits.programmes(e.owner, m)))
        need.unit = units[unit_key]
        needs.append(need)
    if needs:
        members, households = builder.columns()
        result = evaluate_bulk(members, households, Month.from_index(m), ctx.params)
        plan.stats["evaluated"] += len(units)
        _amounts(result, builder, needs, dues)
    for key, state in ctx.held.items():  # given before, no longer covered (exit, end moved back): nothing due
        if key[3] == m and key[:3] not in covering and state.net != 0 and (only is None or key[:3] in only):
            dues[key] = (0, None, "")
    for key, (due, computed, category) in dues.items():
        _settle(plan, key, due, computed, category, ctx.held.get(key, Held()), current, ctx.payroll)


def _amounts(result: BulkResult, builder: b.ColumnBuilder, needs: list[_Need],
             dues: dict[Key, tuple[int, _Need | None, str]]) -> None:
    hh, mm = result.households, result.members
    offsets = np.asarray([*builder.offsets, len(builder.member_rows)], dtype=np.int64)

    def group(values: np.ndarray) -> np.ndarray:
        cumulative = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(values, dtype=np.int64, out=cumulative[1:])
        return cumulative[offsets[1:]] - cumulative[offsets[:-1]]

    status = mm["status"]
    household_dibao = (hh["dibao_monthly"] - group(mm["single_cover_monthly"])
                       + group(np.where(status == _DIBAO, mm["dibao_addon_monthly"], 0)))
    columns = {name: hh[name].tolist() for name in set(HH_OUTPUT.values())}
    dibao_list, categories = household_dibao.tolist(), result.households["category"].tolist()
    for need in needs:
        u, programme = need.unit, need.enr.programme
        if need.person_row is None:
            due = dibao_list[u] if programme == "dibao" else columns[HH_OUTPUT[programme]][u]
        else:
            row = int(offsets[u]) + need.person_row
            due = int(mm[MEMBER_OUTPUT[programme]][row])
            if programme == "dibao":
                due = due + int(mm["dibao_addon_monthly"][row]) if int(status[row]) == _SINGLE else 0
        dues[need.key] = (int(due), need, CATEGORY_CODES[categories[u]])


def _who(need: _Need | None, key: Key) -> Who:
    if need is not None:
        return need.enr.who
    bt, bid, programme, m = key
    last = LedgerEntry.objects.filter(beneficiary_type=bt, beneficiary_id=bid, programme=programme,
                                      benefit_month=Month.from_index(m).first_day).order_by("-id").values_list(
        "enrollment_id", "household_id", "person_id", "area_code").first()
    return Who(*last) if last else Who(None, bid if bt == "h" else None, bid if bt == "p" else None, "")


def _settle(plan: Plan, key: Key, due: int, need: _Need | None, category: str, state: Held, current: bool,
            payroll: Payroll) -> None:
    diff = due - state.net
    if current and due == 0 and need is not None:
        plan.exceptions.append({"enrollment": need.enr.id, "programme": need.enr.programme,
                                "beneficiary": f"{key[0]}{key[1]}", "reason": _zero_reason(need)})
    if diff == 0:
        return
    if diff > 0 and need is not None and current and state.payments == 0 and state.net == 0:  # the common case
        basis_id = need.snap.id if need.snap else None
        plan.entries.append(Planned(EntryKind.PAYMENT, key, diff, due, need.enr.who, basis_id, need.fingerprint[2],
                                    need.eff, need.overrides, category))
        return
    common: dict[str, Any] = {"due": due, "who": _who(need, key), "category": category}
    if need is not None:
        common.update(basis_id=need.snap.id if need.snap else None, digest=need.fingerprint[2],
                      inputs_hash=need.eff, overrides=need.overrides)
    if diff > 0:
        plan.entries.append(Planned(kind=EntryKind.ARREARS, key=key, amount=diff, **common))
        return
    for entry_id, amount in (_own_entries(payroll, key) if payroll.pk else []):
        if diff >= 0:
            break
        plan.entries.append(Planned(kind=EntryKind.REVERSAL, key=key, amount=-amount, reversed_entry_id=entry_id,
                                    note="重新编制：冲正本工资单原明细", **common))
        diff += amount
    if diff > 0:
        plan.entries.append(Planned(kind=EntryKind.ARREARS, key=key, amount=diff, **common))
    elif diff < 0:
        plan.entries.append(Planned(kind=EntryKind.RECOVERY, key=key, amount=diff, **common))


def _own_entries(payroll: Payroll, key: Key) -> list[tuple[int, int]]:
    """This payroll's positive, not yet reversed entries of ``key`` (newest first), in fen."""
    bt, bid, programme, m = key
    qs = LedgerEntry.objects.filter(payroll=payroll, beneficiary_type=bt, beneficiary_id=bid, programme=programme,
                                    benefit_month=Month.from_index(m).first_day,
                                    kind__in=[EntryKind.PAYMENT, EntryKind.ARREARS])
    reversed_ids = set(LedgerEntry.objects.filter(reversed_entry__in=qs).values_list("reversed_entry_id", flat=True))
    return [(pk, int(amount * 100)) for pk, amount in qs.order_by("-id").values_list("id", "amount")
            if pk not in reversed_ids]


def _zero_reason(need: _Need) -> str:
    m = need.key[3]
    if need.snap is None:
        return "rules_zero"
    rows = need.snap.parsed.members
    deaths = [need.snap.death_months.get(mid, row[1]) for mid, row in zip(need.snap.parsed.member_ids, rows,
                                                                          strict=True)]
    if need.person_row is not None:
        if deaths[need.person_row] < m:
            return "died"
        no_certificate = rows[need.person_row][4] == 0  # disability grade
        return "no_certificate" if no_certificate and need.enr.programme.startswith("disability") else "rules_zero"
    return "died" if all(d < m for d in deaths) else "rules_zero"
