"""The monthly high-age allowance as one vectorised DuckDB job over the population (no Django import).

For benefit month M it computes, for everyone aged 80 or more in M (month-age: the 80th birthday falls in
M or earlier) and everyone holding a current ``high_age`` enrollment, the rate due in M and the delta
against the current enrollments:

- rate: 100 or more → ``high_age.rate_100``; 90–99 → ``rate_90``; 80–89 → ``rate_80_low_income`` when the
  person is a member of a tekun/dibao/dibao_edge household on M's first day, else ``rate_80_general``
  (none before that parameter's first date, 2025-01-01). Values in force on M's first day.
- alive in M: no death before M's first day (a person who dies in M is still due for M).
- ``new``: due, no current enrollment → a row from M's first day.
- ``change``: due at another amount → the current row ends on M−1's last day, a new one starts in M.
- ``stop_death``: dead before M → the current row ends on the last day of the death month.
- ``stop_ineligible``: alive but no longer due (e.g. a low-income 80–89 before the general rate) → ends on
  M−1's last day.
- ``skip``: a change or an ineligible stop whose current row starts in M or later (a re-run of an earlier
  month after a later one): left for a caseworker, counted.

A person with a current enrollment who is missing from the population (驻沈离退休人员, people who moved
in without hukou, data gaps) keeps it; their age comes from the archive's birth date, so they still move
up at 90 and 100 and stop on death.

Inputs are Arrow tables the caller exports from the operational database (persons, low-income
members, current enrollments) plus the population snapshot and any deaths feed Parquet files.
"""

from __future__ import annotations

import datetime as dt
import glob
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from minzheng.rules.model import Month, months_old
from minzheng.rules.parameters import ParameterSet, default_parameters

BANDS = ("100", "90", "80_low", "80")
RATE_PARAMETERS = {"100": "high_age.rate_100", "90": "high_age.rate_90", "80_low": "high_age.rate_80_low_income",
                   "80": "high_age.rate_80_general"}

PERSONS_SCHEMA = pa.schema([("person_id", pa.int64()), ("id_number", pa.string()), ("death_date", pa.date32())])
LOW_INCOME_SCHEMA = pa.schema([("id_number", pa.string())])
CURRENT_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("person_id", pa.int64()), ("id_number", pa.string()),
    ("birth_date", pa.date32()), ("death_date", pa.date32()), ("area_code", pa.string()),
    ("start_date", pa.date32()), ("end_date", pa.date32()), ("amount", pa.decimal128(12, 2)),
])


def last_day(month: Month) -> dt.date:
    return month.shift(1).first_day - dt.timedelta(days=1)


@dataclass(frozen=True)
class Rates:
    """Ages and amounts of the allowance in force on the first day of ``month`` (``None``: not in force)."""

    month: Month
    ages: tuple[int | None, int | None, int | None]
    amounts: dict[str, Decimal | None]

    @classmethod
    def for_month(cls, month: Month, params: ParameterSet | None = None) -> Rates:
        params = params or default_parameters()
        day = month.first_day

        def number(name: str) -> Decimal | None:
            found = params.get(name, day)
            return found.number if found is not None else None

        a80, a90, a100 = (number(f"high_age.age_{n}") for n in (80, 90, 100))
        ages = (int(a80) if a80 is not None else None, int(a90) if a90 is not None else None,
                int(a100) if a100 is not None else None)
        return cls(month=month, ages=ages, amounts={band: number(name) for band, name in RATE_PARAMETERS.items()})

    @property
    def cutoff(self) -> dt.date:
        """People born before this day are aged 80 or more in the month."""
        a80 = self.ages[0] or 80
        return self.month.shift(-12 * a80 + 1).first_day

    def band(self, birth_date: dt.date, low_income: bool) -> str | None:
        """The age band in the month (the Python twin of the SQL below)."""
        a80, a90, a100 = self.ages
        if a80 is None or a90 is None or a100 is None:
            return None
        months = months_old(birth_date, self.month)
        if months >= 12 * a100:
            return "100"
        if months >= 12 * a90:
            return "90"
        if months >= 12 * a80:
            return "80_low" if low_income else "80"
        return None

    def due(self, birth_date: dt.date, low_income: bool, death_date: dt.date | None = None
            ) -> tuple[str | None, Decimal | None]:
        """(band, monthly amount) due in the month; amount ``None`` when nothing is due."""
        if death_date is not None and death_date < self.month.first_day:
            return None, None
        band = self.band(birth_date, low_income)
        return band, (self.amounts[band] if band else None)

    def as_dict(self) -> dict[str, Any]:
        return {"month": str(self.month), "ages": list(self.ages),
                "amounts": {k: (str(v) if v is not None else None) for k, v in self.amounts.items()}}


@dataclass
class Delta:
    """What the month needs: rows to create, to change and to stop, and the figures of the month."""

    new: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    stops: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    population_rows: int = 0
    deaths_read: int = 0
    eligible: int = 0
    by_band: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    outside_population: int = 0
    monthly_total: Decimal = Decimal("0.00")
    seconds: float = 0.0


def deaths_files(data_dir: Path) -> list[Path]:
    """Parquet files of the deaths feed: the current deliveries the feeds manifest lists
    (:func:`minzheng.analytics.feeds.delivery_files`), or — with no manifest entry for deaths — every
    Parquet file under ``<data>/analytics/feeds/deaths/`` (files placed there by hand or by a test)."""
    from minzheng.analytics import feeds

    listed = feeds.manifest(data_dir).get("deaths")
    if listed:
        return [p for p in feeds.delivery_files(data_dir, "deaths") if p.exists()]
    root = feeds.store_dir(data_dir) / "deaths"
    return sorted(Path(p) for p in glob.glob(str(root / "**" / "*.parquet"), recursive=True))


def _literal(value: Decimal | int | None) -> str:
    return "NULL" if value is None else f"CAST({value} AS DECIMAL(12,2))"


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def compute(
    *,
    rates: Rates,
    population: Path | None,
    persons: pa.Table,
    low_income: pa.Table,
    current: pa.Table,
    deaths: list[Path] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Delta:
    """The delta for ``rates.month`` (see the module docstring)."""
    started = time.monotonic()
    own = con is None
    con = con or duckdb.connect(":memory:")
    try:
        return _compute(con, rates, population, persons, low_income, current, deaths or [], started)
    finally:
        if own:
            con.close()


def _compute(con: duckdb.DuckDBPyConnection, rates: Rates, population: Path | None, persons: pa.Table,
             low_income: pa.Table, current: pa.Table, deaths: list[Path], started: float) -> Delta:
    month = rates.month
    first, prev_last = month.first_day, month.first_day - dt.timedelta(days=1)
    a80, a90, a100 = rates.ages
    out = Delta()
    con.register("persons_in", persons)
    con.register("low_in", low_income)
    con.register("current_in", current)
    if population is not None and population.exists():
        src = f"read_parquet({_sql_str(str(population))})"
        con.execute(f"CREATE TEMP TABLE pop AS SELECT id_number, name, sex, birth_date, area_code FROM {src} "  # noqa: S608
                    f"WHERE birth_date < DATE '{rates.cutoff.isoformat()}'")
        row = con.execute(f"SELECT count(*) FROM {src}").fetchone()  # noqa: S608 - a path we built
        out.population_rows = int(row[0]) if row else 0
    else:
        con.execute("CREATE TEMP TABLE pop (id_number VARCHAR, name VARCHAR, sex VARCHAR, birth_date DATE, "
                    "area_code VARCHAR)")
    feeds = [f"SELECT CAST(id_number AS VARCHAR) AS id_number, CAST(death_date AS DATE) AS death_date "  # noqa: S608
             f"FROM read_parquet({_sql_str(str(p))})" for p in deaths]
    if feeds:
        row = con.execute(f"SELECT count(*) FROM ({' UNION ALL '.join(feeds)})").fetchone()  # noqa: S608
        out.deaths_read = int(row[0]) if row else 0
    con.execute(
        "CREATE TEMP TABLE dead AS SELECT id_number, min(death_date) AS death_date FROM ("  # noqa: S608
        + " UNION ALL ".join([
            "SELECT id_number, death_date FROM persons_in WHERE death_date IS NOT NULL",
            "SELECT id_number, death_date FROM current_in WHERE death_date IS NOT NULL", *feeds])
        + ") WHERE death_date IS NOT NULL GROUP BY id_number"
    )
    if a80 is None or a90 is None or a100 is None:
        band_sql = "NULL"
    else:
        band_sql = (
            f"CASE WHEN m >= {12 * a100} THEN '100' WHEN m >= {12 * a90} THEN '90' "
            f"WHEN m >= {12 * a80} THEN CASE WHEN low THEN '80_low' ELSE '80' END END"
        )
    rate_sql = "CASE band " + " ".join(f"WHEN '{b}' THEN {_literal(rates.amounts[b])}" for b in BANDS) + " END"
    con.execute(f"""
        CREATE TEMP TABLE plan AS
        WITH cur AS (
            SELECT * FROM current_in
            QUALIFY row_number() OVER (PARTITION BY id_number ORDER BY start_date DESC, enrollment_id DESC) = 1
        ), u AS (
            SELECT coalesce(p.id_number, c.id_number) AS id_number,
                   coalesce(p.birth_date, c.birth_date) AS birth_date,
                   p.id_number IS NOT NULL AS in_pop, p.name, p.sex,
                   coalesce(c.area_code, p.area_code) AS area_code,
                   c.enrollment_id, c.person_id AS cur_person, c.start_date, c.end_date, c.amount
            FROM pop p FULL OUTER JOIN cur c ON c.id_number = p.id_number
        ), aged AS (
            SELECT u.*, coalesce(u.cur_person, ps.person_id) AS person_id, d.death_date,
                   l.id_number IS NOT NULL AS low,
                   {month.index} - (year(u.birth_date) * 12 + month(u.birth_date) - 1) AS m,
                   d.death_date IS NULL OR d.death_date >= DATE '{first.isoformat()}' AS alive
            FROM u
            LEFT JOIN persons_in ps ON ps.id_number = u.id_number
            LEFT JOIN dead d ON d.id_number = u.id_number
            LEFT JOIN (SELECT DISTINCT id_number FROM low_in) l ON l.id_number = u.id_number
        ), banded AS (
            SELECT *, {band_sql} AS band FROM aged
        ), due AS (
            SELECT *, CASE WHEN alive THEN {rate_sql} END AS due FROM banded
        )
        SELECT *,
            CASE
              WHEN enrollment_id IS NOT NULL AND NOT alive THEN
                CASE WHEN end_date IS NULL OR end_date > greatest(last_day(death_date), start_date)
                     THEN 'stop_death' ELSE 'unchanged' END
              WHEN enrollment_id IS NOT NULL AND due IS NULL THEN
                CASE WHEN start_date >= DATE '{first.isoformat()}' THEN 'skip' ELSE 'stop_ineligible' END
              WHEN enrollment_id IS NOT NULL AND amount <> due THEN
                CASE WHEN start_date >= DATE '{first.isoformat()}' THEN 'skip' ELSE 'change' END
              WHEN enrollment_id IS NOT NULL THEN 'unchanged'
              WHEN due IS NOT NULL THEN 'new'
            END AS kind,
            CASE WHEN NOT alive THEN greatest(last_day(death_date), start_date)
                 ELSE DATE '{prev_last.isoformat()}' END AS new_end
        FROM due
    """)  # noqa: S608 - numbers and dates we formatted
    for band, n, total in con.execute(
        "SELECT band, count(*), sum(due) FROM plan WHERE due IS NOT NULL GROUP BY band ORDER BY band"
    ).fetchall():
        out.by_band[str(band)] = int(n)
        out.eligible += int(n)
        out.monthly_total += Decimal(total)
    out.monthly_total = out.monthly_total.quantize(Decimal("0.01"))
    counts = dict(con.execute("SELECT kind, count(*) FROM plan WHERE kind IS NOT NULL GROUP BY kind").fetchall())
    out.unchanged = int(counts.get("unchanged", 0))
    row = con.execute("SELECT count(*) FROM plan WHERE enrollment_id IS NOT NULL AND NOT in_pop").fetchone()
    out.outside_population = int(row[0]) if row else 0

    def rows(sql: str) -> list[dict[str, Any]]:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    out.new = rows("SELECT id_number, person_id, name, sex, birth_date, area_code, band, due FROM plan "
                   "WHERE kind = 'new' ORDER BY id_number")
    out.changes = rows("SELECT enrollment_id, id_number, person_id, area_code, amount, band, due, new_end "
                       "FROM plan WHERE kind = 'change' ORDER BY id_number")
    out.stops = rows("SELECT enrollment_id, id_number, person_id, area_code, amount, kind, death_date, new_end "
                     "FROM plan WHERE kind IN ('stop_death', 'stop_ineligible') ORDER BY id_number")
    out.skipped = rows("SELECT enrollment_id, id_number, person_id, amount, due, start_date FROM plan "
                       "WHERE kind = 'skip' ORDER BY id_number")
    for name in ("persons_in", "low_in", "current_in"):
        con.unregister(name)
    out.seconds = time.monotonic() - started
    return out
