"""Service matching at city scale: 100,000 open needs × 2,000 providers (issue 6).

Synthetic and seeded: the needs and providers lie in the communities of the synthetic Shenyang
(``minzheng.synth.areas``, 9.2 million people ≈ 3,000 communities) at stand-in coordinates
(``minzheng.services.geo``). Every need carries a service item, a priority class, a need level, a waiting
time, days it can be visited, an age and a disability flag; every provider offers one to five items, each
with a capacity, a coverage area (its street, its district, two districts or the whole city), days of
service, eligibility (categories, minimum age, disability) and a rating. Total capacity per item is about
the demand for it, so places are short somewhere and the choice of who gets them matters.

Runs, on the same data:
1. the production path: every eligible (need, offering) pair, one min-cost flow per service item (OR-Tools
   ``SimpleMinCostFlow``) with a penalised "unserved" arc per need; its status (OPTIMAL) and seconds;
2. an independent certificate of that optimum (a dual solution with the same objective, ``certify``);
3. the same flow on only the K cheapest offerings per need (the sparse graph of ``engines.md``), to show
   what the restriction costs when places are short;
4. greedy nearest-available: needs by priority, each takes the nearest offering with a place left.

    .venv/bin/python bench/services_matching.py [--needs 100000] [--providers 2000] [--k 10] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time

import numpy as np

from minzheng.services import geo
from minzheng.services import matching as mt
from minzheng.services.taxonomy import SERVICE_CODES
from minzheng.synth.areas import build_areas

# How often each service item is needed (relative), in the order of SERVICE_CODES.
ITEM_WEIGHT = np.array([8, 4, 4, 12, 9, 4, 6, 12, 5, 4, 2, 3, 4, 3, 8, 4, 8], dtype=np.float64)
SUPPLY_RATIO = 1.15  # places per need, per item, city-wide
CLASS_SHARE = np.array([0.08, 0.55, 0.20, 0.10, 0.07])  # 特困, 低保, 边缘, 刚性支出, others


def build(n_needs: int, n_providers: int, seed: int) -> tuple[mt.Needs, mt.Offers, dict[str, object]]:
    rng = np.random.default_rng(seed)
    areas = build_areas(9_200_000, seed)
    codes = np.asarray(areas.comm_code)
    points = np.array([geo.standin_point(c) for c in codes])
    comm_xy = geo.to_xy_km(points[:, 0], points[:, 1])
    comm_int = codes.astype(np.int64)
    n_tags = len(SERVICE_CODES)
    p_tag = ITEM_WEIGHT / ITEM_WEIGHT.sum()

    comm = rng.choice(codes.shape[0], size=n_needs, p=areas.comm_prob)
    tag = rng.choice(n_tags, size=n_needs, p=p_tag)
    weekdays = rng.choice([mt.ALL_WEEKDAYS, 0b0011111, 0b1100000], size=n_needs, p=[0.85, 0.10, 0.05])
    needs = mt.Needs.build(
        xy=comm_xy[comm] + rng.normal(0.0, 0.4, size=(n_needs, 2)),
        tag=tag,
        area=comm_int[comm],
        klass=rng.choice(5, size=n_needs, p=CLASS_SHARE),
        level=rng.choice([1, 2, 3], size=n_needs, p=[0.35, 0.45, 0.20]),
        wait_days=rng.integers(0, 120, size=n_needs),
        weekdays=weekdays,
        age=rng.integers(18, 96, size=n_needs),
        disabled=rng.random(n_needs) < 0.15,
    )

    home = rng.choice(codes.shape[0], size=n_providers, p=areas.comm_prob)
    district_codes = sorted({c[:6] for c in codes})
    kind = rng.choice(4, size=n_providers, p=[0.55, 0.30, 0.10, 0.05])  # street, district, 2 districts, city
    rows_xy, rows_tag, rows_cov, rows_provider = [], [], [], []
    for p in range(n_providers):
        code = str(codes[home[p]])
        if kind[p] == 0:
            cov = [code[:9] + "000"]
        elif kind[p] == 1:
            cov = [code[:6] + "000000"]
        elif kind[p] == 2:
            other = district_codes[int(rng.integers(len(district_codes)))]
            cov = sorted({code[:6] + "000000", other + "000000"})
        else:
            cov = ["210100000000"]
        items = rng.choice(n_tags, size=int(rng.integers(1, 6)), replace=False, p=p_tag)
        for t in items:
            rows_xy.append(comm_xy[home[p]])
            rows_tag.append(int(t))
            rows_cov.append(cov)
            rows_provider.append(p)
    m = len(rows_tag)
    o_tag = np.asarray(rows_tag)
    # Capacity: each item's total places = SUPPLY_RATIO × its demand, shared by its offerings in lognormal shares.
    capacity = np.zeros(m, dtype=np.int64)
    demand = np.bincount(needs.tag, minlength=n_tags)
    for t in range(n_tags):
        sel = np.flatnonzero(o_tag == t)
        if sel.shape[0] == 0:
            continue
        share = rng.lognormal(0.0, 0.6, size=sel.shape[0])
        capacity[sel] = np.maximum(1, np.rint(SUPPLY_RATIO * demand[t] * share / share.sum())).astype(np.int64)
    care = np.isin(o_tag, [SERVICE_CODES.index(c) for c in ("care.nursing", "care.bath", "life.meal")])
    rehab = o_tag == SERVICE_CODES.index("care.rehab")
    offers = mt.Offers.build(
        xy=np.asarray(rows_xy),
        tag=o_tag,
        capacity=capacity,
        coverage=rows_cov,
        rating=np.round(rng.uniform(3.0, 5.0, size=m), 1),
        weekdays=rng.choice([0b0011111, mt.ALL_WEEKDAYS, 0b0010101], size=m, p=[0.6, 0.3, 0.1]),
        class_mask=rng.choice([mt.ALL_CLASSES_MASK, 0b00011, 0b01111], size=m, p=[0.80, 0.15, 0.05]),
        min_age=np.where(care & (rng.random(m) < 0.4), 60, 0),
        needs_disability=rehab & (rng.random(m) < 0.3),
    )
    info: dict[str, object] = {"communities": int(codes.shape[0]), "offerings": m, "places": int(capacity.sum()),
            "providers": n_providers, "needs": n_needs}
    return needs, offers, info


def describe(name: str, result: mt.Result, needs: mt.Needs, penalty: np.ndarray) -> dict[str, object]:
    served = result.assignment >= 0
    by_class = {mt.PRIORITY_CLASSES[c]: int((~served & (needs.klass == c)).sum()) for c in range(5)}
    return {
        "method": name,
        "status": result.status,
        "seconds": round(result.seconds, 2),
        "served": int(served.sum()),
        "unserved": int((~served).sum()),
        "unserved_share": round(float((~served).mean()), 4),
        "unserved_by_class": by_class,
        "total_km": round(float(np.nansum(result.dist)), 0),
        "mean_km": round(float(np.nanmean(result.dist)), 3),
        "objective": result.objective,
    }


def both(flow: mt.Result, near: mt.Result) -> dict[str, object]:
    """Distances over the needs that both methods serve (a like-for-like comparison)."""
    common = (flow.assignment >= 0) & (near.assignment >= 0)
    return {"needs": int(common.sum()), "flow_mean_km": round(float(flow.dist[common].mean()), 3),
            "greedy_mean_km": round(float(near.dist[common].mean()), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--providers", type=int, default=2_000)
    parser.add_argument("--k", type=int, default=10, help="K of the K-cheapest sparse graph shown for comparison")
    parser.add_argument("--workers", type=int, default=1, help="flows solved at once (threads)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the results as JSON only")
    args = parser.parse_args()
    weights = mt.Weights()
    weights.check()

    t0 = time.perf_counter()
    needs, offers, info = build(args.needs, args.providers, args.seed)
    t_data = time.perf_counter() - t0
    penalty = weights.penalty(needs.klass, needs.level, needs.wait_days)
    groups = {"need_group": needs.tag, "offer_group": offers.tag, "workers": args.workers}

    # The production path: every eligible pair, one flow per service item.
    t0 = time.perf_counter()
    full = mt.candidates(needs, offers, weights=weights)
    t_cands = time.perf_counter() - t0
    flow = mt.solve(full, penalty, offers.capacity, **groups)
    t0 = time.perf_counter()
    cert = mt.certify(flow, full, penalty, offers.capacity)
    t_cert = time.perf_counter() - t0

    sparse = full.limit(args.k)
    flow_k = mt.solve(sparse, penalty, offers.capacity, **groups)
    near = mt.greedy(full, penalty, offers.capacity)

    out = {
        "machine": f"{platform.machine()} {platform.python_version()} {os.cpu_count()} cores",
        "data": info | {"seconds": round(t_data, 2), "eligible_pairs": full.n_arcs,
                        "needs_without_any_eligible_offering": int((np.diff(full.indptr) == 0).sum())},
        "min_cost_flow": describe("min-cost flow, all eligible pairs", flow, needs, penalty) | {
            "candidate_seconds": round(t_cands, 2), "arcs": full.n_arcs, "flows": flow.extra["parts"],
            "total_seconds": round(t_cands + flow.seconds, 2)},
        "certificate": {"optimal": cert.optimal, "reason": cert.reason, "dual_objective": cert.dual_objective,
                        "iterations": cert.iterations, "seconds": round(t_cert, 2)},
        "sparse_k": describe(f"min-cost flow, {args.k} cheapest per need", flow_k, needs, penalty) | {
            "arcs": sparse.n_arcs},
        "greedy": describe("greedy nearest-available", near, needs, penalty),
        "served_by_both": both(flow, near),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    print(f"machine: {out['machine']}")
    print(f"data: {out['data']}")
    for name in ("min_cost_flow", "certificate", "sparse_k", "greedy", "served_by_both"):
        print(f"{name}: {out[name]}")
    print(f"peak RSS: {out['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
