"""``minzheng monitor run --as-of DATE [--engine duckdb|spark] [--export FILE] [--spark-master URL]``.

Runs the seven scenarios of monitoring-scenarios.md (``minzheng.analytics.scenarios``) over the analytic
store (population snapshot, feeds) and a snapshot of the archive exported from the operational store at
the start of the run (so the alerts reflect the cases as they stand now). Prints the rows read per input
(and, per feed, the rows rejected at intake) and the alerts per scenario; ``--export`` writes the alerts
CSV of data-exchange.md "Exports"; then the alerts go to the workflow (``monitoring.actions.runs.record_run``:
new alerts pushed to their community, open ones updated; the same run twice changes nothing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from minzheng.cli import CommandError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    parser = sub.add_parser("monitor", help="监测预警 the seven monitoring scenarios (monitoring-scenarios.md)")
    actions = parser.add_subparsers(dest="monitor_command", metavar="SUBCOMMAND", required=True)
    run_p = actions.add_parser("run", help="run the scenarios as of a date and record the alerts")
    run_p.add_argument("--as-of", required=True, metavar="DATE", help="monitoring date D (YYYY-MM-DD)")
    run_p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                       help="analytic engine (default duckdb; spark needs the 'spark' extra and Java 17)")
    run_p.add_argument("--export", type=Path, metavar="FILE", help="write the alerts CSV here")
    run_p.add_argument("--spark-master", metavar="URL",
                       help="Spark master (spark://host:7077, yarn, k8s://…; default $MINZHENG_SPARK_MASTER or "
                            "local[2])")
    run_p.add_argument("--no-record", action="store_true", help="do not hand the alerts to the workflow")
    run_p.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress output")
    run_p.set_defaults(func=run)


def _as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of {text!r}: 应为 YYYY-MM-DD 的日期 not a date") from None


def export_archive(data_dir: Path, as_of: dt.date) -> Path:
    """The archive as it stands in the operational store, as an analytic snapshot (three ``values()``
    queries). Members: the memberships not ended on or before D (``[start, end)``); a person with two
    such memberships counts in the one that had started by D, else the latest."""
    import pyarrow as pa
    from django.db.models import Q

    from minzheng.analytics.scenarios import archive
    from minzheng.core.models import Household, HouseholdMember
    from minzheng.registry.models import Enrollment

    households = list(Household.objects.values_list("household_no", "area_id"))
    chosen: dict[str, tuple[tuple[bool, dt.date], tuple[str, str, str, Decimal]]] = {}
    members = HouseholdMember.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of)).values_list(
        "household__household_no", "person__id_number", "person__name", "person__monthly_income", "start_date")
    for household_no, id_number, name, income, start in members.iterator(chunk_size=20_000):
        rank = (start <= as_of, start)
        if id_number not in chosen or rank > chosen[id_number][0]:
            chosen[id_number] = (rank, (household_no, id_number, name, income))
    enrollments = list(Enrollment.objects.values_list(
        "household__household_no", "person__id_number", "programme", "start_date", "end_date", "monthly_amount"))

    def table(name: str, rows: list[Any]) -> pa.Table:
        schema = archive.arrow_schema(name)
        columns: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in schema.names]
        return pa.table([pa.array(list(c), f.type) for c, f in zip(columns, schema, strict=True)], schema=schema)

    return archive.write_snapshot(data_dir, {
        "registry_households": table("registry_households", households),
        "registry_members": table("registry_members", [v for _, v in sorted(chosen.values(), key=lambda x: x[1][1])]),
        "registry_enrollments": table("registry_enrollments", enrollments),
    }, source=f"operational store as of {as_of.isoformat()}")


def _feed_stats(data_dir: Path, rows_read: dict[str, int]) -> dict[str, dict[str, int]]:
    """Per input: rows the run read; per feed also what intake took and rejected over its deliveries."""
    from minzheng.analytics import feeds
    from minzheng.analytics import population as pop

    out: dict[str, dict[str, int]] = {name: {"read": n} for name, n in rows_read.items()}
    for q in feeds.quality_report(data_dir):
        out[q["feed"]].update({"rejected": q["rows_rejected"], "delivered": q["rows_read"],
                               "deliveries": q["deliveries"]})
    manifest = pop.current_manifest(data_dir)
    if manifest:
        out["population"].update({"rejected": int(manifest["rows_rejected"]),
                                  "delivered": int(manifest["rows_read"]), "deliveries": 1})
    return out


def run(args: argparse.Namespace) -> int:
    as_of = _as_of(args.as_of)
    quiet = bool(getattr(args, "quiet", False))
    from minzheng.cli.setup import django

    django()
    from django.conf import settings

    from minzheng.analytics.scenarios import engine

    data_dir = Path(settings.DATA_DIR)
    if args.engine == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise CommandError("未安装 PySpark: pip install 'minzheng[spark]' (needs Java 17)") from None
    if not quiet:
        print(f"导出档案快照 exporting the archive snapshot … (as of {as_of})", file=sys.stderr, flush=True)
    snapshot = export_archive(data_dir, as_of)
    try:
        alerts, stats = engine.run(as_of, args.engine, data_dir, args.spark_master, archive_dir=snapshot)
    except engine.EngineError as exc:
        raise CommandError(str(exc)) from None
    feed_stats = _feed_stats(data_dir, stats.rows_read)
    print(f"监测基准日 as of {as_of}，引擎 engine {args.engine}，档案快照 archive {snapshot.name}")
    print("读取 rows read:")
    for name, s in feed_stats.items():
        extra = f"（导入时拒绝 rejected at intake {s['rejected']:,}）" if "rejected" in s else ""
        print(f"  {name}: {s['read']:,}{extra}")
    print("预警 alerts:")
    for scenario in engine.SCENARIOS:
        print(f"  {scenario}: {stats.alerts.get(scenario, 0):,}  [{stats.seconds.get(scenario, 0):.2f}s]")
    print(f"  合计 total: {alerts.num_rows:,}  [{stats.total_seconds:.1f}s]")
    if args.export:
        try:
            n = engine.export_csv(alerts, args.export)
        except (ValueError, OSError) as exc:
            raise CommandError(f"--export {args.export}: {exc}") from None
        print(f"导出 export: {args.export} ({n:,} 行 rows)")
    if not args.no_record:
        _record(as_of, args.engine, engine.alert_dicts(alerts), feed_stats)
    sys.stdout.flush()
    return 0


def _record(as_of: dt.date, engine_name: str, alerts: list[dict[str, Any]], feed_stats: dict[str, Any]) -> None:
    try:
        from minzheng.monitoring.actions.runs import record_run
    except ImportError:
        print("登记 record: 监测工作流尚未安装 the monitoring workflow is not installed; alerts not recorded")
        return
    from minzheng.core.errors import InvalidChange

    try:
        recorded = record_run(user=None, as_of=as_of, engine=engine_name, alerts=alerts, feed_stats=feed_stats)
    except InvalidChange as exc:
        raise CommandError(f"登记失败 not recorded: {exc}") from None
    counts = getattr(recorded, "counts", {}) or {}
    shown = "，".join(f"{k} {counts[k]:,}" for k in ("new", "updated", "reopened", "unchanged", "rejected")
                     if k in counts)
    print(f"登记 recorded: 监测运行 run {getattr(recorded, 'pk', '?')}" + (f"（{shown}）" if shown else ""))
    for r in (getattr(recorded, "rejects", None) or [])[:10]:
        print(f"  未登记 not recorded: {r.get('scenario')} {r.get('id_number')}: {r.get('reason')}")
