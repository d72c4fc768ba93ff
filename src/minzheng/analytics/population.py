"""Intake of the 公安 population file into the analytic store, vectorised in DuckDB (no Django import).

Store layout (under ``<MINZHENG_DATA_DIR>/analytics/population/``)::

    population.parquet      the current snapshot: one row per person (zstd; not sorted: a sort of
                            9.2M rows costs a third of the intake and joins hash anyway)
    manifest.json           which delivery it is (sha256 of the delivered file), when, and its counts
    deliveries/<sha256>.json the manifest of every delivery taken so far (history; snapshots are not kept)

One file per delivery, not partitions: the population is replaced whole by each delivery, so a single
file swapped in with ``os.replace`` is the simplest atomic unit (readers that opened the old file keep
reading it). Idempotent per delivery: a file whose sha256 equals the current manifest's is "already
imported" and nothing is touched. A crash before the swap leaves the previous snapshot in place.

Snapshot columns: ``id_number`` (normalised 18 characters), ``name``, ``sex`` (``M``/``F``, as
``core.Person``), ``birth_date`` (DATE), ``area_code`` (12 digits), ``household_no``,
``father_id_number`` / ``mother_id_number`` (normalised, NULL when empty or invalid), ``source_row``
(the row in the delivered file).

Rules: IDs normalised as :mod:`minzheng.analytics.idsql` (the twin of ``idnumber.normalise``); an invalid
parent ID becomes NULL and is counted, not rejected; ``sex`` must be 男/女 and agree with the ID;
``birth_date`` must be a ``YYYY-MM-DD`` date equal to the ID's; ``area_code`` 12 digits; ``name`` not
empty. The same person twice: the first row (file order) is kept, a later identical row is rejected as
``duplicate`` and a later different one as ``duplicate_conflict`` — every row read is either taken or in
the rejects file with its reason.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from minzheng.analytics import idsql
from minzheng.core.idnumber import REASON_LABELS as ID_REASON_LABELS

REQUIRED_COLUMNS = (
    "id_number", "name", "sex", "birth_date", "area_code", "household_no", "father_id_number",
    "mother_id_number",
)
ROW_COLUMN = "__row_number"

REASON_LABELS: dict[str, str] = {
    **ID_REASON_LABELS,
    "name_empty": "姓名为空",
    "sex_invalid": "性别应为“男”或“女”",
    "sex_mismatch": "性别与身份证号不符",
    "birth_date_invalid": "出生日期格式错误（应为 YYYY-MM-DD 的有效日期）",
    "birth_date_mismatch": "出生日期与身份证号不符",
    "area_code_invalid": "户籍地区划代码应为12位数字",
    "duplicate": "重复记录（与先出现的行完全相同，已保留先出现的行）",
    "duplicate_conflict": "同一身份证号出现多次且信息不一致（已保留先出现的行）",
    "row_malformed": "该行列数与表头不符，无法读取",
}

Batches = Callable[[], pa.RecordBatchReader]


def store_dir(data_dir: Path) -> Path:
    return data_dir / "analytics" / "population"


def snapshot_path(data_dir: Path) -> Path:
    """Where the current population snapshot lives (it may not exist yet)."""
    return store_dir(data_dir) / "population.parquet"


def current_manifest(data_dir: Path) -> dict[str, Any] | None:
    path = store_dir(data_dir) / "manifest.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass
class PopulationResult:
    sha256: str
    rows_read: int = 0
    rows_taken: int = 0
    rows_rejected: int = 0
    ids_repaired: int = 0
    parent_ids_cleared: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    already_imported: bool = False
    imported_at: str = ""
    seconds: float = 0.0
    snapshot: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step (read_and_check, …)


def connect(scratch: Path | None = None, *, memory_limit: str = "2GB", threads: int | None = None,
            temp_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with bounded memory (spilling to ``temp_dir``)."""
    con = duckdb.connect(str(scratch) if scratch else ":memory:")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {int(threads or os.cpu_count() or 2)}")
    con.execute("SET preserve_insertion_order = false")
    if temp_dir is not None:
        temp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{_sql_str(str(temp_dir))}'")
    return con


def _sql_str(s: str) -> str:
    return s.replace("'", "''")


def _trim(expr: str) -> str:
    return idsql.strip_sql(f"coalesce({expr}, '')")


def raw_name(i: int) -> str:
    """The column of :func:`checked_sql` keeping the i-th delivered column as it was."""
    return f"__raw_{i}"


def checked_sql(source: str, *, today: dt.date, keep: Sequence[str] = ()) -> str:
    """One row per source row: ``row_number``, the normalised values, ``reason_code`` (NULL when the row
    is taken, before de-duplication), and the delivered text of the ``keep`` columns as
    ``raw_name(i)`` (for the rejects file). ``source`` has the string columns of
    :data:`REQUIRED_COLUMNS` and :data:`ROW_COLUMN`; ``birth_text`` is the birth date as delivered
    (valid rows: the ``YYYY-MM-DD`` of the ID number)."""
    q = idsql.quote_ident
    kept = "".join(f", {q(c)} AS {q(raw_name(i))}" for i, c in enumerate(keep))
    trimmed = (
        f"SELECT {q(ROW_COLUMN)} AS row_number, {q('id_number')} AS raw_id, "  # noqa: S608
        f"{q('father_id_number')} AS raw_father, {q('mother_id_number')} AS raw_mother, "
        f"{_trim(q('name'))} AS name, {_trim(q('sex'))} AS sex_text, {_trim(q('birth_date'))} AS birth_text, "
        f"{_trim(q('area_code'))} AS area_code, {_trim(q('household_no'))} AS household_no{kept} FROM {source}"
    )
    ids = idsql.staged_sql(f"({trimmed})", {"raw_id": "id_number", "raw_father": "father",
                                             "raw_mother": "mother"}, today=today)
    id_date = "substr(id_number, 7, 4) || '-' || substr(id_number, 11, 2) || '-' || substr(id_number, 13, 2)"
    reason = (
        "CASE WHEN id_number_reason IS NOT NULL THEN id_number_reason "
        "WHEN name = '' THEN 'name_empty' "
        "WHEN sex_text NOT IN ('男', '女') THEN 'sex_invalid' "
        "WHEN (CASE sex_text WHEN '男' THEN 1 ELSE 0 END) <> (ord(substr(id_number, 17, 1)) - 48) % 2 "
        "THEN 'sex_mismatch' "
        f"WHEN birth_text <> {id_date} THEN CASE "
        "WHEN NOT regexp_full_match(birth_text, '[0-9]{4}-[0-9]{2}-[0-9]{2}') "
        "OR try_cast(birth_text AS DATE) IS NULL THEN 'birth_date_invalid' ELSE 'birth_date_mismatch' END "
        "WHEN strlen(area_code) <> 12 OR NOT regexp_full_match(area_code, '[0-9]{12}') THEN 'area_code_invalid' END"
    )
    kept_out = "".join(f", {q(raw_name(i))}" for i in range(len(keep)))
    return (
        "SELECT row_number, id_number, name, "  # noqa: S608
        "CASE sex_text WHEN '男' THEN 'M' WHEN '女' THEN 'F' END AS sex, "
        "birth_text, area_code, household_no, "
        "father AS father_id_number, mother AS mother_id_number, id_number_changed AS id_repaired, "
        "(father_reason IS NOT NULL AND father_reason <> 'id_empty') "
        "OR (mother_reason IS NOT NULL AND mother_reason <> 'id_empty') AS parent_cleared, "
        f"{reason} AS reason_code{kept_out} FROM ({ids})"
    )


SNAPSHOT_COLUMNS = (
    "id_number, name, sex, CAST(birth_text AS DATE) AS birth_date, area_code, household_no, father_id_number, "
    "mother_id_number, row_number AS source_row"
)
_SAME = ("name", "sex", "birth_text", "area_code", "household_no", "father_id_number", "mother_id_number")


class Delivery:
    """One population delivery in three steps, so the archive import can look people up in it before
    it lands: :meth:`prepare` (read and check every row into a scratch DuckDB database under
    ``analytics/tmp``), :meth:`lookup`, :meth:`finish` (write the snapshot, the rejects and the manifest),
    and :meth:`close` (drop the scratch). A delivery whose sha256 is the current snapshot's is
    :attr:`already_imported`: prepare and finish then touch nothing.

    ``batches()`` streams the delivered rows (string columns named as in the file plus
    :data:`ROW_COLUMN`); ``columns`` are the file's columns, written back in the rejects. ``malformed`` is
    the list the reader fills, while streaming, with the rows it could not split (row number, text): it
    is read after the stream is consumed, and those rows are rejected too.
    """

    def __init__(
        self,
        batches: Batches,
        *,
        columns: list[str],
        sha256: str,
        data_dir: Path,
        malformed: list[tuple[int | None, str]] | None = None,
        source_name: str = "population",
        memory_limit: str = "2GB",
        threads: int | None = None,
        today: dt.date | None = None,
        force: bool = False,
    ) -> None:
        self.batches = batches
        self.columns = columns
        self.sha256 = sha256
        self.data_dir = data_dir
        self.malformed = malformed if malformed is not None else []
        self.source_name = source_name
        self.memory_limit = memory_limit
        self.threads = threads
        self.today = today or dt.date.today()
        self.seconds = 0.0
        self.timings: dict[str, float] = {}
        self.manifest = current_manifest(data_dir)
        self.already_imported = bool(
            not force and self.manifest and self.manifest.get("sha256") == sha256
            and snapshot_path(data_dir).exists()
        )
        self._con: duckdb.DuckDBPyConnection | None = None
        self._work: Path | None = None

    def __enter__(self) -> Delivery:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def prepare(self) -> None:
        if self.already_imported or self._con is not None:
            return
        started = time.monotonic()
        _remove_stale_scratch(self.data_dir / "analytics" / "tmp")
        self._work = self.data_dir / "analytics" / "tmp" / f"population-{secrets.token_hex(6)}"
        self._work.mkdir(parents=True, exist_ok=True)
        con = connect(self._work / "scratch.duckdb", memory_limit=self.memory_limit, threads=self.threads,
                      temp_dir=self._work / "spill")
        self._con = con
        con.register("delivery", self.batches())
        # One pass over the stream: the checks, and the delivered text of every column for the rejects.
        con.execute(f"CREATE TABLE checked AS {checked_sql('delivery', today=self.today, keep=self.columns)}")
        con.unregister("delivery")
        self._lap("read_and_check", started)
        step = time.monotonic()
        same = " AND ".join(f"o.{c} IS NOT DISTINCT FROM k.{c}" for c in _SAME)
        con.execute(
            "CREATE TABLE dups AS "  # noqa: S608
            "WITH ok AS (SELECT * FROM checked WHERE reason_code IS NULL), "
            "firsts AS (SELECT id_number, min(row_number) AS first_row FROM ok GROUP BY id_number "
            "HAVING count(*) > 1) "
            f"SELECT o.row_number, f.first_row, CASE WHEN {same} THEN 'duplicate' ELSE 'duplicate_conflict' END "
            "AS reason_code FROM ok o JOIN firsts f USING (id_number) JOIN ok k ON k.row_number = f.first_row "
            "WHERE o.row_number <> f.first_row"
        )
        self._lap("duplicates", step)
        self.seconds += time.monotonic() - started

    def _lap(self, name: str, since: float) -> None:
        self.timings[name] = round(self.timings.get(name, 0.0) + time.monotonic() - since, 2)

    def lookup(self, ids: Iterable[str]) -> dict[str, PopulationPerson]:
        """The rows that this delivery takes for these (normalised) ID numbers."""
        if self.already_imported:
            return lookup(ids, snapshot=snapshot_path(self.data_dir))
        self.prepare()
        assert self._con is not None
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        self._con.register("wanted", pa.table({"id": pa.array(wanted, pa.string())}))
        rows = self._con.execute(
            "SELECT id_number, name, sex, CAST(birth_text AS DATE), area_code FROM checked c "
            "ANTI JOIN dups d USING (row_number) WHERE c.reason_code IS NULL AND id_number IN (SELECT id FROM wanted)"
        ).fetchall()
        self._con.unregister("wanted")
        return {row[0]: PopulationPerson(*row) for row in rows}

    def finish(self, rejects_csv: Path) -> PopulationResult:
        """Write the snapshot (swapped in atomically), the rejects and the manifest."""
        if self.already_imported:
            m = self.manifest or {}
            return PopulationResult(
                sha256=self.sha256, rows_read=m["rows_read"], rows_taken=m["rows_taken"],
                rows_rejected=m["rows_rejected"], ids_repaired=m["ids_repaired"],
                parent_ids_cleared=m["parent_ids_cleared"], reasons=m["reasons"], already_imported=True,
                imported_at=m["imported_at"], snapshot=str(snapshot_path(self.data_dir)),
            )
        self.prepare()
        assert self._con is not None
        started = time.monotonic()
        store = store_dir(self.data_dir)
        store.mkdir(parents=True, exist_ok=True)
        staging = store / f".population-{secrets.token_hex(6)}.parquet"
        try:
            result = self._write(staging, rejects_csv)
            os.replace(staging, snapshot_path(self.data_dir))
        finally:
            staging.unlink(missing_ok=True)
        result.snapshot = str(snapshot_path(self.data_dir))
        result.imported_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.seconds += time.monotonic() - started
        result.seconds = round(self.seconds, 2)
        result.timings = dict(self.timings)
        body = asdict(result) | {"source": self.source_name}
        (store / "deliveries").mkdir(exist_ok=True)
        _write_json_atomic(store / "deliveries" / f"{self.sha256}.json", body)
        _write_json_atomic(store / "manifest.json", body)
        return result

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None

    def _write(self, staging: Path, rejects_csv: Path) -> PopulationResult:
        con = self._con
        assert con is not None
        step = time.monotonic()
        con.execute(
            f"COPY (SELECT {SNAPSHOT_COLUMNS} FROM checked c ANTI JOIN dups d USING (row_number) "  # noqa: S608
            "WHERE c.reason_code IS NULL) "
            f"TO '{_sql_str(str(staging))}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
        )
        self._lap("snapshot", step)
        step = time.monotonic()
        counts = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE c.reason_code IS NULL AND d.row_number IS NULL), "
            "count(*) FILTER (WHERE c.reason_code IS NULL AND d.row_number IS NULL AND c.id_repaired), "
            "count(*) FILTER (WHERE c.reason_code IS NULL AND d.row_number IS NULL AND c.parent_cleared) "
            "FROM checked c LEFT JOIN dups d USING (row_number)"
        ).fetchone()
        assert counts is not None
        read, taken, repaired, cleared = (int(x) for x in counts)
        reasons = dict(con.execute(
            "SELECT reason_code, count(*) FROM (SELECT reason_code FROM checked WHERE reason_code IS NOT NULL "
            "UNION ALL SELECT reason_code FROM dups) GROUP BY reason_code ORDER BY reason_code"
        ).fetchall())
        malformed = list(self.malformed)
        self._lap("counts", step)
        step = time.monotonic()
        _write_rejects(con, self.columns, rejects_csv, malformed)
        self._lap("rejects", step)
        if malformed:
            reasons["row_malformed"] = len(malformed)
        read += len(malformed)
        return PopulationResult(sha256=self.sha256, rows_read=read, rows_taken=taken,
                                rows_rejected=sum(reasons.values()), ids_repaired=repaired,
                                parent_ids_cleared=cleared, reasons=reasons)


def intake(
    batches: Batches,
    *,
    columns: list[str],
    sha256: str,
    data_dir: Path,
    rejects_csv: Path,
    malformed: list[tuple[int | None, str]] | None = None,
    source_name: str = "population",
    memory_limit: str = "2GB",
    threads: int | None = None,
    today: dt.date | None = None,
    force: bool = False,
) -> PopulationResult:
    """Take in one population delivery in one go (see :class:`Delivery`)."""
    with Delivery(batches, columns=columns, sha256=sha256, data_dir=data_dir, malformed=malformed,
                  source_name=source_name, memory_limit=memory_limit, threads=threads, today=today,
                  force=force) as delivery:
        return delivery.finish(rejects_csv)


STALE_SCRATCH_SECONDS = 24 * 3600


def _remove_stale_scratch(tmp: Path) -> None:
    """Scratch directories left by a killed intake (a normal run removes its own)."""
    if not tmp.is_dir():
        return
    now = time.time()
    for d in tmp.glob("population-*"):
        try:
            if now - d.stat().st_mtime > STALE_SCRATCH_SECONDS:
                shutil.rmtree(d, ignore_errors=True)
        except FileNotFoundError:
            continue


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _write_rejects(con: duckdb.DuckDBPyConnection, columns: list[str], path: Path,
                   malformed: list[tuple[int | None, str]]) -> None:
    """The rejected rows with their original columns, then ``row_number, reason_code, reason``."""
    q = idsql.quote_ident
    con.execute("CREATE TEMP TABLE reason_labels (code VARCHAR, label VARCHAR)")
    con.executemany("INSERT INTO reason_labels VALUES (?, ?)", list(REASON_LABELS.items()))
    originals = ", ".join(f"c.{q(raw_name(i))} AS {q(col)}" for i, col in enumerate(columns))
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT {originals}, x.row_number, x.reason_code, "  # noqa: S608
        "l.label || coalesce(x.detail, '') AS reason FROM ("
        "SELECT row_number, reason_code, NULL AS detail FROM checked WHERE reason_code IS NOT NULL "
        "UNION ALL SELECT row_number, reason_code, '：与第 ' || first_row || ' 行为同一人' FROM dups) x "
        "JOIN checked c USING (row_number) LEFT JOIN reason_labels l ON l.code = x.reason_code "
        f"ORDER BY x.row_number) TO '{_sql_str(str(path))}' (FORMAT csv, HEADER true)"
    )
    if malformed:
        import csv

        with path.open("a", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            for number, text in malformed:
                w.writerow([text] + [""] * (len(columns) - 1) + [number or "", "row_malformed",
                                                                  REASON_LABELS["row_malformed"]])


@dataclass(frozen=True)
class PopulationPerson:
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    area_code: str


def lookup(
    ids: Iterable[str],
    *,
    batches: Batches | None = None,
    snapshot: Path | None = None,
    today: dt.date | None = None,
    memory_limit: str = "2GB",
) -> dict[str, PopulationPerson]:
    """The population rows of these (normalised) ID numbers: from a delivered file not yet taken in
    (``batches``, checked by the same rules, first valid row per person) or else from the snapshot."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    con = connect(memory_limit=memory_limit)
    try:
        con.register("wanted", pa.table({"id": pa.array(wanted, pa.string())}))
        if batches is not None:
            con.register("delivery", batches())
            checked = checked_sql("delivery", today=today or dt.date.today())
            sql = (
                f"SELECT id_number, name, sex, CAST(birth_text AS DATE), area_code FROM ({checked}) "  # noqa: S608
                "WHERE reason_code IS NULL AND id_number IN (SELECT id FROM wanted) "
                "QUALIFY row_number() OVER (PARTITION BY id_number ORDER BY row_number) = 1"
            )
        elif snapshot is not None and snapshot.exists():
            sql = (
                "SELECT id_number, name, sex, birth_date, area_code "  # noqa: S608
                f"FROM read_parquet('{_sql_str(str(snapshot))}') WHERE id_number IN (SELECT id FROM wanted)"
            )
        else:
            return {}
        return {row[0]: PopulationPerson(*row) for row in con.execute(sql).fetchall()}
    finally:
        con.close()
