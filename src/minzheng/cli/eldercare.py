"""``minzheng eldercare …``: elderly care batch work.

- ``eldercare allowance --month YYYY-MM``: the monthly high-age allowance enrolment (免申即享) over the population
  snapshot and the deaths feed; prints each stage with its counts and seconds, then the month's figures.
  Idempotent per month: a second run of the same month changes nothing. ``--user`` acts as that user.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from minzheng.cli import CommandError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    parser = sub.add_parser("eldercare", help="养老服务：高龄津贴月度核定（免申即享）")
    inner = parser.add_subparsers(dest="eldercare_command", metavar="SUBCOMMAND")
    p = inner.add_parser("allowance", help="运行高龄津贴月度核定（免申即享）")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="津贴月份")
    p.add_argument("--user", metavar="USERNAME", help="以该用户身份运行（默认：系统）")
    p.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress output")
    p.set_defaults(func=allowance)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def allowance(args: argparse.Namespace) -> int:
    from minzheng.cli.setup import django

    django()
    from minzheng.core.errors import DomainError
    from minzheng.eldercare.actions.allowance import Sources, run_month

    quiet = bool(getattr(args, "quiet", False))
    user: Any = None
    if args.user:
        from minzheng.authz.models import User

        user = User.objects.filter(username=args.user, is_active=True).first()
        if user is None:
            raise CommandError(f"{args.user}: 用户不存在 no such active user")
    sources = Sources.default()
    if not quiet:
        where = sources.population if sources.population and sources.population.exists() else "无 none"
        print(f"户籍人口 population: {where}"
              f"；死亡数据 deaths feed: {len(sources.deaths)} 个文件 file(s)", flush=True)
    started = time.monotonic()
    try:
        run = run_month(user=user, month=args.month, sources=sources,
                        echo=None if quiet else (lambda line: print(line, flush=True)))
    except DomainError as exc:
        raise CommandError(str(exc)) from None
    bands = "，".join(f"{band}: {n:,}" for band, n in sorted(run.by_band.items()))
    print(f"高龄津贴 {run.month}（第 {run.attempt} 次）: 应享受 eligible {run.eligible:,}（{bands}），本月应发 "
          f"{run.monthly_total} 元；新增 created {run.created:,}，调标 rate changes {run.rate_changes:,}，死亡停发 "
          f"stopped (death) {run.stopped_death:,}，不再符合 stopped (ineligible) {run.stopped_ineligible:,}，未变化 "
          f"unchanged {run.unchanged:,}，冲突 skipped {run.skipped:,}  [{time.monotonic() - started:.1f}s]", flush=True)
    return 0
