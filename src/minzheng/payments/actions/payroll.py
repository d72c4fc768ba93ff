"""The payroll run and its maker-checker steps: prepare (compute and write the ledger), check, return,
approve, release.

A run is a batch job in three transactions, each audited: *claim* (create or take the payroll row for
the month and district under the district's lock; the ``run_key`` is unique, so of two concurrent runs
exactly one gets it and the other returns without writing), *capture* (basis snapshots the payroll
needs: approvals, archive households, review decisions) and *post* (under the lock again: the ledger
entries in bulk, recoveries, totals, the state). Between them the engine computes without holding a
transaction, writing only its progress on the payroll row. A run that dies leaves the row with its
``run_token``; after ``STALE`` another run takes it over. Re-running a prepared payroll writes only what
changed (nothing, if nothing did); once checked, a payroll is never recomputed: later changes are paid
or recovered by the next month's payroll.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Person
from minzheng.payments import engine
from minzheng.payments.actions._common import (
    FEN,
    district_area,
    district_code,
    lock_district,
    month_day,
    parse_month,
    yuan,
)
from minzheng.payments.actions.snapshots import capture_approvals, capture_registry
from minzheng.payments.choices import PAID_KINDS, EntryKind, PayrollAction, PayrollState
from minzheng.payments.models import LedgerEntry, Payroll, PayrollStep, Recovery, RuleVersion
from minzheng.payments.workflow import Transition, authorise, segregate
from minzheng.rules.model import Month
from minzheng.rules.parameters import ParameterSet

STALE = dt.timedelta(minutes=10)
MAX_EXCEPTIONS = 1000


@dataclass
class RunResult:
    payroll: Payroll
    created: int
    won: bool
    message: str = ""


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def run_key(month: Month, district: str) -> str:
    return f"{month}:{district}"


@transaction.atomic
def claim_payroll(*, user: Any, month: str | Month, district: str) -> tuple[Payroll, str]:
    """Create (or take over) the payroll of ``month`` and ``district`` for this run; the token is empty
    when another run holds it or it is past recomputation (then nothing may be written)."""
    m = parse_month(month)
    area = district_area(district)
    district = area.code[:6]
    lock_district(district)
    payroll = Payroll.objects.select_for_update().filter(run_key=run_key(m, district)).first()
    now = timezone.now()
    if payroll is None:
        authorise(user, "payroll", PayrollState.DRAFT, PayrollAction.COMPUTE, district, system_ok=True)
        pending = Payroll.objects.filter(district=district, month__lt=m.first_day).exclude(
            state=PayrollState.RELEASED).order_by("month").first()
        if pending is not None:
            raise InvalidChange(f"{pending.month_text} 的工资单尚未发放（{pending.get_state_display()}），"
                                "请先办结再编制下月")
        token = uuid.uuid4().hex
        try:
            with transaction.atomic():
                payroll = Payroll.objects.create(month=m.first_day, district=district, area=area,
                                                 run_key=run_key(m, district), run_token=token, heartbeat_at=now,
                                                 progress_note="排队 queued")
        except IntegrityError:  # a concurrent run created it first
            return Payroll.objects.get(run_key=run_key(m, district)), ""
        record(user, AuditAction.CREATE, payroll, area_code=area.code, summary=f"开始编制工资单 {m} {area.name}")
        return payroll, token
    if payroll.state not in (PayrollState.DRAFT, PayrollState.PREPARED):
        return payroll, ""
    busy = payroll.run_token and payroll.heartbeat_at and now - payroll.heartbeat_at < STALE
    if busy:
        return payroll, ""
    action = PayrollAction.COMPUTE if payroll.state == PayrollState.DRAFT else PayrollAction.RECOMPUTE
    authorise(user, "payroll", payroll.state, action, district, system_ok=True)
    payroll.run_token, payroll.heartbeat_at, payroll.progress = uuid.uuid4().hex, now, 0
    payroll.progress_note = "排队 queued"
    payroll.save(update_fields=["run_token", "heartbeat_at", "progress", "progress_note", "updated_at"])
    return payroll, payroll.run_token


def _progress(payroll_id: int, token: str, outer: engine.Progress | None) -> engine.Progress:
    def say(pct: int, note: str) -> None:
        Payroll.objects.filter(pk=payroll_id, run_token=token).update(
            progress=max(0, min(int(pct), 99)), progress_note=note[:255], heartbeat_at=timezone.now())
        if outer is not None:
            outer(pct, note)

    return say


def run_payroll(payroll_id: int, *, token: str, user: Any = None, params: ParameterSet | None = None,
                progress: engine.Progress | None = None) -> RunResult:
    """Capture the bases, compute and post the payroll claimed with ``token`` (idempotent: a token that
    is no longer the payroll's writes nothing)."""
    payroll = Payroll.objects.get(pk=payroll_id)
    if not token or payroll.run_token != token:
        return RunResult(payroll, 0, False, "另一进程正在编制或已编制 another run holds this payroll")
    say = _progress(payroll.pk, token, progress)
    try:
        say(1, "采集核定依据 capturing bases")
        capture_approvals(district=payroll.district, user=user)
        plan = engine.compute(payroll, params=params, progress=say)
        if plan.missing:
            say(40, f"按档案采集核定依据 {len(plan.missing):,} 户 freezing registry bases")
            capture_registry(district=payroll.district, owners=plan.missing, day=payroll.month, user=user)
            plan = engine.compute(payroll, params=params, progress=say)
        say(95, f"写入台账 {len(plan.entries):,} 条 writing the ledger")
        created = _post(payroll.pk, token, plan, user)
    except BaseException:
        Payroll.objects.filter(pk=payroll.pk, run_token=token).update(run_token="", progress_note="失败 failed")
        raise
    payroll.refresh_from_db()
    if progress is not None:
        progress(100, f"完成 done: {created:,} 条")
    return RunResult(payroll, created, True, f"{created} 条明细 entries written")


def prepare_payroll(*, user: Any, month: str | Month, district: str, params: ParameterSet | None = None,
                    progress: engine.Progress | None = None) -> RunResult:
    """Compute the district's payroll for ``month`` and write its ledger entries (see the module doc)."""
    payroll, token = claim_payroll(user=user, month=month, district=district)
    if not token:
        return RunResult(payroll, 0, False, "已有编制（或正在编制），本次未作改动 nothing changed")
    return run_payroll(payroll.pk, token=token, user=user, params=params, progress=progress)


# --- posting ----------------------------------------------------------------------------------------------------

def _post(payroll_id: int, token: str, plan: engine.Plan, user: Any) -> int:
    with transaction.atomic():
        payroll = Payroll.objects.select_for_update().get(pk=payroll_id)
        lock_district(payroll.district)
        if payroll.run_token != token:
            return 0
        versions = _rule_versions(plan)
        recoveries = _recoveries(payroll, plan, user)
        now = timezone.now()
        rows = _rows(payroll, plan, versions, recoveries, getattr(_actor(user), "pk", None), now)
        insert_entries(rows)
        before = payroll.state
        if before == PayrollState.PREPARED and not rows:
            payroll.run_token, payroll.progress, payroll.progress_note = "", 100, "无变化 no change"
            payroll.save(update_fields=["run_token", "progress", "progress_note", "updated_at"])
            return 0
        action = PayrollAction.COMPUTE if before == PayrollState.DRAFT else PayrollAction.RECOMPUTE
        payroll.state = PayrollState.PREPARED
        payroll.totals = payroll_totals(payroll)
        payroll.entries_count = payroll.entries.count()
        payroll.exceptions = _merge_exceptions(payroll.exceptions, plan.exceptions)
        payroll.window = plan.window
        payroll.rule_version_id = versions.get(plan.digest)
        if before == PayrollState.DRAFT:
            payroll.prepared_by, payroll.prepared_at = _actor(user), now
        payroll.run_token, payroll.progress, payroll.progress_note = "", 100, f"完成 {len(rows):,} 条"
        payroll.save()
        PayrollStep.objects.create(payroll=payroll, action=action, from_state=before, to_state=payroll.state,
                                   actor=_actor(user), totals=payroll.totals,
                                   note=f"新增 {len(rows)} 条明细；读取 {plan.stats}")
        record(user, AuditAction.UPDATE, payroll, area_code=district_code(payroll.district),
               summary=f"{PayrollAction(action).label}工资单 {payroll.month_text}：新增 {len(rows)} 条，"
                       f"应发合计 {payroll.totals.get('paid', '0')} 元",
               before={"state": before}, after={"state": payroll.state, "entries_added": len(rows),
                                                "paid": payroll.totals.get("paid"), "stats": plan.stats})
        return len(rows)


def _rule_versions(plan: engine.Plan) -> dict[str, int]:
    used = {p.digest for p in plan.entries if p.digest} | {plan.digest}
    out = dict(RuleVersion.objects.filter(digest__in=used).values_list("digest", "id"))
    for digest in sorted(used - set(out)):
        values = plan.rule_values.get(digest)
        if values is None:
            continue
        out[digest] = RuleVersion.objects.create(digest=digest, month=plan.month.first_day, values=values).pk
    return out


def _recoveries(payroll: Payroll, plan: engine.Plan, user: Any) -> dict[tuple[str, int], int]:
    """One :class:`Recovery` per beneficiary with recovery entries in this run."""
    groups: dict[tuple[str, int], list[engine.Planned]] = defaultdict(list)
    for p in plan.entries:
        if p.kind == EntryKind.RECOVERY:
            groups[p.key[:2]].append(p)
    out = {}
    for (bt, bid), items in sorted(groups.items()):
        months = sorted({str(Month.from_index(p.key[3])) for p in items})
        amount = yuan(-sum(p.amount for p in items))
        who = items[0].who
        recovery = Recovery.objects.create(
            beneficiary_type=bt, beneficiary_id=bid, household_id=who.household_id, person_id=who.person_id,
            district=payroll.district, area_code=who.area_code, payroll=payroll,
            programmes=sorted({p.key[2] for p in items}), months=months, amount=amount,
            reason=_recovery_reason(bt, bid, items, months), found_on=timezone.localdate(),
        )
        record(user, AuditAction.CREATE, recovery, area_code=who.area_code,
               summary=f"发现多发资金 {amount} 元（{'、'.join(months)}）", after={"amount": str(amount),
                                                                            "months": months})
        out[(bt, bid)] = recovery.pk
    return out


def _recovery_reason(bt: str, bid: int, items: list[engine.Planned], months: list[str]) -> str:
    deaths: dict[str, str] = {}
    for p in items:
        for part in p.overrides.split(";"):
            if part.startswith("d="):
                for item in filter(None, part[2:].split(",")):
                    pid, _, day_text = item.partition(":")
                    deaths[pid] = day_text
    if bt == "p":
        day = Person.objects.filter(pk=bid).values_list("death_date", flat=True).first()
        if day is not None:
            deaths[str(bid)] = day.isoformat()
    paid = "、".join(months)
    if deaths:
        names = dict(Person.objects.filter(pk__in=[int(i) for i in deaths]).values_list("id", "name"))
        who = "，".join(f"{names.get(int(pid), pid)} {day} 死亡" for pid, day in sorted(deaths.items()))
        return f"{who}（死亡次月起停发）；{paid} 已发放，应追回"
    if all(p.due == 0 for p in items):
        return f"享受已终止；{paid} 已发放，应追回"
    return f"重新核算后应发金额减少；{paid} 多发部分应追回"


def _merge_exceptions(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_enrollment = {e["enrollment"]: e for e in old}
    by_enrollment.update({e["enrollment"]: e for e in new})
    return list(by_enrollment.values())[:MAX_EXCEPTIONS]


COLUMNS = ("payroll_id", "district", "area_code", "beneficiary_type", "beneficiary_id", "household_id", "person_id",
           "enrollment_id", "programme", "benefit_month", "posting_month", "kind", "amount", "due", "category",
           "basis_id", "rule_version_id", "inputs_hash", "key_sig", "overrides", "reversed_entry_id", "recovery_id",
           "note", "created_by_id", "created_at")
_NULL = "\\N"
assert set(COLUMNS) == {f.column for f in LedgerEntry._meta.concrete_fields if not f.primary_key}, "ledger columns"


def _rows(payroll: Payroll, plan: engine.Plan, versions: dict[str, int], recoveries: dict[tuple[str, int], int],
          user_id: int | None, now: dt.datetime) -> list[tuple[Any, ...]]:
    """The plan's entries as ledger rows in ``COLUMNS`` order (amounts still in fen)."""
    days: dict[int, dt.date] = {}
    out = []
    for p in plan.entries:
        bt, bid, programme, m = p.key
        if m not in days:
            days[m] = month_day(m)
        w = p.who
        out.append((payroll.pk, payroll.district, w.area_code, bt, bid, w.household_id, w.person_id, w.enrollment_id,
                    programme, days[m], payroll.month, str(p.kind), p.amount, p.due, p.category, p.basis_id,
                    versions.get(p.digest), p.inputs_hash, plan.signatures.get((bt, bid, programme), ""),
                    p.overrides[:255], p.reversed_entry_id,
                    recoveries.get((bt, bid)) if p.kind == EntryKind.RECOVERY else None, p.note, user_id, now))
    return out


def _n(value: Any) -> str:
    return _NULL if value is None else str(value)


def _fen_text(fen: int | None) -> str:
    if fen is None:
        return _NULL
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def _text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _line(r: tuple[Any, ...], days: dict[dt.date, str], now: str) -> str:
    return "\t".join((
        str(r[0]), r[1], _text(r[2]), r[3], str(r[4]), _n(r[5]), _n(r[6]), _n(r[7]), r[8], days[r[9]], days[r[10]],
        r[11], _fen_text(r[12]), _fen_text(r[13]), r[14], _n(r[15]), _n(r[16]), r[17], r[18], _text(r[19]),
        _n(r[20]), _n(r[21]), _text(r[22]), _n(r[23]), now)) + "\n"


def insert_entries(rows: list[tuple[Any, ...]]) -> None:
    """Append ledger rows (``COLUMNS`` order, amounts in fen) in bulk: ``COPY`` on PostgreSQL, ``bulk_create``
    elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = ", ".join(f'"{c}"' for c in COLUMNS)
        days = {d: d.isoformat() for r in rows for d in (r[9], r[10])}
        now = rows[0][24].isoformat()
        with connection.cursor() as cursor, cursor.cursor.copy(
                f'COPY "{LedgerEntry._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for start in range(0, len(rows), 5000):
                copy.write("".join(_line(r, days, now) for r in rows[start : start + 5000]))
        return
    objects = []
    for r in rows:
        data = dict(zip(COLUMNS, r, strict=True))
        data["amount"] = yuan(data["amount"])
        data["due"] = None if data["due"] is None else yuan(data["due"])
        objects.append(LedgerEntry(**data))
    LedgerEntry.objects.bulk_create(objects, batch_size=2000)


def payroll_totals(payroll: Payroll) -> dict[str, Any]:
    """Figures by programme and kind (yuan as text): ``paid`` = payments + arrears + reversals."""
    by_programme: dict[str, dict[str, Any]] = {}
    paid = recovery = Decimal(0)
    count = 0
    for row in payroll.entries.values("programme", "kind").annotate(total=Sum("amount"), n=Count("id")):
        slot = by_programme.setdefault(row["programme"], {"paid": Decimal(0), "count": 0})
        slot[row["kind"]] = row["total"]
        slot["count"] += row["n"]
        count += row["n"]
        if row["kind"] in PAID_KINDS:
            slot["paid"] += row["total"]
            paid += row["total"]
        else:
            recovery += row["total"]
    beneficiaries = payroll.entries.filter(kind__in=PAID_KINDS).values(
        "beneficiary_type", "beneficiary_id").distinct().count()
    def text(value: Any) -> str:
        return str(Decimal(value).quantize(FEN))

    return {
        "by_programme": {k: {name: text(v) if name != "count" else v for name, v in slot.items()}
                         for k, slot in sorted(by_programme.items())},
        "paid": text(paid), "recovery": text(recovery), "net": text(paid + recovery), "entries": count,
        "beneficiaries": beneficiaries,
    }


# --- maker-checker steps ----------------------------------------------------------------------------------------


def _lock(payroll: Payroll) -> Payroll:
    return Payroll.objects.select_for_update(of=("self",)).select_related("area").get(pk=payroll.pk)


def _move(payroll: Payroll, row: Transition, *, user: Any, note: str = "") -> Payroll:
    before = payroll.state
    payroll.state = row.target
    payroll.save()
    PayrollStep.objects.create(payroll=payroll, action=row.action, from_state=before, to_state=row.target,
                               actor=_actor(user), totals=payroll.totals, note=note)
    record(user, AuditAction.UPDATE, payroll, area_code=district_code(payroll.district),
           summary=f"{PayrollAction(row.action).label}工资单 {payroll.month_text} {payroll.area.name}",
           before={"state": before}, after={"state": row.target, "paid": payroll.totals.get("paid")}, reason=note)
    return payroll


def makers(payroll: Payroll) -> list[int | None]:
    """Everyone who prepared the payroll's figures: the preparer and whoever re-ran it or reversed an
    entry since (none of them may check or approve it)."""
    actors = payroll.steps.filter(action__in=[PayrollAction.COMPUTE, PayrollAction.RECOMPUTE, "reverse"]
                                  ).values_list("actor_id", flat=True)
    return [payroll.prepared_by_id, *actors]


def _not_running(payroll: Payroll) -> None:
    if payroll.run_token:
        raise InvalidChange("工资单正在编制，请稍后")


@transaction.atomic
def check_payroll(payroll: Payroll, *, user: Any, note: str = "") -> Payroll:
    """复核: a second person confirms the prepared figures."""
    payroll = _lock(payroll)
    row = authorise(user, "payroll", payroll.state, PayrollAction.CHECK, payroll.district)
    segregate(user, *makers(payroll))
    _not_running(payroll)
    payroll.checked_by, payroll.checked_at = user, timezone.now()
    return _move(payroll, row, user=user, note=note)


@transaction.atomic
def return_payroll(payroll: Payroll, *, user: Any, reason: str) -> Payroll:
    """退回: the checked payroll goes back to its preparer (to correct and re-run); the check is undone."""
    payroll = _lock(payroll)
    row = authorise(user, "payroll", payroll.state, PayrollAction.RETURN, payroll.district)
    if not (reason or "").strip():
        raise InvalidChange("请填写退回原因")
    payroll.checked_by, payroll.checked_at = None, None
    return _move(payroll, row, user=user, note=reason.strip())


@transaction.atomic
def approve_payroll(payroll: Payroll, *, user: Any, note: str = "") -> Payroll:
    """审批: the district approves; not the preparer, not the checker."""
    payroll = _lock(payroll)
    row = authorise(user, "payroll", payroll.state, PayrollAction.APPROVE, payroll.district)
    segregate(user, *makers(payroll), payroll.checked_by_id)
    payroll.approved_by, payroll.approved_at = user, timezone.now()
    return _move(payroll, row, user=user, note=note)


@transaction.atomic
def release_payroll(payroll: Payroll, *, user: Any, note: str = "") -> Payroll:
    """发放: the bank payment file is generated (one line per beneficiary) and the payroll is released.
    Only an approved payroll can be released; nothing else creates a bank file from a payroll."""
    from minzheng.payments.actions.bank import build_disbursement

    payroll = _lock(payroll)
    row = authorise(user, "payroll", payroll.state, PayrollAction.RELEASE, payroll.district)
    payroll.released_by, payroll.released_at = user, timezone.now()
    moved = _move(payroll, row, user=user, note=note)
    build_disbursement(moved, user=user)
    return moved
