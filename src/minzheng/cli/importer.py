"""``minzheng import DIR``: take in every recognised file of a delivery directory (data-exchange.md).

Prints one line per file (rows read, taken, rejected; IDs repaired), then where the report and the
rejects are. Exits 2 with a one-line reason when the directory is missing or a file was rejected as a
whole (the other files are still imported); rejected rows alone are not a failure: they are reported.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from minzheng.cli import CommandError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    parser = sub.add_parser("import", help="导入数据文件 take in a delivery directory (data-exchange.md)")
    parser.add_argument("directory", type=Path, metavar="DIR", help="directory of .csv/.xlsx/.parquet files")
    parser.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress output")
    parser.add_argument("--user", metavar="USERNAME", help="act as this user (default: the system)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    if not directory.is_dir():
        raise CommandError(f"{directory}: 目录不存在 no such directory")
    from minzheng.cli.setup import django

    django()
    from minzheng.intake.actions import run_import

    user: Any = None
    if args.user:
        from minzheng.authz.models import User

        user = User.objects.filter(username=args.user, is_active=True).first()
        if user is None:
            raise CommandError(f"{args.user}: 用户不存在 no such active user")
    report = run_import(directory, user=user, quiet=bool(getattr(args, "quiet", False)),
                        echo=lambda line: print(line, flush=True))
    print(f"报告 report: {Path(report.report_dir) / 'report.txt'}")
    sys.stdout.flush()
    if report.failed_files:
        names = ", ".join(f.name for f in report.failed_files)
        raise CommandError(f"{len(report.failed_files)} 个文件被整体拒绝 file(s) rejected as a whole: {names} "
                           f"(see {Path(report.report_dir) / 'report.txt'})")
    return 0
