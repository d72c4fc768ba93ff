"""The synthetic city: files and columns, determinism, ID dirt, areas, realism, and — through an
independent reference implementation of the seven scenarios — that truth.csv is exact."""

from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from minzheng.cli import CommandError
from minzheng.cli import synth as synth_cli
from minzheng.core import idnumber
from minzheng.synth import city, ids, names
from minzheng.synth.tests import reference

D = dt.date(2025, 7, 31)

# data-exchange.md, copied by hand
COLUMNS = {
    "registry_households": ["household_id", "area_code", "address", "phone", "registered_date"],
    "registry_members": ["household_id", "id_number", "name", "relation", "monthly_income", "disability_type",
                         "disability_grade", "serious_illness", "self_care"],
    "registry_enrollments": ["household_id", "id_number", "programme", "start_date", "end_date", "monthly_amount"],
    "population": ["id_number", "name", "sex", "birth_date", "area_code", "household_no", "father_id_number",
                   "mother_id_number"],
    "deaths": ["id_number", "name", "death_date", "source"],
    "medical_claims": ["claim_id", "id_number", "name", "settle_date", "inpatient", "total_cost", "fund_paid",
                       "self_paid"],
    "disability_certs": ["id_number", "name", "cert_no", "disability_type", "grade", "issue_date", "valid_until"],
    "employment": ["id_number", "name", "event", "event_date", "monthly_amount"],
    "vehicles": ["id_number", "plate", "vehicle_type", "register_date", "price"],
    "real_estate": ["id_number", "property_no", "usage", "area_m2", "register_date"],
    "businesses": ["id_number", "company_name", "role", "registered_capital", "register_date"],
    "justice": ["id_number", "name", "event", "event_date"],
    "school_enrollment": ["id_number", "name", "stage", "school", "enroll_date"],
    "areas": ["code", "name", "level", "parent_code"],
    "truth": ["scenario", "id_number", "household_id", "monthly_amount", "note"],
    "dirt": ["file", "row_number", "id_raw", "kind"],
}
ID_COLUMNS = ("id_number", "father_id_number", "mother_id_number")
DISTRICTS = ("210102", "210103", "210104", "210105", "210106", "210111", "210112", "210113", "210114",
             "210115", "210123", "210124", "210181")


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def city5k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city5k")
    city.generate(out, persons=5000, seed=7, as_of=D, quiet=True)
    return out


@pytest.fixture(scope="module")
def city2k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city2k")
    city.generate(out, persons=2000, seed=3, as_of=dt.date(2024, 12, 31), quiet=True)
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_parameters_give_identical_bytes(city2k: Path, tmp_path: Path) -> None:
    city.generate(tmp_path / "again", persons=2000, seed=3, as_of=dt.date(2024, 12, 31), quiet=True)
    assert _digest(tmp_path / "again") == _digest(city2k)
    city.generate(tmp_path / "other", persons=2000, seed=4, as_of=dt.date(2024, 12, 31), quiet=True)
    assert _digest(tmp_path / "other")["population.csv"] != _digest(city2k)["population.csv"]


def test_every_file_with_exact_columns(city5k: Path) -> None:
    names_ = {p.name for p in city5k.iterdir()}
    assert names_ == {f"{n}.csv" for n in COLUMNS} | {"README.txt"}
    for name, cols in COLUMNS.items():
        with (city5k / f"{name}.csv").open(encoding="utf-8") as fh:
            assert fh.readline().rstrip("\n").split(",") == cols, name
    readme = (city5k / "README.txt").read_text(encoding="utf-8")
    assert "seed 7" in readme and "persons 5,000" in readme and "as-of (D) 2025-07-31" in readme


def test_population_size_and_households_in_care(city5k: Path) -> None:
    pop = _read(city5k, "population")
    bad = {(r["file"], int(r["row_number"])) for r in _read(city5k, "dirt")}
    valid = [r for i, r in enumerate(pop, 1) if ("population.csv", i) not in bad]
    assert len({idnumber.normalise(r["id_number"]) for r in valid}) == 5000
    # 62063 × 5000 / 9.2M < 300, so the floor of 300 applies: exactly 300 households in care on D
    c = reference.load(city5k, D)
    assert len(reference.in_care(c)) == 300


def test_ids_normalise_except_the_listed_invalid_ones(city5k: Path) -> None:
    dirt = _read(city5k, "dirt")
    listed = {(r["file"], int(r["row_number"])): r for r in dirt}
    assert {r["kind"] for r in dirt} == {"check_digit", "birth_date"}
    files_with_junk = {r["file"] for r in dirt}
    assert {f"{n}.csv" for n in COLUMNS if n not in ("registry_households", "registry_members",
            "registry_enrollments", "areas", "truth", "dirt")} <= files_with_junk
    kinds: collections.Counter[str] = collections.Counter()
    for name, cols in COLUMNS.items():
        if name in ("areas", "dirt"):
            continue
        for i, row in enumerate(_read(city5k, name), 1):
            for col in (c for c in cols if c in ID_COLUMNS):
                raw = row[col]
                if (f"{name}.csv", i) in listed and col == "id_number":
                    assert raw == listed[(f"{name}.csv", i)]["id_raw"]
                    with pytest.raises(idnumber.InvalidIDNumber):
                        idnumber.normalise(raw)
                    continue
                if raw == "" and (col != "id_number" or name == "registry_enrollments"):
                    continue
                norm = idnumber.normalise(raw)
                if raw != norm:
                    kinds["id15" if len(raw) == 15 else "lower_x" if raw.endswith("x") else
                          "spaces" if raw.strip() != raw else "fullwidth"] += 1
    assert set(kinds) == {"id15", "lower_x", "spaces", "fullwidth"}
    assert len(listed) == len(dirt)


def test_areas_tree(city5k: Path) -> None:
    areas = _read(city5k, "areas")
    by_code = {a["code"]: a for a in areas}
    assert len(by_code) == len(areas)
    assert by_code["210100000000"]["level"] == "city" and by_code["210100000000"]["name"] == "沈阳市"
    assert by_code["210102000000"]["name"] == "和平区"
    districts = [a for a in areas if a["level"] == "district"]
    assert sorted(a["code"][:6] for a in districts) == sorted(DISTRICTS)
    for a in areas:
        assert len(a["code"]) == 12 and a["code"].isdigit()
        if a["level"] != "city":
            assert a["parent_code"] in by_code
        if a["level"] == "street":
            assert a["code"][9:] == "000" and a["name"].endswith(("街道", "镇"))
        if a["level"] == "community":
            assert a["name"].endswith(("社区", "村")) and by_code[a["parent_code"]]["level"] == "street"
    kids = collections.Counter(a["parent_code"] for a in areas if a["level"] == "community")
    for d in DISTRICTS:
        assert max(n for s, n in kids.items() if s.startswith(d)) >= 2
    communities = {a["code"] for a in areas if a["level"] == "community"}
    for name in ("population", "registry_households"):
        assert {r["area_code"] for r in _read(city5k, name)} <= communities
    used = {r["area_code"][:6] for r in _read(city5k, "population")}
    assert used == set(DISTRICTS)


def test_truth_covers_every_scenario(city5k: Path) -> None:
    truth = _read(city5k, "truth")
    per = collections.Counter(t["scenario"] for t in truth)
    assert set(per) == set(city.SCENARIOS)
    assert min(per.values()) >= 5
    archive = {r["household_id"] for r in _read(city5k, "registry_households")}
    for t in truth:
        assert idnumber.normalise(t["id_number"]) == t["id_number"]
        assert t["household_id"] == "" or t["household_id"] in archive
        assert t["note"]
    assert len({(t["scenario"], t["id_number"]) for t in truth}) == len(truth)
    amounts = {(t["scenario"], t["monthly_amount"]) for t in truth}
    assert ("FIND_HIGH_AGE", "800") in amounts and ("FIND_HIGH_AGE", "30") in amounts
    assert ("FIND_UNSUPPORTED_CHILD", "2609") in amounts and ("MON_DECEASED", "0") in amounts
    assert all(t["monthly_amount"] == "" for t in truth if t["scenario"].startswith("MON_A"))


def test_reference_implementation_finds_exactly_the_truth(city5k: Path) -> None:
    got = reference.run(city5k, D)
    want = reference.truth(city5k)
    assert sorted(got - want) == [] and sorted(want - got) == []


def test_reference_before_the_30_yuan_rate(city2k: Path) -> None:
    # D = 2024-12-31: the universal 30 for 80–89 did not exist yet
    got = reference.run(city2k, dt.date(2024, 12, 31))
    assert got == reference.truth(city2k)
    assert not any(a[0] == "FIND_HIGH_AGE" and a[3] == "30" for a in got)


def test_reference_has_teeth(city5k: Path, tmp_path: Path) -> None:
    """Breaking the clean background must show up as alerts outside the truth."""
    work = tmp_path / "broken"
    shutil.copytree(city5k, work)
    enr = _read(work, "registry_enrollments")
    truth_ids = {t["id_number"] for t in _read(work, "truth")}
    victim = next(r for r in enr if r["programme"] == "high_age" and r["end_date"] == ""
                  and r["id_number"] not in truth_ids)
    kept = [r for r in enr if r is not victim]
    with (work / "registry_enrollments.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS["registry_enrollments"], lineterminator="\n")
        w.writeheader()
        w.writerows(kept)
    member = next(m for m in _read(work, "registry_members") if m["household_id"] in reference.in_care(
        reference.load(work, D)) and idnumber.normalise(m["id_number"]) not in truth_ids)
    with (work / "deaths.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{member['id_number']},{member['name']},2025-06-15,公安\n")
    extra = reference.run(work, D) - reference.truth(work)
    assert {(a[0], a[1]) for a in extra} >= {("FIND_HIGH_AGE", victim["id_number"]),
                                             ("MON_DECEASED", idnumber.normalise(member["id_number"]))}


def test_duplicates_are_present(city5k: Path) -> None:
    claims = _read(city5k, "medical_claims")
    assert max(collections.Counter(c["claim_id"] for c in claims).values()) >= 2
    deaths = _read(city5k, "deaths")
    by_id = collections.defaultdict(set)
    for r in deaths:
        with contextlib.suppress(idnumber.InvalidIDNumber):
            by_id[idnumber.normalise(r["id_number"])].add(r["source"])
    assert any(len(s) >= 2 for s in by_id.values())
    rows = [tuple(r.values()) for r in _read(city5k, "real_estate") + _read(city5k, "vehicles")]
    assert len(rows) > len(set(rows))


def test_population_looks_like_an_ageing_northern_city(city5k: Path) -> None:
    pop: dict[str, dict[str, str]] = {}
    for r in _read(city5k, "population"):
        with contextlib.suppress(idnumber.InvalidIDNumber):
            pop.setdefault(idnumber.normalise(r["id_number"]), r)
    ages = np.array([(D - dt.date.fromisoformat(r["birth_date"])).days / 365.2425 for r in pop.values()])
    assert 0.015 <= np.mean(ages >= 80) <= 0.032
    assert 0.001 <= np.mean(ages >= 90) <= 0.006
    assert 0.20 <= np.mean(ages >= 60) <= 0.35
    assert 0.25 <= np.mean((ages >= 50) & (ages < 70)) <= 0.40
    assert 0.08 <= np.mean(ages < 18) <= 0.16
    sizes = collections.Counter(r["household_no"] for r in pop.values())
    assert set(sizes.values()) <= {1, 2, 3, 4, 5}
    assert 2.2 <= len(pop) / len(sizes) <= 2.8
    for pid, r in pop.items():
        f = idnumber.facts(pid)
        assert f.birth_date.isoformat() == r["birth_date"]
        assert ("男" if f.sex == "M" else "女") == r["sex"]
        assert 2 <= len(r["name"]) <= 4
    by_no = collections.defaultdict(set)
    for pid, r in pop.items():
        by_no[r["household_no"]].add(pid)
    children = [(pid, r) for pid, r in pop.items() if (D - dt.date.fromisoformat(r["birth_date"])).days < 17 * 365]
    linked = [r for _pid, r in children if r["father_id_number"] and r["mother_id_number"]]
    assert len(linked) > 0.6 * len(children)
    for r in linked:
        assert idnumber.normalise(r["father_id_number"]) in pop or idnumber.normalise(r["mother_id_number"]) in pop
    adults = [r for r in pop.values() if (D - dt.date.fromisoformat(r["birth_date"])).days > 20 * 365]
    assert 0.05 < sum(1 for r in adults if not r["father_id_number"]) / len(adults) < 0.5
    surnames = collections.Counter(r["name"][0] for r in pop.values())
    assert surnames.most_common(4)[0][0] in "王李张刘"
    assert len(names.SURNAMES) >= 100
    assert any(a[:6] not in DISTRICTS for a in pop)  # born elsewhere
    assert any(a.startswith("210122") for a in pop)  # the historical 辽中县 code


def test_in_care_members_and_feeds_plausible(city5k: Path) -> None:
    members = _read(city5k, "registry_members")
    assert {m["relation"] for m in members} <= {"户主", "配偶", "子", "女", "父", "母", "孙子女", "兄弟姐妹", "其他"}
    assert {m["serious_illness"] for m in members} == {"Y", "N"}
    assert {m["self_care"] for m in members} >= {"全自理", "半自理", "全护理", ""}
    programmes = {r["programme"] for r in _read(city5k, "registry_enrollments")}
    assert programmes >= {"dibao", "tekun", "dibao_edge", "rigid_hardship", "orphan", "unsupported_child",
                          "disability_living", "disability_care", "high_age", "temporary"}
    assert {v["vehicle_type"] for v in _read(city5k, "vehicles")} == {
        "car", "truck", "motorcycle", "ebike", "farm_machine", "mobility_aid"}
    claims = _read(city5k, "medical_claims")
    assert 2.5 * 5000 <= len(claims) <= 4.5 * 5000
    for c in claims[:500]:
        assert abs(float(c["total_cost"]) - float(c["fund_paid"]) - float(c["self_paid"])) < 0.005
    certs = _read(city5k, "disability_certs")
    assert 0.03 * 5000 <= len(certs) <= 0.09 * 5000


def test_vectorised_ids_agree_with_idnumber() -> None:
    rng = np.random.default_rng(0)
    area = ids.AREA6_INT[rng.integers(0, len(ids.AREA6), 200)]
    birth = rng.integers(-20_000, 20_000, 200)
    seq = rng.integers(0, 1000, 200)
    got = ids.render(ids.body17(area, birth, seq), ids.check_index(ids.body17(area, birth, seq))).to_pylist()
    want = [idnumber.make(str(a), dt.date(1970, 1, 1) + dt.timedelta(days=int(b)), int(s))
            for a, b, s in zip(area, birth, seq, strict=True)]
    assert got == want
    dirty = ids.dirty(ids.render(ids.body17(area, birth, seq), ids.check_index(ids.body17(area, birth, seq))),
                      rng, 1.0).to_pylist()
    assert [idnumber.normalise(x) for x in dirty] == want
    for kind in ("check_digit", "birth_date"):
        with pytest.raises(idnumber.InvalidIDNumber):
            idnumber.normalise(ids.invalid_variant(want[0], kind, rng))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minzheng")
    parser.add_argument("--quiet", action="store_true")
    synth_cli.register(parser.add_subparsers(dest="command"))
    return parser


def test_cli_writes_a_city_and_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["--quiet", "synth", "city", "--out", str(tmp_path / "c"), "--persons", "2000",
                                 "--seed", "5", "--as-of", "2025-06-30"])
    assert args.func(args) == 0
    assert (tmp_path / "c" / "truth.csv").exists()
    assert capsys.readouterr().err == ""
    for bad in (["--as-of", "2025-13-01"], ["--persons", "10"], ["--as-of", "2020-01-01"],
                ["--households-in-care", "5"], ["--as-of", "2999-01-01"]):
        args = _parser().parse_args(["synth", "city", "--out", str(tmp_path / "d"), *bad])
        with pytest.raises(CommandError):
            args.func(args)
    args = _parser().parse_args(["synth"])
    assert args.func(args) == 2


def test_many_blocks_still_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 700 persons: chunk boundaries, serial numbers and ID allocation across blocks."""
    from minzheng.synth import population

    monkeypatch.setattr(population, "CHUNK_PERSONS", 700)
    out = tmp_path / "blocks"
    summary = city.generate(out, persons=4000, in_care=310, seed=11, as_of=dt.date(2025, 1, 31), quiet=True)
    assert summary.in_care == 310
    assert reference.run(out, dt.date(2025, 1, 31)) == reference.truth(out)
    pop = _read(out, "population")
    bad = {int(r["row_number"]) for r in _read(out, "dirt") if r["file"] == "population.csv"}
    assert bad  # the first block always carries one
    ids_ = [idnumber.normalise(r["id_number"]) for i, r in enumerate(pop, 1) if i not in bad]
    assert len(set(ids_)) == 4000
    claims = collections.Counter(r["claim_id"] for r in _read(out, "medical_claims"))
    assert len(claims) > 0.99 * sum(claims.values())
