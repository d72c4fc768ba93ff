"""The seven scenarios (analytics.scenarios) on a synthetic city: exactly the planted truth (precision and
recall 1.0 per scenario, amounts to the yuan, households), the evidence each alert must carry, dated
parameters instead of written amounts, identical re-runs, the export, and DuckDB == Spark."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from minzheng.analytics.scenarios import engine
from minzheng.analytics.tests.conftest import AS_OF, Store
from minzheng.synth.tests import reference

Key = tuple[str, str]


def _truth(city: Path) -> dict[Key, dict[str, str]]:
    with (city / "truth.csv").open(encoding="utf-8", newline="") as fh:
        return {(r["scenario"], r["id_number"]): r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def duck(mon_store: Store) -> tuple[pa.Table, engine.RunStats]:
    return engine.run(AS_OF, "duckdb", mon_store.data_dir)


def _by_key(alerts: pa.Table) -> dict[Key, dict[str, object]]:
    return {(r["scenario"], r["id_number"]): r for r in alerts.to_pylist()}


@pytest.mark.parametrize("scenario", engine.SCENARIOS)
def test_precision_and_recall_are_one(scenario: str, duck: tuple[pa.Table, engine.RunStats], mon_store: Store) -> None:
    truth = {k: v for k, v in _truth(mon_store.city).items() if k[0] == scenario}
    got = {k: v for k, v in _by_key(duck[0]).items() if k[0] == scenario}
    assert truth, "every scenario has planted cases"
    missing, extra = sorted(set(truth) - set(got)), sorted(set(got) - set(truth))
    assert not missing and not extra, (missing, extra)
    for key, want in truth.items():
        alert = got[key]
        assert (alert["household_id"] or "") == want["household_id"], key
        expected = Decimal(want["monthly_amount"]) if want["monthly_amount"] else None
        assert alert["monthly_amount"] == expected, key
        assert alert["name"] and alert["area_code"] and alert["evidence_date"], key
        assert alert["as_of"] == AS_OF
    assert duck[1].alerts[scenario] == len(truth)


def test_the_reference_implementation_agrees(duck: tuple[pa.Table, engine.RunStats], mon_store: Store) -> None:
    got = {(r["scenario"], r["id_number"], r["household_id"] or "", engine.format_money(r["monthly_amount"]))
           for r in duck[0].to_pylist()}
    assert got == reference.run(mon_store.city, AS_OF)


def test_evidence_says_why(duck: tuple[pa.Table, engine.RunStats], mon_store: Store) -> None:
    alerts = _by_key(duck[0])
    stop = re.compile(r"(\d{4}-\d{2})起应停发，截至\d{4}-\d{2}已多发(\d+)个月")
    for (scenario, idn), want in _truth(mon_store.city).items():
        evidence = json.loads(str(alerts[(scenario, idn)]["evidence"]))
        assert evidence["rows"] and evidence["triggers"]
        dates = [r["date"] for r in evidence["rows"] if "date" in r]
        assert str(alerts[(scenario, idn)]["evidence_date"]) == max(dates)
        if scenario == "MON_DECEASED":
            m = stop.search(want["note"])
            assert m, want["note"]
            assert (evidence["stop_from"], evidence["overpaid_months"]) == (m[1], int(m[2]))
            assert any(r["kind"] == "death" for r in evidence["rows"])
        if scenario == "MON_HARDSHIP_RISK":
            assert Decimal(evidence["self_paid_12m_total"]) >= 0
        if scenario == "FIND_UNSUPPORTED_CHILD":
            kind = "orphan" if "（orphan）" in want["note"] else "unsupported_child"
            assert alerts[(scenario, idn)]["suggested_action"] == kind
    hr = alerts[next(k for k, v in _truth(mon_store.city).items() if "[hr_dup]" in v["note"])]
    assert json.loads(str(hr["evidence"]))["self_paid_12m_total"] == "20500.00"  # the repeated claim once


def test_amounts_come_from_dated_parameters(mon_store: Store, tmp_path: Path) -> None:
    (tmp_path / "orphan.yaml").write_text(
        "standard:\n  description: {zh: 孤儿, en: orphan}\n  unit: CNY/person/month\n  values:\n"
        "    2025-07-01: {value: 3000, status: assumed, reference: test overlay}\n", encoding="utf-8")
    alerts, _ = engine.run(AS_OF, "duckdb", mon_store.data_dir, scenarios=("FIND_UNSUPPORTED_CHILD",),
                           parameter_overlays=(tmp_path,))
    assert alerts.num_rows and {r["monthly_amount"] for r in alerts.to_pylist()} == {Decimal("3000.00")}
    # before 2025-01-01 the 30-yuan rate for 80-89 did not exist: nobody is owed it
    before, _ = engine.run(dt.date(2024, 12, 31), "duckdb", mon_store.data_dir, scenarios=("FIND_HIGH_AGE",))
    assert before.num_rows and Decimal("30.00") not in {r["monthly_amount"] for r in before.to_pylist()}


def test_a_rerun_gives_identical_alerts_and_export(duck: tuple[pa.Table, engine.RunStats], mon_store: Store,
                                                    tmp_path: Path) -> None:
    again, stats = engine.run(AS_OF, "duckdb", mon_store.data_dir)
    assert again.equals(duck[0])
    assert stats.alerts == duck[1].alerts
    engine.export_csv(duck[0], tmp_path / "a.csv")
    engine.export_csv(again, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_export_has_the_columns_of_data_exchange(duck: tuple[pa.Table, engine.RunStats], tmp_path: Path) -> None:
    n = engine.export_csv(duck[0], tmp_path / "alerts.csv")
    with (tmp_path / "alerts.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert n == len(rows) == duck[0].num_rows
    assert list(rows[0])[:8] == ["scenario", "id_number", "household_id", "area_code", "as_of", "evidence",
                                 "suggested_action", "monthly_amount"]
    asset = next(r for r in rows if r["scenario"] == "MON_ASSET_INCOME")
    assert asset["monthly_amount"] == "" and json.loads(asset["evidence"])["rows"]
    doubled = pa.concat_tables([duck[0], duck[0].slice(0, 1)])
    with pytest.raises(ValueError, match="duplicate alert"):
        engine.export_csv(doubled, tmp_path / "bad.csv")


def test_rows_read_per_input(duck: tuple[pa.Table, engine.RunStats], mon_store: Store) -> None:
    rows = duck[1].rows_read
    assert rows["population"] == mon_store.population.rows_taken
    assert {k: rows[k] for k in mon_store.feeds} == {k: v.rows_taken for k, v in mon_store.feeds.items()}
    assert rows["registry_members"] > 0 and set(duck[1].seconds) == set(engine.SCENARIOS)


def test_the_spark_sql_is_a_transpilation_of_the_one_definition() -> None:
    sql = engine.render(engine.scenario_sql("MON_HARDSHIP_RISK"), AS_OF)
    spark = engine.spark_sql(sql)
    assert "DATEDIFF" in spark.upper() and "DATE '2025-07-31'" in sql


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_give_identical_alerts(duck: tuple[pa.Table, engine.RunStats], mon_store: Store,
                                                spark_session: object) -> None:
    alerts, stats = engine.run(AS_OF, "spark", mon_store.data_dir, spark=spark_session)
    assert stats.alerts == duck[1].alerts
    assert alerts.to_pylist() == duck[0].to_pylist()
