"""The columnar path equals the per-household path, household by household and output by output."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from minzheng.rules.bulk import CATEGORY_CODES, BulkInputError, evaluate_bulk, from_arrow, to_columns
from minzheng.rules.evaluate import evaluate
from minzheng.rules.explain import HOUSEHOLD_OUTPUTS, MEMBER_AMOUNTS, MEMBER_STATUSES
from minzheng.rules.model import Household, Month
from minzheng.rules.tests.generate import PERIODS, random_household
from minzheng.rules.yamltests import load_cases

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"
PER_PERIOD = 250  # 18 periods × 250 = 4500 households


def _assert_same(households: list[Household], month: Month) -> None:
    members, columns = to_columns(households)
    bulk = evaluate_bulk(members, columns, month)
    offset = 0
    for index, household in enumerate(households):
        result = evaluate(household, month)
        where = f"{month} household {index}: {household}"
        assert CATEGORY_CODES[bulk.households["category"][index]] == result.category, where
        for name in HOUSEHOLD_OUTPUTS:
            assert Decimal(int(bulk.households[name][index])) / 100 == result.amounts[name], f"{name} {where}"
        for position, member in enumerate(household.members):
            row = offset + position
            expected = result.members[member.id]
            assert MEMBER_STATUSES[bulk.members["status"][row]] == expected["status"], f"{member.id} {where}"
            for name in MEMBER_AMOUNTS:
                actual = Decimal(int(bulk.members[name][row])) / 100
                assert actual == expected[name], f"{member.id}.{name} {where}"
        offset += len(household.members)


@pytest.mark.parametrize("month", PERIODS, ids=str)
def test_random_households_match(month: Month) -> None:
    rng = random.Random(f"minzheng-rules-{month}")
    households = [random_household(rng, month) for _ in range(PER_PERIOD)]
    _assert_same(households, month)


def test_random_households_reach_every_category() -> None:
    seen: set[str] = set()
    for month in PERIODS:
        rng = random.Random(f"minzheng-rules-{month}")
        households = [random_household(rng, month) for _ in range(PER_PERIOD)]
        members, columns = to_columns(households)
        seen.update(evaluate_bulk(members, columns, month).categories())
    assert seen == set(CATEGORY_CODES)


def test_case_suite_matches_bulk() -> None:
    cases = load_cases([CASES_DIR])
    for month in sorted({case.period for case in cases}):
        _assert_same([case.household for case in cases if case.period == month], month)


def test_outputs_are_integer_fen() -> None:
    case = load_cases([CASES_DIR / "worked_examples.yaml"])[0]
    members, columns = to_columns([case.household])
    result = evaluate_bulk(members, columns, case.period)
    for name in HOUSEHOLD_OUTPUTS:
        assert result.households[name].dtype == np.int64
    assert result.households["dibao_monthly"].tolist() == [137900]


def test_unsorted_members_rejected() -> None:
    rng = random.Random(1)
    month = Month.parse("2023-08")
    households = [random_household(rng, month) for _ in range(5)]
    members, columns = to_columns(households)
    members = {name: values[::-1].copy() for name, values in members.items()}
    if np.all(members["household"][1:] >= members["household"][:-1]):
        pytest.skip("reversal kept the order")
    with pytest.raises(BulkInputError, match="sorted"):
        evaluate_bulk(members, columns, month)


def test_missing_column_rejected() -> None:
    case = load_cases([CASES_DIR / "worked_examples.yaml"])[0]
    members, columns = to_columns([case.household])
    del columns["enrollments"]
    with pytest.raises(BulkInputError, match="enrollments"):
        evaluate_bulk(members, columns, case.period)


def test_arrow_input_gives_the_same_result() -> None:
    pa = pytest.importorskip("pyarrow")
    rng = random.Random(7)
    month = Month.parse("2025-03")
    households = [random_household(rng, month) for _ in range(200)]
    members, columns = to_columns(households)
    via_arrow = from_arrow(pa.table(members), pa.table(columns))
    direct = evaluate_bulk(members, columns, month)
    arrow = evaluate_bulk(*via_arrow, month)
    for name, values in direct.households.items():
        assert np.array_equal(values, arrow.households[name]), name


def test_parallel_blocks_and_household_only_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split over every core in blocks of 7 households (with a member-less household at a block edge),
    and without the member amounts, the result equals the one-thread, one-block evaluation."""
    import minzheng.rules.bulk as bulk

    rng = random.Random(11)
    month = Month.parse("2025-08")
    households = [random_household(rng, month) for _ in range(300)]
    households[49] = Household(members=())  # the first household of block 7 (49..55) has no members
    members, columns = to_columns(households)
    serial = evaluate_bulk(members, columns, month)
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 1)
    blocks = bulk._blocks
    monkeypatch.setattr(bulk, "_blocks", lambda household, n: blocks(household, n, per_block=7))
    parallel = evaluate_bulk(members, columns, month)
    lean = evaluate_bulk(members, columns, month, member_amounts=False)
    assert CATEGORY_CODES[serial.households["category"][49]] == "none"
    assert serial.households["total_monthly"][49] == 0
    for name, values in serial.households.items():
        assert np.array_equal(values, parallel.households[name]), name
        assert np.array_equal(values, lean.households[name]), name
    for name, values in serial.members.items():
        assert np.array_equal(values, parallel.members[name]), name
    assert set(lean.members) == {"status"}
    assert np.array_equal(lean.members["status"], serial.members["status"])


def test_codes_out_of_range_rejected() -> None:
    case = load_cases([CASES_DIR / "worked_examples.yaml"])[0]
    members, columns = to_columns([case.household])
    members["self_care"] = members["self_care"] + 9
    with pytest.raises(BulkInputError, match="self_care out of range 0–3"):
        evaluate_bulk(members, columns, case.period)


def test_concurrent_callers_get_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Web and worker threads may evaluate at once: each gets exactly the one-thread result."""
    import threading

    import minzheng.rules.bulk as bulk

    rng = random.Random(12)
    month = Month.parse("2025-08")
    members, columns = to_columns([random_household(rng, month) for _ in range(400)])
    expected = evaluate_bulk(members, columns, month)
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 1)  # every call goes parallel
    failures: list[str] = []

    def work() -> None:
        for _ in range(10):
            got = evaluate_bulk(members, columns, month)
            failures.extend(k for k, v in expected.households.items() if not np.array_equal(v, got.households[k]))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
