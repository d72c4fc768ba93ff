"""Background rows of the departmental feeds, one block of households at a time (vectorised).

Each generator returns the columns of one file for the households of chunk ``c``. The background is
clean with respect to every monitoring scenario (see ``status``): members of households in care get no
car/truck, no business role, no second or commercial property, no wage that lifts them over the line,
no 12-month self-paid total of 20,000 or more and no unemployment in the 90 days ending D.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from minzheng.synth import ids, names
from minzheng.synth.areas import DISTRICTS
from minzheng.synth.ctx import Ctx
from minzheng.synth.population import R_SPOUSE, YEAR
from minzheng.synth.status import C_EDGE, DISABILITY_TYPES, NO_DATE
from minzheng.synth.writer import Cols, dates, money

FILES: dict[str, tuple[str, ...]] = {
    "registry_households": ("household_id", "area_code", "address", "phone", "registered_date"),
    "registry_members": (
        "household_id", "id_number", "name", "relation", "monthly_income", "disability_type",
        "disability_grade", "serious_illness", "self_care",
    ),
    "registry_enrollments": ("household_id", "id_number", "programme", "start_date", "end_date", "monthly_amount"),
    "population": (
        "id_number", "name", "sex", "birth_date", "area_code", "household_no", "father_id_number",
        "mother_id_number",
    ),
    "deaths": ("id_number", "name", "death_date", "source"),
    "medical_claims": (
        "claim_id", "id_number", "name", "settle_date", "inpatient", "total_cost", "fund_paid", "self_paid",
    ),
    "disability_certs": ("id_number", "name", "cert_no", "disability_type", "grade", "issue_date", "valid_until"),
    "employment": ("id_number", "name", "event", "event_date", "monthly_amount"),
    "vehicles": ("id_number", "plate", "vehicle_type", "register_date", "price"),
    "real_estate": ("id_number", "property_no", "usage", "area_m2", "register_date"),
    "businesses": ("id_number", "company_name", "role", "registered_capital", "register_date"),
    "justice": ("id_number", "name", "event", "event_date"),
    "school_enrollment": ("id_number", "name", "stage", "school", "enroll_date"),
}

SOURCES = ("公安", "卫健", "殡仪馆")
_PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_BRAND = list("鑫盛华泰恒达宏源兴隆金瑞祥福康嘉信诚德通远宝丰利安顺佳合众联创")
_INDUSTRY = ("商贸有限公司", "科技有限公司", "建筑工程有限公司", "餐饮管理有限公司", "物流有限公司",
             "机械制造有限公司", "房地产经纪有限公司", "文化传媒有限公司", "农业发展有限公司")
_SHOP = ("便利店", "烧烤店", "水果店", "五金商店", "理发店", "饭店", "超市", "汽车修理部", "药房", "服装店")
UNIVERSITIES = ("辽宁大学", "东北大学", "中国医科大学", "沈阳药科大学", "沈阳工业大学", "沈阳建筑大学",
                "沈阳航空航天大学", "沈阳师范大学", "沈阳农业大学", "沈阳理工大学", "沈阳化工大学",
                "辽宁中医药大学", "沈阳体育学院", "鲁迅美术学院", "沈阳音乐学院", "大连理工大学", "吉林大学")


def _s(values: list[str] | tuple[str, ...]) -> pa.Array:
    return pa.array(list(values), pa.string())


def _take(values: list[str] | tuple[str, ...], idx: np.ndarray) -> pa.Array:
    return _s(values).take(pa.array(np.asarray(idx, dtype=np.int64)))


def _rand_days(rng: np.random.Generator, lo: np.ndarray | int, hi: np.ndarray | int, n: int) -> np.ndarray:
    """Uniform integer day in [lo, hi] (arrays allowed)."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    return lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)


def _bijection(serial: np.ndarray, mod: int, a: int, b: int) -> np.ndarray:
    return (serial * a + b) % mod


# ------------------------------------------------------------------------------------- population


def population(ctx: Ctx, c: int, rng: np.random.Generator) -> Cols:
    p0, p1 = ctx.persons(c)
    p = np.arange(p0, p1)
    core = ctx.core
    h = core.hh[p]
    return {
        "id_number": ctx.id_text(p),
        "name": ctx.name_text(p),
        "sex": _take(("女", "男"), core.male[p].astype(np.int64)),
        "birth_date": dates(core.birth[p]),
        "area_code": _take(ctx.areas.comm_code, core.hh_comm[h]),
        "household_no": ctx.hh_no.take(pa.array(h)),
        "father_id_number": ctx.parent_text(core.father[p]),
        "mother_id_number": ctx.parent_text(core.mother[p]),
    }


# ------------------------------------------------------------------------------------------ deaths


def deaths(ctx: Ctx, c: int, rng: np.random.Generator) -> Cols:
    p0, p1 = ctx.persons(c)
    p = p0 + np.flatnonzero(ctx.status.death[p0:p1] <= ctx.D)
    src = rng.choice(3, len(p), p=[0.5, 0.3, 0.2])
    twice = rng.random(len(p)) < 0.25
    p2 = p[twice]
    src2 = (src[twice] + 1 + rng.integers(0, 2, len(p2))) % 3
    pp = np.concatenate([p, p2])
    idt = ctx.id_text(pp)
    nm = ctx.name_text(pp)
    dd = ctx.status.death[pp]
    ss = np.concatenate([src, src2])
    # people registered elsewhere who died in Shenyang (not in the population)
    k = int(rng.binomial(len(p), 0.03)) if len(p) else 0
    if k:
        male = rng.random(k) < 0.5
        birth = (ctx.D - rng.uniform(30, 95, k) * YEAR).astype(np.int64)
        area = ids.AREA6_INT[ids.FIRST_ELSEWHERE + rng.integers(0, len(ids.ELSEWHERE), k)]
        seq = 2 * rng.integers(ids.OUTSIDER_M0, 500, k) + male
        b17 = ids.body17(area, birth, seq)
        s, g1, g2 = names.draw(rng, male, birth.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970)
        idt = pa.concat_arrays([idt, ids.render(b17, ids.check_index(b17))])
        nm = pa.concat_arrays([nm, names.render(s, g1, g2)])
        dd = np.concatenate([dd, ctx.D - rng.integers(1, 365, k)])
        ss = np.concatenate([ss, rng.choice(3, k, p=[0.3, 0.6, 0.1])])
    return {"id_number": idt, "name": nm, "death_date": dates(dd), "source": _take(SOURCES, ss)}


# -------------------------------------------------------------------------------- disability_certs


def disability_certs(ctx: Ctx, c: int, rng: np.random.Generator) -> Cols:
    p0, p1 = ctx.persons(c)
    st = ctx.status
    p = p0 + np.flatnonzero(st.cert_grade[p0:p1] > 0)
    idt = ctx.id_text(p)
    # 第二代残疾人证号: the ID number, the category digit and the grade digit
    tail = pc.cast(pa.array((st.cert_type[p].astype(np.int64) + 1) * 10 + st.cert_grade[p]), pa.string())
    return {
        "id_number": idt,
        "name": ctx.name_text(p),
        "cert_no": pc.binary_join_element_wise(idt, tail, ""),
        "disability_type": _take(DISABILITY_TYPES, st.cert_type[p]),
        "grade": pa.array(st.cert_grade[p].astype(np.int64)),
        "issue_date": dates(st.cert_issue[p]),
        "valid_until": dates(st.cert_valid[p], missing=NO_DATE),
    }


# ------------------------------------------------------------------------------------ employment


def employment(ctx: Ctx, c: int, rng: np.random.Generator) -> Cols:
    p0, p1 = ctx.persons(c)
    p = np.arange(p0, p1)
    D = ctx.D
    age = ctx.age(p)
    alive_to = ctx.alive_to(p)
    care = ctx.in_care(p)
    free = ~care
    start = D - 364
    u = rng.random(len(p))
    working = (age >= 18) & (age < 60) & (alive_to > start + 30)
    emp = working & free & (u < 0.06)
    unemp = working & free & (u >= 0.06) & (u < 0.09)
    pens = free & (age >= 50) & (age < 62) & (u >= 0.09) & (u < 0.13) & (alive_to > start + 30)
    # in care: unemployment only before the last 90 days; small wages that keep them under the line
    unemp_c = working & care & (u < 0.03)
    emp_c = working & care & (u >= 0.03) & (u < 0.07)
    h = ctx.core.hh[p]
    st = ctx.status
    sizes = np.diff(ctx.core.hh_start)[h]
    inc = np.bincount(h - h.min(), weights=st.income[p]) if len(p) else np.zeros(0)
    hh_income = inc[h - h.min()] if len(p) else np.zeros(0)
    line = ctx.std * sizes * np.where(st.hh_cat[h] == C_EDGE, 1.5, 1.0)
    room = np.floor(line - hh_income - 1)
    wage_c = np.floor(room * rng.uniform(0.3, 1.0, len(p)))
    emp_c &= wage_c >= 300
    wage = np.round(np.exp(rng.normal(np.log(4500), 0.45, len(p))), -1)
    pension = np.round(rng.uniform(2500, 5500, len(p)), 0)
    rows_p: list[np.ndarray] = []
    rows_e: list[np.ndarray] = []
    rows_d: list[np.ndarray] = []
    rows_a: list[np.ndarray] = []
    for mask, event, lo_off, amount in (
        (emp, 1, 0, wage),
        (unemp, 0, 0, None),
        (pens, 2, 0, pension),
        (unemp_c, 0, -1, None),
        (emp_c, 1, 0, wage_c),
    ):
        idx = np.flatnonzero(mask)
        hi = alive_to[idx] - 1 if lo_off == 0 else np.minimum(alive_to[idx] - 1, D - 90)
        rows_p.append(p[idx])
        rows_e.append(np.full(len(idx), event))
        rows_d.append(_rand_days(rng, start, hi, len(idx)))
        rows_a.append(amount[idx] if amount is not None else np.full(len(idx), -1.0))
    pp = np.concatenate(rows_p)
    amt = np.concatenate(rows_a).astype(np.int64)
    amount_text = pc.if_else(pa.array(amt < 0), pa.scalar(None, pa.string()), pc.cast(pa.array(amt), pa.string()))
    return {
        "id_number": ctx.id_text(pp),
        "name": ctx.name_text(pp),
        "event": _take(("unemployed", "employed", "pension"), np.concatenate(rows_e)),
        "event_date": dates(np.concatenate(rows_d)),
        "monthly_amount": amount_text,
    }


# -------------------------------------------------------------------------------------- vehicles


def _owners(
    ctx: Ctx, c: int, rng: np.random.Generator, prob: np.ndarray, lo: float, hi: float
) -> np.ndarray:
    """One owner per selected household: a random member aged [lo, hi) and alive, else the head."""
    h0, h1 = ctx.chunks[c]
    hs = h0 + np.flatnonzero(rng.random(h1 - h0) < prob)
    start = ctx.core.hh_start[hs]
    size = ctx.core.hh_start[hs + 1] - start
    owner = start + np.floor(rng.random(len(hs)) * size).astype(np.int64)

    def ok(o: np.ndarray) -> np.ndarray:
        a = ctx.age(o)
        return (a >= lo) & (a < hi) & (ctx.status.death[o] > ctx.D)

    owner = np.where(ok(owner), owner, start)
    return owner[ok(owner)]


def vehicles(ctx: Ctx, c: int, rng: np.random.Generator) -> Cols:
    h0, h1 = ctx.chunks[c]
    hs = np.arange(h0, h1)
    rural = ctx.areas.comm_rural[ctx.core.hh_comm[hs]]
    care = np.isin(ctx.status.hh_cat[hs], (1, 2, 3, 4))
    free = ~care
    kinds = (
        # vehicle_type, probability per household (free, in care) urban / rural, min/max owner age
        ("car", np.where(rural, 0.2, 0.38) * free, 22, 80),
        ("car", 0.06 * free, 22, 75),
        ("truck", np.where(rural, 0.05, 0.015) * free, 22, 70),
        ("motorcycle", np.where(rural, 0.12, 0.03), 18, 75),
        ("ebike", np.where(rural, 0.1, 0.14), 16, 80),
        ("farm_machine", np.where(rural, 0.14, 0.0), 20, 75),
        ("mobility_aid", np.where(care, 0.05, 0.02), 70, 120),
    )
    price_log = {"car": (11.7, 0.45), "truck": (11.9, 0.35), "motorcycle": (8.9, 0.4), "ebike": (7.9, 0.3),
                 "farm_machine": (10.5, 0.6), "mobility_aid": (7.6, 0.6)}
    out_p, out_t, out_d, out_pr = [], [], [], []
    for vtype, prob, lo, hi in kinds:
        o = _owners(ctx, c, rng, prob, lo, hi)
        span = 15 if vtype in ("car", "truck", "farm_machine") else 6
        first = np.maximum(ctx.D - int(span * YEAR), ctx.core.birth[o].astype(np.int64) + int(lo * YEAR))
        out_p.append(o)
        out_t.append(np.full(len(o), vtype, dtype=object))
        out_d.append(_rand_days(rng, first, ctx.D, len(o)))
        mu, sd = price_log[vtype]
        out_pr.append(np.round(np.exp(rng.normal(mu, sd, len(o))), -2).astype(np.int64))
    p = np.concatenate(out_p)
    vt = np.concatenate(out_t)
    serial = ctx.serial("plate", len(p))
    x = _bijection(serial, 34**5, 7919, 1_234_567)
    chars = []
    for _ in range(5):
        chars.append(_take(list(_PLATE_CHARS), x % 34))
        x //= 34
    plate5 = pc.binary_join_element_wise(*chars, "")
    digits = pc.utf8_lpad(pc.cast(pa.array(_bijection(serial, 10**7, 7919, 4321)), pa.string()), 7, "0")
    plate = pc.binary_join_element_wise("辽A", plate5, "")
    plate = pc.if_else(pa.array(vt == "ebike"), pc.binary_join_element_wise("沈A电", digits, ""), plate)
    plate = pc.if_else(pa.array(vt == "farm_machine"), pc.binary_join_element_wise("辽01-", digits, ""), plate)
    plate = pc.if_else(pa.array(vt == "mobility_aid"), pa.scalar(None, pa.string()), plate)
    return {
        "id_number": ctx.id_text(p),
        "plate": plate,
        "vehicle_type": pa.array(vt.astype(str)),
        "register_date": dates(np.concatenate(out_d)),
        "price": pa.array(np.concatenate(out_pr)),
    }


# ----------------------------------------------------------------------------------- real_estate


def real_estate(ctx: Ctx, c: int, rng: np.random.Generator) -> Cols:
    h0, h1 = ctx.chunks[c]
    hs = np.arange(h0, h1)
    core = ctx.core
    rural = ctx.areas.comm_rural[core.hh_comm[hs]]
    care = np.isin(ctx.status.hh_cat[hs], (1, 2, 3, 4))
    rows_p, rows_prop, rows_use, rows_area, rows_d = [], [], [], [], []

    def add(owners: np.ndarray, co: np.ndarray | None, usage: str, area: np.ndarray) -> None:
        first = np.maximum(ctx.D - int(25 * YEAR), core.birth[owners].astype(np.int64) + int(20 * YEAR))
        d = _rand_days(rng, first, ctx.D, len(owners))
        serial = ctx.serial("property", len(owners))
        rows_p.append(owners)
        rows_prop.append(serial)
        rows_use.append(np.full(len(owners), usage, dtype=object))
        rows_area.append(area)
        rows_d.append(d)
        if co is not None and len(co):
            k = np.flatnonzero(co >= 0)
            rows_p.append(co[k])
            rows_prop.append(serial[k])
            rows_use.append(np.full(len(k), usage, dtype=object))
            rows_area.append(area[k])
            rows_d.append(d[k])

    p_home = np.where(care, 0.45, np.where(rural, 0.9, 0.8))
    own = _owners(ctx, c, rng, p_home, 20, 120)
    start = core.hh_start[core.hh[own]]
    sp = start + 1
    has_sp = (sp < core.hh_start[core.hh[own] + 1]) & (core.rel[np.minimum(sp, core.n - 1)] == R_SPOUSE)
    has_sp &= ctx.status.death[np.minimum(sp, core.n - 1)] > ctx.D
    co = np.where(has_sp & (own == start) & (rng.random(len(own)) < 0.5), sp, -1)
    add(own, co, "residential", np.round(np.exp(rng.normal(np.log(78), 0.3, len(own))), 2))
    second = _owners(ctx, c, rng, np.where(care, 0.0, 0.1), 25, 120)
    add(second, None, "residential", np.round(np.exp(rng.normal(np.log(70), 0.3, len(second))), 2))
    com = _owners(ctx, c, rng, np.where(care, 0.0, 0.03), 25, 90)
    add(com, None, "commercial", np.round(np.exp(rng.normal(np.log(60), 0.7, len(com))), 2))
    p = np.concatenate(rows_p)
    serial = np.concatenate(rows_prop)
    d = np.concatenate(rows_d)
    year = d.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    no = pc.utf8_lpad(pc.cast(pa.array(_bijection(serial, 10**7, 104_723, 77_777)), pa.string()), 7, "0")
    prop = pc.binary_join_element_wise("辽(", pc.cast(pa.array(year), pa.string()), ")沈阳市不动产权第", no, "号", "")
    area = np.concatenate(rows_area)
    return {
        "id_number": ctx.id_text(p),
        "property_no": prop,
        "usage": pa.array(np.concatenate(rows_use).astype(str)),
        "area_m2": money(np.round(area * 100).astype(np.int64)),
        "register_date": dates(d),
    }


# ------------------------------------------------------------------------------------ businesses


def businesses(ctx: Ctx, c: int, rng: np.random.Generator) -> Cols:
    p0, p1 = ctx.persons(c)
    p = np.arange(p0, p1)
    age = ctx.age(p)
    ok = (age >= 22) & (age < 70) & ~ctx.in_care(p) & (ctx.status.death[p] > ctx.D)
    u = rng.random(len(p))
    role = np.select([u < 0.04, u < 0.052, u < 0.072], [2, 0, 1], -1)
    role[~ok] = -1
    idx = np.flatnonzero(role >= 0)
    pp = p[idx]
    r = role[idx]
    n = len(pp)
    district = ctx.areas.comm_district[ctx.core.hh_comm[ctx.core.hh[pp]]]
    dname = _take([d[1] for d in DISTRICTS], district)
    brand = pc.binary_join_element_wise(_take(_BRAND, rng.integers(0, len(_BRAND), n)),
                                        _take(_BRAND, rng.integers(0, len(_BRAND), n)), "")
    company = pc.binary_join_element_wise("沈阳", brand, _take(_INDUSTRY, rng.integers(0, len(_INDUSTRY), n)), "")
    shop = pc.binary_join_element_wise(dname, brand, _take(_SHOP, rng.integers(0, len(_SHOP), n)), "")
    name = pc.if_else(pa.array(r == 2), shop, company)
    cap_company = np.round(np.exp(rng.normal(np.log(800_000), 1.0, n)), -4)
    cap_sole = np.round(rng.uniform(10_000, 300_000, n), -3)
    cap = np.where(r == 2, cap_sole, np.maximum(cap_company, 30_000)).astype(np.int64)
    first = np.maximum(ctx.D - int(20 * YEAR), ctx.core.birth[pp].astype(np.int64) + int(20 * YEAR))
    return {
        "id_number": ctx.id_text(pp),
        "company_name": name,
        "role": _take(("legal_rep", "shareholder", "sole_proprietor"), r),
        "registered_capital": pa.array(cap),
        "register_date": dates(_rand_days(rng, first, ctx.D, n)),
    }


# --------------------------------------------------------------------------------------- justice


def justice(ctx: Ctx, c: int, rng: np.random.Generator) -> Cols:
    p0, p1 = ctx.persons(c)
    p = np.arange(p0, p1)
    st = ctx.status
    age = ctx.age(p)
    ok = (age >= 20) & (age < 70) & ~ctx.archived(p) & ~st.parent_of_minor[p] & (st.death[p] > ctx.D)
    u = rng.random(len(p))
    jail = p[ok & (u < 0.0012)]
    missing = p[ok & (u >= 0.0012) & (u < 0.0013)]
    jd = ctx.D - (rng.random(len(jail)) * 10 * YEAR).astype(np.int64)
    rel = jd + (rng.uniform(0.5, 5.0, len(jail)) * YEAR).astype(np.int64)
    freed = (rel <= ctx.D) & (rng.random(len(jail)) < 0.7)
    md = ctx.D - (rng.random(len(missing)) * 10 * YEAR).astype(np.int64)
    pp = np.concatenate([jail, jail[freed], missing])
    ev = np.concatenate([np.zeros(len(jail)), np.ones(int(freed.sum())), np.full(len(missing), 2)]).astype(np.int64)
    dd = np.concatenate([jd, rel[freed], md])
    return {
        "id_number": ctx.id_text(pp),
        "name": ctx.name_text(pp),
        "event": _take(("imprisoned", "released", "declared_missing"), ev),
        "event_date": dates(dd),
    }


# ---------------------------------------------------------------------------------------- school


def school_enrollment(ctx: Ctx, c: int, rng: np.random.Generator) -> Cols:
    p0, p1 = ctx.persons(c)
    p = np.arange(p0, p1)
    y = ctx.as_of.year if ctx.as_of.month >= 9 else ctx.as_of.year - 1
    sy = int(np.datetime64(f"{y}-09-01").astype(np.int64))
    age = np.floor((sy - ctx.core.birth[p]) / YEAR).astype(np.int64)
    alive = ctx.status.death[p] > ctx.D
    u = rng.random(len(p))
    stage = np.select(
        [
            (age >= 3) & (age <= 5) & (u < 0.85),
            (age >= 6) & (age <= 11) & (u < 0.995),
            (age >= 12) & (age <= 14) & (u < 0.99),
            (age >= 15) & (age <= 17) & (u < 0.6),
            (age >= 15) & (age <= 17) & (u < 0.92),
            (age >= 18) & (age <= 21) & (u < 0.5),
        ],
        [0, 1, 2, 3, 4, 5],
        -1,
    )
    stage[~alive] = -1
    idx = np.flatnonzero(stage >= 0)
    pp, st, a = p[idx], stage[idx], age[idx]
    n = len(pp)
    start_age = np.array([3, 6, 12, 15, 15, 18])[st]
    enroll_year = y - (a - start_age)
    ed = ((enroll_year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + 8).astype("datetime64[D]")
    comm = ctx.core.hh_comm[ctx.core.hh[pp]]
    street = pc.replace_substring_regex(_take(ctx.areas.comm_street_name, comm), "(街道|镇)$", "")
    district = _take([d[1] for d in DISTRICTS], ctx.areas.comm_district[comm])
    k = rng.integers(1, 180, n)
    num = pc.cast(pa.array(k), pa.string())
    school = pc.if_else(
        pa.array(st == 0), pc.binary_join_element_wise(district, street, "幼儿园", ""),
        pc.if_else(
            pa.array(st == 1), pc.binary_join_element_wise(district, street, "小学", ""),
            pc.if_else(
                pa.array(st == 2), pc.binary_join_element_wise("沈阳市第", num, "中学", ""),
                pc.if_else(
                    pa.array(st == 3), pc.binary_join_element_wise("沈阳市第", num, "高级中学", ""),
                    pc.if_else(
                        pa.array(st == 4), pc.binary_join_element_wise("沈阳市", district, "职业技术学校", ""),
                        _take(UNIVERSITIES, rng.integers(0, len(UNIVERSITIES), n)),
                    ),
                ),
            ),
        ),
    )
    return {
        "id_number": ctx.id_text(pp),
        "name": ctx.name_text(pp),
        "stage": _take(("preschool", "primary", "junior", "senior", "vocational", "undergraduate"), st),
        "school": school,
        "enroll_date": dates(ed.astype(np.int64)),
    }


# -------------------------------------------------------------------------------- medical_claims

SELF_PAID_CAP = 1_800_000  # cents: in-care members stay well under the 20,000 yuan trigger


def claims_norm(ctx: Ctx) -> float:
    """Mean age factor over the population, so that the mean claim count is ``claims_per_person``."""
    age = (ctx.D - ctx.core.birth) / YEAR
    return float(np.mean(0.6 + (age / 45.0) ** 2)) if ctx.core.n else 1.0


def medical_claims(ctx: Ctx, c: int, rng: np.random.Generator, norm: float) -> Cols:
    p0, p1 = ctx.persons(c)
    p = np.arange(p0, p1)
    D = ctx.D
    start = D - 364
    age = ctx.age(p)
    alive_to = ctx.alive_to(p)
    exposure = np.clip((alive_to - start + 1) / 365.0, 0, 1)
    lam = ctx.claims_per_person * (0.6 + (age / 45.0) ** 2) / norm * exposure
    k = rng.poisson(lam)
    pp = np.repeat(p, k)
    n = len(pp)
    d = _rand_days(rng, start, np.repeat(alive_to, k), n)
    a = np.repeat(age, k)
    inpatient = rng.random(n) < np.where(a >= 60, 0.1, 0.03)
    total = np.where(
        inpatient,
        np.exp(rng.normal(np.log(12_000), 0.7, n)),
        np.exp(rng.normal(np.log(220), 0.9, n)),
    )
    total = np.round(total * 100).astype(np.int64)
    ratio = np.where(inpatient, rng.uniform(0.55, 0.85, n), rng.uniform(0.15, 0.6, n))
    fund = np.floor(total * ratio).astype(np.int64)
    self_paid = total - fund
    care = np.repeat(ctx.in_care(p), k)
    if care.any():
        local = pp - p0
        s = np.bincount(local, weights=self_paid, minlength=len(p))
        f = np.minimum(1.0, SELF_PAID_CAP / np.maximum(s, 1.0))[local]
        f = np.where(care, f, 1.0)
        self_paid = np.floor(self_paid * f).astype(np.int64)
        fund = np.floor(fund * f).astype(np.int64)
        total = self_paid + fund
    serial = ctx.serial("claim", n)
    cid = pc.utf8_lpad(pc.cast(pa.array(_bijection(serial, 10**12, 48_271, 9_876_543)), pa.string()), 12, "0")
    return {
        "claim_id": pc.binary_join_element_wise("YB2101", cid, ""),
        "id_number": ctx.id_text(pp),
        "name": ctx.name_text(pp),
        "settle_date": dates(d),
        "inpatient": _take(("N", "Y"), inpatient.astype(np.int64)),
        "total_cost": money(total),
        "fund_paid": money(fund),
        "self_paid": money(self_paid),
    }


def fresh_claim_ids(ctx: Ctx, n: int) -> list[str]:
    """Claim ids for junk rows (never shared with a real claim)."""
    serial = ctx.serial("claim", n)
    return [f"YB2101{v:012d}" for v in _bijection(serial, 10**12, 48_271, 9_876_543).tolist()]
