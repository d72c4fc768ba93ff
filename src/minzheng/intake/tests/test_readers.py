"""Reading .csv, .xlsx and .parquet with every column as text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from minzheng.intake import readers


def test_csv_header_is_normalised_and_values_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text("\ufeffCode , Name,level,parent_code\n001001001001,甲,community,001001001000\n\n"
                    "002,乙,street,\n", encoding="utf-8")
    assert readers.header(path) == ["code", "name", "level", "parent_code"]
    assert list(readers.read_rows(path)) == [
        (1, {"code": "001001001001", "name": "甲", "level": "community", "parent_code": "001001001000"}),
        (2, {"code": "002", "name": "乙", "level": "street", "parent_code": ""}),
    ]


def test_csv_rows_with_the_wrong_width_are_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n3\n4,5,6\n7,8\n", encoding="utf-8")
    sheet = readers.Sheet([])
    assert [n for n, _ in readers.read_rows(path, sheet)] == [1, 4]
    assert [(m.row_number, m.text) for m in sheet.malformed] == [(2, "3"), (3, "4,5,6")]
    sheet = readers.Sheet([])
    table = readers.read_batches(path, sheet).read_all()
    assert table.column("a").to_pylist() == ["1", "7"]
    assert [m.text for m in sheet.malformed] == ["3", "4,5,6"]


def test_duplicate_columns_and_bad_encoding_are_file_errors(tmp_path: Path) -> None:
    dup = tmp_path / "dup.csv"
    dup.write_text("a,b,A\n1,2,3\n", encoding="utf-8")
    with pytest.raises(readers.FileFormatError, match="duplicate column 'a'"):
        readers.header(dup)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("姓名,b\n".encode("gbk"))
    with pytest.raises(readers.FileFormatError, match="not UTF-8"):
        readers.header(gbk)


def test_xlsx_cells_become_the_text_a_csv_would_hold(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["code", "amount", "day", "count", "empty"])
    ws.append(["001001001001", 1234.5, dt.datetime(2024, 3, 1), 7, None])
    ws.append([None, None, None, None, None])
    ws.append(["2", 100.0, dt.date(2024, 3, 2), 0, ""])
    wb.save(path)
    assert list(readers.read_rows(path)) == [
        (1, {"code": "001001001001", "amount": "1234.5", "day": "2024-03-01", "count": "7", "empty": ""}),
        (2, {"code": "2", "amount": "100", "day": "2024-03-02", "count": "0", "empty": ""}),
    ]
    table = readers.read_batches(path).read_all()
    assert table.column(readers.ROW_COLUMN).to_pylist() == [1, 2]
    assert table.column("amount").to_pylist() == ["1234.5", "100"]


def test_parquet_typed_columns_become_text(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({
        "code": pa.array(["001", None]),
        "amount": pa.array([Decimal("12.50"), Decimal("3.00")], pa.decimal128(12, 2)),
        "ratio": pa.array([1.0, 0.25]),
        "day": pa.array([dt.date(2024, 1, 2), None]),
        "at": pa.array([dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 3)]),
        "n": pa.array([1, None], pa.int64()),
        "flag": pa.array([True, False]),
    }), path)
    assert list(readers.read_rows(path)) == [
        (1, {"code": "001", "amount": "12.50", "ratio": "1", "day": "2024-01-02", "at": "2024-01-02", "n": "1",
             "flag": "Y"}),
        (2, {"code": "", "amount": "3.00", "ratio": "0.25", "day": "", "at": "2024-01-03", "n": "", "flag": "N"}),
    ]


def test_sha256(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"abc")
    assert readers.sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
