"""Streaming CSV output with the dirt of real feeds.

Each :class:`Sink` is one output file: batches are cast to strings, get dirty-but-valid ID spellings,
exact duplicate rows and a few rows with truly invalid ID numbers (logged for ``dirt.csv``), are put in
order (shuffled, or sorted by a key column) and streamed with Arrow's CSV writer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from minzheng.cli.progress import Progress
from minzheng.synth import ids

Column: TypeAlias = pa.Array | np.ndarray | Sequence[object]
Cols: TypeAlias = dict[str, Column]


def to_text(values: Column) -> pa.Array:
    """Any column (Arrow array, numpy array, list of str/date/int/None) as an Arrow string array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        arr = values
    elif isinstance(values, np.ndarray):
        arr = pa.array(values)
    else:
        arr = pa.array([_py_text(v) for v in values], pa.string())
    if arr.type != pa.string():
        arr = pc.cast(arr, pa.string())
    return arr


def _py_text(v: object) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def money(cents: np.ndarray) -> pa.Array:
    """Integer cents → '1234.50'."""
    c = np.asarray(cents, dtype=np.int64)
    return pc.binary_join_element_wise(
        pc.cast(pa.array(c // 100), pa.string()),
        pc.utf8_lpad(pc.cast(pa.array(c % 100), pa.string()), 2, "0"),
        ".",
    )


def dates(days: np.ndarray, missing: int | None = None) -> pa.Array:
    """Days since 1970-01-01 → 'YYYY-MM-DD' (``missing`` → empty)."""
    d = np.asarray(days, dtype=np.int64)
    arr = pa.array(d.astype("datetime64[D]"))
    if missing is not None:
        arr = pc.if_else(pa.array(d == missing), pa.scalar(None, arr.type), arr)
    return pc.cast(arr, pa.string())


@dataclass
class DirtLog:
    rows: list[tuple[str, int, str, str]] = field(default_factory=list)


@dataclass
class Sink:
    out: Path
    name: str
    columns: tuple[str, ...]
    log: DirtLog
    quiet: bool = False
    total: int | None = None
    rows: int = 0
    _writer: pacsv.CSVWriter | None = None
    _progress: Progress | None = None
    _fh: BinaryIO | None = None

    def __post_init__(self) -> None:
        self.schema = pa.schema([(c, pa.string()) for c in self.columns])
        # Arrow always quotes the header; write a plain one and let Arrow stream the rows.
        self._fh = (self.out / f"{self.name}.csv").open("wb")
        self._fh.write((",".join(self.columns) + "\n").encode("utf-8"))
        self._writer = pacsv.CSVWriter(
            self._fh, self.schema, write_options=pacsv.WriteOptions(include_header=False, quoting_style="none")
        )
        self._progress = Progress(self.name, total=self.total, quiet=self.quiet)

    def write(
        self,
        cols: Cols,
        rng: np.random.Generator,
        *,
        id_cols: tuple[str, ...] = ("id_number",),
        dirt: float | np.ndarray = 0.01,
        dup: float = 0.0,
        junk: float = 0.0,
        at_least_one_junk: bool = False,
        fresh: dict[str, Callable[[int], list[str]]] | None = None,
        order: str | None = "shuffle",
    ) -> None:
        """Write one batch. ``dirt`` may be a per-row rate; ``fresh`` makes, per column, replacement
        values for junk rows (e.g. new claim_ids so a rejected row never shares a key)."""
        table = {c: to_text(cols[c]) for c in self.columns}
        n = len(table[self.columns[0]])
        if n == 0:
            return
        clean_ids = table.get("id_number")
        for c in id_cols:
            table[c] = ids.dirty(table[c], rng, dirt)
        parts = [pa.table(table, schema=self.schema)]
        # exact duplicate rows
        if dup > 0:
            d = np.flatnonzero(rng.random(n) < dup)
            if len(d):
                parts.append(parts[0].take(pa.array(d)))
        # junk rows: a copy of a row whose ID number is made invalid
        junk_kinds: list[str] = []
        if junk > 0 and clean_ids is not None:
            k = int(rng.binomial(n, junk)) + (1 if at_least_one_junk else 0)
            src = np.sort(rng.choice(n, min(k, n), replace=False)) if k else np.zeros(0, np.int64)
            good = [i for i in src.tolist() if len(clean_ids[i].as_py() or "") == 18]
            if good:
                jt = parts[0].take(pa.array(good)).to_pydict()
                bad_ids = []
                for i in good:
                    kind = "check_digit" if rng.random() < 0.6 else "birth_date"
                    bad_ids.append(ids.invalid_variant(clean_ids[i].as_py(), kind, rng))
                    junk_kinds.append(kind)
                jt["id_number"] = bad_ids
                for c, make in (fresh or {}).items():
                    jt[c] = make(len(good))
                parts.append(pa.table(jt, schema=self.schema))
        tab = pa.concat_tables(parts).combine_chunks()
        total = tab.num_rows
        n_junk = len(junk_kinds)
        if order == "shuffle":
            perm = rng.permutation(total)
        elif order:
            perm = pc.sort_indices(tab, sort_keys=[(order, "ascending")]).to_numpy()
        else:
            perm = np.arange(total)
        tab = tab.take(pa.array(perm))
        if n_junk:
            pos = np.empty(total, dtype=np.int64)
            pos[perm] = np.arange(total)
            jpos = pos[total - n_junk :]
            raw = tab.column("id_number")
            for p, kind in sorted(zip(jpos.tolist(), junk_kinds, strict=True)):
                self.log.rows.append((f"{self.name}.csv", self.rows + p + 1, raw[p].as_py(), kind))
        assert self._writer is not None
        self._writer.write_table(tab)
        self.rows += total
        if self._progress is not None:
            self._progress.advance(total)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._progress is not None:
            self._progress.total = max(self._progress.done, 1) if self._progress.total else None
            self._progress.finish()
            self._progress = None
