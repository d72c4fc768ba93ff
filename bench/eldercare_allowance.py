"""Benchmark of the monthly high-age allowance enrolment (issue 7) at Shenyang's scale.

    .venv/bin/python bench/eldercare_allowance.py --out /tmp/mz-bench-elder            # generate, import, measure
    .venv/bin/python bench/eldercare_allowance.py --out /tmp/mz-bench-elder --reuse    # measure again
    .venv/bin/python bench/eldercare_allowance.py --out /tmp/mz-bench-elder --cleanup  # … then delete DIR

Steps: generate a synthetic city (``minzheng synth city``, 9.2M persons, 62,063 households in care, reference
date 2025-07-31, no medical claims) unless ``--reuse``; import the archive (areas + registry_*), the
population (9.2M rows → the Parquet snapshot) and the deaths feed into a scratch data directory with a fresh
SQLite database (``minzheng import``); then time ``minzheng eldercare allowance`` three times as
subprocesses — 2025-08 (the first run: everyone aged 80 or more enrolled, ~200,000 new enrollments), 2025-08
again (idempotent: nothing to do) and 2025-09 (only the month's birthdays, deaths and status changes) — each
with its wall time, its stage lines and its peak resident memory (``wait4`` rusage). Results are printed as a
Markdown table and written to ``OUT/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PYTHON = sys.executable
DELIVERY = ("areas", "registry_households", "registry_members", "population")
DEATHS_INTAKE = (
    "import sys; from pathlib import Path; from minzheng.analytics.feeds import intake_file; "
    "r = intake_file(Path(sys.argv[1]), data_dir=Path(sys.argv[2]), rejects_csv=Path(sys.argv[3]), feed='deaths'); "
    "print(f'deaths: read {r.rows_read:,}, taken {r.rows_taken:,}, rejected {r.rows_rejected:,}')"
)
RUNS = ("2025-08", "2025-08", "2025-09")
STAGE = re.compile(r"\[(?P<s>[\d.]+)s\]$")


def run(cmd: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    started = time.monotonic()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    text = log.read_text(encoding="utf-8")
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{text[-3000:]}")
    return {"wall_s": round(wall, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024), "cpu_s":
            round(usage.ru_utime + usage.ru_stime, 1), "output": text.strip().splitlines()}


def enrollments_without_high_age(src: Path, dst: Path, *, keep: bool) -> int:
    """Copy the archive's enrollments file, leaving out its high_age rows unless ``keep``; rows dropped."""
    if keep:
        dst.symlink_to(src.resolve())
        return 0
    dropped = 0
    with src.open(encoding="utf-8") as fin, dst.open("w", encoding="utf-8") as fout:
        header = fin.readline()
        fout.write(header)
        column = header.rstrip("\n").split(",").index("programme")
        for line in fin:
            if line.split(",")[column] == "high_age":
                dropped += 1
            else:
                fout.write(line)
    return dropped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/mz-bench-elder"))  # noqa: S108 - scratch
    parser.add_argument("--persons", type=int, default=9_200_000)
    parser.add_argument("--reuse", action="store_true", help="use the city and data directory already in OUT")
    parser.add_argument("--keep-archived-high-age", action="store_true",
                        help="import the archive's own high_age rows (default: leave them out, so the first run "
                        "enrols everyone, the worst case)")
    parser.add_argument("--cleanup", action="store_true", help="delete OUT at the end")
    args = parser.parse_args()
    out: Path = args.out
    city, delivery, data = out / "city", out / "delivery", out / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINZHENG_")}
    env["MINZHENG_DATA_DIR"] = str(data)
    results: dict[str, Any] = {"persons": args.persons, "load_at_start": os.getloadavg()}
    if not args.reuse:
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        print(f"generating {args.persons:,} persons → {city}", flush=True)
        results["synth"] = run([PYTHON, "-m", "minzheng", "--quiet", "synth", "city", "--out", str(city), "--persons",
                                str(args.persons), "--claims-per-person", "0", "--seed", "1"], env, out / "synth.log")
        delivery.mkdir()
        for name in DELIVERY:
            (delivery / f"{name}.csv").symlink_to((city / f"{name}.csv").resolve())
        results["archived_high_age_dropped"] = enrollments_without_high_age(
            city / "registry_enrollments.csv", delivery / "registry_enrollments.csv", keep=args.keep_archived_high_age)
        print("importing archive and population …", flush=True)
        results["import"] = run([PYTHON, "-m", "minzheng", "--quiet", "import", str(delivery)], env, out / "import.log")
        print(f"  import: {results['import']['wall_s']} s", flush=True)
        results["deaths"] = run([PYTHON, "-c", DEATHS_INTAKE, str(city / "deaths.csv"), str(data),
                                 str(out / "deaths-rejects.csv")], env, out / "deaths.log")
        print(f"  {results['deaths']['output'][-1]} ({results['deaths']['wall_s']} s)", flush=True)
    runs = []
    for i, month in enumerate(RUNS, start=1):
        r = run([PYTHON, "-m", "minzheng", "eldercare", "allowance", "--month", month], env, out / f"run{i}.log")
        r["month"] = month
        r["load"] = os.getloadavg()
        runs.append(r)
        print(f"run {i} ({month}): {r['wall_s']} s, peak RSS {r['peak_rss_mib']} MiB", flush=True)
        for line in r["output"]:
            print("    " + line, flush=True)
    results["runs"] = runs
    db = sqlite3.connect(data / "minzheng.sqlite3")
    results["enrollments"] = db.execute(
        "SELECT source, count(*), sum(end_date IS NULL) FROM registry_enrollment WHERE programme = 'high_age' "
        "GROUP BY source ORDER BY source").fetchall()
    results["audit_events"] = db.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]
    results["persons"] = db.execute("SELECT count(*) FROM core_person").fetchone()[0]
    db.close()
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print("\n| run | month | wall | CPU | peak RSS | load (1 min) |\n|---|---|---:|---:|---:|---:|")
    for i, r in enumerate(runs, start=1):
        print(f"| {i} | {r['month']} | **{r['wall_s']} s** | {r['cpu_s']} s | {r['peak_rss_mib']} MiB | "
              f"{r['load'][0]:.1f} |")
    print(f"\nhigh_age enrollments (source, rows, open): {results['enrollments']}; persons {results['persons']:,}; "
          f"audit events {results['audit_events']:,}")
    if args.cleanup:
        shutil.rmtree(out, ignore_errors=True)
        print(f"deleted {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
