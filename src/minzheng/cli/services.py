"""``minzheng services …``: the supply catalogue as HSDS 3.0, matching, deadlines and the instrument.

- ``services export-hsds DIR``: DIR/services.json and DIR/organizations.json (full HSDS 3.0 objects).
- ``services import-hsds DIR``: the same files back in (a round trip changes nothing); each object that fails
  the official schema or the mapping is reported and skipped, the rest land together. Exit 2 if any failed.
- ``services match [--scope CODE] [--key KEY]``: one match run over the open needs (idempotent by key).
- ``services escalate``: the deadline sweep (escalate overdue referrals, withdraw expired ones).
- ``services instrument-load FILE [--activate] [--valid-from DATE]``: a new version of the instrument;
  ``services instrument-activate VERSION [--valid-from DATE]`` puts a draft in force.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from minzheng.cli import CommandError

SERVICES_FILE = "services.json"
ORGANIZATIONS_FILE = "organizations.json"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    parser = sub.add_parser("services", help="服务类救助：供给清单 HSDS 导入导出、供需匹配、督办、评估工具")
    inner = parser.add_subparsers(dest="services_command", metavar="SUBCOMMAND")
    quiet = {"action": "store_true", "default": argparse.SUPPRESS, "help": "no progress output"}

    p = inner.add_parser("export-hsds", help="导出供给清单为 HSDS 3.0 JSON")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.add_argument("--quiet", **quiet)
    p.set_defaults(func=export_hsds)

    p = inner.add_parser("import-hsds", help="导入 HSDS 3.0 JSON 供给清单")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.add_argument("--quiet", **quiet)
    p.set_defaults(func=import_hsds)

    p = inner.add_parser("match", help="运行一次供需匹配（自动转介）")
    p.add_argument("--scope", metavar="CODE", help="只匹配该区划下的需求（默认全市）")
    p.add_argument("--key", metavar="KEY", help="运行键：同一键只运行一次")
    p.add_argument("--quiet", **quiet)
    p.set_defaults(func=match)

    p = inner.add_parser("escalate", help="督办逾期转介，撤回逾期未接收的转介并重新开放需求")
    p.add_argument("--quiet", **quiet)
    p.set_defaults(func=escalate)

    p = inner.add_parser("instrument-load", help="载入评估工具新版本（JSON）")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--activate", action="store_true", help="立即启用（停用当前版本）")
    p.add_argument("--valid-from", metavar="YYYY-MM-DD", help="启用日期（默认文件中的 valid_from）")
    p.set_defaults(func=instrument_load)

    p = inner.add_parser("instrument-activate", help="启用评估工具的草稿版本（停用当前版本）")
    p.add_argument("version", type=int, metavar="VERSION")
    p.add_argument("--code", default="needs", help="评估工具代码（默认 needs）")
    p.add_argument("--valid-from", metavar="YYYY-MM-DD", help="启用日期（默认该版本的 valid_from）")
    p.set_defaults(func=instrument_activate)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def _quiet(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "quiet", False))


def export_hsds(args: argparse.Namespace) -> int:
    from minzheng.cli.setup import django

    django()
    from minzheng.services.hsds import export_catalogue

    directory: Path = args.directory
    if directory.exists() and not directory.is_dir():
        raise CommandError(f"{directory}: 不是目录 not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    services, organizations = export_catalogue()
    for name, data in ((SERVICES_FILE, services), (ORGANIZATIONS_FILE, organizations)):
        (directory / name).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if not _quiet(args):
        print(f"{len(services)} services → {directory / SERVICES_FILE}")
        print(f"{len(organizations)} organizations → {directory / ORGANIZATIONS_FILE}")
    return 0


def _read_array(path: Path) -> list[Any]:
    if not path.is_file():
        raise CommandError(f"{path}: 文件不存在 no such file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path}: 不是 JSON not JSON ({exc})") from None
    if not isinstance(data, list):
        raise CommandError(f"{path}: 应为 JSON 数组 expected a JSON array")
    return data


def import_hsds(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    if not directory.is_dir():
        raise CommandError(f"{directory}: 目录不存在 no such directory")
    services = _read_array(directory / SERVICES_FILE)
    organizations = _read_array(directory / ORGANIZATIONS_FILE)
    from minzheng.cli.setup import django

    django()
    from minzheng.services.actions.catalogue import import_hsds as run_import
    from minzheng.services.hsds import schema_dir

    check = schema_dir() is not None
    if not check and not _quiet(args):
        print("注意：未找到 HSDS 3.0 官方 schema（MINZHENG_HSDS_SCHEMAS），只做映射检查")
    report = run_import(organizations, services, user=None, check_schema=check)
    if not _quiet(args):
        for kind in ("organizations", "services"):
            print(f"{kind}: created {report.created[kind]}, updated {report.updated[kind]}, "
                  f"unchanged {report.unchanged[kind]}")
    for kind, oid, reason in report.rejected:
        print(f"rejected {kind} {oid}: {reason}")
    if report.rejected:
        raise CommandError(f"{len(report.rejected)} 个对象被拒绝 object(s) rejected (the rest were imported)")
    return 0


def match(args: argparse.Namespace) -> int:
    from minzheng.cli.setup import django

    django()
    from minzheng.cli.progress import Progress
    from minzheng.core.models import Area
    from minzheng.services.actions.matching import execute_run, start_run

    scope = None
    if args.scope:
        scope = Area.objects.filter(code=args.scope).first()
        if scope is None:
            raise CommandError(f"{args.scope}: 区划代码不存在 no such area")
    run = start_run(user=None, scope=scope, key=args.key or "", enqueue=False)
    with Progress(f"匹配 {run.key}", quiet=_quiet(args), unit="项需求") as progress:
        stats = execute_run(run.key)
        progress.advance(int(stats.get("needs", 0)))
    if not _quiet(args):
        keys = ("needs", "offerings", "places", "served", "unserved", "status", "certified", "seconds")
        print(" ".join(f"{k}={stats.get(k)}" for k in keys))
    return 0


def escalate(args: argparse.Namespace) -> int:
    from minzheng.cli.setup import django

    django()
    from minzheng.services.actions.referrals import escalate_overdue

    out = escalate_overdue()
    if not _quiet(args):
        print(" ".join(f"{k}={v}" for k, v in out.items()))
    return 0


def instrument_load(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise CommandError(f"{path}: 文件不存在 no such file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        valid_from = dt.date.fromisoformat(args.valid_from) if args.valid_from else None
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise CommandError(f"{path}: {exc}") from None
    from minzheng.cli.setup import django

    django()
    from django.db import transaction

    from minzheng.core.errors import DomainError
    from minzheng.services.actions.instruments import activate_version, load_instrument

    try:
        with transaction.atomic():
            version = load_instrument(data, user=None)
            if args.activate:
                activate_version(version, user=None, valid_from=valid_from or version.valid_from)
    except (DomainError, KeyError, TypeError) as exc:
        raise CommandError(f"{path}: {exc}") from None
    print(f"{version.instrument.name} 第 {version.version} 版：{'已启用' if args.activate else '草稿'}")
    return 0


def instrument_activate(args: argparse.Namespace) -> int:
    try:
        valid_from = dt.date.fromisoformat(args.valid_from) if args.valid_from else None
    except ValueError as exc:
        raise CommandError(f"--valid-from: {exc}") from None
    from minzheng.cli.setup import django

    django()
    from minzheng.core.errors import DomainError
    from minzheng.services.actions.instruments import activate_version
    from minzheng.services.models import InstrumentVersion

    version = InstrumentVersion.objects.filter(instrument__code=args.code, version=args.version).first()
    if version is None:
        raise CommandError(f"{args.code} 第 {args.version} 版不存在 no such version")
    try:
        activate_version(version, user=None, valid_from=valid_from or version.valid_from)
    except DomainError as exc:
        raise CommandError(str(exc)) from None
    print(f"{version.instrument.name} 第 {version.version} 版已启用，自 {valid_from or version.valid_from}")
    return 0
