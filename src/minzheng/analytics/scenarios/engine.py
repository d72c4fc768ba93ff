"""Running the seven scenarios on DuckDB (default) or Spark; assembling alerts (no Django import).

The definitions are SQL files beside this module (``sql/``), written once in DuckDB's dialect: the terms
of monitoring-scenarios.md in ``common.sql`` (each block becomes a table or a cached view), then one file
per scenario ending in two CTEs, ``hit`` (one row per person) and ``ev`` (the rows that made it fire),
to which ``common.sql``'s ``dress`` block is appended. For Spark the same text is transpiled by sqlglot
(:func:`spark_sql`). Inputs are views named like the files of data-exchange.md: ``population`` (the
population snapshot), the feeds (:mod:`minzheng.analytics.feeds`), ``registry_households``/``_members``/
``_enrollments`` (an archive snapshot, :mod:`.archive`) and ``params``/``param_codes`` (:mod:`.params`).

:func:`run` returns the alerts (one row per scenario and person, sorted) and the run's statistics.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from minzheng.analytics import feeds
from minzheng.analytics import population as pop
from minzheng.analytics.scenarios import archive, params

SQL_DIR = Path(__file__).with_name("sql")
SCENARIOS = (
    "FIND_HIGH_AGE", "FIND_DISABILITY_CARE", "FIND_DISABILITY_LIVING", "FIND_UNSUPPORTED_CHILD",
    "MON_DECEASED", "MON_ASSET_INCOME", "MON_HARDSHIP_RISK",
)
POPULATION_SCHEMA = [
    ("id_number", "VARCHAR"), ("name", "VARCHAR"), ("sex", "VARCHAR"), ("birth_date", "DATE"),
    ("area_code", "VARCHAR"), ("household_no", "VARCHAR"), ("father_id_number", "VARCHAR"),
    ("mother_id_number", "VARCHAR"),
]
ALERT_SCHEMA = pa.schema([
    ("scenario", pa.string()), ("id_number", pa.string()), ("name", pa.string()), ("household_id", pa.string()),
    ("area_code", pa.string()), ("as_of", pa.date32()), ("evidence", pa.string()),
    ("suggested_action", pa.string()), ("monthly_amount", pa.decimal128(18, 2)), ("evidence_date", pa.date32()),
])
# the columns of the dress block, in order
ROW_COLUMNS = ("scenario", "id_number", "name", "household_id", "area_code", "suggested_action", "monthly_amount",
               "source", "kind", "ref", "ev_date", "amount", "n")


class EngineError(RuntimeError):
    """The run cannot start (no population snapshot, no archive snapshot, unknown engine)."""


@dataclass
class Source:
    """One input view: its Parquet files (possibly none) and its columns with SQL types."""

    name: str
    files: list[Path]
    schema: list[tuple[str, str]]

    @property
    def rows(self) -> int:
        return sum(pq.ParquetFile(f).metadata.num_rows for f in self.files)


@dataclass
class RunStats:
    engine: str
    as_of: dt.date
    rows_read: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    prepare_seconds: float = 0.0
    total_seconds: float = 0.0
    parameters: dict[str, str] = field(default_factory=dict)
    archive: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "as_of": self.as_of.isoformat(), "rows_read": self.rows_read,
                "alerts": self.alerts, "seconds": self.seconds, "prepare_seconds": self.prepare_seconds,
                "total_seconds": self.total_seconds, "parameters": self.parameters, "archive": self.archive}


# ----------------------------------------------------------------------------------------- the SQL


@cache
def common_blocks() -> tuple[tuple[str, str], ...]:
    """``common.sql`` as ``(name, SELECT)`` pairs, in file order (``dress`` included, last)."""
    blocks: list[tuple[str, list[str]]] = []
    for line in (SQL_DIR / "common.sql").read_text(encoding="utf-8").splitlines():
        if line.startswith("-- name: "):
            blocks.append((line.removeprefix("-- name: ").strip(), []))
        elif blocks and not line.startswith("--"):
            blocks[-1][1].append(line)
    return tuple((name, "\n".join(body).strip()) for name, body in blocks)


def scenario_sql(scenario: str) -> str:
    """The scenario's whole SELECT (its CTEs, then the ``dress`` block) with placeholders."""
    body = (SQL_DIR / f"{scenario.lower()}.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("--"))
    dress = dict(common_blocks())["dress"]
    return body.strip() + "\n" + dress.replace("{SCENARIO}", scenario)


def render(sql: str, as_of: dt.date) -> str:
    """Fill the placeholders: ``{D}`` (a DATE literal) and ``{DM}`` (year*12 + month of D)."""
    return sql.replace("{D}", f"DATE '{as_of.isoformat()}'").replace("{DM}", str(as_of.year * 12 + as_of.month))


@cache
def spark_sql(sql: str) -> str:
    """The DuckDB SQL transpiled to Spark SQL (sqlglot, pinned with pyspark in pyproject)."""
    import sqlglot

    return str(sqlglot.transpile(sql, read="duckdb", write="spark", pretty=True)[0])


# ------------------------------------------------------------------------------------------ inputs


def sources(data_dir: Path, archive_dir: Path | None = None) -> list[Source]:
    """Every input view of a run: population snapshot, feeds, archive snapshot."""
    snapshot = pop.snapshot_path(data_dir)
    if not snapshot.exists():
        raise EngineError("尚未导入人口数据 no population snapshot: run `minzheng import` with population first")
    archive_dir = archive_dir or archive.current_snapshot(data_dir)
    if archive_dir is None:
        raise EngineError("没有档案快照 no archive snapshot")
    out = [Source("population", [snapshot], POPULATION_SCHEMA)]
    out += [Source(name, feeds.delivery_files(data_dir, name), spec.schema()) for name, spec in feeds.FEEDS.items()]
    out += [Source(t, [p], archive.SCHEMAS[t]) for t, p in archive.read_tables(archive_dir).items()]
    return out


class Runner(Protocol):
    def load(self, srcs: list[Source], params_table: pa.Table, codes_table: pa.Table) -> None: ...

    def materialise(self, name: str, sql: str) -> None: ...

    def query(self, sql: str) -> list[tuple[Any, ...]]: ...

    def close(self) -> None: ...


class DuckDBRunner:
    """The embedded engine: views over the Parquet files, the common terms as temporary tables."""

    def __init__(self, *, memory_limit: str = "4GB", threads: int | None = None, temp_dir: Path | None = None):
        self.con = pop.connect(memory_limit=memory_limit, threads=threads, temp_dir=temp_dir)
        self.con.execute("SET enable_progress_bar = false")

    def load(self, srcs: list[Source], params_table: pa.Table, codes_table: pa.Table) -> None:
        for s in srcs:
            cols = ", ".join(c for c, _ in s.schema)
            if s.files:
                paths = ", ".join("'" + str(f).replace("'", "''") + "'" for f in s.files)
                sql = f"SELECT {cols} FROM read_parquet([{paths}], hive_partitioning = false)"  # noqa: S608
            else:
                sql = "SELECT " + ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in s.schema) + " WHERE false"
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {s.name} AS {sql}")
        for name, table in (("params", params_table), ("param_codes", codes_table)):
            self.con.register(f"__{name}", table)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM __{name}")  # noqa: S608
            self.con.unregister(f"__{name}")

    def materialise(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def close(self) -> None:
        self.con.close()


def make_runner(engine: str, *, spark_master: str | None = None, spark: Any = None,
                memory_limit: str | None = None) -> Runner:
    if engine == "duckdb":
        return DuckDBRunner(memory_limit=memory_limit or os.environ.get("MINZHENG_DUCKDB_MEMORY", "4GB"))
    if engine == "spark":
        from minzheng.analytics.scenarios.spark import SparkRunner

        return SparkRunner(master=spark_master, spark=spark)
    raise EngineError(f"未知引擎 unknown engine {engine!r} (duckdb or spark)")


# ---------------------------------------------------------------------------------------------- run


def run(
    as_of: dt.date,
    engine: str = "duckdb",
    data_dir: Path | None = None,
    spark_master: str | None = None,
    *,
    archive_dir: Path | None = None,
    scenarios: Iterable[str] = SCENARIOS,
    spark: Any = None,
    memory_limit: str | None = None,
    parameter_overlays: tuple[Path, ...] = (),
) -> tuple[pa.Table, RunStats]:
    """Run the scenarios as of ``as_of``; returns the alerts (:data:`ALERT_SCHEMA`, sorted by scenario
    order then ID number) and the statistics (rows read per input, alerts and seconds per scenario)."""
    started = time.monotonic()
    data_dir = Path(data_dir or os.environ.get("MINZHENG_DATA_DIR", "var"))
    srcs = sources(data_dir, archive_dir)
    ps = params.parameter_set(*parameter_overlays)
    params_table, codes_table = params.tables(ps)
    stats = RunStats(engine=engine, as_of=as_of, parameters=params.in_force(ps, as_of),
                     archive=str(archive_dir or archive.current_snapshot(data_dir)))
    stats.rows_read = {s.name: s.rows for s in srcs}
    runner = make_runner(engine, spark_master=spark_master, spark=spark, memory_limit=memory_limit)
    dialect = spark_sql if engine == "spark" else (lambda s: s)
    rows: list[tuple[Any, ...]] = []
    try:
        runner.load(srcs, params_table, codes_table)
        for name, sql in common_blocks():
            if name != "dress":
                runner.materialise(name, dialect(render(sql, as_of)))
        stats.prepare_seconds = round(time.monotonic() - started, 3)
        for scenario in scenarios:
            t0 = time.monotonic()
            found = runner.query(dialect(render(scenario_sql(scenario), as_of)))
            stats.seconds[scenario] = round(time.monotonic() - t0, 3)
            rows.extend(found)
            stats.alerts[scenario] = len({r[1] for r in found})
    finally:
        runner.close()
    alerts = assemble(rows, as_of)
    stats.total_seconds = round(time.monotonic() - started, 3)
    return alerts, stats


# ------------------------------------------------------------------------------------------ alerts


def _money(v: Any) -> str | None:
    return None if v is None else str(Decimal(v).quantize(Decimal("0.01")))


def _evidence_row(r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"source": r["source"], "kind": r["kind"]}
    if r["ref"] is not None:
        out["ref"] = r["ref"]
    if r["ev_date"] is not None:
        out["date"] = r["ev_date"].isoformat()
    if r["amount"] is not None:
        out["amount"] = _money(r["amount"])
    if r["n"] is not None:
        out["n"] = int(r["n"])
    return out


def _sort_key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r["source"], r["kind"], r["ev_date"] or dt.date.min, r["ref"] or "", Decimal(r["amount"] or 0),
            r["n"] if r["n"] is not None else -1)


def assemble(rows: list[tuple[Any, ...]], as_of: dt.date) -> pa.Table:
    """One alert per (scenario, person) from the evidence rows of the dress block. The evidence JSON has
    ``rows`` (the triggering rows, sorted), ``triggers`` (their kinds) and, as top-level keys, the facts
    the SQL computed (``source = 'computed'``: e.g. ``stop_from``, ``overpaid_months``,
    ``self_paid_12m_total``); ``evidence_date`` is the newest date among the triggering rows."""
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        r = dict(zip(ROW_COLUMNS, row, strict=True))
        grouped.setdefault((r["scenario"], r["id_number"]), []).append(r)
    out: dict[str, list[Any]] = {name: [] for name in ALERT_SCHEMA.names}
    order = {s: i for i, s in enumerate(SCENARIOS)}
    for (scenario, id_number), items in sorted(grouped.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        head = items[0]
        for r in items[1:]:
            for k in ("name", "household_id", "area_code", "suggested_action", "monthly_amount"):
                if r[k] != head[k]:
                    raise ValueError(f"{scenario} {id_number}: two values of {k} ({head[k]!r}, {r[k]!r})")
        evidence: dict[str, Any] = {"scenario": scenario, "as_of": as_of.isoformat()}
        triggering = sorted((r for r in items if r["source"] != "computed"), key=_sort_key)
        for r in sorted((r for r in items if r["source"] == "computed"), key=_sort_key):
            evidence[r["kind"]] = r["ref"] if r["ref"] is not None else (
                int(r["n"]) if r["n"] is not None and r["amount"] is None else _money(r["amount"]))
            if r["kind"] == "self_paid_12m_total":
                evidence["self_paid_12m_claims"] = int(r["n"] or 0)
        evidence["triggers"] = sorted({r["kind"] for r in triggering})
        evidence["rows"] = [_evidence_row(r) for r in triggering]
        dates = [r["ev_date"] for r in triggering if r["ev_date"] is not None]
        values = (scenario, id_number, head["name"], head["household_id"], head["area_code"], as_of,
                  json.dumps(evidence, ensure_ascii=False, sort_keys=False), head["suggested_action"],
                  None if head["monthly_amount"] is None else Decimal(head["monthly_amount"]).quantize(Decimal("0.01")),
                  max(dates) if dates else None)
        for name, v in zip(ALERT_SCHEMA.names, values, strict=True):
            out[name].append(v)
    return pa.table(out, schema=ALERT_SCHEMA)


def alert_dicts(alerts: pa.Table) -> list[dict[str, Any]]:
    """The alerts as the workflow takes them (``record_run``): evidence parsed, money as Decimal."""
    out = []
    for row in alerts.to_pylist():
        row["evidence"] = json.loads(row["evidence"])
        out.append(row)
    return out


EXPORT_COLUMNS = ("scenario", "id_number", "household_id", "area_code", "as_of", "evidence", "suggested_action",
                  "monthly_amount", "name", "evidence_date")


def format_money(v: Decimal | None) -> str:
    """Whole yuan without decimals (``1813``), otherwise two (``12.50``); empty when there is none."""
    if v is None:
        return ""
    return str(int(v)) if v == v.to_integral_value() else f"{v:.2f}"


def export_csv(alerts: pa.Table, path: Path) -> int:
    """The alerts CSV of data-exchange.md "Exports" (its columns first, then ``name``, ``evidence_date``);
    a second row for one (scenario, person) is an error."""
    import csv

    seen: set[tuple[str, str]] = set()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(EXPORT_COLUMNS)
        for row in alerts.to_pylist():
            key = (row["scenario"], row["id_number"])
            if key in seen:
                raise ValueError(f"duplicate alert {key[0]} {key[1]}")
            seen.add(key)
            values = {**row, "as_of": row["as_of"].isoformat(), "monthly_amount": format_money(row["monthly_amount"]),
                      "evidence_date": row["evidence_date"].isoformat() if row["evidence_date"] else ""}
            w.writerow(["" if values[c] is None else values[c] for c in EXPORT_COLUMNS])
    return len(seen)
