"""Benchmark of the monthly payroll (issue 4): 100,000 enrolled households on PostgreSQL.

    .venv/bin/python bench/payroll_100k.py [--households 100000] [--keep] [--no-docs]

A scratch database ``bench_payroll`` on the local server (127.0.0.1:5432, user postgres) is dropped,
created and migrated; then, in bulk and not timed: one district (和平区, 210102) with 20 communities,
100,000 households (1–4 members, 250,000 people), one basis snapshot per household (the registry's view,
as the archive import's first payroll freezes it) and their enrollments — a household 低保 for each,
except lone elderly people in 特困; person-level 高龄津贴 for the 80+ and the two disability subsidies for
certificate holders. Timed: ``prepare_payroll`` for 2025-07 (read, compute with the rules' bulk path,
write the ledger with COPY, totals), then the same call again (the idempotent no-op), then the
payroll checked, approved and released (the bank file's lines) and the next month's payroll (2025-08:
the steady state, reading the window's ledger). Appends "Payroll (issue 4)" to docs/benchmarks.md
(replacing an earlier version of that section only) unless ``--no-docs``; drops the database unless
``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DB = "bench_payroll"
SERVER = "postgres://postgres@127.0.0.1:5432"
ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Payroll (issue 4)"


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")


def setup_django() -> None:
    os.environ["MINZHENG_DATABASE_URL"] = f"{SERVER}/{DB}"
    os.environ.setdefault("MINZHENG_DATA_DIR", tempfile.mkdtemp(prefix="mz-bench-payroll-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "minzheng.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def populate(n: int, seed: int = 20250701) -> dict[str, int]:
    """The district's households, people, memberships, snapshots and enrollments (bulk, untimed)."""
    from minzheng.core.models import Area, Household, HouseholdMember, Person
    from minzheng.payments import basis as b
    from minzheng.payments.models import BasisSnapshot
    from minzheng.registry.models import Enrollment

    rng = random.Random(seed)
    street = Area.objects.create(code="210102001000", name="基准街道", level="street", parent_id="210102000000")
    communities = [Area.objects.create(code=f"210102001{i:03d}", name=f"基准社区{i}", level="community",
                                       parent=street) for i in range(1, 21)]
    households = Household.objects.bulk_create(
        [Household(household_no=f"BP{i:08d}", area=communities[i % 20], registered_date=dt.date(2023, 1, 1))
         for i in range(n)], batch_size=5000)
    people: list[Person] = []
    plan: list[tuple[Household, list[int], bool]] = []  # household, its people's indexes, 特困
    for household in households:
        size = rng.choices((1, 2, 3, 4), weights=(30, 30, 25, 15))[0]
        head_birth = dt.date(rng.randint(1935, 1985), rng.randint(1, 12), rng.randint(1, 28))
        idx = []
        for k in range(size):
            birth = head_birth if k == 0 else (
                head_birth.replace(year=min(head_birth.year + 2, 1990)) if k == 1
                else dt.date(rng.randint(2005, 2020), rng.randint(1, 12), rng.randint(1, 28)))
            grade = rng.randint(1, 4) if rng.random() < 0.05 else None
            people.append(Person(
                id_number=f"2101{len(people):014d}", name=f"居民{len(people)}", sex="M" if k % 2 == 0 else "F",
                birth_date=birth, area_id=household.area_id,
                monthly_income=rng.randrange(0, 800, 10) if k == 0 else 0,
                disability_type=rng.choice(("肢体", "视力", "智力")) if grade else "", disability_grade=grade,
            ))
            idx.append(len(people) - 1)
        tekun = size == 1 and head_birth.year <= 1960 and rng.random() < 0.2
        plan.append((household, idx, tekun))
    Person.objects.bulk_create(people, batch_size=5000)
    members, enrollments, snapshots = [], [], []
    start = dt.date(2024, 1, 1)
    for household, idx, tekun in plan:
        mapping_members = []
        for k, i in enumerate(idx):
            p = people[i]
            members.append(HouseholdMember(household=household, person=p, relation="户主" if k == 0 else (
                "配偶" if k == 1 else "子"), start_date=dt.date(2023, 1, 1)))
            m: dict[str, Any] = {"id": str(p.pk), "birth_date": p.birth_date.isoformat(), "relation": "户主",
                                 "monthly_income": f"{p.monthly_income}"}
            if p.disability_grade:
                m["disability_type"], m["disability_grade"] = p.disability_type, p.disability_grade
                enrollments.append(Enrollment(household=household, person=p, programme="disability_care"
                                              if p.disability_grade <= 2 else "disability_living",
                                              start_date=start, monthly_amount=100, source="archive"))
            if tekun:
                m["no_supporter"] = True
                enrollments.append(Enrollment(household=household, person=p, programme="tekun", start_date=start,
                                              monthly_amount=1413, source="archive"))
            if p.birth_date.year <= 1945:
                enrollments.append(Enrollment(household=household, person=p, programme="high_age", start_date=start,
                                              monthly_amount=100, source="archive"))
            mapping_members.append(m)
        if not tekun:
            enrollments.append(Enrollment(household=household, programme="dibao", start_date=start,
                                          monthly_amount=0, source="archive"))
        mapping = b._mapping(mapping_members)
        snapshots.append(BasisSnapshot(household=household, source="registry", **b.snapshot_fields(mapping),
                                       valid_from=start, taken_on=dt.date(2025, 6, 30), note="bench"))
    HouseholdMember.objects.bulk_create(members, batch_size=5000)
    Enrollment.objects.bulk_create(enrollments, batch_size=5000)
    BasisSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"households": n, "people": len(people), "enrollments": len(enrollments), "snapshots": len(snapshots)}


def timed(label: str, fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s", flush=True)
    return result, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench_payroll database")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first payroll")
    args = parser.parse_args()
    load_before = os.getloadavg()
    recreate_database()
    setup_django()
    try:
        made, setup_s = timed("populate (untimed setup)", lambda: populate(args.households))
        print(made, flush=True)
        from minzheng.authz.models import User
        from minzheng.payments import actions as a
        from minzheng.payments.models import LedgerEntry

        city = User.objects.create(username="bench_city", role="city_admin", jurisdiction_id="210100000000")
        checker = User.objects.create(username="bench_check", role="district_approver", jurisdiction_id="210102000000")
        head = User.objects.create(username="bench_head", role="district_approver", jurisdiction_id="210102000000")
        phases: list[tuple[float, str]] = []

        def progress(pct: int, note: str) -> None:
            phases.append((time.perf_counter(), f"{pct:3d}% {note}"))

        def first_run() -> Any:
            return a.prepare_payroll(user=None, month="2025-07", district="210102", progress=progress)

        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            first, first_s = timed("prepare 2025-07 (profiled)", lambda: profiler.runcall(first_run))
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        else:
            first, first_s = timed("prepare 2025-07", first_run)
        phase_text = []
        for (t0, note), (t1, _) in itertools.pairwise(phases):
            print(f"    {t1 - t0:6.2f} s  {note}")
            phase_text.append(f"{note.split(' ', 2)[-1]} {t1 - t0:.1f} s")
        again, again_s = timed("prepare 2025-07 again (no-op)", lambda: a.prepare_payroll(
            user=None, month="2025-07", district="210102"))
        payroll = first.payroll
        a.check_payroll(payroll, user=checker)
        a.approve_payroll(payroll, user=head)
        _, release_s = timed("release 2025-07 (bank file lines)", lambda: a.release_payroll(payroll, user=city))
        second, second_s = timed("prepare 2025-08 (steady state)", lambda: a.prepare_payroll(
            user=None, month="2025-08", district="210102"))
        entries = first.created
        result = {
            "made": made, "setup_s": setup_s, "entries": entries, "first_s": first_s, "again_s": again_s,
            "again_created": again.created, "release_s": release_s, "second_s": second_s,
            "second_created": second.created, "paid": payroll.totals["paid"], "total_rows": LedgerEntry.objects.count(),
            "lines": payroll.disbursements.get().line_count, "load_before": load_before, "load_after": os.getloadavg(),
            "phases": "; ".join(phase_text),
        }
        print(result, flush=True)
        if not args.no_docs:
            write_docs(result)
    finally:
        if not args.keep:
            drop_database()
    return 0


def write_docs(r: dict[str, Any]) -> None:
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    m = r["made"]
    rows = [
        ("`prepare_payroll` 2025-07: read enrollments, snapshots and ledger, rules bulk path, write the ledger "
         "(COPY), totals", f"**{r['first_s']:.1f}**",
         f"{r['entries']:,} entries ({r['entries'] / r['first_s']:,.0f} entries/s), {r['paid']} yuan"),
        ("the same call again (idempotent: reads, compares fingerprints, evaluates and writes nothing)",
         f"{r['again_s']:.1f}", f"{r['again_created']} entries"),
        ("release (check, approve, then the bank file's lines)", f"{r['release_s']:.1f}", f"{r['lines']:,} lines"),
        ("`prepare_payroll` 2025-08, the steady state (also reads the window's ledger for arrears)",
         f"{r['second_s']:.1f}", f"{r['second_created']:,} entries"),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    text = f"""{SECTION}

Measured {dt.date.today().isoformat()} with `bench/payroll_100k.py` on {os.cpu_count()} cores, Python
{platform.python_version()}, PostgreSQL 15 on the same machine; `uptime` after the run: `{uptime}` (load
average before it: {' '.join(f'{x:.2f}' for x in r['load_before'])}; other engineers' work shared the 2 cores).

```
.venv/bin/python bench/payroll_100k.py
```

Data (bulk-created in a scratch database `bench_payroll`, dropped afterwards; not timed, {r['setup_s']:.0f} s):
one district, {m['households']:,} enrolled households, {m['people']:,} people, {m['snapshots']:,} basis
snapshots, {m['enrollments']:,} enrollments (household 低保; 特困 for lone elderly people; person-level 高龄津贴
and disability subsidies).

| step | seconds | result |
|---|---:|---|
{table}

Target: under 30 s for 100,000 households (compute and write the ledger). Phases of the first run (the
progress the payroll page shows): {r['phases']}.

A later month's payroll reads its own month's keys, plus the past months (up to 12, for arrears and
recoveries) only of the keys whose inputs changed since the previous payroll, and every key of a past month
whose parameters changed — so its cost does not grow with the window. Ledger rows are written with `COPY`;
the ledger's references to registry rows are not database foreign keys (their row locks at commit cost more
than the computation; see `payments/models/ledger.py`).
"""
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    if SECTION in current:
        before, _, rest = current.partition(SECTION)
        after = rest.split("\n## ", 1)
        current = before.rstrip() + "\n\n" + text + ("\n## " + after[1] if len(after) > 1 else "")
    else:
        current = current.rstrip() + "\n\n" + text
    DOCS.write_text(current, encoding="utf-8")
    print(f"wrote {DOCS}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
