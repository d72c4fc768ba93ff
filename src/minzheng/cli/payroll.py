"""``minzheng payroll``: the monthly payroll from the command line.

- ``payroll run --month YYYY-MM [--district CODE] [--user USERNAME]``: prepare (compute and write the
  ledger of) the month's payroll of one district, or of every district with someone enrolled that month;
  idempotent (a second run writes nothing). Prints the progress, then per district the state, entries
  written and totals by programme.
- ``payroll total --from YYYY-MM --to YYYY-MM``: 累计发放 — everything paid by released payrolls in the
  period (one query), by programme.
Exit 2 with a one-line reason on bad input (no such month, district or user; an earlier month not yet
released).
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from typing import Any

from minzheng.cli import CommandError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    parser = sub.add_parser("payroll", help="资金发放：编制月度工资单，统计累计发放")
    inner = parser.add_subparsers(dest="payroll_command", metavar="SUBCOMMAND")
    p = inner.add_parser("run", help="编制某月工资单（计算并写入台账；可重复运行，不会重复发放）")
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    p.add_argument("--district", metavar="CODE", help="区县代码（6 位，默认全部 13 个区县）")
    p.add_argument("--user", metavar="USERNAME", help="以该用户身份编制（默认：系统）")
    p.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress output")
    p.set_defaults(func=run)
    t = inner.add_parser("total", help="累计发放（已发放的工资单）")
    t.add_argument("--from", dest="start", required=True, metavar="YYYY-MM")
    t.add_argument("--to", dest="end", required=True, metavar="YYYY-MM")
    t.set_defaults(func=total)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def _quiet(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "quiet", False))


def _user(username: str | None) -> Any:
    if not username:
        return None
    from minzheng.authz.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"{username}: 用户不存在 no such active user")
    return user


def run(args: argparse.Namespace) -> int:
    from minzheng.cli.setup import django

    django()
    from minzheng.core.errors import DomainError
    from minzheng.core.shenyang import DISTRICTS
    from minzheng.payments.actions import prepare_payroll
    from minzheng.rules.model import InputError, Month

    try:
        month = Month.parse(args.month)
    except InputError as exc:
        raise CommandError(str(exc)) from None
    districts = [(code, name) for code, name in DISTRICTS if not args.district or code == args.district[:6]]
    if not districts:
        raise CommandError(f"{args.district}: 不是沈阳市的区县代码 not a district code")
    user = _user(args.user)
    quiet = _quiet(args)
    grand = 0
    from minzheng.payments.inputs import has_enrollments

    for code, name in districts:
        started = time.monotonic()
        if not args.district and not has_enrollments(code, month):
            if not quiet:
                print(f"{name} {month}: 无在享受记录，不编制 nothing enrolled, skipped")
            continue

        def progress(pct: int, note: str, name: str = name) -> None:
            if not quiet:
                sys.stdout.write(f"\r{name} [{'#' * (pct // 5):<20}] {pct:3d}% {note[:60]:<60}")
                sys.stdout.flush()

        try:
            result = prepare_payroll(user=user, month=month, district=code, progress=progress)
        except DomainError as exc:
            raise CommandError(f"{name}: {exc}") from None
        if not quiet:
            sys.stdout.write("\n")
        payroll = result.payroll
        totals = payroll.totals
        grand += result.created
        print(f"{name} {month}: {payroll.get_state_display()}，本次写入 {result.created:,} 条"
              f"{'' if result.won else '（' + result.message + '）'}，共 {payroll.entries_count:,} 条，"
              f"应发 {totals.get('paid', '0')} 元，追回 {totals.get('recovery', '0')} 元，"
              f"{time.monotonic() - started:.1f} 秒")
        for programme, slot in totals.get("by_programme", {}).items():
            print(f"    {programme:<18} {slot['paid']:>16} 元  {slot['count']:>8,} 条")
        if payroll.exceptions and not quiet:
            print(f"    需关注 {len(payroll.exceptions):,} 条（见工资单页面）")
    print(f"合计写入 {grand:,} 条 entries written")
    return 0


def total(args: argparse.Namespace) -> int:
    from minzheng.cli.setup import django

    django()
    from django.db.models import Sum

    from minzheng.payments.choices import PAID_KINDS, PayrollState
    from minzheng.payments.models import LedgerEntry
    from minzheng.rules.model import InputError, Month

    try:
        start, end = Month.parse(args.start).first_day, Month.parse(args.end).first_day
    except InputError as exc:
        raise CommandError(str(exc)) from None
    paid = LedgerEntry.objects.filter(payroll__state=PayrollState.RELEASED, posting_month__gte=start,
                                      posting_month__lte=end, kind__in=PAID_KINDS)
    fen = Decimal("0.01")
    whole = Decimal(paid.aggregate(total=Sum("amount"))["total"] or 0).quantize(fen)
    print(f"累计发放保障资金 {args.start} 至 {args.end}: {whole} 元（{whole / 100_000_000:.2f} 亿元）")
    for row in paid.values("programme").annotate(total=Sum("amount")).order_by("programme"):
        print(f"    {row['programme']:<18} {Decimal(row['total']).quantize(fen):>16} 元")
    return 0
