"""Capacitated matching of open needs to service offerings (pure: numpy and OR-Tools, no Django).

The model is a min-cost flow. Every need is a node with supply 1. It has an arc to each offering that passes
the hard constraints (same service item, coverage area, eligibility, schedule), cost = distance and rating,
and an arc straight to the sink that means "left unserved", cost = the need's *penalty* (its priority).
Offerings reach the sink with capacity = the places still free. Minimising the total cost serves the needs
whose penalty outweighs what serving them costs: a higher priority class always wins a contested place
against a lower one, a higher need level against a lower one of the same class, then waiting time,
distance and rating decide (the dominance of each step is checked by :meth:`Weights.check`).

- :func:`candidates` builds every eligible arc (vectorised: needs sorted by item and area code, so an
  offering's coverage is a few contiguous ranges), cheapest first per need; ``k`` keeps only the ``k``
  cheapest (a sparse graph: faster, but no longer optimal when places are short — see the benchmark).
- :func:`solve` runs OR-Tools ``SimpleMinCostFlow``, split by service item (arcs never cross items) into
  independent flows; :func:`greedy` is the nearest-available baseline; :func:`brute_force` enumerates small
  instances exactly (the tests compare it with :func:`solve`).
- :func:`certify` proves a solution optimal over a set of arcs independently of the solver: it builds a dual
  solution that satisfies complementary slackness (a transportation problem: the LP bound is tight).
- :func:`explain` turns the result into the data behind "why this provider".
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

# Priority classes, highest first (index = class): 特困 > 低保 > 低保边缘 > 刚性支出困难 > others.
PRIORITY_CLASSES = ("tekun", "dibao", "dibao_edge", "rigid_hardship", "other")
ALL_CLASSES_MASK = (1 << len(PRIORITY_CLASSES)) - 1
ALL_WEEKDAYS = 0b1111111  # bit 0 = Monday … bit 6 = Sunday
NO_MAX_AGE = 200


@dataclass(frozen=True)
class Weights:
    """Integer cost units. Defaults: 1 km = 100, one rating point = 300 (= 3 km), one day waiting = 50."""

    class_step: int = 100_000
    level: int = 25_000
    wait_per_day: int = 50
    wait_cap_days: int = 180
    per_km: int = 100
    per_rating_point: int = 300
    max_km: float = 100.0

    @property
    def max_arc_cost(self) -> int:
        return round(self.per_km * self.max_km) + 5 * self.per_rating_point

    def check(self) -> None:
        """The dominance the priority rules promise (raises ``ValueError`` if weights break it)."""
        within_class = 3 * self.level + self.wait_per_day * self.wait_cap_days + self.max_arc_cost
        if self.class_step <= within_class:
            raise ValueError("class_step must exceed every within-class difference (level, waiting, arc cost)")
        if self.level <= self.wait_per_day * self.wait_cap_days + self.max_arc_cost:
            raise ValueError("level must exceed the waiting and arc-cost differences")

    def penalty(self, klass: np.ndarray, level: np.ndarray, wait_days: np.ndarray) -> np.ndarray:
        """Cost of leaving each need unserved: higher class, level and waiting time cost more."""
        klass = np.asarray(klass, dtype=np.int64)
        wait = np.clip(np.asarray(wait_days, dtype=np.int64), 0, self.wait_cap_days)
        return (
            (len(PRIORITY_CLASSES) - klass) * self.class_step
            + np.asarray(level, dtype=np.int64) * self.level
            + wait * self.wait_per_day
        )

    def arc_cost(self, dist_km: np.ndarray, rating: np.ndarray) -> np.ndarray:
        d = np.minimum(np.asarray(dist_km, dtype=np.float64), self.max_km)
        r = np.clip(np.asarray(rating, dtype=np.float64), 0.0, 5.0)
        return np.rint(d * self.per_km + (5.0 - r) * self.per_rating_point).astype(np.int64)


def _arr(values: object, n: int, default: float | int, dtype: type) -> np.ndarray:
    if values is None:
        return np.full(n, default, dtype=dtype)
    out: np.ndarray = np.asarray(values, dtype=dtype)
    if out.shape[0] != n:
        raise ValueError("array length does not match")
    return out


@dataclass
class Needs:
    """Open needs as arrays (index = need). ``area`` is the 12-digit community code as an integer."""

    xy: np.ndarray
    tag: np.ndarray
    area: np.ndarray
    klass: np.ndarray
    level: np.ndarray
    wait_days: np.ndarray
    weekdays: np.ndarray
    age: np.ndarray
    disabled: np.ndarray

    @classmethod
    def build(cls, *, xy: object, tag: object, area: object, klass: object = None, level: object = None,
              wait_days: object = None, weekdays: object = None, age: object = None,
              disabled: object = None) -> Needs:
        xy_a = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        n = xy_a.shape[0]
        return cls(
            xy=xy_a, tag=_arr(tag, n, 0, np.int32), area=_arr(area, n, 0, np.int64),
            klass=_arr(klass, n, len(PRIORITY_CLASSES) - 1, np.int8), level=_arr(level, n, 1, np.int8),
            wait_days=_arr(wait_days, n, 0, np.int32), weekdays=_arr(weekdays, n, ALL_WEEKDAYS, np.uint8),
            age=_arr(age, n, -1, np.int16), disabled=_arr(disabled, n, False, np.bool_),
        )

    def __len__(self) -> int:
        return int(self.xy.shape[0])


@dataclass
class Offers:
    """Offerings (provider × service item) as arrays. ``coverage[j]`` lists area codes of any level."""

    xy: np.ndarray
    tag: np.ndarray
    capacity: np.ndarray
    rating: np.ndarray
    weekdays: np.ndarray
    class_mask: np.ndarray
    min_age: np.ndarray
    max_age: np.ndarray
    needs_disability: np.ndarray
    coverage: list[list[str]]

    @classmethod
    def build(cls, *, xy: object, tag: object, capacity: object, coverage: Sequence[Sequence[str]],
              rating: object = None, weekdays: object = None, class_mask: object = None,
              min_age: object = None, max_age: object = None, needs_disability: object = None) -> Offers:
        xy_a = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        m = xy_a.shape[0]
        if len(coverage) != m:
            raise ValueError("coverage length does not match")
        return cls(
            xy=xy_a, tag=_arr(tag, m, 0, np.int32), capacity=_arr(capacity, m, 0, np.int64),
            rating=_arr(rating, m, 5.0, np.float64), weekdays=_arr(weekdays, m, ALL_WEEKDAYS, np.uint8),
            class_mask=_arr(class_mask, m, ALL_CLASSES_MASK, np.uint8), min_age=_arr(min_age, m, 0, np.int16),
            max_age=_arr(max_age, m, NO_MAX_AGE, np.int16),
            needs_disability=_arr(needs_disability, m, False, np.bool_),
            coverage=[list(c) for c in coverage],
        )

    def __len__(self) -> int:
        return int(self.xy.shape[0])


def code_digits(code: str) -> int:
    """How many leading digits of a 12-digit code identify its node (4 city, 6, 9, 12)."""
    code = code.ljust(12, "0")
    if code[9:] != "000":
        return 12
    if code[6:9] != "000":
        return 9
    if code[4:6] != "00":
        return 6
    return 4


@dataclass
class Candidates:
    """Eligible (need, offering) arcs in CSR form by need, cheapest first within each need.

    ``funnel[i]`` counts the offerings that pass, cumulatively: same item, coverage, eligibility, schedule.
    """

    indptr: np.ndarray
    offer: np.ndarray
    cost: np.ndarray
    dist: np.ndarray
    funnel: np.ndarray

    @property
    def n_arcs(self) -> int:
        return int(self.offer.shape[0])

    def need_ids(self) -> np.ndarray:
        counts = np.diff(self.indptr)
        return np.repeat(np.arange(counts.shape[0], dtype=np.int32), counts)

    def limit(self, k: int) -> Candidates:
        """Only the ``k`` cheapest arcs of every need."""
        counts = np.diff(self.indptr)
        keep_counts = np.minimum(counts, k)
        rank = np.arange(self.n_arcs) - np.repeat(self.indptr[:-1], counts)
        keep = rank < np.repeat(keep_counts, counts)
        indptr = np.concatenate([[0], np.cumsum(keep_counts)]).astype(np.int64)
        return Candidates(indptr, self.offer[keep], self.cost[keep], self.dist[keep], self.funnel)

    def by_distance(self) -> Candidates:
        """The same arcs, nearest first within each need (for the greedy baseline)."""
        metres = np.rint(self.dist.astype(np.float64) * 1000).astype(np.int64)
        order = np.argsort((self.need_ids().astype(np.int64) << 32) + metres, kind="stable")
        return Candidates(self.indptr, self.offer[order], self.cost[order], self.dist[order], self.funnel)


def _coverage_rows(offers: Offers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(offering, low, high) key ranges, one per coverage code: a need of item ``t`` in area ``a`` has key
    ``t·10¹² + a`` and lies in the range of a code that contains its area. Codes nested in another code of
    the same offering are dropped, so one offering's ranges never overlap."""
    rows_j: list[int] = []
    rows_lo: list[int] = []
    rows_hi: list[int] = []
    for j, codes in enumerate(offers.coverage):
        prefixes = sorted({code.ljust(12, "0")[: code_digits(code)] for code in codes}, key=len)
        kept: list[str] = []
        for p in prefixes:
            if not any(p.startswith(q) for q in kept):
                kept.append(p)
        base = int(offers.tag[j]) * 10**12
        for p in kept:
            scale = 10 ** (12 - len(p))
            rows_j.append(j)
            rows_lo.append(base + int(p) * scale)
            rows_hi.append(base + (int(p) + 1) * scale)
    return np.asarray(rows_j, dtype=np.int64), np.asarray(rows_lo, dtype=np.int64), np.asarray(rows_hi, dtype=np.int64)


def candidates(needs: Needs, offers: Offers, *, weights: Weights | None = None, k: int | None = None,
               exclude: np.ndarray | None = None) -> Candidates:
    """Every arc that passes the hard constraints (or the ``k`` cheapest per need), with its cost.

    Needs are sorted by (item, area code), so the needs an offering's coverage area contains are a few
    contiguous ranges; only those pairs are then checked for eligibility and schedule. ``exclude`` is an
    (e, 2) array of (need, offering) pairs that must not be proposed again (the provider declined that
    need). Offerings without free places are left out.
    """
    w = weights or Weights()
    n, m = len(needs), len(offers)
    usable = offers.capacity > 0
    key = needs.tag.astype(np.int64) * 10**12 + needs.area
    by_key = np.argsort(key, kind="stable")
    sorted_key = key[by_key]
    cov_j, cov_lo, cov_hi = _coverage_rows(offers)
    live = usable[cov_j] if cov_j.shape[0] else np.zeros(0, dtype=np.bool_)
    cov_j, cov_lo, cov_hi = cov_j[live], cov_lo[live], cov_hi[live]
    lo = np.searchsorted(sorted_key, cov_lo, side="left")
    hi = np.searchsorted(sorted_key, cov_hi, side="left")
    lens = hi - lo
    total = int(lens.sum())
    pos = np.repeat(lo - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens) + np.arange(total)
    need = by_key[pos].astype(np.int64)
    offer = np.repeat(cov_j, lens)

    funnel = np.zeros((n, 4), dtype=np.int32)
    per_tag = np.bincount(offers.tag[usable], minlength=int(needs.tag.max(initial=0)) + 1)
    funnel[:, 0] = per_tag[needs.tag] if per_tag.shape[0] else 0
    funnel[:, 1] = np.bincount(need, minlength=n)
    age = needs.age[need]
    o_min, o_max = offers.min_age[offer], offers.max_age[offer]
    ok = (
        ((offers.class_mask[offer] >> needs.klass[need].astype(np.uint8)) & 1).astype(np.bool_)
        & (((age >= o_min) & (age <= o_max)) | ((age < 0) & (o_min <= 0) & (o_max >= NO_MAX_AGE)))
        & (~offers.needs_disability[offer] | needs.disabled[need])
    )
    funnel[:, 2] = np.bincount(need[ok], minlength=n)
    ok &= (needs.weekdays[need] & offers.weekdays[offer]) != 0
    funnel[:, 3] = np.bincount(need[ok], minlength=n)
    if exclude is not None and len(exclude):
        excl = np.asarray(exclude, dtype=np.int64).reshape(-1, 2)
        ok &= ~np.isin(need * m + offer, excl[:, 0] * m + excl[:, 1])
    need, offer = need[ok], offer[ok]
    dist = np.hypot(needs.xy[:, 0][need] - offers.xy[:, 0][offer], needs.xy[:, 1][need] - offers.xy[:, 1][offer])
    cost = w.arc_cost(dist, offers.rating[offer])
    order = np.argsort((need << 32) + cost, kind="stable")  # by need, then cost (cost < 2³¹)
    need, offer, cost, dist = need[order], offer[order], cost[order], dist[order]
    counts = np.bincount(need, minlength=n)
    if k is not None:
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        first = (np.arange(need.shape[0]) - starts[need]) < k
        need, offer, cost, dist = need[first], offer[first], cost[first], dist[first]
        counts = np.minimum(counts, k)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Candidates(indptr, offer.astype(np.int32), cost.astype(np.int64), dist.astype(np.float32), funnel)


@dataclass
class Result:
    assignment: np.ndarray  # offering index per need, -1 = unserved
    arc_cost: np.ndarray  # cost of the chosen arc (0 when unserved)
    dist: np.ndarray  # km to the chosen offering (nan when unserved)
    load: np.ndarray  # places used per offering
    objective: int
    status: str
    seconds: float
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def served(self) -> int:
        return int((self.assignment >= 0).sum())

    @property
    def unserved(self) -> int:
        return int((self.assignment < 0).sum())


def _finish(assignment: np.ndarray, cands: Candidates, penalty: np.ndarray, n_offers: int,
            status: str, seconds: float) -> Result:
    n = assignment.shape[0]
    arc_cost = np.zeros(n, dtype=np.int64)
    dist = np.full(n, np.nan, dtype=np.float64)
    need_ids = cands.need_ids()
    chosen = assignment[need_ids] == cands.offer
    arc_cost[need_ids[chosen]] = cands.cost[chosen]
    dist[need_ids[chosen]] = cands.dist[chosen]
    served = assignment >= 0
    load = np.bincount(assignment[served], minlength=n_offers).astype(np.int64)
    objective = int(arc_cost[served].sum() + penalty[~served].sum())
    return Result(assignment, arc_cost, dist, load, objective, status, seconds)


def _solve_one(need_ids: np.ndarray, offer: np.ndarray, cost: np.ndarray, penalty: np.ndarray,
               capacity: np.ndarray) -> tuple[np.ndarray, str, int]:
    """One min-cost flow: needs 0..n-1 (supply 1 each), offerings n..n+m-1, the sink n+m."""
    from ortools.graph.python import min_cost_flow

    n, m, e = penalty.shape[0], capacity.shape[0], need_ids.shape[0]
    sink = n + m
    tails = np.concatenate([need_ids, np.arange(n), n + np.arange(m)]).astype(np.int32)
    heads = np.concatenate([n + offer, np.full(n, sink), np.full(m, sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(e + n, dtype=np.int64), np.maximum(capacity, 0)])
    costs = np.concatenate([cost, penalty, np.zeros(m, dtype=np.int64)]).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.concatenate([np.ones(n), np.zeros(m), [-n]]).astype(np.int64)
    flow.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies)
    status = flow.solve()
    assignment = np.full(n, -1, dtype=np.int32)
    if status != flow.OPTIMAL:
        return assignment, status.name, 0
    if e:
        used = np.asarray(flow.flows(np.arange(e, dtype=np.int32))) > 0
        assignment[need_ids[used]] = offer[used]
    return assignment, "OPTIMAL", int(flow.optimal_cost())


def solve(cands: Candidates, penalty: np.ndarray, capacity: np.ndarray, *,
          need_group: np.ndarray | None = None, offer_group: np.ndarray | None = None,
          workers: int = 1) -> Result:
    """Min-cost flow over the candidate arcs (OR-Tools ``SimpleMinCostFlow``).

    With ``need_group``/``offer_group`` (e.g. the service item: arcs never cross items) the problem splits
    into independent flows, solved ``workers`` at a time (OR-Tools releases the GIL). The result is optimal
    iff every part is (``status`` is then ``OPTIMAL``).
    """
    started = time.perf_counter()
    penalty = np.asarray(penalty, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    n, m = penalty.shape[0], capacity.shape[0]
    need_ids = cands.need_ids()
    if need_group is None or offer_group is None:
        parts = [(np.arange(n), np.arange(m), np.ones(cands.n_arcs, dtype=np.bool_))]
    else:
        need_group = np.asarray(need_group)
        offer_group = np.asarray(offer_group)
        arc_group = need_group[need_ids]
        parts = [(np.flatnonzero(need_group == g), np.flatnonzero(offer_group == g), arc_group == g)
                 for g in np.unique(need_group)]

    def run(part: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray, str, int]:
        ni, oj, arcs = part
        nmap = np.full(n, -1, dtype=np.int64)
        nmap[ni] = np.arange(ni.shape[0])
        omap = np.full(m, -1, dtype=np.int64)
        omap[oj] = np.arange(oj.shape[0])
        local, status, cost = _solve_one(nmap[need_ids[arcs]], omap[cands.offer[arcs]], cands.cost[arcs],
                                         penalty[ni], capacity[oj])
        chosen = np.full(ni.shape[0], -1, dtype=np.int64)
        chosen[local >= 0] = oj[local[local >= 0]]
        return ni, chosen, status, cost

    if workers > 1 and len(parts) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            # Largest parts first, so that the pool stays busy.
            outs = list(pool.map(run, sorted(parts, key=lambda p: -int(p[2].sum()))))
    else:
        outs = [run(p) for p in parts]
    assignment = np.full(n, -1, dtype=np.int32)
    statuses = set()
    optimal_cost = 0
    for ni, chosen, status, cost in outs:
        assignment[ni] = chosen
        statuses.add(status)
        optimal_cost += cost
    status = "OPTIMAL" if statuses <= {"OPTIMAL"} else "/".join(sorted(statuses - {"OPTIMAL"}))
    result = _finish(assignment, cands, penalty, m, status, time.perf_counter() - started)
    if status == "OPTIMAL" and result.objective != optimal_cost:
        raise AssertionError("objective does not match the solver's optimal cost")
    result.extra["parts"] = len(parts)
    return result


def greedy(cands: Candidates, penalty: np.ndarray, capacity: np.ndarray) -> Result:
    """Nearest available: needs by priority (highest penalty first), each takes the nearest offering
    that still has a place."""
    started = time.perf_counter()
    penalty = np.asarray(penalty, dtype=np.int64)
    near = cands.by_distance()
    left = np.asarray(capacity, dtype=np.int64).tolist()
    indptr = near.indptr.tolist()
    offer = near.offer.tolist()
    assignment = np.full(penalty.shape[0], -1, dtype=np.int32)
    for i in np.argsort(-penalty, kind="stable").tolist():
        for pos in range(indptr[i], indptr[i + 1]):
            j = offer[pos]
            if left[j] > 0:
                left[j] -= 1
                assignment[i] = j
                break
    return _finish(assignment, cands, penalty, len(left), "GREEDY", time.perf_counter() - started)


def brute_force(cands: Candidates, penalty: np.ndarray, capacity: np.ndarray) -> Result:
    """Exact optimum by enumeration with a simple bound (small instances only: a few needs)."""
    started = time.perf_counter()
    penalty = np.asarray(penalty, dtype=np.int64)
    n = penalty.shape[0]
    options = [
        list(zip(cands.offer[cands.indptr[i]:cands.indptr[i + 1]].tolist(),
                 cands.cost[cands.indptr[i]:cands.indptr[i + 1]].tolist(), strict=True))
        for i in range(n)
    ]
    floor = [min([int(penalty[i])] + [c for _, c in options[i]]) for i in range(n)]
    rest = np.concatenate([np.cumsum(floor[::-1])[::-1], [0]]).tolist()
    left = np.asarray(capacity, dtype=np.int64).tolist()
    best = [sum(int(p) for p in penalty) + 1, [-1] * n]
    current = [-1] * n

    def walk(i: int, total: int) -> None:
        if total + rest[i] >= best[0]:
            return
        if i == n:
            best[0], best[1] = total, current.copy()
            return
        for j, c in options[i]:
            if left[j] > 0:
                left[j] -= 1
                current[i] = j
                walk(i + 1, total + c)
                left[j] += 1
                current[i] = -1
        walk(i + 1, total + int(penalty[i]))

    walk(0, 0)
    assignment = np.asarray(best[1], dtype=np.int32)
    return _finish(assignment, cands, penalty, len(left), "EXACT", time.perf_counter() - started)


@dataclass
class Certificate:
    optimal: bool
    dual_objective: int
    iterations: int
    reason: str = ""


@dataclass
class Duals:
    ok: bool
    u: np.ndarray  # per need
    v: np.ndarray  # per offering (price of a place)
    iterations: int
    reason: str = ""


def duals(result: Result, cands: Candidates, penalty: np.ndarray, capacity: np.ndarray) -> Duals:
    """The least dual prices that agree with ``result`` on the arcs of ``cands`` (see :func:`certify`).

    Dual of the LP: max Σu_i − Σ cap_j·v_j with u_i − v_j ≤ c_ij, u_i ≤ p_i, v_j ≥ 0. Complementary
    slackness fixes u_i = c_i,a(i) + v_a(i) for a served need, u_i = p_i for an unserved one, and v_j = 0 for
    an offering with places left. The least prices v that satisfy every arc's constraint are a longest-path
    fixed point; ``ok`` is whether they also respect those equalities (iff ``result`` is optimal on ``cands``).
    """
    penalty = np.asarray(penalty, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    a = result.assignment
    m = capacity.shape[0]
    empty = np.zeros(0, dtype=np.int64)
    if (result.load > capacity).any():
        return Duals(False, empty, empty, 0, "capacity exceeded")
    need_ids = cands.need_ids()
    own = a[need_ids]
    served_arc = own >= 0
    v = np.zeros(m, dtype=np.int64)
    free = ~served_arc
    np.maximum.at(v, cands.offer[free], penalty[need_ids[free]] - cands.cost[free])
    v = np.maximum(v, 0)
    prop = served_arc & (cands.offer != own)
    src = own[prop].astype(np.int64)
    order = np.argsort(src, kind="stable")
    src = src[order]
    dst = cands.offer[prop].astype(np.int64)[order]
    wgt = (result.arc_cost[need_ids[prop]] - cands.cost[prop])[order]
    starts = np.searchsorted(src, np.arange(m + 1))
    active = np.arange(m)  # the first pass relaxes every arc
    iterations = 0
    while active.shape[0]:
        iterations += 1
        if iterations > m + 1:
            return Duals(False, empty, empty, iterations, "a cycle of negative reduced cost exists")
        lo, hi = starts[active], starts[active + 1]
        counts = hi - lo
        idx = np.repeat(lo - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(counts.sum())
        new = v.copy()
        np.maximum.at(new, dst[idx], v[src[idx]] + wgt[idx])
        active = np.flatnonzero(new > v)
        v = new
    u = np.where(a >= 0, result.arc_cost + v[np.maximum(a, 0)], penalty)
    if (u > penalty).any():
        return Duals(False, u, v, iterations, "a served need costs more than leaving it unserved")
    if (v[result.load < capacity] != 0).any():
        return Duals(False, u, v, iterations, "an offering with free places is wanted by a need")
    return Duals(True, u, v, iterations)


def certify(result: Result, full: Candidates, penalty: np.ndarray, capacity: np.ndarray) -> Certificate:
    """Prove ``result`` optimal over every arc of ``full`` (e.g. the complete eligible set): a dual solution
    with the same objective exists (transportation problems have integral LPs, so the bound is tight)."""
    d = duals(result, full, penalty, capacity)
    if not d.ok:
        return Certificate(False, 0, d.iterations, d.reason)
    dual = int(d.u.sum() - (np.asarray(capacity, dtype=np.int64) * d.v).sum())
    if dual != result.objective:
        return Certificate(False, dual, d.iterations, "dual and primal objectives differ")
    return Certificate(True, dual, d.iterations)


def explain(i: int, result: Result, cands: Candidates, penalty: np.ndarray,
            capacity: np.ndarray) -> dict[str, object]:
    """The data behind one decision: the funnel of hard constraints, the rank of the chosen offering among
    the candidates by cost, and the cheaper ones that were already full."""
    lo, hi = int(cands.indptr[i]), int(cands.indptr[i + 1])
    offers = cands.offer[lo:hi].tolist()
    costs = cands.cost[lo:hi].tolist()
    j = int(result.assignment[i])
    data: dict[str, object] = {
        "funnel": [int(x) for x in cands.funnel[i]],
        "candidates": hi - lo,
        "penalty": int(penalty[i]),
    }
    if j < 0:
        data["served"] = False
        data["reason"] = "no_candidate" if hi == lo else "capacity"
        data["full"] = [int(o) for o in offers[:5]]
        return data
    pos = offers.index(j)
    data.update({
        "served": True,
        "offer": j,
        "rank": pos + 1,
        "cost": int(costs[pos]),
        "distance_km": round(float(cands.dist[lo + pos]), 2),
        "places_left": int(capacity[j] - result.load[j]),
        "cheaper_full": [int(o) for o in offers[:pos] if result.load[o] >= capacity[o]][:5],
    })
    return data
