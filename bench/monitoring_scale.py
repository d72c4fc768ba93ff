"""Benchmark of issue 5 at Shenyang scale: feed intake and the seven monitoring scenarios, on 2 cores.

    .venv/bin/python bench/monitoring_scale.py --out /tmp/mz-mon-bench                 # 1/8, 1/4, 1/2, 1
    .venv/bin/python bench/monitoring_scale.py --out /tmp/mz-mon-bench --scales 0.125  # one scale

For each scale (persons 9.2M × s, households in care 62,063 × s, seed 1, D = 2025-07-31): generate the
synthetic city (timed apart), then, each step in its own process so that its time and peak memory are its
own: the population intake (analytics.population), the intake of each of the nine feeds (analytics.feeds,
with the population snapshot in place so unmatched IDs are counted), the archive snapshot from the registry
files (analytics.scenarios.archive), and the seven scenarios on DuckDB (time per scenario, total, and the
alerts checked against truth.csv). At the --spark-at scales the scenarios also run on Spark local[2]
(session start timed apart). For context, a bare DuckDB count of the claims CSV. Peak memory is the
largest resident size of the step's whole process tree (sampled every 0.1 s from /proc, and the rusage
of the process), so the JVM of a Spark step counts. DuckDB gets 4 GB per intake step
(MINZHENG_DUCKDB_MEMORY=4GB in production at this scale) and spills beyond it. Results: stdout
(Markdown), OUT/results.json, and with --docs the section "Monitoring at Shenyang scale (issue 5)" of
docs/benchmarks.md. The generated data is deleted after each scale unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PERSONS, IN_CARE = 9_200_000, 62_063
AS_OF = "2025-07-31"
FEEDS = ("deaths", "medical_claims", "disability_certs", "employment", "vehicles", "real_estate", "businesses",
         "justice", "school_enrollment")
SECTION = "## Monitoring at Shenyang scale (issue 5)"


# ------------------------------------------------------------------------------------- measurement


def _tree_rss_kb(root: int) -> int:
    """Resident KiB of ``root`` and all its descendants (from /proc)."""
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(cmd: list[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, peak RSS (MB) of its process tree, and its last stdout line as JSON."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read() if proc.stdout else ""))
    reader.start()
    peak, status, usage = 0, 0, None
    while True:
        peak = max(peak, _tree_rss_kb(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.1)
    reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    out = "".join(chunks)
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{out[-2000:]}")
    peak = max(peak, usage.ru_maxrss if usage else 0)
    lines = [x[x.index("{"):] for x in out.strip().splitlines() if "{" in x]  # after any progress bar
    result = json.loads(lines[-1]) if lines else {}
    return {"seconds": round(seconds, 1), "peak_mb": round(peak / 1024), "result": result}


def py(code: str) -> list[str]:
    return [PYTHON, "-c", code]


# ------------------------------------------------------------------------------------------- steps


POPULATION = """
import json, sys
from pathlib import Path
from minzheng.analytics import population as pop
from minzheng.intake import readers
city, data = Path(sys.argv[1]), Path(sys.argv[2])
p = city / 'population.csv'
r = pop.intake(lambda: readers.read_batches(p), columns=readers.header(p), sha256=readers.sha256(p),
               data_dir=data, rejects_csv=data / 'rejects' / 'population.csv.rejects.csv', memory_limit='4GB')
print(json.dumps({'read': r.rows_read, 'taken': r.rows_taken, 'rejected': r.rows_rejected}))
"""

FEED = """
import json, sys
from pathlib import Path
from minzheng.analytics import feeds
city, data, name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
r = feeds.intake_file(city / f'{name}.csv', data_dir=data, rejects_csv=data / 'rejects' / f'{name}.csv.rejects.csv',
                      memory_limit='4GB')
print(json.dumps({'read': r.rows_read, 'taken': r.rows_taken, 'rejected': r.rows_rejected, 'reasons': r.reasons,
                  'ids_repaired': r.ids_repaired, 'unmatched': r.unmatched, 'steps': r.steps}))
"""

ARCHIVE = """
import json, sys
from pathlib import Path
from minzheng.analytics.scenarios import archive
_, stats = archive.from_registry_files(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps(stats))
"""

SCENARIOS = """
import csv, datetime as dt, json, sys, time
from decimal import Decimal
from pathlib import Path
from minzheng.analytics.scenarios import engine
city, data, which = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
spark, session_seconds = None, 0.0
if which == 'spark':
    from minzheng.analytics.scenarios.spark import get_session
    t = time.monotonic()
    spark = get_session('local[2]', driver_memory='3g', shuffle_partitions=8)
    session_seconds = time.monotonic() - t
alerts, stats = engine.run(dt.date.fromisoformat(sys.argv[4]), which, data, spark=spark)
truth = {(r['scenario'], r['id_number']): (r['household_id'], r['monthly_amount'])
         for r in csv.DictReader((city / 'truth.csv').open(encoding='utf-8'))}
got = {(r['scenario'], r['id_number']): (r['household_id'] or '', engine.format_money(r['monthly_amount']))
       for r in alerts.to_pylist()}
check = {}
for s in engine.SCENARIOS:
    t = {k: v for k, v in truth.items() if k[0] == s}
    g = {k: v for k, v in got.items() if k[0] == s}
    hit = sum(1 for k in g if k in t and t[k] == g[k])
    check[s] = {'truth': len(t), 'alerts': len(g), 'precision': hit / len(g) if g else 1.0,
                'recall': hit / len(t) if t else 1.0}
if spark is not None:
    spark.stop()
print(json.dumps(stats.as_dict() | {'check': check, 'session_seconds': round(session_seconds, 1)}))
"""

BARE = """
import duckdb, json, sys, time
t = time.monotonic()
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
n = con.execute(f"SELECT count(*) FROM read_csv('{sys.argv[1]}', all_varchar = true)").fetchall()[0][0]
print(json.dumps({'rows': n, 'seconds': round(time.monotonic() - t, 1)}))
"""


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def one_scale(scale: float, out: Path, spark: bool, keep: bool) -> dict[str, Any]:
    persons, in_care = round(PERSONS * scale), max(300, round(IN_CARE * scale))
    label = f"{scale:g}"
    city, data = out / f"city-{label}", out / f"data-{label}"
    shutil.rmtree(data, ignore_errors=True)
    res: dict[str, Any] = {"scale": scale, "persons": persons, "in_care": in_care, "load_at_start": load()}
    print(f"== scale {label}: {persons:,} persons, {in_care:,} households in care (load {load()})", flush=True)
    if not (city / "truth.csv").exists():
        res["generate"] = measure([PYTHON, "-m", "minzheng", "--quiet", "synth", "city", "--out", str(city),
                                   "--persons", str(persons), "--households-in-care", str(in_care), "--seed", "1",
                                   "--as-of", AS_OF])
    res["files_mb"] = {p.stem: round(p.stat().st_size / 1e6, 1) for p in sorted(city.glob("*.csv"))}
    res["bare_claims_read"] = measure([*py(BARE), str(city / "medical_claims.csv")])
    steps: dict[str, Any] = {}
    steps["population"] = measure([*py(POPULATION), str(city), str(data)])
    for feed in FEEDS:
        steps[feed] = measure([*py(FEED), str(city), str(data), feed])
        print(f"   {feed}: {steps[feed]['seconds']} s, {steps[feed]['peak_mb']} MB", flush=True)
    steps["archive"] = measure([*py(ARCHIVE), str(city), str(data)])
    res["intake"] = steps
    res["intake_seconds"] = round(sum(s["seconds"] for s in steps.values()), 1)
    res["intake_peak_mb"] = max(s["peak_mb"] for s in steps.values())
    res["store_mb"] = round(sum(p.stat().st_size for p in (data / "analytics").rglob("*") if p.is_file()) / 1e6, 1)
    print(f"   intake {res['intake_seconds']} s, peak {res['intake_peak_mb']} MB (load {load()})", flush=True)
    res["duckdb"] = measure([*py(SCENARIOS), str(city), str(data), "duckdb", AS_OF])
    res["duckdb_again"] = measure([*py(SCENARIOS), str(city), str(data), "duckdb", AS_OF])
    print(f"   scenarios duckdb {res['duckdb']['result']['total_seconds']} s (load {load()})", flush=True)
    if spark:
        res["spark"] = measure([*py(SCENARIOS), str(city), str(data), "spark", AS_OF])
        print(f"   scenarios spark {res['spark']['result']['total_seconds']} s", flush=True)
    res["load_at_end"] = load()
    if not keep:
        shutil.rmtree(city, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)
    return res


# ------------------------------------------------------------------------------------------ report


def markdown(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    scen = ("FIND_HIGH_AGE", "FIND_DISABILITY_CARE", "FIND_DISABILITY_LIVING", "FIND_UNSUPPORTED_CHILD",
            "MON_DECEASED", "MON_ASSET_INCOME", "MON_HARDSHIP_RISK")
    head = list(results)
    lines = [SECTION, "",
             f"Measured {meta['date']} with `bench/monitoring_scale.py` on {meta['machine']}; load average at the "
             "start of each scale in the tables (other engineers' work shared the 2 cores).", "",
             "```", meta["command"], "```", "",
             "Targets at full scale: intake under 5 minutes, the seven scenarios under 30 seconds, under 6 GB peak.",
             "", "### Intake (population + nine feeds + archive snapshot), seconds / peak MB per step", "",
             "| step | " + " | ".join(f"1/{round(1 / r['scale'])}" if r["scale"] < 1 else "1" for r in head) + " |",
             "|---|" + "---:|" * len(head)]
    for step in ["population", *FEEDS, "archive"]:
        cells = []
        for r in head:
            s = r["intake"][step]
            rows = s["result"].get("read") or s["result"].get("registry_enrollments", {}).get("rows_read", "")
            shown = f" ({rows:,} rows)" if isinstance(rows, int) else ""
            cells.append(f"{s['seconds']} s / {s['peak_mb']} MB{shown}")
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    lines.append("| **intake total** | " + " | ".join(f"**{r['intake_seconds']} s** / {r['intake_peak_mb']} MB"
                                                    for r in head) + " |")
    lines.append("| bare DuckDB count of medical_claims.csv | " + " | ".join(
        f"{r['bare_claims_read']['result']['seconds']} s ({r['bare_claims_read']['result']['rows']:,} rows)"
        for r in head) + " |")
    lines.append("| load average at start | " + " | ".join(r["load_at_start"] for r in head) + " |")
    lines += ["", "### The seven scenarios on DuckDB (second run; first run in brackets), seconds", "",
              "| scenario | " + " | ".join(f"1/{round(1 / r['scale'])}" if r["scale"] < 1 else "1" for r in head)
              + " |", "|---|" + "---:|" * len(head)]
    lines.append("| prepare (views, common terms) | " + " | ".join(
        f"{r['duckdb_again']['result']['prepare_seconds']:.2f}" for r in head) + " |")
    for s in scen:
        lines.append(f"| {s} | " + " | ".join(
            f"{r['duckdb_again']['result']['seconds'][s]:.2f} ({r['duckdb']['result']['seconds'][s]:.2f})"
            for r in head) + " |")
    lines.append("| **total in the engine** | " + " | ".join(
        f"**{r['duckdb_again']['result']['total_seconds']:.1f}** ({r['duckdb']['result']['total_seconds']:.1f})"
        for r in head) + " |")
    lines.append("| process wall / peak MB | " + " | ".join(
        f"{r['duckdb_again']['seconds']} s / {r['duckdb_again']['peak_mb']} MB" for r in head) + " |")
    lines.append("| alerts (= truth.csv; precision, recall) | " + " | ".join(
        f"{sum(c['alerts'] for c in r['duckdb']['result']['check'].values())} "
        f"({min(c['precision'] for c in r['duckdb']['result']['check'].values()):.2f}, "
        f"{min(c['recall'] for c in r['duckdb']['result']['check'].values()):.2f})" for r in head) + " |")
    for r in head:
        if "spark" in r:
            sp = r["spark"]["result"]
            lines += ["", f"### Spark local[2] at scale {r['scale']:g} (same data)", "",
                      f"- session start {sp['session_seconds']} s; prepare {sp['prepare_seconds']:.1f} s; "
                      f"seven scenarios {sum(sp['seconds'].values()):.1f} s; total in the engine "
                      f"{sp['total_seconds']:.1f} s; process wall {r['spark']['seconds']} s, peak "
                      f"{r['spark']['peak_mb']} MB (JVM included)",
                      "- per scenario: " + ", ".join(f"{s} {sp['seconds'][s]:.1f} s" for s in scen),
                      f"- alerts per scenario as DuckDB's: {sp['alerts'] == r['duckdb']['result']['alerts']}; against "
                      "truth.csv precision "
                      f"{min(c['precision'] for c in sp['check'].values()):.2f}, recall "
                      f"{min(c['recall'] for c in sp['check'].values()):.2f} (row-for-row equality: the test suite)"]
    return "\n".join(lines) + "\n"


def update_docs(text: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    doc = path.read_text(encoding="utf-8")
    if SECTION in doc:
        start = doc.index(SECTION)
        nxt = doc.find("\n## ", start + len(SECTION))
        doc = doc[:start] + text + (doc[nxt + 1:] if nxt != -1 else "")
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    path.write_text(doc, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scales", default="0.125,0.25,0.5,1")
    parser.add_argument("--spark-at", default="0.125", help="scales at which Spark runs too ('' for none)")
    parser.add_argument("--keep", action="store_true", help="keep the generated cities and stores")
    parser.add_argument("--docs", action="store_true", help="write the section of docs/benchmarks.md")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    spark_at = {float(x) for x in args.spark_at.split(",") if x}
    results = []
    for scale in (float(x) for x in args.scales.split(",")):
        results.append(one_scale(scale, args.out, scale in spark_at, args.keep))
        (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    meta = {"date": time.strftime("%Y-%m-%d"), "command": " ".join([".venv/bin/python", *sys.argv]),
            "machine": f"{os.cpu_count()} cores, {memory} GiB RAM, Python {platform.python_version()}"}
    text = markdown(results, meta)
    print(text)
    if args.docs:
        update_docs(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
