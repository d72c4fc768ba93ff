"""``minzheng synth city``: write a synthetic Shenyang as the files of data-exchange.md.

Order of work: the area tree; the planted cases (small, hand-built, with their truth); the background
population (numpy, by blocks of households) and its status (certificates, archive, deaths); then every
file is streamed block by block, each block from its own random stream (seed, file, block), with the
planted rows of that block mixed in. The output is byte-identical for the same (seed, persons,
households in care, as-of, claims per person).
"""

from __future__ import annotations

import csv
import ctypes
import datetime as dt
import gc
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from minzheng.synth import cases, feeds, params, population, registry, status
from minzheng.synth.areas import Areas, build_areas
from minzheng.synth.ctx import Ctx
from minzheng.synth.plant import ARCHIVE_SERIAL0, HOUSEHOLD_SERIAL0, Builder
from minzheng.synth.writer import Cols, DirtLog, Sink, to_text

SHENYANG_PERSONS = 9_200_000
SHENYANG_IN_CARE = 62_063
MIN_PERSONS = 2_000
MIN_IN_CARE = 300
DEFAULT_AS_OF = dt.date(2025, 7, 31)
SCENARIOS = (
    "FIND_HIGH_AGE", "FIND_DISABILITY_CARE", "FIND_DISABILITY_LIVING", "FIND_UNSUPPORTED_CHILD",
    "MON_DECEASED", "MON_ASSET_INCOME", "MON_HARDSHIP_RISK",
)
TRUTH_COLUMNS = ("scenario", "id_number", "household_id", "monthly_amount", "note")
DIRT_COLUMNS = ("file", "row_number", "id_raw", "kind")
AREA_COLUMNS = ("code", "name", "level", "parent_code")

# file → (random-stream tag, dirt rate, duplicate rate, junk rate)
FEED_OPTIONS: dict[str, tuple[int, float, float, float]] = {
    "population": (101, 0.01, 0.0002, 0.0001),
    "deaths": (102, 0.015, 0.0, 0.002),
    "disability_certs": (103, 0.01, 0.003, 0.0005),
    "employment": (104, 0.01, 0.003, 0.0003),
    "vehicles": (105, 0.01, 0.003, 0.0003),
    "real_estate": (106, 0.01, 0.003, 0.0003),
    "businesses": (107, 0.01, 0.003, 0.0003),
    "justice": (108, 0.01, 0.003, 0.001),
    "school_enrollment": (109, 0.01, 0.003, 0.0003),
    "medical_claims": (110, 0.01, 0.005, 0.0001),
}
PLANTED_DIRT = 0.08


class SynthError(ValueError):
    """Bad parameters for the synthetic city."""


@dataclass
class Summary:
    out: Path
    persons: int
    households: int
    in_care: int
    planted_persons: int
    sets: int
    rows: dict[str, int] = field(default_factory=dict)
    truth: dict[str, int] = field(default_factory=dict)
    invalid_ids: int = 0
    seconds: float = 0.0


def _trim() -> None:
    """Give freed memory back to the system between phases (numpy temporaries of a few MB otherwise
    stay in glibc's heap and the resident size creeps up with every block)."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    try:
        lib = ctypes.CDLL("libc.so.6")
        lib.malloc_trim  # noqa: B018  (glibc only)
    except (OSError, AttributeError):
        return None
    return lib


_LIBC = _libc()


def default_in_care(persons: int) -> int:
    return max(MIN_IN_CARE, round(SHENYANG_IN_CARE * persons / SHENYANG_PERSONS))


def generate(
    out: Path,
    persons: int = 20_000,
    in_care: int | None = None,
    seed: int = 1,
    as_of: dt.date = DEFAULT_AS_OF,
    claims_per_person: float = 3.3,
    quiet: bool = False,
) -> Summary:
    t0 = time.monotonic()
    in_care = default_in_care(persons) if in_care is None else in_care
    _check(persons, in_care, as_of, claims_per_person)
    out.mkdir(parents=True, exist_ok=True)
    areas = build_areas(persons, seed)

    b = Builder(areas, as_of, seed)
    sets = max(1, round(in_care / 5000))
    cases.plant(b, sets)
    planted_in_care = b.in_care_households()
    bg_persons = persons - len(b.persons)
    bg_in_care = in_care - planted_in_care
    if bg_persons < MIN_PERSONS // 2:
        raise SynthError(f"--persons {persons} leaves too few people besides the {len(b.persons)} planted")
    if bg_in_care < 0:
        raise SynthError(f"--households-in-care must be at least {planted_in_care} (the planted ones)")

    D = status.day(as_of)
    core = population.build(bg_persons, D, areas, seed)
    _trim()
    rural = areas.comm_rural[core.hh_comm]
    try:
        st = status.build(core, rural, as_of, bg_in_care, seed)
    except ValueError as exc:
        raise SynthError(str(exc)) from None
    _trim()
    bounds = np.searchsorted(core.hh_start, np.arange(0, bg_persons, population.CHUNK_PERSONS))
    bounds = np.unique(np.concatenate([bounds, [core.n_hh]]))
    chunks = [(int(a), int(z)) for a, z in itertools.pairwise(bounds)]
    b.assign_chunks(len(chunks))
    hh_serial = np.arange(core.n_hh, dtype=np.int64)
    hh_no = _fmt((hh_serial * 104_729 + 5_550_001) % 10**9, 9, "")  # as plant.household_no
    arch = st.hh_arch.astype(np.int64)
    arch_text = _fmt((arch * 7919 + 1_234_567) % 10**8, 8, "SY")
    arch_id = pc.if_else(pa.array(arch >= 0), arch_text, pa.scalar(None, pa.string()))
    assert core.n_hh < HOUSEHOLD_SERIAL0 and int(arch.max(initial=0)) < ARCHIVE_SERIAL0
    ctx = Ctx(core, st, areas, as_of, seed, claims_per_person, chunks, hh_no, arch_id)

    log = DirtLog()
    summary = Summary(out, persons, core.n_hh + len(b.households), bg_in_care + planted_in_care,
                      len(b.persons), sets)
    _write_areas(out, areas)
    summary.rows["areas"] = len(areas.codes)

    # the archive first (one batch each), then the feeds block by block
    reg_h, reg_m, reg_e = b.registry_rows()
    rng = ctx.rng(120, 0)
    _one(out, "registry_households", registry.households(ctx, rng), reg_h, log, quiet, summary, rng,
         id_cols=(), order="household_id")
    _one(out, "registry_members", registry.members(ctx), reg_m, log, quiet, summary, rng,
         order="household_id")
    _one(out, "registry_enrollments", registry.enrollments(ctx, rng), reg_e, log, quiet, summary, rng,
         id_cols=(), dirt=0.0, order="household_id")

    norm = feeds.claims_norm(ctx)
    # expected rows per person (measured), for the progress percentage
    per_person = {"population": 1.0, "medical_claims": claims_per_person, "deaths": 0.009,
                  "disability_certs": 0.058, "employment": 0.06, "vehicles": 0.245, "real_estate": 0.43,
                  "businesses": 0.052, "justice": 0.001, "school_enrollment": 0.124}
    gens: dict[str, Callable[[Ctx, int, np.random.Generator], Cols]] = {
        "population": feeds.population,
        "deaths": feeds.deaths,
        "disability_certs": feeds.disability_certs,
        "employment": feeds.employment,
        "vehicles": feeds.vehicles,
        "real_estate": feeds.real_estate,
        "businesses": feeds.businesses,
        "justice": feeds.justice,
        "school_enrollment": feeds.school_enrollment,
        "medical_claims": lambda x, c, r: feeds.medical_claims(x, c, r, norm),
    }
    pop_rows = b.population_rows()
    for name, gen in gens.items():
        tag, dirt, dup, junk = FEED_OPTIONS[name]
        sink = Sink(out, name, feeds.FILES[name], log, quiet=quiet, total=max(1, round(persons * per_person[name])))
        for c in range(len(chunks)):
            r = ctx.rng(tag, c)
            cols = gen(ctx, c, r)
            planted = [v for ch, v in pop_rows if ch == c] if name == "population" else b.rows_for(name, c)
            cols, rates = _with_planted(cols, planted, feeds.FILES[name], dirt)
            fresh = {"claim_id": lambda k: feeds.fresh_claim_ids(ctx, k)} if name == "medical_claims" else None
            sink.write(
                cols, r,
                id_cols=("id_number", "father_id_number", "mother_id_number") if name == "population"
                else ("id_number",),
                dirt=rates, dup=dup, junk=junk, at_least_one_junk=(c == 0), fresh=fresh,
                order="household_no" if name == "population" else "shuffle",
            )
            del cols
            if name == "medical_claims":  # the big one: hand its blocks back at once
                _trim()
        sink.close()
        summary.rows[name] = sink.rows

    _write_truth(out, b)
    _write_dirt(out, log)
    summary.truth = {s: sum(1 for t in b.truth_rows if t["scenario"] == s) for s in SCENARIOS}
    summary.invalid_ids = len(log.rows)
    summary.seconds = time.monotonic() - t0
    _write_readme(out, summary, seed, as_of, claims_per_person)
    return summary


def _check(persons: int, in_care: int, as_of: dt.date, cpp: float) -> None:
    if persons < MIN_PERSONS:
        raise SynthError(f"--persons must be at least {MIN_PERSONS}")
    if persons > 50_000_000:
        raise SynthError("--persons must be at most 50,000,000")
    if in_care < 1:
        raise SynthError("--households-in-care must be positive")
    if in_care > persons // 5:
        raise SynthError(f"--households-in-care {in_care} is too many for {persons} persons")
    if as_of < params.EARLIEST_AS_OF:
        raise SynthError(f"--as-of must be {params.EARLIEST_AS_OF} or later (the policy table starts there)")
    if as_of > dt.date.today():
        raise SynthError("--as-of must not be in the future (birth dates after today are invalid)")
    if not 0 <= cpp <= 50:
        raise SynthError("--claims-per-person must be between 0 and 50")


def _fmt(values: np.ndarray, width: int, prefix: str) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "") if prefix else text


def _with_planted(
    cols: Cols, planted: list[dict[str, object]], columns: tuple[str, ...], dirt: float
) -> tuple[Cols, np.ndarray]:
    n_bg = len(to_text(cols[columns[0]]))
    if not planted:
        return cols, np.full(n_bg, dirt)
    out: Cols = {}
    for c in columns:
        extra = to_text([row.get(c) for row in planted])
        out[c] = pa.concat_arrays([to_text(cols[c]), extra])
    rates = np.concatenate([np.full(n_bg, dirt), np.full(len(planted), PLANTED_DIRT)])
    return out, rates


def _one(
    out: Path, name: str, cols: Cols, planted: list[dict[str, object]], log: DirtLog,
    quiet: bool, summary: Summary, rng: np.random.Generator, *, id_cols: tuple[str, ...] = ("id_number",),
    dirt: float = 0.01, order: str = "household_id",
) -> None:
    columns = feeds.FILES[name]
    cols, rates = _with_planted(cols, planted, columns, dirt)
    sink = Sink(out, name, columns, log, quiet=quiet, total=len(rates))
    sink.write(cols, rng, id_cols=id_cols, dirt=rates if dirt else 0.0, order=order)
    sink.close()
    summary.rows[name] = sink.rows
    _trim()


def _write_areas(out: Path, areas: Areas) -> None:
    with (out / "areas.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(AREA_COLUMNS)
        for row in zip(areas.codes, areas.names, areas.levels, areas.parents, strict=True):
            w.writerow(row)


def _write_truth(out: Path, b: Builder) -> None:
    rows = sorted(b.truth_rows, key=lambda r: (SCENARIOS.index(str(r["scenario"])), str(r["id_number"])))
    with (out / "truth.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(TRUTH_COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in TRUTH_COLUMNS])


def _write_dirt(out: Path, log: DirtLog) -> None:
    with (out / "dirt.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(DIRT_COLUMNS)
        w.writerows(log.rows)


def _write_readme(out: Path, s: Summary, seed: int, as_of: dt.date, cpp: float) -> None:
    lines = [
        "Minzheng synthetic city (沈阳-like) — generated by `minzheng synth city`",
        "",
        f"seed {seed}; persons {s.persons:,}; households {s.households:,}; households in care on D "
        f"{s.in_care:,}; as-of (D) {as_of}; claims per person {cpp}",
        f"planted: {s.planted_persons:,} persons in {s.sets} set(s) of cases; truth.csv has "
        + ", ".join(f"{k} {v}" for k, v in s.truth.items()),
        "",
        "Rows per file (header not counted):",
        *[f"  {k}.csv: {v:,}" for k, v in s.rows.items()],
        "",
        "Files follow data-exchange.md; areas.csv is the administrative tree (city, 13 districts, streets,",
        "communities); truth.csv lists every alert the seven scenarios of monitoring-scenarios.md must",
        "produce for D (precision and recall 1.0: the background triggers nothing); dirt.csv lists the",
        f"{s.invalid_ids:,} rows whose ID number is invalid and must be rejected (row_number counts data rows",
        "from 1, the header not counted). Other ID cells may be dirty but valid: 15-digit numbers, a",
        "lowercase x, surrounding spaces, full-width digits. Feeds repeat facts (one death from two sources,",
        "a claim_id twice, exact duplicate rows): count each fact once.",
        "",
        "All people, names and numbers are synthetic.",
    ]
    (out / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
