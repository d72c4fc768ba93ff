"""Benchmark of recording a monitoring run (``monitoring.actions.record_run``) with N synthetic alert rows,
on SQLite and on PostgreSQL.

    .venv/bin/python bench/monitoring_record_run.py [--alerts 20000] [--backends sqlite,postgres]
        [--unknown 0.1] [--reopen 0.1] [--json FILE] [--profile]

Each backend runs in its own process (Django is set up once per process) on a scratch database of its own:
an SQLite file in a temporary directory, or ``bench_mz_record_run`` on the local PostgreSQL server
(``postgres://postgres@127.0.0.1:5432``, reached through its ``test`` database), dropped, created and
migrated, and dropped again at the end. Setup, bulk and not timed: one district (和平区) with 10 streets of 10
communities, the people of the rows (all but the ``--unknown`` share, whom the first run registers), a
household for every other registered person. The rows: scenario by turn over the seven, each person in their
community, a small evidence dict, an evidence date in July 2025, an amount for one row in three.

Timed, by the system (``user=None``), each call its own transaction as in production:
1. the first run (as of 2025-07-31, pushed 2025-08-04): every row a new alert, generated and pushed;
2. the same call again (the idempotent re-run: same rows, the run is found by its digest, nothing written);
3. a later run with the same findings (as of 2025-08-31): every alert unchanged (read and locked only);
4. a run with changed evidence (as of 2025-09-30, newer evidence dated 2025-09-10) after ``--reopen`` of the
   alerts were closed (set directly, untimed, closed 2025-08-29): the open ones updated, the closed reopened.

Prints seconds and alerts/second per step and per backend, and the load average (/proc/loadavg) before
and after; ``--json FILE`` also writes the results; ``--profile`` prints a cProfile of each step (slower).
Results: docs/benchmarks.md, "Recording a monitoring run".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
DB = "bench_mz_record_run"
SCENARIOS = ("FIND_HIGH_AGE", "FIND_DISABILITY_CARE", "FIND_DISABILITY_LIVING", "FIND_UNSUPPORTED_CHILD",
             "MON_DECEASED", "MON_ASSET_INCOME", "MON_HARDSHIP_RISK")
DISTRICT = "210102"
AS_OF1, ON1 = dt.date(2025, 7, 31), dt.date(2025, 8, 4)
AS_OF2, ON2 = dt.date(2025, 8, 31), dt.date(2025, 9, 1)
AS_OF3, ON3 = dt.date(2025, 9, 30), dt.date(2025, 10, 9)
CLOSED_ON = dt.date(2025, 8, 29)


def loadavg() -> str:
    with open("/proc/loadavg", encoding="ascii") as fh:
        return fh.read().strip()


# ------------------------------------------------------------------------------------------- database


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/test", autocommit=True) as conn:
        conn.execute(sql)


def setup_django(backend: str, scratch: Path) -> None:
    if backend == "postgres":
        pg_admin(f"DROP DATABASE IF EXISTS {DB}")
        pg_admin(f"CREATE DATABASE {DB}")
        os.environ["MINZHENG_DATABASE_URL"] = f"{SERVER}/{DB}"
    else:
        os.environ["MINZHENG_DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ["MINZHENG_DATA_DIR"] = str(scratch)
    os.environ["DJANGO_SETTINGS_MODULE"] = "minzheng.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def teardown(backend: str) -> None:
    from django.db import connections

    connections.close_all()
    if backend == "postgres":
        pg_admin(f"DROP DATABASE IF EXISTS {DB}")


# ------------------------------------------------------------------------------------------- data


def populate(n: int, unknown: float) -> list[dict[str, Any]]:
    """The area tree, people and households (bulk, untimed); returns the engine's rows of the first run."""
    from minzheng.core.idnumber import make
    from minzheng.core.models import Area, Household, Person

    district = Area.objects.get(code=f"{DISTRICT}000000")
    communities: list[str] = []
    for s in range(1, 11):
        street = Area.objects.create(code=f"{DISTRICT}{s:03d}000", name=f"基准街道{s}", level="street",
                                     parent=district)
        for c in range(1, 11):
            code = f"{DISTRICT}{s:03d}{c:03d}"
            Area.objects.create(code=code, name=f"基准社区{s}-{c}", level="community", parent=street)
            communities.append(code)
    rows: list[dict[str, Any]] = []
    people: list[Person] = []
    households: list[Household] = []
    for i in range(n):
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=(i // 500) * 7 + i % 7)
        idn = make(DISTRICT, birth, i % 500 * 2 + 1)
        area = communities[i % len(communities)]
        household_no = f"RR{i:08d}" if i % 2 == 0 else ""
        scenario = SCENARIOS[i % len(SCENARIOS)]
        if i >= n * unknown:  # the first share are unknown to the registry
            people.append(Person(id_number=idn, name=f"居民{i}", sex="M", birth_date=birth, area_id=area))
            if household_no:
                households.append(Household(household_no=household_no, area_id=area,
                                            registered_date=dt.date(2020, 1, 1)))
        else:
            household_no = ""
        rows.append({
            "scenario": scenario, "id_number": idn, "name": f"居民{i}", "household_id": household_no,
            "area_code": area, "as_of": AS_OF1,
            "evidence": {"triggers": [scenario.lower()], "score": i % 97,
                         "rows": [{"feed": "medical_claims", "claim_id": f"C{i}", "settled_on": "2025-07-20",
                                   "self_paid": f"{1000 + i % 5000}.00"}]},
            "suggested_action": "入户核查，评估临时救助或纳入重点监测",
            "monthly_amount": Decimal(100 + i % 900) if i % 3 == 0 else None,
            "evidence_date": dt.date(2025, 7, 1) + dt.timedelta(days=i % 28),
        })
    Person.objects.bulk_create(people, batch_size=5000)
    Household.objects.bulk_create(households, batch_size=5000)
    return rows


PROFILE = False


def timed(label: str, n: int, fn: Any) -> tuple[Any, dict[str, Any]]:
    if PROFILE:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        started = time.perf_counter()
        result = profiler.runcall(fn)
        seconds = time.perf_counter() - started
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)
    else:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    seconds = round(seconds, 2)
    print(f"  {label}: {seconds:.2f} s ({n / seconds:,.0f} alerts/s)", flush=True)
    return result, {"step": label, "seconds": seconds, "alerts_per_s": round(n / seconds)}


def one(backend: str, n: int, unknown: float, reopen: float) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="mz-bench-run-"))
    load_before = loadavg()
    setup_django(backend, scratch)
    try:
        started = time.perf_counter()
        rows = populate(n, unknown)
        setup_s = time.perf_counter() - started
        from django.db import connection
        from django.utils import timezone

        from minzheng.monitoring.actions import record_run
        from minzheng.monitoring.models import Alert, AlertEvent

        def record(alerts: list[dict[str, Any]], as_of: dt.date, on: dt.date) -> Any:
            return record_run(user=None, as_of=as_of, engine="bench", alerts=alerts, feed_stats={}, on=on)

        print(f"{backend} ({connection.vendor}), {n:,} rows, setup {setup_s:.1f} s", flush=True)
        steps = []
        first, step = timed("first run (all new)", n, lambda: record(rows, AS_OF1, ON1))
        steps.append(step)
        again, step = timed("same run again (idempotent)", n, lambda: record(rows, AS_OF1, ON1))
        steps.append(step)
        later = [dict(r, as_of=AS_OF2) for r in rows]
        unchanged, step = timed("later run, same findings (unchanged)", n, lambda: record(later, AS_OF2, ON2))
        steps.append(step)
        # Close a share of the alerts directly (a scratch database; the staff steps are not what is measured).
        ids = list(Alert.objects.order_by("id").values_list("id", flat=True))
        closing = ids[: int(len(ids) * reopen)]
        for start in range(0, len(closing), 5000):
            Alert.objects.filter(pk__in=closing[start:start + 5000]).update(
                state="closed", closed_on=CLOSED_ON, closed_at=timezone.now())
        changed_rows = [dict(r, as_of=AS_OF3, evidence_date=dt.date(2025, 9, 10),
                             evidence={**r["evidence"], "score": r["evidence"]["score"] + 1}) for r in rows]
        changed, step = timed("run with changed evidence (updated/reopened)", n,
                              lambda: record(changed_rows, AS_OF3, ON3))
        steps.append(step)
        counts = {"first": first.counts, "again_same_run": again.pk == first.pk, "unchanged": unchanged.counts,
                  "changed": changed.counts}
        for c in (first.counts, unchanged.counts, changed.counts):
            c.pop("by_scenario", None)
        print(f"  counts: {counts}", flush=True)
        return {"backend": backend, "alerts": n, "unknown_share": unknown, "reopen_share": reopen,
                "setup_s": round(setup_s, 1), "steps": steps, "counts": counts,
                "alert_events": AlertEvent.objects.count(), "load_before": load_before, "load_after": loadavg()}
    finally:
        teardown(backend)
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alerts", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--unknown", type=float, default=0.1, help="share of rows about people not registered")
    parser.add_argument("--reopen", type=float, default=0.1, help="share of alerts closed before the last run")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each step (slower)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one backend in this process
    args = parser.parse_args()
    if args.one:
        global PROFILE
        PROFILE = args.profile
        print("RESULT " + json.dumps(one(args.one, args.alerts, args.unknown, args.reopen)), flush=True)
        return 0
    results = []
    for backend in args.backends.split(","):
        print(f"loadavg before {backend}: {loadavg()}", flush=True)
        proc = subprocess.run([sys.executable, __file__, "--one", backend, "--alerts", str(args.alerts),
                               "--unknown", str(args.unknown), "--reopen", str(args.reopen),
                               *(["--profile"] if args.profile else [])],
                              cwd=ROOT, capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                results.append(json.loads(line[len("RESULT "):]))
            else:
                print(line, flush=True)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        print(f"loadavg after {backend}: {loadavg()}", flush=True)
    print("\n| backend | step | seconds | alerts/s |\n|---|---|---:|---:|")
    for r in results:
        for s in r["steps"]:
            print(f"| {r['backend']} | {s['step']} | {s['seconds']:.2f} | {s['alerts_per_s']:,.0f} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
