"""The archive snapshot the scenarios read: registry households, members and enrollments as Parquet.

No Django import. A monitoring run reads the archive as it stands in the operational store: the command
(``minzheng monitor run``) exports it from the ORM with three ``values()`` queries and hands the rows to
:func:`write_snapshot`, so the alerts reflect the current cases (an enrollment stopped by a caseworker
yesterday is not reported today). :func:`from_registry_files` builds the same snapshot straight from the
registry files of data-exchange.md (tests, benchmarks, a dry run on a delivery before it is imported).

Layout (under ``<MINZHENG_DATA_DIR>/analytics/archive/``)::

    snap-<UTC time>-<random>/{registry_households,registry_members,registry_enrollments}.parquet
    current.json   the snapshot the last run wrote ({"path", "source", "written_at", "rows"})

The last :data:`KEEP` snapshots are kept (a run's alerts can be traced to the snapshot it read).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from minzheng.analytics import idsql
from minzheng.analytics import population as pop

KEEP = 3
PROGRAMMES = ("dibao", "tekun", "dibao_edge", "rigid_hardship", "orphan", "unsupported_child", "disability_living",
              "disability_care", "high_age", "temporary")
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "registry_households": [("household_id", "VARCHAR"), ("area_code", "VARCHAR")],
    "registry_members": [("household_id", "VARCHAR"), ("id_number", "VARCHAR"), ("name", "VARCHAR"),
                         ("monthly_income", "DECIMAL(18,2)")],
    "registry_enrollments": [("household_id", "VARCHAR"), ("id_number", "VARCHAR"), ("programme", "VARCHAR"),
                             ("start_date", "DATE"), ("end_date", "DATE"), ("monthly_amount", "DECIMAL(18,2)")],
}
ARROW_TYPES = {"VARCHAR": pa.string(), "DATE": pa.date32(), "DECIMAL(18,2)": pa.decimal128(18, 2)}


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([(c, ARROW_TYPES[t]) for c, t in SCHEMAS[table]])


def base_dir(data_dir: Path) -> Path:
    return data_dir / "analytics" / "archive"


def current_snapshot(data_dir: Path) -> Path | None:
    """The directory of the snapshot the last run wrote (None before the first)."""
    pointer = base_dir(data_dir) / "current.json"
    if not pointer.exists():
        return None
    path = base_dir(data_dir) / json.loads(pointer.read_text(encoding="utf-8"))["path"]
    return path if path.exists() else None


def write_snapshot(data_dir: Path, tables: dict[str, pa.Table], *, source: str) -> Path:
    """Write the three tables (cast to :data:`SCHEMAS`) as a new snapshot and make it current."""
    base = base_dir(data_dir)
    base.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    name = f"snap-{stamp}-{secrets.token_hex(3)}"
    staging = base / f".{name}"
    staging.mkdir()
    rows = {}
    for table, schema_cols in SCHEMAS.items():
        t = tables[table].select([c for c, _ in schema_cols]).cast(arrow_schema(table))
        pq.write_table(t, staging / f"{table}.parquet", compression="zstd")
        rows[table] = t.num_rows
    os.replace(staging, base / name)
    pointer = {"path": name, "source": source, "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "rows": rows}
    tmp = base / f".current.{secrets.token_hex(4)}"
    tmp.write_text(json.dumps(pointer, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, base / "current.json")
    for old in sorted(p for p in base.glob("snap-*") if p.is_dir())[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return base / name


def _text(col: str) -> str:
    return f"nullif({pop._trim(idsql.quote_ident(col))}, '')"


def _date(col: str) -> str:
    t = pop._trim(idsql.quote_ident(col))
    return f"CASE WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN try_cast({t} AS DATE) END"


def _money(col: str) -> str:
    t = pop._trim(idsql.quote_ident(col))
    return f"CASE WHEN regexp_full_match({t}, '[0-9]{{1,13}}([.][0-9]{{1,2}})?') THEN CAST({t} AS DECIMAL(18,2)) END"


def from_registry_files(folder: Path, data_dir: Path, *, today: dt.date | None = None,
                        memory_limit: str = "2GB") -> tuple[Path, dict[str, Any]]:
    """Build and write a snapshot from ``registry_households``/``_members``/``_enrollments`` files in
    ``folder`` (any of the three extensions). Rows are checked as the archive import checks them, in short:
    IDs normalised (a member row or a person-level enrollment with an invalid ID is dropped), dates, money,
    programmes; a person belongs to the first household that names them; exact duplicate rows count once.
    Returns the snapshot directory and the rows kept and dropped per file."""
    from minzheng.intake import readers  # no Django import there

    today = today or dt.date.today()
    con = pop.connect(memory_limit=memory_limit)
    stats: dict[str, Any] = {}
    try:
        for table in SCHEMAS:
            found = [p for ext in readers.EXTENSIONS if (p := folder / f"{table}{ext}").exists()]
            if not found:
                raise FileNotFoundError(f"{folder}: no {table} file")
            con.register(f"raw_{table}", readers.read_batches(found[0]))
            con.execute(f"CREATE TABLE src_{table} AS SELECT * FROM raw_{table}")  # noqa: S608
            con.unregister(f"raw_{table}")
        rc = pop.ROW_COLUMN
        con.execute(
            f"CREATE TABLE hh AS SELECT {_text('household_id')} AS household_id, "  # noqa: S608
            f"{_text('area_code')} AS area_code "
            f"FROM src_registry_households WHERE {_text('household_id')} IS NOT NULL "
            f"QUALIFY row_number() OVER (PARTITION BY {_text('household_id')} ORDER BY {idsql.quote_ident(rc)}) = 1"
        )
        members = idsql.staged_sql("src_registry_members", {"id_number": "__id"}, today=today)
        con.execute(
            f"CREATE TABLE mem AS SELECT {_text('household_id')} AS household_id, __id AS id_number, "  # noqa: S608
            f"{_text('name')} AS name, {_money('monthly_income')} AS monthly_income FROM ({members}) "
            f"WHERE __id IS NOT NULL AND {_text('household_id')} IS NOT NULL "
            f"QUALIFY row_number() OVER (PARTITION BY __id ORDER BY {idsql.quote_ident(rc)}) = 1"
        )
        enr = idsql.staged_sql("src_registry_enrollments", {"id_number": "__id"}, today=today)
        programmes = ", ".join(f"'{p}'" for p in PROGRAMMES)
        con.execute(
            f"CREATE TABLE enr AS SELECT DISTINCT {_text('household_id')} AS household_id, __id AS id_number, "  # noqa: S608
            f"lower({_text('programme')}) AS programme, {_date('start_date')} AS start_date, "
            f"{_date('end_date')} AS end_date, coalesce({_money('monthly_amount')}, 0) AS monthly_amount "
            f"FROM ({enr}) WHERE (__id IS NOT NULL OR __id_reason = 'id_empty') "
            f"AND lower({_text('programme')}) IN ({programmes}) AND {_date('start_date')} IS NOT NULL "
            f"AND ({_text('household_id')} IS NOT NULL OR __id IS NOT NULL)"
        )
        tables = {}
        for table, local in (("registry_households", "hh"), ("registry_members", "mem"),
                             ("registry_enrollments", "enr")):
            tables[table] = con.sql(f"SELECT * FROM {local}").to_arrow_table()  # noqa: S608
            src = con.execute(f"SELECT count(*) FROM src_{table}").fetchall()[0]  # noqa: S608
            stats[table] = {"rows_read": int(src[0]), "rows_kept": tables[table].num_rows}
    finally:
        con.close()
    return write_snapshot(data_dir, tables, source=str(folder)), stats


def read_tables(snapshot: Path) -> dict[str, Path]:
    """The Parquet file of each archive table in a snapshot directory."""
    return {table: snapshot / f"{table}.parquet" for table in SCHEMAS}
