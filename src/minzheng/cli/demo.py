"""``minzheng demo``: the ten-minute tour.

Embedded database, a synthetic Shenyang-like city (about 20,000 people), imported; one demo account per
role (printed with its password); then the web UI. Later capabilities add their step of the monthly
cycle (monitoring, payroll) to ``STEPS``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

DEMO_PASSWORD = "Minzheng#2025"  # noqa: S105  (demo accounts only; printed on every run)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("demo", help="演示：生成模拟城市、导入、创建演示账号并启动界面")
    p.add_argument("--persons", type=int, default=20000, help="模拟城市人口（默认 20000）")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="准备好数据后不启动网页服务")
    p.set_defaults(func=run)


def _say(msg: str) -> None:
    print(msg, flush=True)


def run(args: argparse.Namespace) -> int:
    from django.conf import settings

    from minzheng.cli import CommandError, main, setup

    started = time.monotonic()
    setup.django(quiet=True)
    data_dir = Path(settings.DATA_DIR)
    _say(f"数据目录: {data_dir}  数据库: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    city = data_dir / f"demo-city-{args.persons}-{args.seed}"
    if not (city / "population.csv").exists():
        _say(f"[1/3] 生成模拟城市（{args.persons:,} 人）→ {city}")
        rc = main([*(["--quiet"] if args.quiet else []), "synth", "city", "--out", str(city),
                   "--persons", str(args.persons), "--seed", str(args.seed)])
        if rc:
            raise CommandError("生成模拟城市失败")
    else:
        _say(f"[1/3] 模拟城市已存在: {city}")
    _say("[2/3] 导入档案与人口数据")
    rc = main([*(["--quiet"] if args.quiet else []), "import", str(city)])
    if rc:
        raise CommandError("导入失败，请查看上面的报告")
    for step in STEPS:
        step(args)
    _say("[3/3] 演示账号（密码均为 " + DEMO_PASSWORD + "）:")
    for username, role_label, area_name in create_demo_accounts():
        _say(f"    {username:<16} {role_label:<10} {area_name}")
    _say(f"准备完成，用时 {time.monotonic() - started:.0f} 秒。")
    if args.no_serve:
        return 0
    from minzheng.cli.serve import serve

    _say(f"请用浏览器打开 http://{args.host}:{args.port}/ 并用上面的账号登录。")
    sys.stdout.flush()
    serve(args.host, args.port, quiet=args.quiet)
    return 0


# Later issues append their part of the monthly cycle here (monitoring run, payroll, …).
STEPS: list[Callable[[argparse.Namespace], None]] = []


def create_demo_accounts() -> list[tuple[str, str, str]]:
    """One account per role, in the jurisdiction of a community that has archived households."""
    from django.db.models import Count
    from django.utils import timezone

    from minzheng.authz.choices import Role
    from minzheng.authz.models import User
    from minzheng.core.models import Area

    community = (
        Area.objects.filter(level="community").annotate(n=Count("households")).order_by("-n", "code").first()
    )
    if community is None:
        raise RuntimeError("no community with households: was the city imported?")
    street = community.parent
    district = street.parent if street else None
    city = Area.objects.get(code="210100000000")
    plan = [
        ("shequ", Role.COMMUNITY_WORKER, community),
        ("jiedao", Role.STREET_REVIEWER, street),
        ("quxian", Role.DISTRICT_APPROVER, district),
        ("shiji", Role.CITY_ADMIN, city),
        ("shenji", Role.AUDITOR, city),
        ("fuwu", Role.SERVICE_PROVIDER, community),
        ("shuju", Role.DATA_OPERATOR, city),
    ]
    out = []
    for username, role, area in plan:
        assert area is not None
        user, _ = User.objects.get_or_create(username=username)
        user.role = role
        user.jurisdiction = area
        user.full_name = f"演示{Role(role).label}"
        user.is_active = True
        user.failed_logins = 0
        user.locked_until = None
        user.set_password(DEMO_PASSWORD)
        user.password_changed_at = timezone.now()
        user.save()
        out.append((username, Role(role).label, area.full_name() or area.name))
    return out
