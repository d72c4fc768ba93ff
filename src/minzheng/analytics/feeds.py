"""Intake of the departmental feeds of data-exchange.md into the analytic store (no Django import).

Feeds: ``deaths``, ``medical_claims``, ``disability_certs``, ``employment``, ``vehicles``, ``real_estate``,
``businesses``, ``justice``, ``school_enrollment`` (the population has its own module,
:mod:`minzheng.analytics.population`, because it is replaced whole by each delivery).

Store layout (under ``<MINZHENG_DATA_DIR>/analytics/feeds/``)::

    <feed>/delivery=<sha256[:16]>/data.parquet   the facts this delivery added (typed, normalised)
    manifest.json                                every current delivery per feed, with its quality report

Deliveries accumulate (a feed arrives every month): the feed is the union of its deliveries' files. A
delivery is identified by the sha256 of the delivered file: the same content again is "already imported"
and touches nothing. A delivery lands whole or not at all (its partition is written under a staging name,
renamed into place, then recorded in the manifest: a partition the manifest does not list is ignored).

Every row read is either taken or written to the rejects file with its reason (``reason_code`` and a
Chinese ``reason``), never dropped silently. Validation and normalisation are one vectorised DuckDB query
per delivery (:func:`checked_sql`): ID numbers as :mod:`minzheng.analytics.idsql` (15 → 18 digits,
full-width digits, lowercase x, spaces; an invalid number is rejected with the ``id_*`` reason), dates
``YYYY-MM-DD``, money non-negative with at most 2 decimals, enumerations (ASCII codes case-insensitive),
``Y``/``N``, grades 1–4, required values present, and a few cross-field checks.

A fact is counted once (monitoring-scenarios.md "Feeds repeat themselves"), within a delivery and across
deliveries; a repeat is rejected with reason ``duplicate`` (identical to the fact kept) or a conflict code:

- ``deaths``: one fact per person. When sources disagree the **earliest** death date is the fact (payments
  must stop from the earliest reported death; the caseworker verifies it); a report with a later date is
  kept in the rejects as ``death_date_conflict``, one with the same date as ``duplicate`` whatever its
  source. A later delivery with an earlier date for a known death is taken (the engine reads the minimum).
- ``medical_claims``: one fact per ``claim_id``; the first row is kept, a different row with the same
  claim_id is ``duplicate_conflict``.
- every other feed: a row equal in every normalised column to one already kept is ``duplicate``.

The quality report of a delivery (rows read, taken, rejected by reason, IDs repaired, taken rows whose
person is not in the population snapshot) is in the manifest; :func:`quality_report` sums it per feed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from minzheng.analytics import idsql
from minzheng.analytics import population as pop
from minzheng.core.idnumber import REASON_LABELS as ID_REASON_LABELS

ROW_COLUMN = pop.ROW_COLUMN
Batches = Callable[[], pa.RecordBatchReader]

# Scratch files of one intake are written once and read a few times: no compression, no dictionaries.
SCRATCH_PARQUET = "FORMAT parquet, COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 1"
SQL_TYPES = {"id": "VARCHAR", "text": "VARCHAR", "date": "DATE", "money": "DECIMAL(18,2)", "decimal": "DOUBLE",
             "enum": "VARCHAR", "yn": "BOOLEAN", "grade": "INTEGER"}


@dataclass(frozen=True)
class Column:
    """One column of a feed: ``kind`` decides its check and its type in the store (:data:`SQL_TYPES`)."""

    name: str
    kind: str
    required: bool = True
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    """A feed of data-exchange.md. ``key``: the columns that identify a fact (empty = every column);
    ``first``: which row of a repeated fact is kept (an ORDER BY over store columns, then the row);
    ``same``: the columns that must agree for a repeat to be a plain ``duplicate`` (empty = every column);
    ``conflict``: the reason code of a repeat that disagrees; ``checks``: extra ``(reason, SQL that is true
    for a bad row)`` over the typed columns (``v_<column>``), tested after the column checks."""

    name: str
    label: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    first: str = ""
    same: tuple[str, ...] = ()
    conflict: str = "duplicate_conflict"
    checks: tuple[tuple[str, str], ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def key_columns(self) -> tuple[str, ...]:
        return self.key or self.required

    @property
    def same_columns(self) -> tuple[str, ...]:
        return self.same or self.required

    def schema(self) -> list[tuple[str, str]]:
        """The store's columns and their SQL types (``source_row`` last)."""
        return [(c.name, SQL_TYPES[c.kind]) for c in self.columns] + [("source_row", "BIGINT")]


def _c(name: str, kind: str, required: bool = True, values: tuple[str, ...] = ()) -> Column:
    return Column(name, kind, required, values)


_ID, _NAME = _c("id_number", "id"), _c("name", "text", required=False)
DISABILITY_TYPES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")

FEEDS: dict[str, Feed] = {f.name: f for f in (
    Feed("deaths", "死亡信息", (_ID, _NAME, _c("death_date", "date"), _c("source", "text", required=False)),
         key=("id_number",), first="v_death_date", same=("death_date",), conflict="death_date_conflict",
         checks=(("death_date_future", "v_death_date > {today}"),
                 ("death_before_birth", "v_death_date < try_strptime(substr(__id, 7, 8), '%Y%m%d')"))),
    Feed("medical_claims", "医保结算", (
        _c("claim_id", "text"), _ID, _NAME, _c("settle_date", "date"), _c("inpatient", "yn"),
        _c("total_cost", "money"), _c("fund_paid", "money"), _c("self_paid", "money")), key=("claim_id",)),
    Feed("disability_certs", "残疾人证", (
        _ID, _NAME, _c("cert_no", "text", required=False), _c("disability_type", "enum", values=DISABILITY_TYPES),
        _c("grade", "grade"), _c("issue_date", "date"), _c("valid_until", "date", required=False)),
        checks=(("valid_until_before_issue", "v_valid_until < v_issue_date"),)),
    Feed("employment", "就业参保", (
        _ID, _NAME, _c("event", "enum", values=("unemployed", "employed", "pension")), _c("event_date", "date"),
        _c("monthly_amount", "money", required=False)),
        checks=(("monthly_amount_missing", "v_event IN ('employed', 'pension') AND v_monthly_amount IS NULL"),)),
    Feed("vehicles", "机动车登记", (
        _ID, _c("plate", "text", required=False),
        _c("vehicle_type", "enum", values=("car", "truck", "motorcycle", "ebike", "farm_machine", "mobility_aid")),
        _c("register_date", "date"), _c("price", "money", required=False))),
    Feed("real_estate", "不动产登记", (
        _ID, _c("property_no", "text"), _c("usage", "enum", values=("residential", "commercial")),
        _c("area_m2", "decimal", required=False), _c("register_date", "date"))),
    Feed("businesses", "市场主体登记", (
        _ID, _c("company_name", "text"), _c("role", "enum", values=("legal_rep", "shareholder", "sole_proprietor")),
        _c("registered_capital", "money", required=False), _c("register_date", "date"))),
    Feed("justice", "司法信息", (
        _ID, _NAME, _c("event", "enum", values=("imprisoned", "released", "declared_missing")),
        _c("event_date", "date"))),
    Feed("school_enrollment", "学籍信息", (
        _ID, _NAME,
        _c("stage", "enum", values=("preschool", "primary", "junior", "senior", "vocational", "undergraduate")),
        _c("school", "text", required=False), _c("enroll_date", "date"))),
)}

_KIND_LABELS = {
    "date": "日期格式错误（应为 YYYY-MM-DD 的有效日期）",
    "money": "金额格式错误（应为不小于0、最多两位小数的元）",
    "decimal": "数值格式错误",
    "enum": "取值不在允许范围内",
    "yn": "应为 Y 或 N",
    "grade": "残疾等级应为 1–4",
}
REASON_LABELS: dict[str, str] = {
    **ID_REASON_LABELS,
    "duplicate": "重复记录（同一事实已采用，只计一次）",
    "duplicate_conflict": "同一编号出现多次且内容不一致（已采用先出现的记录）",
    "death_date_conflict": "同一人的死亡日期与其他来源不一致（以最早的死亡日期为准）",
    "death_date_future": "死亡日期晚于导入日期",
    "death_before_birth": "死亡日期早于身份证号中的出生日期",
    "valid_until_before_issue": "有效期截止日早于发证日期",
    "monthly_amount_missing": "就业或退休记录缺少月收入金额",
    "row_malformed": "该行列数与表头不符，无法读取",
}
for _feed in FEEDS.values():
    for _col in _feed.columns:
        if _col.kind != "id":
            REASON_LABELS.setdefault(f"{_col.name}_empty", f"{_col.name} 为空")
            if _col.kind != "text":
                REASON_LABELS.setdefault(f"{_col.name}_invalid", f"{_col.name}: {_KIND_LABELS[_col.kind]}")


def store_dir(data_dir: Path) -> Path:
    return data_dir / "analytics" / "feeds"


def _manifest_path(data_dir: Path) -> Path:
    return store_dir(data_dir) / "manifest.json"


def manifest(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every current delivery per feed (the manifest's ``feeds`` mapping; empty before the first)."""
    path = _manifest_path(data_dir)
    if not path.exists():
        return {}
    feeds: dict[str, list[dict[str, Any]]] = json.loads(path.read_text(encoding="utf-8")).get("feeds", {})
    return feeds


def delivery_files(data_dir: Path, feed: str) -> list[Path]:
    """The Parquet files of the feed's current deliveries, in delivery order."""
    base = store_dir(data_dir)
    return [base / d["path"] for d in manifest(data_dir).get(feed, [])]


def missing_columns(feed: str, columns: list[str]) -> list[str]:
    return [c for c in FEEDS[feed].required if c not in columns]


@dataclass
class FeedResult:
    feed: str
    sha256: str
    source: str = ""
    rows_read: int = 0
    rows_taken: int = 0
    rows_rejected: int = 0
    ids_repaired: int = 0
    unmatched: int | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)
    already_imported: bool = False
    imported_at: str = ""
    seconds: float = 0.0
    path: str = ""


# --------------------------------------------------------------------------------------------- SQL


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _parse_sql(col: Column, t: str) -> str:
    """The typed value of a text ``t`` (NULL when empty or invalid)."""
    if col.kind == "date":
        return (f"CASE WHEN strlen({t}) = 10 AND substr({t}, 5, 1) = '-' AND substr({t}, 8, 1) = '-' "
                f"AND substr({t}, 1, 1) BETWEEN '0' AND '9' THEN try_cast({t} AS DATE) END")
    if col.kind == "money":
        return (f"CASE WHEN regexp_full_match({t}, '[0-9]{{1,13}}([.][0-9]{{1,2}})?') "
                f"THEN CAST({t} AS DECIMAL(18,2)) END")
    if col.kind == "decimal":
        return f"CASE WHEN regexp_full_match({t}, '[0-9]{{1,13}}([.][0-9]+)?') THEN CAST({t} AS DOUBLE) END"
    if col.kind == "enum":
        return f"CASE WHEN {t} IN ({', '.join(_lit(x) for x in col.values)}) THEN {t} END"
    if col.kind == "yn":
        return f"CASE {t} WHEN 'Y' THEN true WHEN 'N' THEN false END"
    if col.kind == "grade":
        return f"CASE WHEN {t} IN ('1', '2', '3', '4') THEN CAST({t} AS INTEGER) END"
    return f"nullif({t}, '')"


def _slow_sql(col: Column, raw: str) -> str:
    """The typed value of a cell that did not parse as delivered: trimmed of Unicode whitespace (and, for
    ASCII codes and Y/N, case-folded), parsed again."""
    slow = _strip(raw)
    if col.kind == "yn" or (col.kind == "enum" and all(v.isascii() for v in col.values)):
        slow = f"{'upper' if col.kind == 'yn' else 'lower'}({slow})"
    return _parse_sql(col, slow)


def _strip(raw: str) -> str:
    return idsql.strip_sql(raw)


def ids_sql(source: str, *, today: dt.date) -> str:
    """Each distinct delivered ID number once (a person repeats in a feed) with ``__id`` (normalised, NULL
    when invalid), ``__id_reason`` and ``__id_changed``, by :func:`idsql.staged_sql`."""
    distinct = f"(SELECT DISTINCT coalesce(CAST(id_number AS VARCHAR), '') AS raw_id FROM {source})"  # noqa: S608
    return idsql.staged_sql(distinct, {"raw_id": "__id"}, today=today)


def checked_sql(feed: Feed, source: str, ids: str, *, today: dt.date) -> str:
    """One row per source row: ``row_number``, the typed store columns as ``v_<column>``, ``id_repaired``
    and ``reason_code`` (NULL when valid). ``source`` has the delivered columns as text and
    :data:`ROW_COLUMN`; ``ids`` is :func:`ids_sql` over it, materialised."""
    q = idsql.quote_ident
    others = [c for c in feed.columns if c.kind != "id"]
    raw = {c.name: f"coalesce(CAST(s.{q(c.name)} AS VARCHAR), '')" for c in others}
    # first each cell parsed as delivered (nearly all are clean), then only the failures once more, trimmed
    # (a CASE evaluates its THEN on the rows that reach it; coalesce would trim every cell)
    fast = ", ".join(
        (f"nullif({_strip(raw[c.name])}, '')" if c.kind == "text" else _parse_sql(c, raw[c.name]))
        + f" AS {q('p_' + c.name)}" for c in others)
    typed = ", ".join(
        f"{q('p_' + c.name)} AS {q('v_' + c.name)}" if c.kind == "text" else
        f"CASE WHEN {q('p_' + c.name)} IS NULL AND {q('r_' + c.name)} <> '' "
        f"THEN {_slow_sql(c, q('r_' + c.name))} ELSE {q('p_' + c.name)} END AS {q('v_' + c.name)}"
        for c in others)
    whens = ["WHEN __id_reason IS NOT NULL THEN __id_reason"]
    for c in others:
        v = q("v_" + c.name)
        empty = f"{v} IS NULL AND {_strip(q('r_' + c.name))} = ''"
        if c.required:
            whens.append(f"WHEN {empty} THEN {_lit(c.name + '_empty')}")
        if c.kind != "text":
            whens.append(f"WHEN {v} IS NULL AND NOT ({empty}) THEN {_lit(c.name + '_invalid')}")
    for code, bad in feed.checks:
        cond = bad.replace("{today}", f"DATE '{today.isoformat()}'")
        whens.append(f"WHEN coalesce({cond}, false) THEN {_lit(code)}")
    raws = ", ".join(f"{raw[c.name]} AS {q('r_' + c.name)}" for c in others)
    rs = ", ".join(q("r_" + c.name) for c in others)
    return (
        f"SELECT row_number, {', '.join(q('v_' + c.name) for c in others)}, __id AS v_id_number, "  # noqa: S608
        f"__id_changed AS id_repaired, CASE {' '.join(whens)} END AS reason_code FROM ("
        f"SELECT row_number, {rs}, {typed}, __id, __id_reason, __id_changed FROM ("
        f"SELECT s.{q(ROW_COLUMN)} AS row_number, {raws}, {fast}, i.__id, i.__id_reason, i.__id_changed "
        f"FROM {source} s JOIN {ids} i ON i.raw_id = coalesce(CAST(s.id_number AS VARCHAR), '')))"
    )


def _store_select(feed: Feed, alias: str = "") -> str:
    p = f"{alias}." if alias else ""
    return ", ".join([f"{p}{idsql.quote_ident('v_' + c.name)} AS {c.name}" for c in feed.columns]
                     + [f"{p}row_number AS source_row"])


def _v(col: str) -> str:
    return idsql.quote_ident("v_" + col)


def _same_sql(cols: tuple[str, ...], a: str, b: str, *, b_store: bool = False) -> str:
    """``a`` and ``b`` agree on ``cols`` (``a`` a checked row; ``b`` one too, or a store row)."""
    return " AND ".join(f"{a}.{_v(c)} IS NOT DISTINCT FROM {b}.{c if b_store else _v(c)}" for c in cols)


def view_sql(feed: str, files: list[Path]) -> str:
    """A SELECT of the feed's store (its typed columns), empty with the right types before any delivery."""
    spec = FEEDS[feed]
    cols = ", ".join(c for c, _ in spec.schema())
    if not files:
        nulls = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in spec.schema())
        return f"SELECT {nulls} WHERE false"
    paths = ", ".join(_lit(str(p)) for p in files)
    return f"SELECT {cols} FROM read_parquet([{paths}], hive_partitioning = false)"  # noqa: S608


# ------------------------------------------------------------------------------------------ intake


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    """One feed intake at a time per data directory (the manifest is read, extended and rewritten)."""
    base = store_dir(data_dir)
    base.mkdir(parents=True, exist_ok=True)
    with (base / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def intake(
    feed: str,
    batches: Batches,
    *,
    columns: list[str],
    sha256: str,
    data_dir: Path,
    rejects_csv: Path,
    malformed: list[tuple[int | None, str]] | None = None,
    source_name: str = "",
    memory_limit: str = "2GB",
    threads: int | None = None,
    today: dt.date | None = None,
) -> FeedResult:
    """Take in one delivery of ``feed``: check, normalise, de-duplicate, append its facts to the store,
    write its rejects, record it in the manifest. Idempotent per delivery (same sha256 → nothing done).

    ``batches()`` streams the delivered rows as string columns plus :data:`ROW_COLUMN` (as
    :func:`minzheng.intake.readers.read_batches`); ``malformed`` is filled by the reader while streaming
    (rows it could not split), read after the stream is consumed, and rejected too.
    """
    spec = FEEDS[feed]
    if missing := missing_columns(feed, columns):
        raise ValueError(f"{feed}: 缺少必需的列 missing required column: {', '.join(missing)}")
    today = today or dt.date.today()
    malformed = malformed if malformed is not None else []
    with _locked(data_dir):
        for entry in manifest(data_dir).get(feed, []):
            if entry["sha256"] == sha256:
                fields = {k: entry[k] for k in FeedResult.__dataclass_fields__ if k in entry}
                return FeedResult(**fields | {"already_imported": True})
        started = time.monotonic()
        base = store_dir(data_dir)
        for stale in (base / feed).glob(".staging-*"):  # left by an intake that stopped half-way
            shutil.rmtree(stale, ignore_errors=True)
        work = data_dir / "analytics" / "tmp" / f"feed-{feed}-{secrets.token_hex(6)}"
        work.mkdir(parents=True, exist_ok=True)
        con = pop.connect(memory_limit=memory_limit, threads=threads, temp_dir=work / "spill")
        try:
            result = _take(con, spec, batches, columns, sha256, data_dir, rejects_csv, malformed, today, work)
        finally:
            con.close()
            shutil.rmtree(work, ignore_errors=True)
        result.source = source_name or feed
        result.imported_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        result.seconds = round(time.monotonic() - started, 2)
        final = base / feed / f"delivery={sha256[:16]}"
        staging = Path(result.path)
        if final.exists():  # a partition left by a crash before its manifest entry: not a current delivery
            shutil.rmtree(final)
        os.replace(staging, final)
        result.path = str((final / "data.parquet").relative_to(base))
        feeds = manifest(data_dir)
        feeds.setdefault(feed, []).append({"path": result.path} | asdict(result))
        _write_json_atomic(_manifest_path(data_dir), {"version": 1, "feeds": feeds})
        return result


def _take(con: duckdb.DuckDBPyConnection, spec: Feed, batches: Batches, columns: list[str], sha256: str,
          data_dir: Path, rejects_csv: Path, malformed: list[tuple[int | None, str]], today: dt.date,
          work: Path) -> FeedResult:
    """The delivery in scratch files under ``work``: the rows as delivered (``raw.parquet``), each distinct
    ID checked once (``ids``), every row checked (``checked.parquet``), the repeats (``dups``,
    ``known_dups``), then the partition, the counts and the rejects."""
    raw_file, checked_file = _lit(str(work / "raw.parquet")), _lit(str(work / "checked.parquet"))
    steps: dict[str, float] = {}
    clock = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        steps[name] = round(steps.get(name, 0.0) + now - clock[0], 2)
        clock[0] = now

    con.execute("SET enable_progress_bar = false")
    con.register("delivery", batches())
    con.execute(f"COPY (SELECT * FROM delivery) TO {raw_file} ({SCRATCH_PARQUET})")  # noqa: S608
    con.unregister("delivery")
    lap("read")
    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_parquet({raw_file})")  # noqa: S608
    con.execute(f"CREATE TEMP TABLE ids AS {ids_sql('raw', today=today)}")
    lap("ids")
    con.execute(f"COPY ({checked_sql(spec, 'raw', 'ids', today=today)}) TO {checked_file} ({SCRATCH_PARQUET})")
    lap("check")
    con.execute(f"CREATE VIEW checked AS SELECT * FROM read_parquet({checked_file})")  # noqa: S608
    key, same = spec.key_columns, spec.same_columns
    order = ", ".join(x for x in (spec.first, "row_number") if x)
    part = ", ".join(_v(c) for c in key)
    # repeats inside the delivery: every row of a repeated key but the first
    # the keys that repeat (a few), then only their rows go through the window that picks the first; `ok`
    # is not a CTE: DuckDB would materialise every checked row to read it twice
    ok = "(SELECT * FROM checked WHERE reason_code IS NULL)"
    on_key = " AND ".join(f"o.{_v(c)} IS NOT DISTINCT FROM m.{_v(c)}" for c in key)
    con.execute(f"CREATE TEMP TABLE multi AS SELECT {part} FROM {ok} GROUP BY {part} HAVING count(*) > 1")  # noqa: S608
    con.execute(
        "CREATE TEMP TABLE dups AS WITH g AS ("  # noqa: S608
        f"SELECT o.*, first_value(o.row_number) OVER w AS first_row FROM {ok} o SEMI JOIN multi m ON {on_key} "
        f"WINDOW w AS (PARTITION BY {', '.join('o.' + _v(c) for c in key)} ORDER BY {order})), "
        "f AS (SELECT * FROM g WHERE row_number = first_row) "
        f"SELECT g.row_number, g.first_row, CASE WHEN {_same_sql(same, 'g', 'f')} THEN 'duplicate' "
        f"ELSE {_lit(spec.conflict)} END AS reason_code, "
        "'：与第 ' || g.first_row || ' 行为同一事实' AS detail "
        "FROM g JOIN f ON f.row_number = g.first_row WHERE g.row_number <> g.first_row"
    )
    lap("repeats")
    # repeats of facts already taken from an earlier delivery of this feed
    earlier = [(d["sha256"], store_dir(data_dir) / d["path"]) for d in manifest(data_dir).get(spec.name, [])]
    con.execute("CREATE TEMP TABLE known_dups (row_number BIGINT, reason_code VARCHAR, detail VARCHAR)")
    if earlier:
        paths = ", ".join(_lit(str(p)) for _, p in earlier)
        names = ", ".join(f"({_lit(str(p))}, {_lit(sha[:8])})" for sha, p in earlier)
        on = " AND ".join(f"o.{_v(c)} IS NOT DISTINCT FROM k.{c}" for c in key)
        later = "true"
        if spec.name == "deaths":  # an earlier date than every known report is a new fact
            later = "o.v_death_date >= k.death_date"
        con.execute(
            "INSERT INTO known_dups SELECT o.row_number, "  # noqa: S608
            f"CASE WHEN {_same_sql(same, 'o', 'k', b_store=True)} THEN 'duplicate' ELSE {_lit(spec.conflict)} END, "
            "'：与此前批次 ' || n.sha || ' 中的记录为同一事实' "
            f"FROM checked o JOIN read_parquet([{paths}], filename = true, hive_partitioning = false) k ON {on} "
            f"JOIN (VALUES {names}) n(file, sha) ON n.file = k.filename "
            f"WHERE o.reason_code IS NULL AND {later} AND o.row_number NOT IN (SELECT row_number FROM dups) "
            "QUALIFY row_number() OVER (PARTITION BY o.row_number ORDER BY k.source_row, n.sha) = 1"
        )
    con.execute("CREATE TEMP TABLE skip AS SELECT row_number FROM dups UNION ALL SELECT row_number FROM known_dups")
    lap("known")
    staging = work / "partition"
    staging.mkdir()
    target = staging / "data.parquet"
    taken = "FROM checked c ANTI JOIN skip USING (row_number) WHERE c.reason_code IS NULL"
    con.execute(f"COPY (SELECT {_store_select(spec, 'c')} {taken}) TO {_lit(str(target))} "
                "(FORMAT parquet, COMPRESSION snappy)")
    lap("store")
    read, rows_taken, repaired = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE reason_code IS NULL AND NOT skipped), "
        "count(*) FILTER (WHERE reason_code IS NULL AND NOT skipped AND id_repaired) FROM ("
        "SELECT c.reason_code, c.id_repaired, s.row_number IS NOT NULL AS skipped "
        "FROM checked c LEFT JOIN skip s USING (row_number))"
    ).fetchall()[0]
    reasons = dict(con.execute(
        "SELECT reason_code, count(*) FROM (SELECT reason_code FROM checked WHERE reason_code IS NOT NULL "
        "UNION ALL SELECT reason_code FROM dups UNION ALL SELECT reason_code FROM known_dups) "
        "GROUP BY reason_code ORDER BY reason_code"
    ).fetchall())
    _write_rejects(con, columns, rejects_csv, malformed)
    if malformed:
        reasons["row_malformed"] = len(malformed)
    lap("report")
    unmatched = _unmatched(con, target, data_dir)
    lap("unmatched")
    # keep the delivery's partition out of the scratch directory that is about to be removed
    moved = store_dir(data_dir) / spec.name / f".staging-{secrets.token_hex(6)}"
    moved.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staging), moved)
    return FeedResult(
        feed=spec.name, sha256=sha256, rows_read=int(read) + len(malformed), rows_taken=int(rows_taken),
        rows_rejected=sum(reasons.values()), ids_repaired=int(repaired), unmatched=unmatched,
        reasons=reasons, steps=steps, path=str(moved),
    )


def _unmatched(con: duckdb.DuckDBPyConnection, taken: Path, data_dir: Path) -> int | None:
    """Taken rows whose person is not in the current population snapshot (None without a snapshot)."""
    snapshot = pop.snapshot_path(data_dir)
    if not snapshot.exists():
        return None
    row = con.execute(
        f"SELECT count(*) FROM read_parquet({_lit(str(taken))}) t "  # noqa: S608
        f"ANTI JOIN (SELECT id_number FROM read_parquet({_lit(str(snapshot))})) p USING (id_number)"
    ).fetchall()[0]
    return int(row[0])


def _write_rejects(con: duckdb.DuckDBPyConnection, columns: list[str], path: Path,
                   malformed: list[tuple[int | None, str]]) -> None:
    """The rejected rows with their delivered columns, then ``row_number, reason_code, reason``."""
    q = idsql.quote_ident
    con.execute("CREATE TEMP TABLE reason_labels (code VARCHAR, label VARCHAR)")
    con.executemany("INSERT INTO reason_labels VALUES (?, ?)", list(REASON_LABELS.items()))
    originals = ", ".join(f"c.{q(c)}" for c in columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT {originals}, x.row_number, x.reason_code, "  # noqa: S608
        "coalesce(l.label, x.reason_code) || coalesce(x.detail, '') AS reason FROM ("
        "SELECT row_number, reason_code, NULL AS detail FROM checked WHERE reason_code IS NOT NULL "
        "UNION ALL SELECT row_number, reason_code, detail FROM dups "
        "UNION ALL SELECT row_number, reason_code, detail FROM known_dups) x "
        f"JOIN raw c ON c.{q(ROW_COLUMN)} = x.row_number LEFT JOIN reason_labels l ON l.code = x.reason_code "
        f"ORDER BY x.row_number) TO {_lit(str(path))} (FORMAT csv, HEADER true)"
    )
    if malformed:
        with path.open("a", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            for number, text in malformed:
                w.writerow([text] + [""] * (len(columns) - 1)
                           + [number or "", "row_malformed", REASON_LABELS["row_malformed"]])


def intake_file(path: Path, *, data_dir: Path, rejects_csv: Path, feed: str | None = None,
                memory_limit: str = "2GB", today: dt.date | None = None) -> FeedResult:
    """Take in one delivered file (``.csv``, ``.xlsx``, ``.parquet``) named after its feed."""
    from minzheng.intake import readers  # no Django import there

    feed = feed or path.stem
    sheet = readers.Sheet([])
    columns = readers.header(path)
    malformed: list[tuple[int | None, str]] = []

    def batches() -> pa.RecordBatchReader:
        stream = readers.read_batches(path, sheet)

        def gen() -> Iterator[pa.RecordBatch]:
            yield from stream
            malformed.extend((m.row_number, m.text) for m in sheet.malformed)

        return pa.RecordBatchReader.from_batches(stream.schema, gen())

    return intake(feed, batches, columns=columns, sha256=readers.sha256(path), data_dir=data_dir,
                  rejects_csv=rejects_csv, malformed=malformed, source_name=path.name, memory_limit=memory_limit,
                  today=today)


def quality_report(data_dir: Path) -> list[dict[str, Any]]:
    """Per feed: deliveries, rows read, taken, rejected (and by reason), IDs repaired, unmatched to the
    population (as measured when each delivery was taken), rows in the store."""
    out = []
    feeds = manifest(data_dir)
    for name, spec in FEEDS.items():
        entries = feeds.get(name, [])
        reasons: dict[str, int] = {}
        for e in entries:
            for code, n in e.get("reasons", {}).items():
                reasons[code] = reasons.get(code, 0) + int(n)
        unmatched = [e.get("unmatched") for e in entries]
        out.append({
            "feed": name, "label": spec.label, "deliveries": len(entries),
            "rows_read": sum(int(e["rows_read"]) for e in entries),
            "rows_taken": sum(int(e["rows_taken"]) for e in entries),
            "rows_rejected": sum(int(e["rows_rejected"]) for e in entries),
            "ids_repaired": sum(int(e["ids_repaired"]) for e in entries),
            "unmatched": None if any(u is None for u in unmatched) else sum(int(u or 0) for u in unmatched),
            "reasons": dict(sorted(reasons.items())),
            "last_imported_at": max((e["imported_at"] for e in entries), default=""),
        })
    return out


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
