"""Reading a delivered file (``.csv``, ``.xlsx`` first sheet, ``.parquet``) with every column as text.

No Django import. Two shapes:

- :func:`read_rows`: ``(row_number, {column: value})`` pairs, for the registry files (≈100k rows);
- :func:`read_batches`: a pyarrow ``RecordBatchReader`` of string columns plus ``ROW_COLUMN``, streamed
  in bounded memory, for the population and the other large feeds (DuckDB scans it once).

Conventions shared by both: column names are stripped (and a UTF-8 BOM dropped) and lower-cased; every
value is a string, an empty cell is ``""`` (never ``None``); ``row_number`` is the position of a data row
after the header, counting from 1, with blank lines (and, in Excel, rows without any value) skipped and not
counted (for a CSV without line breaks inside values it is the file's line number minus one).
Numbers from Excel or Parquet are written without a trailing ``.0`` and dates as ``YYYY-MM-DD``, so a
code typed as text keeps its leading zeros while one stored as a number has already lost them (and is
then rejected by validation).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

EXTENSIONS = (".csv", ".xlsx", ".parquet")
ROW_COLUMN = "__row_number"
BATCH_ROWS = 65_536


class FileFormatError(ValueError):
    """The file cannot be read as a table (not UTF-8, no header, duplicate columns, corrupt)."""


@dataclass
class MalformedRow:
    row_number: int | None
    text: str


@dataclass
class Sheet:
    """What a reader found besides the data: the header and any rows it could not split into columns."""

    columns: list[str]
    malformed: list[MalformedRow] = field(default_factory=list)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _column_name(raw: Any) -> str:
    return str(raw if raw is not None else "").replace("\ufeff", "").strip().lower()


def _check_header(names: list[str], path: Path) -> list[str]:
    if not names or all(not n for n in names):
        raise FileFormatError(f"{path.name}: 没有表头 no header row")
    seen: set[str] = set()
    for n in names:
        if n and n in seen:
            raise FileFormatError(f"{path.name}: 列名重复 duplicate column {n!r}")
        seen.add(n)
    return names


def cell_text(value: Any) -> str:
    """One Excel cell (or any Python value) as the text the file would hold in a CSV."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def header(path: Path) -> list[str]:
    """The file's column names (normalised), without reading its rows."""
    ext = path.suffix.lower()
    if ext == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                first = next(csv.reader(fh), [])
        except UnicodeDecodeError:
            raise FileFormatError(f"{path.name}: 不是 UTF-8 编码 not UTF-8") from None
        return _check_header([_column_name(c) for c in first], path)
    if ext == ".parquet":
        try:
            names = pq.ParquetFile(path).schema_arrow.names
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileFormatError(f"{path.name}: 无法读取 Parquet: {exc}") from None
        return _check_header([_column_name(c) for c in names], path)
    if ext == ".xlsx":
        for row in _xlsx_rows(path):
            return _check_header([_column_name(c) for c in row], path)
        raise FileFormatError(f"{path.name}: 工作表为空 empty sheet")
    raise FileFormatError(f"{path.name}: 不支持的文件类型 unsupported file type")


def _xlsx_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise FileFormatError(f"{path.name}: 无法读取 Excel: {exc}") from None
    try:
        yield from wb.worksheets[0].iter_rows(values_only=True)
    finally:
        wb.close()


def read_rows(path: Path, sheet: Sheet | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """Every data row as ``(row_number, {column: text})``; unsplittable rows go to ``sheet.malformed``."""
    ext = path.suffix.lower()
    columns = header(path)
    if sheet is not None:
        sheet.columns = columns
    width = len(columns)
    if ext == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            n = 0
            try:
                for values in reader:
                    if not values:
                        continue
                    n += 1
                    if len(values) != width:
                        if sheet is not None:
                            sheet.malformed.append(MalformedRow(n, ",".join(values)))
                        continue
                    yield n, dict(zip(columns, values, strict=True))
            except (UnicodeDecodeError, csv.Error) as exc:
                raise FileFormatError(f"{path.name}: 第 {n + 1} 行无法读取 row {n + 1}: {exc}") from None
        return
    if ext == ".xlsx":
        it = _xlsx_rows(path)
        next(it, None)
        n = 0
        for row in it:
            texts = [cell_text(v) for v in row]
            if all(not t for t in texts):
                continue
            n += 1
            texts = (texts + [""] * width)[:width]  # Excel trims empty trailing cells
            yield n, dict(zip(columns, texts, strict=True))
        return
    if ext == ".parquet":
        n = 0
        for batch in _parquet_batches(path, columns):
            for rec in batch.to_pylist():
                n += 1
                yield n, {c: rec[c] for c in columns}
        return
    raise FileFormatError(f"{path.name}: 不支持的文件类型 unsupported file type")


def _as_text(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    t = array.type
    if pa.types.is_timestamp(t):
        midnight = pc.all(pc.equal(pc.cast(pc.subtract(array, pc.floor_temporal(array, unit="day")),
                                           pa.int64()), 0)).as_py()
        array = pc.cast(array, pa.date32()) if midnight in (True, None) else array
    elif pa.types.is_floating(t):
        return pa.array([cell_text(v) for v in array.to_pylist()], pa.string())
    elif pa.types.is_boolean(t):
        array = pc.if_else(array, "Y", "N")
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())
    return pc.fill_null(array, "")


def _parquet_batches(path: Path, columns: list[str]) -> Iterator[pa.RecordBatch]:
    pf = pq.ParquetFile(path)
    schema = pa.schema([pa.field(c, pa.string()) for c in columns])
    for batch in pf.iter_batches(batch_size=BATCH_ROWS):
        arrays = [_as_text(batch.column(i)) for i in range(batch.num_columns)]
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def read_batches(path: Path, sheet: Sheet | None = None) -> pa.RecordBatchReader:
    """The file as a stream of record batches: every column a non-null string, plus ``ROW_COLUMN``."""
    columns = header(path)
    if sheet is not None:
        sheet.columns = columns
    ext = path.suffix.lower()
    schema = pa.schema([pa.field(c, pa.string()) for c in columns] + [pa.field(ROW_COLUMN, pa.int64())])

    def numbered(source: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        start = 1
        for batch in source:
            if batch.num_rows == 0:
                continue
            rows = pa.array(range(start, start + batch.num_rows), pa.int64())
            start += batch.num_rows
            yield pa.RecordBatch.from_arrays([*batch.columns, rows], schema=schema)

    if ext == ".csv":
        return pa.RecordBatchReader.from_batches(schema, numbered(_csv_batches(path, columns, sheet)))
    if ext == ".parquet":
        return pa.RecordBatchReader.from_batches(schema, numbered(_parquet_batches(path, columns)))
    if ext == ".xlsx":
        return pa.RecordBatchReader.from_batches(schema, numbered(_xlsx_batches(path, columns)))
    raise FileFormatError(f"{path.name}: 不支持的文件类型 unsupported file type")


def _csv_batches(path: Path, columns: list[str], sheet: Sheet | None) -> Iterator[pa.RecordBatch]:
    def invalid(row: Any) -> str:
        if sheet is not None:
            number = row.number - 1 if row.number is not None else None
            sheet.malformed.append(MalformedRow(number, row.text))
        return "skip"

    handler: Callable[[Any], str] = invalid
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1, block_size=16 << 20),
        parse_options=pacsv.ParseOptions(invalid_row_handler=handler),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in columns},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    try:
        yield from reader
    except pa.ArrowInvalid as exc:
        raise FileFormatError(f"{path.name}: CSV 无法解析 cannot parse: {exc}") from None


def _xlsx_batches(path: Path, columns: list[str]) -> Iterator[pa.RecordBatch]:
    schema = pa.schema([pa.field(c, pa.string()) for c in columns])
    width = len(columns)
    buf: list[list[str]] = []
    it = _xlsx_rows(path)
    next(it, None)
    for row in it:
        texts = [cell_text(v) for v in row]
        if all(not t for t in texts):
            continue
        buf.append((texts + [""] * width)[:width])
        if len(buf) >= BATCH_ROWS:
            yield pa.RecordBatch.from_arrays([pa.array(col, pa.string()) for col in zip(*buf, strict=True)],
                                             schema=schema)
            buf = []
    if buf:
        yield pa.RecordBatch.from_arrays([pa.array(col, pa.string()) for col in zip(*buf, strict=True)],
                                         schema=schema)
