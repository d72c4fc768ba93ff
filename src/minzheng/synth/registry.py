"""The low-income archive (registry_households, registry_members, registry_enrollments) of the
background population, plus every person-level allowance the city already pays.

To keep the background clean for the 政策找人 scenarios, every living person aged 80+ in D's month
gets a ``high_age`` enrollment with exactly the amount due on D, every holder of a grade 1–2
certificate valid on D an active ``disability_care``, and every certificate holder in a dibao
household an active ``disability_living``. The dead have their person-level enrollments ended
before D.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from minzheng.synth import params
from minzheng.synth.areas import DISTRICTS, ROADS
from minzheng.synth.ctx import Ctx
from minzheng.synth.population import REL, month_index
from minzheng.synth.status import (
    C_DIBAO,
    C_EDGE,
    C_EXITED,
    C_RIGID,
    C_TEKUN,
    CAT_PROGRAMME,
    DISABILITY_TYPES,
    NO_DATE,
    SELF_CARE,
    day,
)
from minzheng.synth.writer import Cols, dates

PHONE_PREFIX = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
                "155", "156", "158", "159", "177", "180", "182", "183", "186", "187", "188", "189", "199")
DISABILITY_PROGRAMMES_FROM = day(dt.date(2016, 1, 1))


def month_end(days: np.ndarray) -> np.ndarray:
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return ((d.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1).astype(np.int64)


def month_first(months: np.ndarray) -> np.ndarray:
    """First day of the month index (months since 1970-01)."""
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def end_after_death(death: np.ndarray, D: int) -> np.ndarray:
    """Last day paid for a person who died on ``death``: the month's end, or the death day itself when
    the death falls in D's month (an end on D would still be active on D)."""
    me = month_end(death)
    return np.where(me >= D, death, me)


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5).astype(np.int64)


def households(ctx: Ctx, rng: np.random.Generator) -> Cols:
    st = ctx.status
    core = ctx.core
    A = np.flatnonzero(st.hh_arch >= 0)
    n = len(A)
    comm = core.hh_comm[A]
    rural = ctx.areas.comm_rural[comm]
    dname = pa.array([DISTRICTS[d][1] for d in ctx.areas.comm_district[comm]], pa.string())
    full = pa.array(ctx.areas.comm_full, pa.string()).take(pa.array(comm))
    road = pa.array(list(ROADS), pa.string()).take(pa.array(rng.integers(0, len(ROADS), n)))
    no = pc.cast(pa.array(rng.integers(1, 300, n)), pa.string())
    unit = pc.cast(pa.array(rng.integers(1, 7, n)), pa.string())
    room = pc.cast(pa.array(rng.integers(1, 19, n) * 100 + rng.integers(1, 5, n)), pa.string())
    group = pa.array(list("一二三四五六七八"), pa.string()).take(pa.array(rng.integers(0, 8, n)))
    urban_addr = pc.binary_join_element_wise(dname, road, no, "号", unit, "单元", room, "")
    rural_addr = pc.binary_join_element_wise(full, group, "组", no, "号", "")
    phone = pc.binary_join_element_wise(
        pa.array(list(PHONE_PREFIX), pa.string()).take(pa.array(rng.integers(0, len(PHONE_PREFIX), n))),
        pc.utf8_lpad(pc.cast(pa.array(rng.integers(0, 10**8, n)), pa.string()), 8, "0"),
        "",
    )
    phone = pc.if_else(pa.array(rng.random(n) < 0.1), pa.scalar(None, pa.string()), phone)
    reg = np.minimum(st.hh_start[A].astype(np.int64), st.hh_hist_start[A].astype(np.int64))
    return {
        "household_id": ctx.arch_id.take(pa.array(A)),
        "area_code": pa.array(ctx.areas.comm_code, pa.string()).take(pa.array(comm)),
        "address": pc.if_else(pa.array(rural), rural_addr, urban_addr),
        "phone": phone,
        "registered_date": dates(reg),
    }


def _members_index(ctx: Ctx) -> np.ndarray:
    st, core = ctx.status, ctx.core
    return np.flatnonzero(st.hh_arch[core.hh] >= 0)


def members(ctx: Ctx) -> Cols:
    st, core = ctx.status, ctx.core
    p = _members_index(ctx)
    valid = st.valid_cert(ctx.D)[p]
    dtype = pa.array(list(DISABILITY_TYPES), pa.string()).take(pa.array(st.cert_type[p]))
    return {
        "household_id": ctx.arch_id.take(pa.array(core.hh[p])),
        "id_number": ctx.id_text(p),
        "name": ctx.name_text(p),
        "relation": pa.array(list(REL), pa.string()).take(pa.array(core.rel[p])),
        "monthly_income": pa.array(st.income[p].astype(np.int64)),
        "disability_type": pc.if_else(pa.array(valid), dtype, pa.scalar(None, pa.string())),
        "disability_grade": pc.if_else(
            pa.array(valid), pc.cast(pa.array(st.cert_grade[p].astype(np.int64)), pa.string()),
            pa.scalar(None, pa.string()),
        ),
        "serious_illness": pa.array(np.where(st.serious[p], "Y", "N")),
        "self_care": pc.if_else(
            pa.array(st.self_care[p] > 0),
            pa.array(list(SELF_CARE), pa.string()).take(pa.array(st.self_care[p])),
            pa.scalar(None, pa.string()),
        ),
    }


class _Rows:
    """Accumulates enrollment rows column-wise (household index or -1, person index or -1)."""

    def __init__(self) -> None:
        self.h: list[np.ndarray] = []
        self.p: list[np.ndarray] = []
        self.prog: list[np.ndarray] = []
        self.start: list[np.ndarray] = []
        self.end: list[np.ndarray] = []
        self.amount: list[np.ndarray] = []

    def add(self, h: np.ndarray, p: np.ndarray | None, prog: str, start: np.ndarray,
            end: np.ndarray | None, amount: np.ndarray | int) -> None:
        n = len(h)
        self.h.append(np.asarray(h, dtype=np.int64))
        self.p.append(np.full(n, -1, np.int64) if p is None else np.asarray(p, dtype=np.int64))
        self.prog.append(np.full(n, prog, dtype=object))
        self.start.append(np.asarray(start, dtype=np.int64))
        self.end.append(np.full(n, NO_DATE, np.int64) if end is None else np.asarray(end, dtype=np.int64))
        self.amount.append(np.broadcast_to(np.asarray(amount, dtype=np.int64), (n,)).copy())


def enrollments(ctx: Ctx, rng: np.random.Generator) -> Cols:
    st, core = ctx.status, ctx.core
    D = ctx.D
    as_of = ctx.as_of
    std = ctx.std
    rows = _Rows()
    hh = np.arange(core.n_hh)
    cat = st.hh_cat
    sizes = np.diff(core.hh_start)
    d_month = int(month_index(D))

    # dibao add-ons (分类施保) on archive members: the highest single rate, rounded half-up on its own
    a = np.flatnonzero(st.hh_arch[core.hh] >= 0)
    income = np.bincount(core.hh[a], weights=st.income[a], minlength=core.n_hh)
    valid_a = (st.cert_grade[a] > 0) & (st.cert_issue[a] <= D) & (st.cert_valid[a] >= D)
    rate = np.maximum.reduce([
        np.where(st.serious[a], 0.3, 0.0),
        np.where(valid_a & (st.cert_grade[a] <= 2), 0.2, 0.0),
        np.where(d_month - month_index(core.birth[a]) >= 70 * 12, 0.1, 0.0),
        np.where(st.minor[a], 0.1, 0.0),
    ])
    addon = np.bincount(core.hh[a], weights=_round_half_up(rate * std), minlength=core.n_hh)
    dibao_amt = (std * sizes - income + addon).astype(np.int64)

    h = hh[cat == C_DIBAO]
    rows.add(h, None, "dibao", st.hh_start[h], None, dibao_amt[h])
    h = hh[cat == C_EDGE]
    rows.add(h, None, "dibao_edge", st.hh_start[h], None, 0)
    h = hh[cat == C_RIGID]
    rows.add(h, None, "rigid_hardship", st.hh_start[h], st.hh_end[h], 0)
    h = hh[cat == C_TEKUN]
    head = core.hh_start[h]
    tekun_amt = np.array([params.tekun_amount(as_of, s) for s in SELF_CARE])[st.self_care[head]]
    rows.add(h, head, "tekun", st.hh_start[h], None, tekun_amt)
    h = hh[cat == C_EXITED]
    rows.add(h, None, CAT_PROGRAMME[C_EXITED], st.hh_start[h], st.hh_end[h],
             _round_half_up(std * sizes[h] * rng.uniform(0.2, 0.8, len(h))))
    h = hh[st.hh_hist > 0]
    hist_amt = np.where(st.hh_hist[h] == C_EDGE, 0, _round_half_up(std * sizes[h] * rng.uniform(0.2, 0.8, len(h))))
    hist_prog = np.array(CAT_PROGRAMME, dtype=object)[st.hh_hist[h]]
    for prog in ("dibao", "dibao_edge"):
        k = hist_prog == prog
        rows.add(h[k], None, prog, st.hh_hist_start[h[k]], st.hh_hist_end[h[k]], hist_amt[k])
    # one-off temporary assistance, already paid
    in_care = np.isin(cat, (C_DIBAO, C_TEKUN, C_EDGE, C_RIGID))
    h = hh[in_care & (rng.random(core.n_hh) < 0.03)]
    t = D - rng.integers(30, 330, len(h))
    rows.add(h, None, "temporary", t, t, (rng.integers(5, 31, len(h)) * 100))

    # high age (everyone 80+ by month, living or dead): exactly the amount due on D for the living,
    # an ended row for the dead
    p = np.flatnonzero(d_month - month_index(core.birth) >= 960)
    bm = month_index(core.birth[p])
    death = st.death[p].astype(np.int64)
    alive = death > D
    care100 = np.isin(cat[core.hh[p]], (C_DIBAO, C_TEKUN, C_EDGE))
    age_at = np.where(alive, d_month, month_index(np.minimum(death, D))) - bm
    band = np.select([age_at >= 1200, age_at >= 1080, age_at >= 960], [100, 90, 80], 0)
    due = np.select(
        [band == 100, band == 90, (band == 80) & care100, band == 80],
        [params.in_force(params.HIGH_AGE_100, as_of), params.in_force(params.HIGH_AGE_90, as_of),
         params.in_force(params.HIGH_AGE_80_CARE, as_of), params.in_force(params.HIGH_AGE_80_OTHER, as_of)],
        0,
    )
    programme_first = np.select(
        [band >= 90, care100],
        [day(dt.date(2021, 7, 1)), np.maximum(day(dt.date(2021, 7, 1)), st.hh_start[core.hh[p]])],
        day(dt.date(2025, 1, 1)),
    )
    start = np.maximum(month_first(bm + 12 * band), programme_first)
    end = np.where(alive, NO_DATE, end_after_death(np.minimum(death, D), D))
    k = (due > 0) & (start <= np.minimum(end, D))
    rows.add(core.hh[p[k]], p[k], "high_age", start[k], end[k], due[k])

    # disability care (grade 1–2) and living (certificate holders in dibao households)
    care_amt = params.disability_care(as_of)
    liv_amt = params.disability_living(as_of)
    p = np.flatnonzero(st.cert_grade > 0)
    g12 = st.cert_grade[p] <= 2
    issue = st.cert_issue[p].astype(np.int64)
    valid_until = st.cert_valid[p].astype(np.int64)
    death = st.death[p].astype(np.int64)
    alive = death > D
    valid = (issue <= D) & (valid_until >= D)
    start = np.maximum(issue, DISABILITY_PROGRAMMES_FROM)
    k = g12 & alive & valid
    rows.add(core.hh[p[k]], p[k], "disability_care", start[k], None, care_amt)
    dead_end = end_after_death(np.minimum(death, D), D)
    k = g12 & ~alive & (issue <= death) & (valid_until >= death) & (start <= dead_end)
    rows.add(core.hh[p[k]], p[k], "disability_care", start[k], dead_end[k], care_amt)
    k = g12 & alive & (valid_until < D) & (start <= valid_until)
    rows.add(core.hh[p[k]], p[k], "disability_care", start[k], valid_until[k], care_amt)
    k = alive & valid & (cat[core.hh[p]] == C_DIBAO)
    rows.add(core.hh[p[k]], p[k], "disability_living", np.maximum(issue[k], st.hh_start[core.hh[p[k]]]), None,
             liv_amt)

    H = np.concatenate(rows.h)
    P = np.concatenate(rows.p)
    arch = st.hh_arch[H] >= 0
    hid = pc.if_else(pa.array(arch), ctx.arch_id.take(pa.array(H)), pa.scalar(None, pa.string()))
    pid = pc.if_else(pa.array(P >= 0), ctx.id_text(np.maximum(P, 0)), pa.scalar(None, pa.string()))
    return {
        "household_id": hid,
        "id_number": pid,
        "programme": pa.array(np.concatenate(rows.prog).astype(str)),
        "start_date": dates(np.concatenate(rows.start)),
        "end_date": dates(np.concatenate(rows.end), missing=NO_DATE),
        "monthly_amount": pa.array(np.concatenate(rows.amount)),
    }
