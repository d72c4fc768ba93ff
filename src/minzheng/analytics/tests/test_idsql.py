"""The DuckDB ID normalisation agrees with ``idnumber.normalise`` on every input, valid or not."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pyarrow as pa
import pytest

from minzheng.analytics import idsql
from minzheng.core import idnumber as idn

TODAY = dt.date(2025, 6, 30)
WS = [" ", "\t", "\u3000", "\u00a0", "\u2002", "\n", "\u202f"]
FULL = {str(i): chr(ord("０") + i) for i in range(10)} | {"X": "Ｘ", "x": "ｘ"}


def _python(raw: str | None) -> tuple[str | None, str | None]:
    try:
        return idn.normalise(raw, today=TODAY), None
    except idn.InvalidIDNumber as exc:
        return None, exc.reason


def _valid(rng: random.Random) -> str:
    province = rng.choice(sorted(idn.PROVINCE_CODES))
    area6 = province + f"{rng.randrange(10000):04d}"
    born = dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange((TODAY - dt.date(1900, 1, 1)).days + 1))
    return idn.make(area6, born, rng.randrange(1000))


def _dirty(rng: random.Random, s: str) -> str:
    """The dirt real feeds carry, several kinds at once."""
    if rng.random() < 0.3:
        s = s.lower()
    if rng.random() < 0.3:
        s = "".join(FULL.get(c, c) if rng.random() < 0.5 else c for c in s)
    if rng.random() < 0.4:
        s = rng.choice(WS) * rng.randint(1, 2) + s + rng.choice(WS)
    if rng.random() < 0.2:
        k = rng.randrange(len(s) + 1)
        s = s[:k] + rng.choice(WS) + s[k:]
    return s


def _broken(rng: random.Random, s: str) -> str:
    kind = rng.randrange(9)
    if kind == 0:  # wrong check digit
        return s[:17] + rng.choice([c for c in "0123456789X" if c != s[17]])
    if kind == 1:  # impossible or out-of-range date
        return s[:6] + rng.choice(["19990230", "20010229", "19001301", "18791231", "20990101", "19000000",
                                   "20000229", "19000229", "20250631", "20250701"]) + s[14:]
    if kind == 2:  # non-province area code
        return rng.choice(["00", "19", "20", "66", "99", "10", "72", "80"]) + s[2:]
    if kind == 3:  # wrong length
        return s[: rng.choice([0, 1, 10, 14, 16, 17])] if rng.random() < 0.5 else s + "1"
    if kind == 4:  # letters
        k = rng.randrange(18)
        return s[:k] + rng.choice("ABxYa-/.中") + s[k + 1:]
    if kind == 5:  # a 15-digit number, perhaps with a broken date or area
        s15 = s[:6] + s[8:17]  # drop the century, whatever it was
        if rng.random() < 0.3:
            s15 = s15[:6] + rng.choice(["990230", "001301", "000000"]) + s15[12:]
        if rng.random() < 0.2:
            s15 = "99" + s15[2:]
        return s15
    if kind == 6:
        return rng.choice(["", " ", "\u3000", "X" * 18, "0" * 18, "1" * 15, "ｘ", "null"])
    if kind == 7:  # X in the wrong place
        k = rng.randrange(17)
        return s[:k] + "X" + s[k + 1:]
    return s


def _corpus(n: int, seed: int = 11643) -> list[str | None]:
    rng = random.Random(seed)
    out: list[str | None] = [None]
    for _ in range(n):
        s = _valid(rng)
        r = rng.random()
        if r < 0.15:
            s = s[:6] + s[8:17] if s[6:8] == "19" else s  # old 15-digit form
        elif r < 0.55:
            s = _broken(rng, s)
        out.append(_dirty(rng, s) if rng.random() < 0.6 else s)
    return out


@pytest.fixture(scope="module")
def corpus() -> list[str | None]:
    return _corpus(8000)


def test_corpus_covers_every_reason(corpus: list[str | None]) -> None:
    reasons = {_python(raw)[1] for raw in corpus}
    assert reasons == {None, idn.R_EMPTY, idn.R_FORMAT, idn.R_AREA, idn.R_BIRTH, idn.R_CHECK}


def test_staged_sql_agrees_with_python(corpus: list[str | None]) -> None:
    con = duckdb.connect()
    table = pa.table({"k": list(range(len(corpus))), "raw": pa.array(corpus, pa.string())})
    con.register("ids", table)
    rows = con.execute(
        f"SELECT k, id, id_reason FROM ({idsql.staged_sql('ids', {'raw': 'id'}, today=TODAY)}) ORDER BY k"  # noqa: S608
    ).fetchall()
    assert len(rows) == len(corpus) >= 5000
    mismatches = [(corpus[k], (got, why), _python(corpus[k])) for k, got, why in rows
                  if (got, why) != _python(corpus[k])]
    assert mismatches == []


def test_scalar_macros_agree_with_python(corpus: list[str | None]) -> None:
    con = duckdb.connect()
    idsql.install(con, today=TODAY)
    sample = corpus[:2000]
    con.register("ids", pa.table({"k": list(range(len(sample))), "raw": pa.array(sample, pa.string())}))
    rows = con.execute("SELECT k, mz_id_normalise(raw), mz_id_reason(raw) FROM ids ORDER BY k").fetchall()
    assert [(a, b) for _, a, b in rows] == [_python(raw) for raw in sample]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("440524800101001", ("440524198001010013", None)),
        (" 11010519491231002x ", ("11010519491231002X", None)),
        ("１１０１０５１９４９１２３１００２Ｘ", ("11010519491231002X", None)),
        ("11010519491231002\u3000X", ("11010519491231002X", None)),
        ("110105194912310021", (None, idn.R_CHECK)),
        ("110105194902300021", (None, idn.R_BIRTH)),
        ("990105194912310021", (None, idn.R_AREA)),
        ("1101051949123100", (None, idn.R_FORMAT)),
        ("", (None, idn.R_EMPTY)),
    ],
)
def test_known_values(raw: str, expected: tuple[str | None, str | None]) -> None:
    con = duckdb.connect()
    idsql.install(con, today=TODAY)
    assert con.execute("SELECT mz_id_normalise(?), mz_id_reason(?)", [raw, raw]).fetchone() == expected
    assert _python(raw) == expected


def test_changed_flag_marks_repaired_numbers() -> None:
    con = duckdb.connect()
    con.register("ids", pa.table({"raw": ["11010519491231002X", "11010519491231002x", "bad"]}))
    rows = con.execute(f"SELECT id, id_changed FROM ({idsql.staged_sql('ids', {'raw': 'id'}, today=TODAY)})")  # noqa: S608
    assert rows.fetchall() == [("11010519491231002X", False), ("11010519491231002X", True), (None, True)]


def test_normalise_many_agrees_with_python(corpus: list[str | None]) -> None:
    got = idsql.normalise_many(corpus, today=TODAY)
    assert len(got) == len({"" if r is None else r for r in corpus})
    assert all(got["" if raw is None else raw] == _python(raw) for raw in corpus)
