"""ID numbers in bulk: construction (area code, birth date, sequence with sex parity, check digit),
rendering to strings, and the dirt real feeds carry (15-digit form, lowercase x, spaces, full-width
digits) plus truly invalid numbers for the importer to reject.

Vectorised twins of ``minzheng.core.idnumber.make`` / ``to_15``; the tests check they agree.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from minzheng.core.idnumber import CHECK_MAP, WEIGHTS

# Birth-place address codes. The 13 current district codes first (same order as areas.DISTRICTS),
# then historical Shenyang codes, then other Liaoning cities and other provinces.
SHENYANG = (
    "210102", "210103", "210104", "210105", "210106", "210111", "210112", "210113", "210114",
    "210115", "210123", "210124", "210181",
)
HIST_LIAOZHONG = "210122"  # 辽中县, before it became 辽中区 (2016)
HIST_XINMIN = "210121"  # 新民县, before it became 新民市 (1993)
HIST_SHENBEI = "210184"  # the short-lived non-standard 沈北新区 code (2006–2010)
ELSEWHERE = (
    "210211", "210302", "210402", "210502", "210602", "210702", "210802", "210902", "211002",
    "211102", "211202", "211302", "211402", "220102", "220202", "230102", "150102", "130102",
    "370102", "370202", "110105", "410102", "120101", "140105", "320102", "510104", "430102",
)
AREA6: tuple[str, ...] = (*SHENYANG, HIST_LIAOZHONG, HIST_XINMIN, HIST_SHENBEI, *ELSEWHERE)
AREA6_INT = np.array([int(a) for a in AREA6], dtype=np.int64)
I_LIAOZHONG = AREA6.index(HIST_LIAOZHONG)
I_XINMIN = AREA6.index(HIST_XINMIN)
I_SHENBEI = AREA6.index(HIST_SHENBEI)
FIRST_ELSEWHERE = AREA6.index(ELSEWHERE[0])

# Sequence numbers: m in 1..449 for the background population (sequence 2m or 2m+1 by sex),
# 450..474 for planted persons, 475..499 for people outside the population (deaths of visitors).
BACKGROUND_M = 449
PLANTED_M0 = 450
OUTSIDER_M0 = 475

_CHECK_ARR = pa.array(list(CHECK_MAP), pa.string())
_W = np.array(WEIGHTS, dtype=np.int64)


def yyyymmdd(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 → YYYYMMDD integers."""
    d = days.astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    y = m.astype("datetime64[Y]").astype(np.int64) + 1970
    mon = m.astype(np.int64) % 12 + 1
    day = (d - m.astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10000 + mon * 100 + day


def body17(area6: np.ndarray, birth_days: np.ndarray, seq3: np.ndarray) -> np.ndarray:
    """The first 17 digits as an int64."""
    return area6.astype(np.int64) * 10**11 + yyyymmdd(birth_days) * 1000 + seq3.astype(np.int64)


def check_index(b17: np.ndarray) -> np.ndarray:
    """Index into CHECK_MAP of the MOD 11-2 check character of each 17-digit body."""
    x = b17.astype(np.int64).copy()
    s = np.zeros(len(x), dtype=np.int64)
    for i in range(16, -1, -1):
        s += (x % 10) * _W[i]
        x //= 10
    return (s % 11).astype(np.uint8)


def render(b17: np.ndarray, chk: np.ndarray) -> pa.Array:
    """18-character ID strings."""
    return pc.binary_join_element_wise(
        pc.cast(pa.array(b17, pa.int64()), pa.string()), _CHECK_ARR.take(pa.array(chk)), ""
    )


def allocate_seq(area_idx: np.ndarray, birth_days: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Sequence codes unique per (area, birth date, sex) over the whole population, odd for men."""
    key = (area_idx.astype(np.int64) * 200_000 + (birth_days.astype(np.int64) + 60_000)) * 2 + male
    order = np.argsort(key, kind="stable")
    sk = key[order]
    new = np.empty(len(sk), dtype=bool)
    new[:1] = True
    new[1:] = sk[1:] != sk[:-1]
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    rank = np.arange(len(sk)) - starts[group]
    if len(rank) and rank.max() >= BACKGROUND_M:
        raise ValueError("too many people share an area code, birth date and sex")
    h = (sk * 2654435761) % BACKGROUND_M
    m_sorted = (h + 7 * rank) % BACKGROUND_M + 1
    m = np.empty_like(m_sorted)
    m[order] = m_sorted
    return (2 * m + male.astype(np.int64)).astype(np.int64)


# ---------------------------------------------------------------------------------------------- dirt

DIRT_KINDS = ("id15", "lower_x", "spaces", "fullwidth")
_FW = {str(i): chr(ord("０") + i) for i in range(10)}


def dirty(ids: pa.Array, rng: np.random.Generator, rate: float | np.ndarray) -> pa.Array:
    """Replace a share ``rate`` (a number or one per row) of the IDs by valid-but-dirty spellings of
    the same number. Empty cells stay empty."""
    n = len(ids)
    if n == 0:
        return ids
    sel = np.flatnonzero(rng.random(n) < rate)
    if len(sel) == 0:
        return ids
    sel = sel[pc.is_valid(ids.take(pa.array(sel))).to_numpy(zero_copy_only=False)]
    if len(sel) == 0:
        return ids
    sub = ids.take(pa.array(sel))
    kind = rng.integers(0, 4, len(sel))
    valid = pc.fill_null(pc.equal(pc.utf8_length(sub), 18), False)
    century19 = pc.and_(valid, pc.equal(pc.utf8_slice_codeunits(sub, 6, 8), "19"))
    ends_x = pc.and_(valid, pc.equal(pc.utf8_slice_codeunits(sub, 17, 18), "X"))
    k15 = pc.and_(pa.array(kind == 0), century19)
    klow = pc.and_(pa.array(kind == 1), ends_x)
    kfw = pc.and_(pa.array(kind == 3), valid)
    id15 = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(sub, 0, 6), pc.utf8_slice_codeunits(sub, 8, 17), ""
    )
    fw = sub
    for a, b in _FW.items():
        fw = pc.replace_substring(fw, a, b)
    pad = pc.binary_join_element_wise(" ", sub, "  ", "")
    out = pc.if_else(k15, id15, pc.if_else(klow, pc.utf8_lower(sub), pc.if_else(kfw, fw, pad)))
    mask = np.zeros(n, dtype=bool)
    mask[sel] = True
    return pc.replace_with_mask(ids, pa.array(mask), out)


def invalid_variant(id18: str, kind: str, rng: np.random.Generator) -> str:
    """A number derived from ``id18`` that no importer may accept: wrong check character, or an
    impossible birth date (with its check character recomputed so only the date is wrong)."""
    if kind == "check_digit":
        good = CHECK_MAP.index(id18[17])
        bad = (good + 1 + int(rng.integers(0, 10))) % 11
        return id18[:17] + CHECK_MAP[bad]
    mmdd = ("1301", "0230", "0000", "0431", "1232")[int(rng.integers(0, 5))]
    body = id18[:10] + mmdd + id18[14:17]
    chk = CHECK_MAP[int(check_index(np.array([int(body)]))[0])]
    return body + chk
