"""The ``minzheng`` command (``../shared/spec/cli.md``).

Each subcommand lives in its own module of this package with a ``register(subparsers)`` function that
adds its parser and sets ``func`` to a handler ``(args) -> int``. Handlers that need the database
call :func:`minzheng.cli.setup.django` first (it creates and migrates a fresh embedded database).
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = (
    "demo",
    "serve",
    "synth",
    "importer",
    "policy",
    "services",
    "monitor",
    "payroll",
    "eldercare",
    "manage",
)


class CommandError(Exception):
    """Bad input or a failed precondition: printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minzheng", description="Minzheng 民政业务平台")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"minzheng.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"minzheng: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("minzheng: interrupted", file=sys.stderr)
        return 130
