"""``minzheng demo``: the ten-minute tour.

Embedded database, a synthetic Shenyang-like city (about 20,000 people), imported; one demo account per
role (printed with its password); then the web UI. Later capabilities add their step of the monthly
cycle (monitoring, payroll) to ``STEPS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
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
    accounts = create_demo_accounts()
    _say("[3/3] 月度业务周期的演示数据")
    for label, target in STEPS:
        if isinstance(target, list):  # a command of the monthly cycle, run as an operator would
            _say(f"    {label}: minzheng {' '.join(target)}")
            if main([*(["--quiet"] if args.quiet else []), *target]):
                raise CommandError(f"{label}失败")
            continue
        made = importlib.import_module(target).seed_demo()
        summary = "，".join(f"{k} {v}" for k, v in (made or {}).items()) or "已存在"
        _say(f"    {label}: {summary}")
    _say("演示账号（密码均为 " + DEMO_PASSWORD + "）:")
    for username, role_label, area_name in accounts:
        _say(f"    {username:<16} {role_label:<10} {area_name}")
    _say(f"准备完成，用时 {time.monotonic() - started:.0f} 秒。")
    if args.no_serve:
        return 0
    from minzheng.cli.serve import serve

    _say(f"请用浏览器打开 http://{args.host}:{args.port}/ 并用上面的账号登录。")
    sys.stdout.flush()
    serve(args.host, args.port, quiet=args.quiet)
    return 0


# The monthly cycle's demo data, in order: (what it shows, the module whose seed_demo() makes it). Each
# seed_demo() is idempotent and returns what it made.
# A list target is a command line of the monthly cycle; a string is a module whose seed_demo() adds the
# cases a newcomer should see in each state.
DEMO_AS_OF = "2025-07-31"  # the synthetic city's reference date (synth city --as-of default)
STEPS: list[tuple[str, str | list[str]]] = [
    ("监测预警：七个场景", ["monitor", "run", "--as-of", DEMO_AS_OF]),
    ("社会救助（申请、审核、公示、审批、临时救助）", "minzheng.assistance.demo"),
    ("服务类救助（需求评估、匹配、转介、服务记录）", "minzheng.services.demo"),
    ("养老服务（高龄津贴、能力评估、居家服务、适老化改造、助餐）", "minzheng.eldercare.demo"),
    ("养老机构（星级评定、安全检查、隐患销号）", "minzheng.institutions.demo"),
    ("监测预警（处置示例）", "minzheng.monitoring.demo"),
    ("资金发放（工资单、复核、审批、代发、对账、追回）", "minzheng.payments.demo"),
]


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
