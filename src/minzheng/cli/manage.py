"""``minzheng manage …``: Django's management commands (migrate, check --deploy, db_worker, …)."""

from __future__ import annotations

import argparse
import os


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("manage", help="Django 管理命令 (migrate, check, db_worker …)", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["minzheng manage", *args.rest])
    return 0
