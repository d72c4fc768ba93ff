"""What-if simulation at scale (issue 3, item 2): "raise the dibao standard by 5 % from 2025-07-01".

Two measurements:

``generated`` — HOUSEHOLDS (default 1,000,000) seeded households from ``minzheng.rules.tests.generate``
(the boundary-heavy generator the bulk == per-household tests use: ages on the birthday months, incomes
and assets on and a fen around the lines, deaths around the month), spread evenly over Shenyang's 13
districts, then one :func:`minzheng.analytics.simulation.simulate` call for benefit month 2025-08:
baseline and reform through ``evaluate_bulk``, plus the per-district aggregation. Generation (pure
Python, a few minutes for a million) is timed apart; ``--cache FILE.npz`` keeps the columns for re-runs.

``archive`` — a scratch database (SQLite in a temporary data directory, or ``MINZHENG_DATABASE_URL``)
filled with HOUSEHOLDS (default 62,063, Shenyang's households in care) from the same generator through
the ORM's ``bulk_create`` (people, current memberships, findings as enrollments; no assets, as in the
archive), then ``registry.simulation.simulate_archive`` timed: reading the store into columns, then
the simulation.

    .venv/bin/python bench/whatif_simulation.py generated [--households 1000000] [--cache FILE.npz]
    .venv/bin/python bench/whatif_simulation.py archive [--households 62063] [--postgres postgres://USER@HOST:PORT]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from minzheng.analytics.simulation import Reform, render_text, simulate
from minzheng.core.shenyang import DISTRICTS
from minzheng.rules.bulk import Columns, to_columns
from minzheng.rules.model import Household as ModelHousehold
from minzheng.rules.model import Month
from minzheng.rules.parameters import default_parameters
from minzheng.rules.tests.generate import random_household

MONTH = Month.parse("2025-08")
REFORM = Reform(start=dt.date(2025, 7, 1), percent=Decimal(5))
CHUNK = 50_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _households(rng: random.Random, n: int) -> list[ModelHousehold]:
    return [random_household(rng, MONTH) for _ in range(n)]


def generate(n: int, seed: int) -> tuple[Columns, Columns]:
    """``n`` generated households as bulk columns, built in chunks (memory stays small)."""
    rng = random.Random(seed)
    members: list[Columns] = []
    households: list[Columns] = []
    for start in range(0, n, CHUNK):
        m, h = to_columns(_households(rng, min(CHUNK, n - start)))
        m["household"] = m["household"] + start
        members.append(m)
        households.append(h)
    merged_m = {k: np.concatenate([part[k] for part in members]) for k in members[0]}
    merged_h = {k: np.concatenate([part[k] for part in households]) for k in households[0]}
    codes = np.array([code for code, _ in DISTRICTS])
    picks = np.random.default_rng(seed).integers(0, len(codes), size=n)
    merged_h["area_code"] = np.char.add(codes[picks], "001001")
    return merged_m, merged_h


def run_generated(args: argparse.Namespace) -> None:
    default_parameters()
    cache = Path(args.cache) if args.cache else None
    started = time.perf_counter()
    if cache and cache.exists():
        data = np.load(cache)
        members = {k[2:]: data[k] for k in data.files if k.startswith("m_")}
        households = {k[2:]: data[k] for k in data.files if k.startswith("h_")}
        how = f"loaded from {cache}"
    else:
        members, households = generate(args.households, args.seed)
        how = "generated (rules/tests/generate.py)"
        if cache:
            arrays: dict[str, Any] = {f"m_{k}": v for k, v in members.items()}
            arrays.update({f"h_{k}": v for k, v in households.items()})
            np.savez(cache, **arrays)
    prepared = time.perf_counter() - started
    n_households, n_members = len(households["area_code"]), len(members["household"])
    print(f"{n_households:,} households, {n_members:,} members {how} in {prepared:.1f} s")
    simulate(*generate(1000, 1), period=MONTH, reform=REFORM)  # warm up (imports, parameter overlay)
    started, cpu = time.perf_counter(), time.process_time()
    result = simulate(members, households, period=MONTH, reform=REFORM)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(render_text(result))
    print(f"machine: {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"simulate(): {wall:.2f} s wall, {cpu:.2f} s CPU; baseline + reform evaluate_bulk {result.seconds:.2f} s "
          f"({2 * n_households / result.seconds:,.0f} household-evaluations/s); peak RSS {_peak_mb():,.0f} MB")


def _fill_archive(n: int, seed: int) -> None:
    """``n`` generated households into the scratch database (bulk_create, no per-row save)."""
    from django.db import transaction

    from minzheng.core.models import Area, Household, HouseholdMember, Person
    from minzheng.registry.models import Enrollment
    from minzheng.rules.model import PROGRAMMES

    rng = random.Random(seed)
    communities = []
    for code6, _name in DISTRICTS:
        street = Area(code=f"{code6}001000", name="街道", level="street", parent_id=f"{code6}000000")
        community = Area(code=f"{code6}001001", name="社区", level="community", parent_id=street.code)
        Area.objects.bulk_create([street, community], ignore_conflicts=True)
        communities.append(community.code)
    start = dt.date(2020, 1, 1)
    person_no = 0
    with transaction.atomic():
        for first in range(0, n, 10_000):
            batch = _households(rng, min(10_000, n - first))
            rows = Household.objects.bulk_create([
                Household(household_no=f"B{first + i:09d}", area_id=communities[(first + i) % len(communities)])
                for i in range(len(batch))
            ])
            people, links, enrollments = [], [], []
            for household, row in zip(batch, rows, strict=True):
                for position, m in enumerate(household.members):
                    person_no += 1
                    people.append(Person(
                        id_number=f"{person_no:018d}", name="测试", sex="M", birth_date=m.birth_date,
                        death_date=m.death_date, monthly_income=m.monthly_income,
                        disability_type=m.disability_type or "", disability_grade=m.disability_grade,
                        serious_illness=m.serious_illness, self_care=m.self_care or "",
                    ))
                    links.append((row, position, m))
            Person.objects.bulk_create(people, batch_size=5000)
            memberships = []
            for person, (row, position, m) in zip(people, links, strict=True):
                memberships.append(HouseholdMember(household=row, person=person, start_date=start,
                                                   relation="户主" if position == 0 else "其他"))
                for flag, programme in (("orphan", "orphan"), ("no_supporter", "tekun"), ("single_cover", "dibao")):
                    if getattr(m, flag):
                        enrollments.append(Enrollment(household=row, person=person, programme=programme,
                                                      start_date=start))
            for household, row in zip(batch, rows, strict=True):
                for programme in household.enrollments:
                    if programme in PROGRAMMES and programme not in ("orphan", "tekun"):
                        enrollments.append(Enrollment(household=row, programme=programme, start_date=start))
            HouseholdMember.objects.bulk_create(memberships, batch_size=5000)
            Enrollment.objects.bulk_create(enrollments, batch_size=5000)


def run_archive(args: argparse.Namespace) -> None:
    """Always a scratch database: SQLite in a temporary directory, or a new PostgreSQL database on the
    ``--postgres`` server, created here and dropped afterwards (never the configured database)."""
    os.environ.pop("MINZHENG_DATABASE_URL", None)
    scratch = None
    if args.postgres:
        import psycopg

        server = args.postgres.rstrip("/")
        scratch = f"mz_whatif_bench_{os.getpid()}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{scratch}"')
        os.environ["MINZHENG_DATABASE_URL"] = f"{server}/{scratch}"
    try:
        with tempfile.TemporaryDirectory(prefix="mz-whatif-") as data_dir:
            os.environ["MINZHENG_DATA_DIR"] = data_dir
            _archive(args)
    finally:
        if scratch:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def _archive(args: argparse.Namespace) -> None:
    from minzheng.cli.setup import django

    django()
    from django.db import connection

    from minzheng.registry.simulation import archive_columns, simulate_archive

    started = time.perf_counter()
    _fill_archive(args.households, args.seed)
    print(f"{args.households:,} households written to {connection.vendor} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    columns = archive_columns(as_of=dt.date(2025, 8, 1))
    read = time.perf_counter() - started
    print(f"archive_columns(): {columns.n_households:,} households, {len(columns.members['household']):,} "
          f"members read in {read:.2f} s")
    started = time.perf_counter()
    result = simulate_archive(REFORM, period=MONTH, as_of=dt.date(2025, 8, 1))
    wall = time.perf_counter() - started
    print(render_text(result))
    print(f"simulate_archive() (read + simulate): {wall:.2f} s; of which evaluate_bulk × 2 "
          f"{result.seconds:.2f} s; peak RSS {_peak_mb():,.0f} MB")
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    gen = sub.add_parser("generated")
    gen.add_argument("--households", type=int, default=1_000_000)
    gen.add_argument("--seed", type=int, default=20250701)
    gen.add_argument("--cache", metavar="FILE.npz")
    arch = sub.add_parser("archive")
    arch.add_argument("--households", type=int, default=62_063)
    arch.add_argument("--postgres", metavar="postgres://USER@HOST:PORT",
                      help="use a scratch database created (and dropped) on this PostgreSQL server")
    arch.add_argument("--seed", type=int, default=20250701)
    args: Any = parser.parse_args()
    (run_generated if args.what == "generated" else run_archive)(args)


if __name__ == "__main__":
    main()
