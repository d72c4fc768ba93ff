"""Feed intake (analytics.feeds): every dirt.csv ID rejected, every row taken or rejected with its reason,
IDs repaired, facts counted once within and across deliveries, idempotence per delivery, the three file
formats, the checks of each column kind, and the quality report."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from minzheng.analytics import feeds
from minzheng.analytics.tests.conftest import Store, take_population

TODAY = dt.date(2026, 1, 15)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _store(data_dir: Path, feed: str) -> list[dict[str, object]]:
    files = feeds.delivery_files(data_dir, feed)
    con = duckdb.connect()
    try:
        return [dict(zip([c for c, _ in feeds.FEEDS[feed].schema()], r, strict=True))
                for r in con.execute(feeds.view_sql(feed, files) + " ORDER BY ALL").fetchall()]
    finally:
        con.close()


def test_every_invalid_id_of_dirt_csv_is_rejected_with_its_reason(mon_store: Store) -> None:
    dirt = [r for r in _rows(mon_store.city / "dirt.csv") if r["file"] != "population.csv"]
    assert dirt, "the synthetic city always has invalid IDs"
    for row in dirt:
        by_row = {r["row_number"]: r for r in _rows(mon_store.rejects / f"{row['file']}.rejects.csv")}
        got = by_row[row["row_number"]]
        assert got["id_number"] == row["id_raw"]
        assert got["reason_code"] == {"check_digit": "id_check_digit", "birth_date": "id_birth_date"}[row["kind"]]
    # and nothing else is rejected for its ID: the rest are valid, however dirty
    for name in feeds.FEEDS:
        rejects = _rows(mon_store.rejects / f"{name}.csv.rejects.csv")
        id_rejects = [r for r in rejects if r["reason_code"].startswith("id_")]
        assert len(id_rejects) == sum(1 for r in dirt if r["file"] == f"{name}.csv"), name


def test_every_row_is_taken_or_rejected_and_counted(mon_store: Store) -> None:
    for name, result in mon_store.feeds.items():
        with (mon_store.city / f"{name}.csv").open(encoding="utf-8") as fh:
            delivered = sum(1 for _ in fh) - 1
        rejects = _rows(mon_store.rejects / f"{name}.csv.rejects.csv")
        assert result.rows_read == delivered, name
        assert result.rows_taken + result.rows_rejected == delivered, name
        assert len(rejects) == result.rows_rejected == sum(result.reasons.values()), name
        assert all(r["reason"] for r in rejects)
        assert len(_store(mon_store.data_dir, name)) == result.rows_taken, name
    assert mon_store.feeds["medical_claims"].reasons.get("duplicate", 0) > 0
    assert sum(r.ids_repaired for r in mon_store.feeds.values()) > 0  # 15-digit, x, spaces, full-width


def test_each_fact_is_kept_once(mon_store: Store) -> None:
    deaths = _store(mon_store.data_dir, "deaths")
    assert len({d["id_number"] for d in deaths}) == len(deaths)
    claims = _store(mon_store.data_dir, "medical_claims")
    assert len({c["claim_id"] for c in claims}) == len(claims)
    for name in ("vehicles", "real_estate", "businesses", "employment", "disability_certs"):
        rows = [tuple(v for k, v in r.items() if k != "source_row") for r in _store(mon_store.data_dir, name)]
        assert len(set(rows)) == len(rows), name
    assert all(len(str(r["id_number"])) == 18 for r in deaths + claims)


def test_the_same_delivery_twice_changes_nothing(mon_store: Store) -> None:
    before = (feeds.store_dir(mon_store.data_dir) / "manifest.json").read_text(encoding="utf-8")
    again = feeds.intake_file(mon_store.city / "deaths.csv", data_dir=mon_store.data_dir,
                              rejects_csv=mon_store.data_dir / "again" / "deaths.csv.rejects.csv")
    assert again.already_imported
    assert (again.rows_read, again.rows_taken) == (mon_store.feeds["deaths"].rows_read,
                                                  mon_store.feeds["deaths"].rows_taken)
    assert (feeds.store_dir(mon_store.data_dir) / "manifest.json").read_text(encoding="utf-8") == before
    assert not (mon_store.data_dir / "again").exists()


def test_unmatched_to_the_population_is_reported(mon_store: Store) -> None:
    deaths = mon_store.feeds["deaths"]
    assert deaths.unmatched is not None and 0 <= deaths.unmatched < deaths.rows_taken
    report = {q["feed"]: q for q in feeds.quality_report(mon_store.data_dir)}
    assert report["deaths"]["unmatched"] == deaths.unmatched
    assert report["medical_claims"]["rows_rejected"] == mon_store.feeds["medical_claims"].rows_rejected
    assert report["medical_claims"]["reasons"] == mon_store.feeds["medical_claims"].reasons
    assert report["school_enrollment"]["deliveries"] == 1


P1 = "210102198001011232"  # valid IDs (check characters computed by idnumber)
P2 = "21010219750315006X"
P3 = "210102197503150027"


def test_ids_are_normalised_and_repaired(tmp_path: Path) -> None:
    from minzheng.core.idnumber import normalise

    p1, p2 = normalise(P1), normalise(P2)
    old15 = p1[:6] + p1[8:17]  # the 15-digit form of P1
    full = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in p2)
    path = _write_csv(tmp_path / "justice.csv", ["id_number", "name", "event", "event_date"], [
        [old15, "甲", "imprisoned", "2024-01-02"],
        [f"  {p2.lower()} ", "乙", "released", "2024-02-03"],
        [full, "乙", "RELEASED", "2024-02-03"],  # the same fact as the row above, once normalised
    ])
    r = feeds.intake_file(path, data_dir=tmp_path / "d", rejects_csv=tmp_path / "r.csv", today=TODAY)
    assert (r.rows_taken, r.rows_rejected, r.ids_repaired, r.reasons) == (2, 1, 2, {"duplicate": 1})
    assert [(x["id_number"], x["event"]) for x in _store(tmp_path / "d", "justice")] == [
        (p2, "released"), (p1, "imprisoned")]


def test_each_column_kind_is_checked(tmp_path: Path) -> None:
    rows = [
        ["C1", P1, "a", "2025-01-02", "Y", "100.00", "60.00", "40.00"],  # taken
        ["C2", P1, "a", "2025-1-2", "N", "1", "0", "1"],  # settle_date_invalid
        ["C3", P1, "a", "2025-02-30", "N", "1", "0", "1"],  # settle_date_invalid (no such day)
        ["C4", P1, "a", "2025-01-02", "X", "1", "0", "1"],  # inpatient_invalid
        ["C5", P1, "a", "2025-01-02", "n", "1.005", "0", "1"],  # total_cost_invalid (3 decimals)
        ["C6", P1, "a", "2025-01-02", "N", "1", "-1", "2"],  # fund_paid_invalid (negative)
        ["", P1, "a", "2025-01-02", "N", "1", "0", "1"],  # claim_id_empty
        ["C8", "", "a", "2025-01-02", "N", "1", "0", "1"],  # id_empty
        ["C9", P1, "", "2025-01-02", "N", "1", "0", ""],  # self_paid_empty (name may be empty)
        ["C1", P1, "a", "2025-01-02", "Y", "100.00", "60.00", "40.00"],  # duplicate of C1
        ["C1", P1, "a", "2025-01-03", "Y", "100.00", "60.00", "40.00"],  # duplicate_conflict of C1
    ]
    header = ["claim_id", "id_number", "name", "settle_date", "inpatient", "total_cost", "fund_paid", "self_paid"]
    path = _write_csv(tmp_path / "medical_claims.csv", header, rows)
    r = feeds.intake_file(path, data_dir=tmp_path / "d", rejects_csv=tmp_path / "r.csv", today=TODAY)
    assert r.rows_taken == 1
    assert r.reasons == {"claim_id_empty": 1, "duplicate": 1, "duplicate_conflict": 1, "fund_paid_invalid": 1,
                         "id_empty": 1, "inpatient_invalid": 1, "self_paid_empty": 1, "settle_date_invalid": 2,
                         "total_cost_invalid": 1}
    rejects = _rows(tmp_path / "r.csv")
    assert [x["row_number"] for x in rejects] == [str(i) for i in range(2, 12)]
    assert rejects[-1]["reason"].endswith("与第 1 行为同一事实")
    stored = _store(tmp_path / "d", "medical_claims")[0]
    assert stored["inpatient"] is True and str(stored["self_paid"]) == "40.00"
    assert stored["settle_date"] == dt.date(2025, 1, 2)


def test_cross_field_checks(tmp_path: Path) -> None:
    certs = _write_csv(tmp_path / "disability_certs.csv", list(feeds.FEEDS["disability_certs"].required), [
        [P1, "a", "N1", "肢体", "2", "2020-01-01", ""],
        [P1, "a", "N2", "肢体", "5", "2020-01-01", ""],  # grade_invalid
        [P1, "a", "N3", "手", "2", "2020-01-01", ""],  # disability_type_invalid
        [P1, "a", "N4", "肢体", "2", "2020-01-01", "2019-12-31"],  # valid_until_before_issue
    ])
    r = feeds.intake_file(certs, data_dir=tmp_path / "d", rejects_csv=tmp_path / "r1.csv", today=TODAY)
    assert r.reasons == {"disability_type_invalid": 1, "grade_invalid": 1, "valid_until_before_issue": 1}
    jobs = _write_csv(tmp_path / "employment.csv", list(feeds.FEEDS["employment"].required), [
        [P1, "a", "employed", "2024-01-01", "3000"],
        [P1, "a", "employed", "2024-02-01", ""],  # monthly_amount_missing
        [P1, "a", "unemployed", "2024-03-01", ""],
        [P1, "a", "fired", "2024-03-01", ""],  # event_invalid
    ])
    r = feeds.intake_file(jobs, data_dir=tmp_path / "d", rejects_csv=tmp_path / "r2.csv", today=TODAY)
    assert r.reasons == {"event_invalid": 1, "monthly_amount_missing": 1}
    deaths = _write_csv(tmp_path / "deaths.csv", list(feeds.FEEDS["deaths"].required), [
        [P1, "a", "2026-02-01", "公安"],  # death_date_future (after TODAY)
        [P1, "a", "1979-12-31", "公安"],  # death_before_birth
    ])
    r = feeds.intake_file(deaths, data_dir=tmp_path / "d", rejects_csv=tmp_path / "r3.csv", today=TODAY)
    assert r.reasons == {"death_before_birth": 1, "death_date_future": 1}


def test_a_missing_column_rejects_the_file(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "vehicles.csv", ["id_number", "plate", "register_date", "price"], [])
    with pytest.raises(ValueError, match="vehicle_type"):
        feeds.intake_file(path, data_dir=tmp_path / "d", rejects_csv=tmp_path / "r.csv")
    assert feeds.manifest(tmp_path / "d") == {}


def test_deliveries_accumulate_and_facts_count_once_across_them(tmp_path: Path) -> None:
    header = list(feeds.FEEDS["deaths"].required)
    d = tmp_path / "d"
    first = _write_csv(tmp_path / "m1" / "deaths.csv", header, [
        [P1, "a", "2025-03-10", "公安"],
        [P1, "a", "2025-03-12", "殡仪馆"],  # sources disagree: the earliest date is the fact
        [P2, "b", "2025-04-01", "公安"],
    ])
    r1 = feeds.intake_file(first, data_dir=d, rejects_csv=tmp_path / "r1.csv", today=TODAY)
    assert (r1.rows_taken, r1.reasons) == (2, {"death_date_conflict": 1})
    second = _write_csv(tmp_path / "m2" / "deaths.csv", header, [
        [P2, "b", "2025-04-01", "卫健"],  # known: the same death from another source, a month later
        [P1, "a", "2025-03-09", "卫健"],  # an earlier date than known: taken (the engine reads the minimum)
        [P3, "c", "2025-05-01", "公安"],  # new
    ])
    r2 = feeds.intake_file(second, data_dir=d, rejects_csv=tmp_path / "r2.csv", today=TODAY)
    assert (r2.rows_taken, r2.reasons) == (2, {"duplicate": 1})
    assert "此前批次" in _rows(tmp_path / "r2.csv")[0]["reason"]
    assert len(feeds.delivery_files(d, "deaths")) == 2
    stored = [(x["id_number"], x["death_date"]) for x in _store(d, "deaths")]
    assert stored == [(P3, dt.date(2025, 5, 1)), (P2, dt.date(2025, 4, 1)), (P1, dt.date(2025, 3, 9)),
                      (P1, dt.date(2025, 3, 10))]
    manifest = json.loads((feeds.store_dir(d) / "manifest.json").read_text(encoding="utf-8"))
    assert [e["rows_taken"] for e in manifest["feeds"]["deaths"]] == [2, 2]


def test_xlsx_and_parquet_deliveries_give_the_same_facts(tmp_path: Path) -> None:
    header = list(feeds.FEEDS["real_estate"].required)
    rows = [[P1, "辽(2020)第1号", "residential", "88.5", "2020-05-06"],
            [P2, "辽(2021)第2号", "Commercial", "", "2021-07-08"]]
    csv_path = _write_csv(tmp_path / "c" / "real_estate.csv", header, rows)
    xlsx = tmp_path / "x" / "real_estate.xlsx"
    xlsx.parent.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for row in rows:
        ws.append([dt.date.fromisoformat(v) if k == "register_date" else v for k, v in zip(header, row, strict=True)])
    wb.save(xlsx)
    parquet = tmp_path / "p" / "real_estate.parquet"
    parquet.parent.mkdir()
    pq.write_table(pa.table({k: [r[i] for r in rows] for i, k in enumerate(header)}), parquet)
    stored = []
    for path in (csv_path, xlsx, parquet):
        data_dir = tmp_path / f"store-{path.suffix}"
        r = feeds.intake_file(path, data_dir=data_dir, rejects_csv=tmp_path / "r.csv", today=TODAY)
        assert (r.rows_taken, r.rows_rejected) == (2, 0), path
        stored.append([{k: v for k, v in x.items() if k != "source_row"} for x in _store(data_dir, "real_estate")])
    assert stored[0] == stored[1] == stored[2]
    assert {x["id_number"]: x["usage"] for x in stored[0]} == {P1: "residential", P2: "commercial"}


def test_unmatched_counts_against_the_population_snapshot(mon_city: Path, tmp_path: Path) -> None:
    take_population(mon_city, tmp_path, tmp_path / "rej")
    path = _write_csv(tmp_path / "justice.csv", ["id_number", "name", "event", "event_date"], [
        [P1, "a", "imprisoned", "2024-01-01"]])  # not a person of the synthetic city
    r = feeds.intake_file(path, data_dir=tmp_path, rejects_csv=tmp_path / "r.csv", today=TODAY)
    assert r.unmatched == 1
