"""The matching engine (pure): optimality against exact enumeration, hard constraints, priority ordering,
the dual certificate, the greedy baseline."""

from __future__ import annotations

import numpy as np
import pytest

from minzheng.services import matching as mt

W = mt.Weights()
COMMUNITIES = ["210102001001", "210102001002", "210102002001", "210103001001"]
COVERAGE_CHOICES = [["210102001001"], ["210102001000"], ["210102000000"], ["210100000000"],
                    ["210102001002", "210103000000"]]


def random_instance(seed: int, n: int, m: int) -> tuple[mt.Needs, mt.Offers]:
    rng = np.random.default_rng(seed)
    comm = rng.integers(0, len(COMMUNITIES), n)
    needs = mt.Needs.build(
        xy=rng.uniform(0, 20, (n, 2)), tag=rng.choice(2, n, p=[0.8, 0.2]),
        area=[int(COMMUNITIES[c]) for c in comm], klass=rng.integers(0, 5, n), level=rng.integers(1, 4, n),
        wait_days=rng.integers(0, 60, n), weekdays=rng.choice([127, 31, 96], n, p=[0.8, 0.15, 0.05]),
        age=rng.choice([-1, 30, 70, 85], n, p=[0.1, 0.3, 0.3, 0.3]), disabled=rng.random(n) < 0.3,
    )
    offers = mt.Offers.build(
        xy=rng.uniform(0, 20, (m, 2)), tag=rng.choice(2, m, p=[0.8, 0.2]), capacity=rng.integers(0, 3, m),
        coverage=[COVERAGE_CHOICES[i] for i in rng.choice(len(COVERAGE_CHOICES), m, p=[0.1, 0.2, 0.3, 0.3, 0.1])],
        rating=rng.uniform(3, 5, m).round(1), weekdays=rng.choice([127, 31, 96], m, p=[0.6, 0.3, 0.1]),
        class_mask=rng.choice([31, 3, 15], m, p=[0.8, 0.1, 0.1]), min_age=rng.choice([0, 60], m, p=[0.8, 0.2]),
        max_age=rng.choice([200, 80], m, p=[0.9, 0.1]), needs_disability=rng.random(m) < 0.1,
    )
    return needs, offers


def brute_candidates(needs: mt.Needs, offers: mt.Offers) -> set[tuple[int, int]]:
    """The hard constraints checked one pair at a time, the slow and obvious way."""
    pairs = set()
    for i in range(len(needs)):
        for j in range(len(offers)):
            if needs.tag[i] != offers.tag[j] or offers.capacity[j] <= 0:
                continue
            code = str(needs.area[i])
            if not any(code.startswith(c[: mt.code_digits(c)]) for c in offers.coverage[j]):
                continue
            if not (int(offers.class_mask[j]) >> int(needs.klass[i])) & 1:
                continue
            age, lo, hi = int(needs.age[i]), int(offers.min_age[j]), int(offers.max_age[j])
            if age < 0 and (lo > 0 or hi < mt.NO_MAX_AGE):
                continue
            if age >= 0 and not lo <= age <= hi:
                continue
            if offers.needs_disability[j] and not needs.disabled[i]:
                continue
            if not int(needs.weekdays[i]) & int(offers.weekdays[j]):
                continue
            pairs.add((i, j))
    return pairs


@pytest.mark.parametrize("seed", range(30))
def test_min_cost_flow_equals_exact_enumeration(seed: int) -> None:
    needs, offers = random_instance(seed, n=9, m=5)
    penalty = W.penalty(needs.klass, needs.level, needs.wait_days)
    cands = mt.candidates(needs, offers)
    flow = mt.solve(cands, penalty, offers.capacity, need_group=needs.tag, offer_group=offers.tag)
    exact = mt.brute_force(cands, penalty, offers.capacity)
    assert flow.status == "OPTIMAL"
    assert flow.objective == exact.objective
    assert mt.certify(flow, cands, penalty, offers.capacity).optimal
    # Hard constraints: only eligible pairs, never over capacity.
    allowed = brute_candidates(needs, offers)
    assert set(zip(cands.need_ids().tolist(), cands.offer.tolist(), strict=True)) == allowed
    for i, j in enumerate(flow.assignment.tolist()):
        assert j < 0 or (i, j) in allowed
    assert (flow.load <= offers.capacity).all()
    assert flow.objective == int(
        sum(W.arc_cost(np.hypot(*(needs.xy[i] - offers.xy[j])), offers.rating[j]) for i, j in
            enumerate(flow.assignment.tolist()) if j >= 0)
        + penalty[flow.assignment < 0].sum()
    )


def test_priority_wins_a_short_place() -> None:
    """One place; 特困 beats 低保 even from farther away; a higher level beats a lower one in a class."""
    needs = mt.Needs.build(xy=[[0, 0], [9, 0], [0, 1], [0, 2]], tag=[0, 0, 0, 0], area=[210102001001] * 4,
                           klass=[1, 0, 4, 4], level=[3, 1, 1, 3])
    offers = mt.Offers.build(xy=[[0, 0], [50, 50]], tag=[0, 0], capacity=[1, 1],
                             coverage=[["210102001001"], ["210102000000"]])
    penalty = W.penalty(needs.klass, needs.level, needs.wait_days)
    result = mt.solve(mt.candidates(needs, offers), penalty, offers.capacity)
    # Two places for four needs: the 特困 (need 1) and the 低保 (need 0) are served, both "others" are not.
    assert sorted(np.flatnonzero(result.assignment >= 0).tolist()) == [0, 1]
    one = mt.Offers.build(xy=[[0, 0]], tag=[0], capacity=[1], coverage=[["210102001001"]])
    result = mt.solve(mt.candidates(needs, one), penalty, one.capacity)
    assert result.assignment.tolist() == [-1, 0, -1, -1]
    others = mt.Needs.build(xy=[[0, 1], [0, 30]], tag=[0, 0], area=[210102001001] * 2, klass=[4, 4], level=[1, 3])
    penalty = W.penalty(others.klass, others.level, others.wait_days)
    result = mt.solve(mt.candidates(others, one), penalty, one.capacity)
    assert result.assignment.tolist() == [-1, 0]


def test_weights_dominance_is_checked() -> None:
    W.check()
    with pytest.raises(ValueError):
        mt.Weights(class_step=1000).check()


def test_exclusions_and_explanation() -> None:
    needs = mt.Needs.build(xy=[[0, 0]], tag=[0], area=[210102001001])
    offers = mt.Offers.build(xy=[[1, 0], [3, 0], [2, 0]], tag=[0, 0, 0], capacity=[1, 1, 0],
                             coverage=[["210102001001"]] * 3)
    penalty = W.penalty(needs.klass, needs.level, needs.wait_days)
    cands = mt.candidates(needs, offers, exclude=np.array([[0, 0]]))
    assert cands.offer.tolist() == [1]  # offer 0 declined it, offer 2 has no place
    assert cands.funnel.tolist() == [[2, 2, 2, 2]]
    result = mt.solve(cands, penalty, offers.capacity)
    data = mt.explain(0, result, cands, penalty, offers.capacity)
    assert data == {"funnel": [2, 2, 2, 2], "candidates": 1, "penalty": int(penalty[0]), "served": True, "offer": 1,
                    "rank": 1, "cost": 300, "distance_km": 3.0, "places_left": 0, "cheaper_full": []}


def test_certificate_rejects_a_suboptimal_solution_and_greedy_is_worse() -> None:
    # The greedy trap: need 0 (higher priority) takes the place need 1 could use, need 1 has no other.
    needs = mt.Needs.build(xy=[[0, 0], [0, 1]], tag=[0, 0], area=[210102001001, 210102001002], klass=[0, 1])
    offers = mt.Offers.build(xy=[[0, 0.5], [0, -5]], tag=[0, 0], capacity=[1, 1],
                             coverage=[["210102001000"], ["210102001001"]])
    penalty = W.penalty(needs.klass, needs.level, needs.wait_days)
    cands = mt.candidates(needs, offers)
    greedy = mt.greedy(cands, penalty, offers.capacity)
    flow = mt.solve(cands, penalty, offers.capacity)
    assert greedy.assignment.tolist() == [0, -1]
    assert flow.assignment.tolist() == [1, 0]
    assert flow.objective < greedy.objective
    assert not mt.certify(greedy, cands, penalty, offers.capacity).optimal
    assert mt.certify(flow, cands, penalty, offers.capacity).optimal
