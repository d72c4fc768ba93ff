"""Quick throughput check of the columnar path (not a test; a proper benchmark comes later).

    python -m minzheng.rules.tests.bench_bulk [HOUSEHOLDS] [PERIOD]

Builds HOUSEHOLDS (default 1,000,000) seeded synthetic households as columns (1–6 members, ages,
incomes in fen around the lines, certificates, assets), then times :func:`evaluate_bulk`.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from minzheng.rules.bulk import (
    CATEGORY_CODES,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    NO_DEATH,
    Columns,
    evaluate_bulk,
)
from minzheng.rules.model import Month
from minzheng.rules.parameters import default_parameters


def synthetic(n_households: int, month: Month, seed: int = 20250801) -> tuple[Columns, Columns]:
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 1, 2, 2, 3, 3, 3, 4, 5, 6], size=n_households)
    household = np.repeat(np.arange(n_households, dtype=np.int64), sizes)
    n = len(household)
    birth = month.index - rng.integers(0, 100 * 12, size=n)
    income = np.where(rng.random(n) < 0.4, 0, rng.integers(0, 300_000, size=n))
    grade = np.where(rng.random(n) < 0.1, rng.integers(1, 5, size=n), 0)
    raw_members = {
        "household": household,
        "birth_month": birth.astype(np.int32),
        "death_month": np.where(rng.random(n) < 0.01, month.index, NO_DEATH).astype(np.int32),
        "monthly_income": income.astype(np.int64),
        "disability_type": np.where(grade > 0, rng.integers(1, 8, size=n), 0).astype(np.int8),
        "disability_grade": grade.astype(np.int8),
        "serious_illness": rng.random(n) < 0.05,
        "self_care": rng.integers(0, 4, size=n).astype(np.int8),
        "no_supporter": rng.random(n) < 0.05,
        "orphan": (rng.random(n) < 0.01) & (month.index - birth < 18 * 12),
        "single_cover": rng.random(n) < 0.05,
    }
    h = n_households
    raw_households = {
        "financial_assets": np.where(rng.random(h) < 0.6, 0, rng.integers(0, 8_000_000, size=h)),
        "vehicles": np.where(rng.random(h) < 0.9, 0, rng.integers(0, 64, size=h)),
        "residential_properties": rng.choice([0, 1, 1, 1, 2], size=h),
        "commercial_properties": (rng.random(h) < 0.02).astype(np.int32),
        "business_roles": np.where(rng.random(h) < 0.95, 0, rng.integers(0, 8, size=h)),
        "rigid_expenses_12m": np.where(rng.random(h) < 0.7, 0, rng.integers(0, 5_000_000, size=h)),
        "income_12m": np.zeros(h, dtype=np.int64),
        "income_12m_given": np.zeros(h, dtype=bool),
        "enrollments": np.where(rng.random(h) < 0.9, 0, rng.integers(0, 1024, size=h)),
    }
    members: Columns = {k: np.asarray(v, dtype=MEMBER_COLUMNS[k]) for k, v in raw_members.items()}
    households: Columns = {k: np.asarray(v, dtype=HOUSEHOLD_COLUMNS[k]) for k, v in raw_households.items()}
    return members, households


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    month = Month.parse(sys.argv[2] if len(sys.argv) > 2 else "2025-08")
    default_parameters()
    members, households = synthetic(n, month)
    evaluate_bulk(*synthetic(1000, month), month)  # warm up
    started = time.perf_counter()
    result = evaluate_bulk(members, households, month)
    elapsed = time.perf_counter() - started
    counts = np.bincount(result.households["category"], minlength=len(CATEGORY_CODES))
    total_yuan = int(result.households["total_monthly"].sum()) // 100
    print(f"{n:,} households, {len(members['household']):,} members, period {month}: {elapsed:.2f} s")
    print(f"{n / elapsed * 60:,.0f} households per minute")
    by_category = dict(zip(CATEGORY_CODES, counts.tolist(), strict=True))
    print("categories:", by_category, f"total {total_yuan:,} yuan")


if __name__ == "__main__":
    main()
