"""A deliberately plain reference implementation of the seven scenarios of monitoring-scenarios.md over
a directory of data-exchange CSV files. It shares no code with the generator (amounts are copied from
policy-rules.md again) so that it checks the generator's truth.csv independently.

Reading rules: ID numbers are normalised with ``minzheng.core.idnumber.normalise``; a row whose ID
cannot be normalised is rejected; exact duplicate rows count once; claims count once per claim_id;
a death counts from the earliest date reported.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from minzheng.core.idnumber import InvalidIDNumber, normalise

# policy-rules.md, Standards (copied by hand; the generator has its own copy)
_DIBAO = [(dt.date(2022, 7, 1), 766), (dt.date(2023, 7, 1), 793), (dt.date(2024, 7, 1), 821),
          (dt.date(2025, 7, 1), 850)]
_ORPHAN = [(dt.date(2022, 7, 1), 2170), (dt.date(2023, 7, 1), 2322), (dt.date(2024, 7, 1), 2461),
           (dt.date(2025, 7, 1), 2609)]
_CARE = [(dt.date(2023, 7, 1), 100)]
_LIVING = [(dt.date(2023, 7, 1), 100)]
_HA_100 = [(dt.date(2021, 7, 1), 800)]
_HA_90 = [(dt.date(2021, 7, 1), 200)]
_HA_80_CARE = [(dt.date(2021, 7, 1), 100)]
_HA_80 = [(dt.date(2025, 1, 1), 30)]

IN_CARE = {"dibao", "tekun", "dibao_edge", "rigid_hardship"}


def _value(table: list[tuple[dt.date, int]], d: dt.date) -> int:
    v = 0
    for start, x in table:
        if start <= d:
            v = x
    return v


def _date(s: str) -> dt.date | None:
    s = (s or "").strip()
    return dt.date.fromisoformat(s) if s else None


def _id(raw: str) -> str | None:
    try:
        return normalise(raw)
    except InvalidIDNumber:
        return None


def _rows(folder: Path, name: str, id_cols: tuple[str, ...] = ("id_number",),
          optional: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Rows with normalised IDs, invalid ones rejected, exact duplicates once."""
    out = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            ok = True
            for c in id_cols:
                raw = row[c]
                if not raw.strip() and c in optional:
                    row[c] = ""
                    continue
                v = _id(raw)
                if v is None:
                    ok = False
                    break
                row[c] = v
            if not ok:
                continue
            key = tuple(sorted(row.items()))
            if key in seen:
                continue
            seen.add(key)
            out.append(row)
    return out


@dataclass
class Enr:
    household_id: str
    id_number: str
    programme: str
    start: dt.date
    end: dt.date | None
    amount: Decimal

    def active(self, d: dt.date) -> bool:
        return self.start <= d and (self.end is None or self.end >= d)


@dataclass
class City:
    D: dt.date
    population: dict[str, dict[str, str]] = field(default_factory=dict)
    members: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # household → member rows
    household_of: dict[str, str] = field(default_factory=dict)
    enrollments: list[Enr] = field(default_factory=list)
    by_person: dict[str, list[Enr]] = field(default_factory=lambda: defaultdict(list))
    by_household: dict[str, list[Enr]] = field(default_factory=lambda: defaultdict(list))
    death: dict[str, dt.date] = field(default_factory=dict)
    certs: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    justice: dict[str, list[tuple[dt.date, str]]] = field(default_factory=lambda: defaultdict(list))
    claims: dict[str, dict[str, str]] = field(default_factory=dict)
    employment: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    vehicles: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    estate: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    business: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))


def load(folder: Path, D: dt.date) -> City:
    c = City(D)
    for r in _rows(folder, "population", ("id_number", "father_id_number", "mother_id_number"),
                   optional=("father_id_number", "mother_id_number")):
        c.population.setdefault(r["id_number"], r)
    for r in _rows(folder, "registry_members"):
        c.members.setdefault(r["household_id"], [])
        if r["id_number"] not in {m["id_number"] for m in c.members[r["household_id"]]}:
            c.members[r["household_id"]].append(r)
        c.household_of[r["id_number"]] = r["household_id"]
    for r in _rows(folder, "registry_enrollments", optional=("id_number",)):
        c.enrollments.append(Enr(r["household_id"], r["id_number"], r["programme"], _date(r["start_date"]),
                                 _date(r["end_date"]), Decimal(r["monthly_amount"] or "0")))
    for e in c.enrollments:
        if e.id_number:
            c.by_person[e.id_number].append(e)
        if e.household_id:
            c.by_household[e.household_id].append(e)
    for r in _rows(folder, "deaths"):
        d = _date(r["death_date"])
        assert d is not None
        if r["id_number"] not in c.death or d < c.death[r["id_number"]]:
            c.death[r["id_number"]] = d
    for r in _rows(folder, "disability_certs"):
        c.certs[r["id_number"]].append(r)
    for r in _rows(folder, "justice"):
        c.justice[r["id_number"]].append((_date(r["event_date"]), r["event"]))
    for r in _rows(folder, "medical_claims"):
        c.claims.setdefault(r["claim_id"], r)
    for r in _rows(folder, "employment"):
        c.employment[r["id_number"]].append(r)
    for r in _rows(folder, "vehicles"):
        c.vehicles[r["id_number"]].append(r)
    for r in _rows(folder, "real_estate"):
        c.estate[r["id_number"]].append(r)
    for r in _rows(folder, "businesses"):
        c.business[r["id_number"]].append(r)
    return c


# ---------------------------------------------------------------------------------------- terms


def living(c: City, p: str) -> bool:
    return not (p in c.death and c.death[p] <= c.D)


def month_age_at_least(birth: dt.date, n: int, d: dt.date) -> bool:
    return (birth.year + n, birth.month) <= (d.year, d.month)


def valid_certs(c: City, p: str) -> list[dict[str, str]]:
    out = []
    for r in c.certs.get(p, []):
        issue, until = _date(r["issue_date"]), _date(r["valid_until"])
        if issue is not None and issue <= c.D and (until is None or until >= c.D):
            out.append(r)
    return out


def household_active(c: City, h: str, programmes: set[str]) -> list[Enr]:
    """Active rows of ``programmes`` for household ``h``: household-level or any member's."""
    ids = {m["id_number"] for m in c.members.get(h, [])}
    return [
        e for e in c.by_household.get(h, [])
        if e.programme in programmes and e.active(c.D) and (e.id_number == "" or e.id_number in ids)
    ]


def person_active(c: City, p: str, programmes: set[str]) -> list[Enr]:
    return [e for e in c.by_person.get(p, []) if e.programme in programmes and e.active(c.D)]


def in_care(c: City) -> set[str]:
    return {h for h in c.members if household_active(c, h, IN_CARE)}


Alert = tuple[str, str, str, str]  # scenario, id_number, household_id, monthly_amount


def _alert(c: City, scenario: str, p: str, amount: int | Decimal | None) -> Alert:
    return scenario, p, c.household_of.get(p, ""), "" if amount is None else str(amount)


# ------------------------------------------------------------------------------------ scenarios


def find_high_age(c: City) -> set[Alert]:
    out = set()
    for p, row in c.population.items():
        birth = _date(row["birth_date"])
        assert birth is not None
        if not living(c, p) or not month_age_at_least(birth, 80, c.D):
            continue
        h = c.household_of.get(p)
        care = bool(h and household_active(c, h, {"tekun", "dibao", "dibao_edge"}))
        if month_age_at_least(birth, 100, c.D):
            due = _value(_HA_100, c.D)
        elif month_age_at_least(birth, 90, c.D):
            due = _value(_HA_90, c.D)
        else:
            due = _value(_HA_80_CARE if care else _HA_80, c.D)
        got = max([e.amount for e in person_active(c, p, {"high_age"})], default=Decimal(0))
        if due > got:
            out.add(_alert(c, "FIND_HIGH_AGE", p, due))
    return out


def find_disability_care(c: City) -> set[Alert]:
    out = set()
    for p in c.population:
        if not living(c, p):
            continue
        if any(r["grade"] in ("1", "2") for r in valid_certs(c, p)) and not person_active(c, p, {"disability_care"}):
            out.add(_alert(c, "FIND_DISABILITY_CARE", p, _value(_CARE, c.D)))
    return out


def find_disability_living(c: City) -> set[Alert]:
    out = set()
    for h, mem in c.members.items():
        for m in mem:
            p = m["id_number"]
            if not living(c, p) or not valid_certs(c, p):
                continue
            dibao = [e for e in household_active(c, h, {"dibao"}) if e.id_number in ("", p)]
            if dibao and not person_active(c, p, {"disability_living"}):
                out.add(_alert(c, "FIND_DISABILITY_LIVING", p, _value(_LIVING, c.D)))
    return out


def _absent(c: City, p: str) -> bool:
    if not living(c, p):
        return True
    events = sorted(e for e in c.justice.get(p, []) if e[0] <= c.D)
    return bool(events) and events[-1][1] in ("imprisoned", "declared_missing")


def _severe(c: City, p: str) -> bool:
    return any(r["grade"] in ("1", "2") for r in valid_certs(c, p))


def find_unsupported_child(c: City) -> set[Alert]:
    out = set()
    for p, row in c.population.items():
        birth = _date(row["birth_date"])
        assert birth is not None
        if not living(c, p) or month_age_at_least(birth, 18, c.D):
            continue
        f, m = row["father_id_number"], row["mother_id_number"]
        if not f or not m or person_active(c, p, {"orphan", "unsupported_child"}):
            continue
        if (not living(c, f) and not living(c, m)) or (_absent(c, f) and (_absent(c, m) or _severe(c, m))) or (
            _absent(c, m) and (_absent(c, f) or _severe(c, f))
        ):
            out.add(_alert(c, "FIND_UNSUPPORTED_CHILD", p, _value(_ORPHAN, c.D)))
    return out


def mon_deceased(c: City) -> set[Alert]:
    out = set()
    care = in_care(c)
    for p, d in c.death.items():
        if d > c.D:
            continue
        own = [e for e in c.by_person.get(p, []) if e.active(c.D)]
        if own or c.household_of.get(p) in care:
            out.add(_alert(c, "MON_DECEASED", p, sum((e.amount for e in own), Decimal(0))))
    return out


def mon_asset_income(c: City) -> set[Alert]:
    out = set()
    std = Decimal(_value(_DIBAO, c.D))
    for h, mem in c.members.items():
        if not household_active(c, h, {"dibao", "tekun", "dibao_edge"}):
            continue
        start = min(e.start for e in household_active(c, h, IN_CARE))
        ids = [m["id_number"] for m in mem]
        line = std * Decimal("1.5") if household_active(c, h, {"dibao_edge"}) else std
        incomes = sum((Decimal(m["monthly_income"] or "0") for m in mem), Decimal(0))
        residential = {
            r["property_no"] for q in ids for r in c.estate.get(q, [])
            if r["usage"] == "residential" and _date(r["register_date"]) <= c.D  # type: ignore[operator]
        }

        def inside(s: str, start: dt.date = start) -> bool:
            d = _date(s)
            return d is not None and start <= d <= c.D

        for p in ids:
            hit = any(v["vehicle_type"] in ("car", "truck") and inside(v["register_date"]) for v in c.vehicles[p])
            hit |= any(
                inside(b["register_date"]) and (
                    b["role"] in ("legal_rep", "sole_proprietor")
                    or (b["role"] == "shareholder" and Decimal(b["registered_capital"]) >= 100_000)
                )
                for b in c.business[p]
            )
            hit |= any(
                inside(r["register_date"]) and (r["usage"] == "commercial" or len(residential) >= 2)
                for r in c.estate[p]
            )
            hit |= any(
                e["event"] == "employed" and inside(e["event_date"])
                and (incomes + Decimal(e["monthly_amount"])) / len(ids) >= line
                for e in c.employment[p]
            )
            if hit:
                out.add(_alert(c, "MON_ASSET_INCOME", p, None))
    return out


def mon_hardship_risk(c: City) -> set[Alert]:
    out = set()
    first = c.D - dt.timedelta(days=364)
    first90 = c.D - dt.timedelta(days=89)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for r in c.claims.values():
        d = _date(r["settle_date"])
        if d is not None and first <= d <= c.D:
            paid[r["id_number"]] += Decimal(r["self_paid"])
    for h in in_care(c):
        for m in c.members[h]:
            p = m["id_number"]
            if not living(c, p):
                continue
            hit = paid.get(p, Decimal(0)) >= 20_000
            hit |= any(
                r["grade"] in ("1", "2") and first90 <= _date(r["issue_date"]) <= c.D  # type: ignore[operator]
                for r in c.certs.get(p, [])
            )
            hit |= any(
                e["event"] == "unemployed" and first90 <= _date(e["event_date"]) <= c.D  # type: ignore[operator]
                for e in c.employment[p]
            )
            if hit:
                out.add(_alert(c, "MON_HARDSHIP_RISK", p, None))
    return out


SCENARIOS = {
    "FIND_HIGH_AGE": find_high_age,
    "FIND_DISABILITY_CARE": find_disability_care,
    "FIND_DISABILITY_LIVING": find_disability_living,
    "FIND_UNSUPPORTED_CHILD": find_unsupported_child,
    "MON_DECEASED": mon_deceased,
    "MON_ASSET_INCOME": mon_asset_income,
    "MON_HARDSHIP_RISK": mon_hardship_risk,
}


def run(folder: Path, D: dt.date) -> set[Alert]:
    c = load(folder, D)
    out: set[Alert] = set()
    for fn in SCENARIOS.values():
        out |= fn(c)
    return out


def truth(folder: Path) -> set[Alert]:
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as fh:
        return {(r["scenario"], r["id_number"], r["household_id"], r["monthly_amount"]) for r in csv.DictReader(fh)}
