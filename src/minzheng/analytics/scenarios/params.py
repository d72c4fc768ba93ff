"""The dated parameters the scenario SQL joins by date range (no Django import).

Two tables, built from the rules package's YAML (``minzheng.rules.parameters``) with this package's
``parameters/monitoring.yaml`` layered on top (the scenario thresholds of monitoring-scenarios.md):

- ``params(name, since, until, value)``: every dated number, ``until`` the next value's date (exclusive)
  or NULL; a ``value: null`` entry (a parameter ended) is a row with a NULL value;
- ``param_codes(name, since, until, code)``: the code lists (vehicle types, business roles), one row per code.

The SQL picks the row with ``since <= D AND (until IS NULL OR D < until)``: the value in force on D. No
amount is written in the SQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from minzheng.rules.parameters import PARAMETERS_DIR, ParameterSet

MONITORING_DIR = Path(__file__).with_name("parameters")

# Every parameter the scenarios read (a missing one is an error at load time, not a silent NULL).
NUMBERS = (
    "high_age.age_80", "high_age.age_90", "high_age.age_100", "high_age.rate_100", "high_age.rate_90",
    "high_age.rate_80_low_income", "high_age.rate_80_general", "disability.care", "disability.living",
    "disability.severe_max_grade", "orphan.standard", "person.adult_age", "dibao.standard",
    "dibao.edge_multiplier", "monitoring.asset_income.shareholder_capital_min",
    "monitoring.asset_income.residential_properties_min", "monitoring.hardship.self_paid_min",
    "monitoring.hardship.self_paid_days", "monitoring.hardship.recent_days",
)
CODES = ("assets.prohibited_vehicles", "assets.prohibited_business_roles")

PARAMS_SCHEMA = pa.schema([("name", pa.string()), ("since", pa.date32()), ("until", pa.date32()),
                           ("value", pa.decimal128(18, 4))])
CODES_SCHEMA = pa.schema([("name", pa.string()), ("since", pa.date32()), ("until", pa.date32()),
                          ("code", pa.string())])


def parameter_set(*overlays: Path) -> ParameterSet:
    """The rules' parameters with the monitoring thresholds (and any further overlay) on top."""
    return ParameterSet.load(PARAMETERS_DIR, MONITORING_DIR, *overlays)


def _periods(ps: ParameterSet, name: str) -> list[tuple[dt.date, dt.date | None, object]]:
    values = ps.parameter(name).values
    out: list[tuple[dt.date, dt.date | None, object]] = []
    for i, (since, entry) in enumerate(values):
        until = values[i + 1][0] if i + 1 < len(values) else None
        out.append((since, until, None if entry is None else entry.value))
    return out


def tables(ps: ParameterSet | None = None) -> tuple[pa.Table, pa.Table]:
    """``params`` and ``param_codes`` as Arrow tables."""
    ps = ps or parameter_set()
    rows: dict[str, list[object]] = {k: [] for k in PARAMS_SCHEMA.names}
    for name in NUMBERS:
        for since, until, value in _periods(ps, name):
            assert value is None or isinstance(value, Decimal), name
            for k, v in zip(PARAMS_SCHEMA.names, (name, since, until, value), strict=True):
                rows[k].append(v)
    codes: dict[str, list[object]] = {k: [] for k in CODES_SCHEMA.names}
    for name in CODES:
        for since, until, value in _periods(ps, name):
            assert value is None or isinstance(value, tuple), name
            for code in value or ():
                for k, v in zip(CODES_SCHEMA.names, (name, since, until, code), strict=True):
                    codes[k].append(v)
    return pa.table(rows, schema=PARAMS_SCHEMA), pa.table(codes, schema=CODES_SCHEMA)


def in_force(ps: ParameterSet, on: dt.date) -> dict[str, str]:
    """Every parameter the scenarios read, as in force on ``on`` (for a run's record), with its status."""
    out = {}
    for name in NUMBERS + CODES:
        v = ps.get(name, on)
        if v is None:
            out[name] = "not in force"
            continue
        shown = ",".join(v.value) if isinstance(v.value, tuple) else str(v.value)
        out[name] = f"{shown} (from {v.since.isoformat()}, {v.status})"
    return out
