"""Facts about the background population that several files must agree on: disability certificates,
which households are in the low-income archive (and in which programme since when), members'
incomes, and who died in the twelve months ending D.

Everything here is chosen so that the background triggers no monitoring scenario:
- deaths only strike people outside the archive who are not the parent of a minor;
- in-care members get no grade 1–2 certificate in the 90 days ending D;
- each enrollment the registry needs (high age, disability care/living) is written by ``registry``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from minzheng.synth import params
from minzheng.synth.population import YEAR, Core, month_index

NO_DATE = np.iinfo(np.int32).max
EPOCH = dt.date(1970, 1, 1)

DISABILITY_TYPES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
_TYPE_P = np.array([0.12, 0.15, 0.01, 0.45, 0.08, 0.12, 0.07])
_GRADE_P = np.array([0.12, 0.22, 0.30, 0.36])
SELF_CARE = ("", "全自理", "半自理", "全护理")

# household categories
C_NONE, C_DIBAO, C_TEKUN, C_EDGE, C_RIGID, C_EXITED = range(6)
CAT_PROGRAMME = ("", "dibao", "tekun", "dibao_edge", "rigid_hardship", "dibao")
IN_CARE_CATS = (C_DIBAO, C_TEKUN, C_EDGE, C_RIGID)


def day(d: dt.date) -> int:
    return (d - EPOCH).days


def date(days: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(days))


@dataclass
class Status:
    death: np.ndarray  # int32 day or NO_DATE
    cert_grade: np.ndarray  # uint8, 0 = no certificate
    cert_type: np.ndarray  # uint8 index into DISABILITY_TYPES
    cert_issue: np.ndarray  # int32
    cert_valid: np.ndarray  # int32, NO_DATE = no expiry
    minor: np.ndarray  # bool: under 18 in D's month
    parent_of_minor: np.ndarray  # bool
    hh_cat: np.ndarray  # uint8 category
    hh_arch: np.ndarray  # int32 archive serial or -1
    hh_start: np.ndarray  # int32 start of the current (or, exited: last) enrollment
    hh_end: np.ndarray  # int32 end of it, NO_DATE while open
    hh_hist: np.ndarray  # uint8 category of an earlier, ended enrollment (0 none)
    hh_hist_start: np.ndarray
    hh_hist_end: np.ndarray
    income: np.ndarray  # int32 yuan / month, archive members
    serious: np.ndarray  # bool
    self_care: np.ndarray  # uint8 index into SELF_CARE
    n_in_care: int

    def valid_cert(self, as_of: int) -> np.ndarray:
        g = self.cert_grade > 0
        return g & (self.cert_issue <= as_of) & (self.cert_valid >= as_of)


def build(core: Core, rural: np.ndarray, as_of: dt.date, in_care: int, seed: int) -> Status:
    """``rural`` flags households living in a village; ``in_care`` is the number of background
    households with an active dibao/tekun/dibao_edge/rigid_hardship enrollment on D."""
    D = day(as_of)
    n, n_hh = core.n, core.n_hh
    age = ((D - core.birth) / YEAR).astype(np.float32)
    rng = np.random.default_rng([seed, 21])

    # --- disability certificates (about 6 %, rising with age)
    p = np.select([age < 18, age < 45, age < 60, age < 80], [0.012, 0.03, 0.06, 0.10], 0.17)
    has = rng.random(n) < p
    grade = np.where(has, rng.choice(4, n, p=_GRADE_P) + 1, 0).astype(np.uint8)
    ctype = rng.choice(len(DISABILITY_TYPES), n, p=_TYPE_P).astype(np.uint8)
    issue = (D - rng.uniform(0, 10.5, n).astype(np.float32) * np.float32(YEAR)).astype(np.int32)
    issue = np.maximum(issue, core.birth + 30)
    grade[issue > D] = 0
    valid = np.where(rng.random(n, dtype=np.float32) < 0.85, issue + 3652, NO_DATE).astype(np.int32)
    del has, p

    # --- minors and their parents
    d_month = int(month_index(D))
    minor = (d_month - month_index(core.birth)) < 18 * 12
    pom = np.zeros(n, dtype=bool)
    for par in (core.father, core.mother):
        kids_parent = par[minor]
        pom[kids_parent[kids_parent >= 0]] = True

    # --- households in the archive: weighted choice (Gumbel top-k)
    rng = np.random.default_rng([seed, 22])
    sizes = np.diff(core.hh_start)
    hh_of = core.hh
    any_cert = np.bincount(hh_of, weights=grade > 0, minlength=n_hh) > 0
    severe = np.bincount(hh_of, weights=(grade > 0) & (grade <= 2), minlength=n_hh) > 0
    head_age = age[core.hh_start[:-1]]
    type_w = np.array([5.0, 1.5, 1.5, 0.6, 0.5, 0.5, 0.6, 0.6, 4.0, 2.5, 1.5])
    w = type_w[core.hh_type] * np.where(severe, 3.0, np.where(any_cert, 1.8, 1.0)) * np.where(rural, 1.8, 1.0)

    n_exit = round(0.04 * in_care)
    k = in_care + n_exit
    if k > n_hh // 2:
        raise ValueError(f"{in_care} households in care is too many for {n_hh} households")
    score = np.log(w) - np.log(-np.log(rng.random(n_hh)))
    chosen = np.argpartition(-score, k - 1)[:k] if k else np.zeros(0, dtype=np.int64)
    chosen = np.sort(chosen)
    exited = np.zeros(k, dtype=bool)
    exited[rng.choice(k, n_exit, replace=False)] = True
    cat = np.zeros(n_hh, dtype=np.uint8)
    care_h = chosen[~exited]
    cat[chosen[exited]] = C_EXITED
    tekun_ok = (sizes[care_h] == 1) & ((head_age[care_h] >= 60) | severe[care_h])
    u = rng.random(len(care_h))
    cat[care_h] = np.where(
        tekun_ok & (u < 0.45),
        C_TEKUN,
        np.where(u < 0.72, C_DIBAO, np.where(u < 0.92, C_EDGE, C_RIGID)),
    )
    arch = np.full(n_hh, -1, dtype=np.int32)
    arch[chosen] = np.arange(k, dtype=np.int32)

    # --- enrollment dates
    start = np.full(n_hh, NO_DATE, dtype=np.int64)
    end = np.full(n_hh, NO_DATE, dtype=np.int64)
    u = rng.random(n_hh)
    edge_from = day(dt.date(2021, 1, 1))
    start = np.where(cat == C_DIBAO, D - 30 - (3620 * u**1.5).astype(np.int64), start)
    start = np.where(cat == C_TEKUN, D - 30 - (3620 * u**1.3).astype(np.int64), start)
    start = np.where(cat == C_EDGE, np.maximum(edge_from, D - 20 - (1500 * u).astype(np.int64)), start)
    start = np.where(cat == C_RIGID, D - 10 - (320 * u).astype(np.int64), start)
    rigid = cat == C_RIGID
    end[rigid] = _plus_year_minus_day(start[rigid])
    ex = cat == C_EXITED
    start[ex] = D - 700 - (2300 * u[ex]).astype(np.int64)
    end[ex] = np.minimum(start[ex] + 180 + (rng.random(int(ex.sum())) * 2000).astype(np.int64), D - 30)
    # an earlier, ended enrollment for some (re-application, or edge before dibao)
    hist = np.zeros(n_hh, dtype=np.uint8)
    h_end = np.full(n_hh, NO_DATE, dtype=np.int64)
    h_start = np.full(n_hh, NO_DATE, dtype=np.int64)
    sel = np.isin(cat, (C_DIBAO, C_TEKUN, C_EDGE)) & (rng.random(n_hh) < 0.2)
    h_end[sel] = start[sel] - 1 - (rng.random(int(sel.sum())) * 200).astype(np.int64)
    h_start[sel] = h_end[sel] - 180 - (rng.random(int(sel.sum())) * 1500).astype(np.int64)
    hist[sel] = np.where((cat[sel] == C_DIBAO) & (rng.random(int(sel.sum())) < 0.5), C_EDGE, C_DIBAO)
    hist[sel & (h_start < edge_from) & (hist == C_EDGE)] = C_DIBAO

    # --- certificates of in-care members: no grade 1–2 issued in the 90 days ending D
    member_cat = cat[hh_of]
    in_care_p = np.isin(member_cat, IN_CARE_CATS)
    fix = in_care_p & (grade > 0) & (grade <= 2) & (issue > D - 90)
    issue[fix] = D - 90 - (rng.random(int(fix.sum())) * 2000).astype(np.int64)
    drop = fix & (issue < core.birth + 30)
    grade[drop] = 0
    valid[fix] = np.where(valid[fix] == NO_DATE, NO_DATE, issue[fix] + 3652)

    # --- incomes, serious illness, self-care
    std = params.dibao_standard(as_of)
    sizes_f = sizes.astype(np.float64)
    u = rng.random(n_hh)
    total = np.select(
        [cat == C_DIBAO, cat == C_TEKUN, cat == C_EDGE, cat == C_RIGID, cat == C_EXITED],
        [
            np.floor(sizes_f * std * 0.9 * u),
            np.floor(std * 0.85 * u),
            sizes_f * std + np.floor(sizes_f * std * 0.45 * u),
            np.floor(sizes_f * std * (1.0 + 2.0 * u)),
            np.floor(sizes_f * std * (1.2 + 1.8 * u)),
        ],
        0.0,
    )
    wt = np.where((age >= 18) & (age < 65), rng.uniform(0.5, 1.5, n), np.where(age >= 65, rng.uniform(0.2, 0.8, n), 0))
    arch_p = arch[hh_of] >= 0
    wt = np.where(arch_p, wt, 0.0)
    wsum = np.bincount(hh_of, weights=wt, minlength=n_hh)
    head = core.hh_start[:-1]
    no_w = (wsum == 0) & (arch >= 0)
    wt[head[no_w]] = 1.0
    wsum[no_w] = 1.0
    income = np.where(arch_p, np.floor(total[hh_of] * wt / np.maximum(wsum[hh_of], 1e-9)), 0).astype(np.int32)
    serious = arch_p & (rng.random(n) < np.where(age >= 60, 0.15, 0.05))
    sc = rng.choice(3, n, p=[0.6, 0.25, 0.15]) + 1
    self_care = np.where(member_cat == C_TEKUN, sc, 0).astype(np.uint8)

    # --- deaths: outside the archive, never a parent of a minor, in the 12 months ending D
    rng = np.random.default_rng([seed, 23])
    q = 2.28e-5 * np.exp(0.0977 * np.minimum(age, 110)) + 0.0003
    eligible = ~arch_p & ~pom & (core.birth < D - 400)
    scale = 0.007 * n / max(float(q[eligible].sum()), 1e-9)
    dies = eligible & (rng.random(n) < np.minimum(q * scale, 0.9))
    death = np.full(n, NO_DATE, dtype=np.int64)
    death[dies] = D - rng.integers(1, 365, int(dies.sum()))

    return Status(
        death=death.astype(np.int32),
        cert_grade=grade,
        cert_type=ctype,
        cert_issue=issue.astype(np.int32),
        cert_valid=np.minimum(valid, NO_DATE).astype(np.int32),
        minor=minor,
        parent_of_minor=pom,
        hh_cat=cat,
        hh_arch=arch,
        hh_start=start.astype(np.int32),
        hh_end=end.astype(np.int32),
        hh_hist=hist,
        hh_hist_start=h_start.astype(np.int32),
        hh_hist_end=h_end.astype(np.int32),
        income=income,
        serious=serious,
        self_care=self_care,
        n_in_care=len(care_h),
    )


def _plus_year_minus_day(days: np.ndarray) -> np.ndarray:
    """start + 12 months − 1 day (a rigid-hardship finding is valid at most 12 months)."""
    d = days.astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    nxt = (m + 12).astype("datetime64[D]").astype(np.int64) + dom
    return nxt - 1
