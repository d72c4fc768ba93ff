"""``minzheng synth city``: write a synthetic Shenyang-like city as data-exchange files."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from minzheng.cli import CommandError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("synth", help="合成数据：生成模拟城市 (synthetic data)")
    parser.set_defaults(func=lambda args: _usage(parser))
    sub = parser.add_subparsers(dest="synth_command", metavar="WHAT")
    city = sub.add_parser(
        "city",
        help="写出模拟沈阳的全部交换文件、植入案例与 truth.csv",
        description=(
            "Write a synthetic Shenyang-like city in the file formats of data-exchange.md, with realistic "
            "dirt and planted cases for every monitoring scenario (truth.csv lists the exact alerts for "
            "the reference date). Deterministic for (seed, persons, households in care, as-of)."
        ),
    )
    city.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    city.add_argument("--persons", type=int, default=20_000, metavar="N", help="population size (default 20000)")
    city.add_argument(
        "--households-in-care", type=int, default=None, metavar="N",
        help="households with an active dibao/tekun/dibao_edge/rigid_hardship enrollment on the "
             "reference date (default 62063 × persons / 9,200,000, at least 300)",
    )
    city.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    city.add_argument("--as-of", default="2025-07-31", metavar="DATE",
                      help="reference date D for planted cases and truth.csv (default 2025-07-31)")
    city.add_argument("--claims-per-person", type=float, default=3.3, metavar="X",
                      help="medical claims per person per year (default 3.3)")
    city.set_defaults(func=run_city)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_city(args: argparse.Namespace) -> int:
    from minzheng.synth.city import SynthError, generate

    try:
        as_of = dt.date.fromisoformat(args.as_of)
    except ValueError:
        raise CommandError(f"--as-of {args.as_of!r} is not a date (YYYY-MM-DD)") from None
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out} exists and is not a directory")
    quiet = bool(getattr(args, "quiet", False))
    try:
        summary = generate(
            out,
            persons=args.persons,
            in_care=args.households_in_care,
            seed=args.seed,
            as_of=as_of,
            claims_per_person=args.claims_per_person,
            quiet=quiet,
        )
    except SynthError as exc:
        raise CommandError(str(exc)) from None
    if not quiet:
        truth = sum(summary.truth.values())
        print(
            f"synthetic city written to {out}: {summary.persons:,} persons, {summary.in_care:,} households "
            f"in care, {truth} truth alerts, {summary.invalid_ids} invalid IDs planted "
            f"({summary.seconds:.1f} s)"
        )
    return 0
