"""Benchmark of ``minzheng import`` (issue 2): the low-income archive on SQLite and PostgreSQL, and the
population intake into Parquet, at Shenyang's scale.

    .venv/bin/python bench/import_archive.py --out /tmp/mz-bench            # generate, then measure
    .venv/bin/python bench/import_archive.py --out /tmp/mz-bench --reuse    # measure an existing city

Steps: generate a synthetic city (``minzheng synth city``; 9.2M persons, 62,063 households in care)
unless ``--reuse``; make two deliveries of it (symlinks): the archive with the population (areas,
registry_*, population: what a first migration takes in; the enrollments of people outside the archive
find them in the population) and the population alone. For each database (a fresh SQLite file; a fresh
PostgreSQL database ``bench_import`` on the local server, dropped and created with psycopg) migrate,
then time ``minzheng import`` of the full delivery twice (the second run must change nothing and finds
the population "already imported"). Then the population alone into a fresh data directory, twice, for
its own time and peak memory. Every import runs as a subprocess: wall time, the per-file seconds it
prints, and its peak resident memory (``wait4`` rusage). Results go to stdout as a Markdown table and
to ``OUT/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PYTHON = sys.executable
ARCHIVE_FILES = ("areas", "registry_households", "registry_members", "registry_enrollments")
LINE = re.compile(r"^(?P<file>[\w.]+): (?:此前已导入（内容相同）already imported: )?读取 read (?P<read>[\d,]+)，"
                  r"接收 taken (?P<taken>[\d,]+).*?拒绝 rejected (?P<rejected>[\d,]+)(?:，修正身份证号 IDs repaired "
                  r"(?P<repaired>[\d,]+))?.*\[(?P<seconds>[\d.]+)s\]$")


def synth_cli_available() -> bool:
    probe = subprocess.run([PYTHON, "-m", "minzheng", "synth", "city", "--help"], capture_output=True, text=True)
    return probe.returncode == 0 and "--households-in-care" in probe.stdout


def generate(city: Path, persons: int, in_care: int, seed: int) -> dict[str, Any]:
    started = time.monotonic()
    if synth_cli_available():
        how = "minzheng synth city"
        cmd = [PYTHON, "-m", "minzheng", "--quiet", "synth", "city", "--out", str(city), "--persons", str(persons),
               "--households-in-care", str(in_care), "--seed", str(seed)]
        subprocess.run(cmd, check=True)
    else:  # the command is not wired yet: call the generator it will run
        how = "minzheng.synth.city.generate (CLI not registered yet)"
        code = ("from pathlib import Path; from minzheng.synth.city import generate; "
                f"generate(Path({str(city)!r}), persons={persons}, in_care={in_care}, seed={seed}, quiet=True)")
        subprocess.run([PYTHON, "-c", code], check=True)
    return {"how": how, "seconds": round(time.monotonic() - started, 1)}


def split(city: Path, out: Path) -> tuple[Path, Path]:
    archive, population = out / "delivery-all", out / "delivery-population"
    for d, names in ((archive, (*ARCHIVE_FILES, "population")), (population, ("population",))):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        for name in names:
            src = next(p for ext in (".csv", ".parquet", ".xlsx") if (p := city / f"{name}{ext}").exists())
            (d / src.name).symlink_to(src.resolve())
    return archive, population


def run(cmd: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """Run one command; wall time, exit status, peak RSS (MiB) and the per-file lines it printed."""
    load = os.getloadavg()
    started = time.monotonic()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    files: dict[str, dict[str, Any]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        m = LINE.match(line)
        if m:
            files[m["file"]] = {k: (float(v) if k == "seconds" else int(v.replace(",", "")))
                                for k, v in m.groupdict().items() if k != "file" and v is not None}
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}); see {log}")
    return {"wall_seconds": round(wall, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mib": round(usage.ru_maxrss / 1024), "files": files,
            "load_before": [round(x, 2) for x in load], "load_after": [round(x, 2) for x in os.getloadavg()]}


def postgres_env(base_url: str, name: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    return {"MINZHENG_DATABASE_URL": f"{base_url}/{name}"}


def drop_postgres(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_archive(backend: str, archive: Path, out: Path, pg_url: str) -> dict[str, Any]:
    data = out / f"data-{backend}"
    shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "MINZHENG_DATABASE_URL"} | {"MINZHENG_DATA_DIR": str(data)}
    if backend == "postgresql":
        env |= postgres_env(pg_url, "bench_import")
    try:
        migrate = run([PYTHON, "-m", "minzheng", "manage", "migrate", "-v", "0"], env, out / f"{backend}-migrate.log")
        first = run([PYTHON, "-m", "minzheng", "--quiet", "import", str(archive)], env, out / f"{backend}-1.log")
        second = run([PYTHON, "-m", "minzheng", "--quiet", "import", str(archive)], env, out / f"{backend}-2.log")
    finally:
        if backend == "postgresql":
            drop_postgres(pg_url, "bench_import")
    return {"migrate_seconds": migrate["wall_seconds"], "first": first, "second": second}


def bench_population(population: Path, out: Path, memory_limit: str) -> dict[str, Any]:
    data = out / "data-population"
    shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "MINZHENG_DATABASE_URL"} | {
        "MINZHENG_DATA_DIR": str(data), "MINZHENG_DUCKDB_MEMORY": memory_limit}
    run([PYTHON, "-m", "minzheng", "manage", "migrate", "-v", "0"], env, out / "population-migrate.log")
    first = run([PYTHON, "-m", "minzheng", "--quiet", "import", str(population)], env, out / "population-1.log")
    second = run([PYTHON, "-m", "minzheng", "--quiet", "import", str(population)], env, out / "population-2.log")
    snapshot = data / "analytics" / "population" / "population.parquet"
    manifest = json.loads((snapshot.parent / "manifest.json").read_text(encoding="utf-8"))
    return {"first": first, "second": second, "snapshot_mib": round(snapshot.stat().st_size / 2**20),
            "memory_limit": memory_limit, "steps": manifest.get("timings", {})}


def table(results: dict[str, Any]) -> str:
    rows = ["| step | file | rows read | taken | rejected | seconds |", "|---|---|---:|---:|---:|---:|"]
    for backend in ("sqlite", "postgresql"):
        if backend not in results:
            continue
        for run_name in ("first", "second"):
            r = results[backend][run_name]
            for name, f in r["files"].items():
                rows.append(f"| {backend} {run_name} | {name} | {f['read']:,} | {f['taken']:,} | {f['rejected']:,} "
                            f"| {f['seconds']:.1f} |")
            rows.append(f"| {backend} {run_name} | **whole command** (CPU {r['cpu_seconds']:.0f} s, peak "
                        f"{r['peak_rss_mib']} MiB, load {r['load_before'][0]:.1f}→{r['load_after'][0]:.1f}) | | | | "
                        f"**{r['wall_seconds']:.1f}** |")
    if "population" in results:
        for run_name in ("first", "second"):
            r = results["population"][run_name]
            for name, f in r["files"].items():
                rows.append(f"| population {run_name} | {name} | {f['read']:,} | {f['taken']:,} | {f['rejected']:,} "
                            f"| {f['seconds']:.1f} |")
            rows.append(f"| population {run_name} | **whole command** (CPU {r['cpu_seconds']:.0f} s, peak "
                        f"{r['peak_rss_mib']} MiB, load {r['load_before'][0]:.1f}→{r['load_after'][0]:.1f}) | | | | "
                        f"**{r['wall_seconds']:.1f}** |")
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in results["population"]["steps"].items())
        rows.append(f"| population first | steps: {steps} | | | | |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "mz-bench")
    parser.add_argument("--persons", type=int, default=9_200_000)
    parser.add_argument("--households-in-care", type=int, default=62_063)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="use OUT/city as it is")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432", help="server, no database")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-population", action="store_true")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit for the population intake")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    city = out / "city"
    results: dict[str, Any] = {"persons": args.persons, "households_in_care": args.households_in_care,
                               "cpus": os.cpu_count()}
    if not args.reuse or not (city / "registry_households.csv").exists():
        shutil.rmtree(city, ignore_errors=True)
        results["generate"] = generate(city, args.persons, args.households_in_care, args.seed)
    archive, population = split(city, out)
    results["sqlite"] = bench_archive("sqlite", archive, out, args.pg_url)
    if not args.skip_postgres:
        results["postgresql"] = bench_archive("postgresql", archive, out, args.pg_url)
    if not args.skip_population:
        results["population"] = bench_population(population, out, args.memory_limit)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(results))
    print(f"\nresults: {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
