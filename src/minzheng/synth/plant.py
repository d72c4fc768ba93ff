"""Planted cases: small hand-built households whose rows make a monitoring scenario fire (or, for
near-misses, come close without firing), each with the truth rows it must produce.

The builder keeps planted people apart from the background: their own households, ID numbers with
sequence codes 900–949 (the background uses 001–899), no background feed rows. ``finalise`` then adds
what keeps them clean for every scenario the case is not about (the high-age, disability-care and
disability-living enrollments they are due, a few small medical claims) unless the case took that
programme into its own hands (``manual``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from minzheng.core import idnumber
from minzheng.synth import ids, names, params
from minzheng.synth.areas import DISTRICTS, Areas
from minzheng.synth.params import add_months, month_end, months
from minzheng.synth.status import DISABILITY_TYPES

HOUSEHOLD_SERIAL0 = 900_000_000
ARCHIVE_SERIAL0 = 90_000_000
PROPERTY_SERIAL0 = 9_000_000
CLAIM_SERIAL0 = 10**11
PLATE_SERIAL0 = 40_000_000


@dataclass(eq=False)
class PPerson:
    id: str
    name: str
    male: bool
    birth: dt.date
    hh: PHousehold
    relation: str
    father: PPerson | str | None = None
    mother: PPerson | str | None = None
    income: int = 0
    serious: bool = False
    self_care: str = ""
    certs: list[tuple[int, str, dt.date, dt.date | None]] = field(default_factory=list)
    deaths: list[dt.date] = field(default_factory=list)
    manual: set[str] = field(default_factory=set)
    quiet: bool = False

    def dead_on(self, d: dt.date) -> bool:
        return any(x <= d for x in self.deaths)


@dataclass(eq=False)
class PHousehold:
    no: str
    comm: int
    members: list[PPerson] = field(default_factory=list)
    archive_id: str | None = None
    chunk: int = 0


@dataclass
class Enrollment:
    hh: PHousehold | None
    person: PPerson | None
    programme: str
    start: dt.date
    end: dt.date | None
    amount: int

    def active(self, d: dt.date) -> bool:
        return self.start <= d and (self.end is None or self.end >= d)


class Builder:
    """Collects planted households, persons, rows and truth."""

    def __init__(self, areas: Areas, as_of: dt.date, seed: int) -> None:
        self.areas = areas
        self.D = as_of
        self.rng = np.random.default_rng([seed, 31])
        self.households: list[PHousehold] = []
        self.persons: list[PPerson] = []
        self.enrollments: list[Enrollment] = []
        self.rows: dict[str, list[tuple[PHousehold | None, dict[str, object]]]] = {}
        self.truth_rows: list[dict[str, object]] = []
        self._ids: set[str] = set()
        self._n_archive = 0
        self._serial: dict[str, int] = {}
        self.case = ""

    # ---------------------------------------------------------------- dates and amounts
    @property
    def std(self) -> int:
        return params.dibao_standard(self.D)

    def days(self, n: int) -> dt.date:
        """D + n days."""
        return self.D + dt.timedelta(days=n)

    def months_ago(self, n: int, day: int | None = None) -> dt.date:
        """A day in the month ``n`` months before D's month (never after D)."""
        first = add_months(self.D.replace(day=1), -n)
        d = first.replace(day=day or int(self.rng.integers(1, 29)))
        return min(d, self.D)

    def in_d_month(self) -> dt.date:
        """A day in D's month, on or before D."""
        return self.D.replace(day=int(self.rng.integers(1, self.D.day + 1)))

    # ---------------------------------------------------------------- households and persons
    def household(self, archive: bool = False, rural: bool | None = None) -> PHousehold:
        comm = int(self.rng.choice(self.areas.n_communities, p=self.areas.comm_prob))
        if rural is not None:
            pool = np.flatnonzero(self.areas.comm_rural == rural)
            if len(pool):
                comm = int(pool[int(self.rng.integers(len(pool)))])
        no = household_no(HOUSEHOLD_SERIAL0 + len(self.households))
        hh = PHousehold(no=no, comm=comm)
        if archive:
            hh.archive_id = archive_id(ARCHIVE_SERIAL0 + self._n_archive)
            self._n_archive += 1
        self.households.append(hh)
        return hh

    def person(
        self,
        hh: PHousehold,
        age: int,
        *,
        shift: int | None = None,
        male: bool | None = None,
        rel: str = "户主",
        father: PPerson | str | None = None,
        mother: PPerson | str | None = None,
        income: int = 0,
        day: int | None = None,
    ) -> PPerson:
        """A person aged ``age`` (counted by month) in D's month. ``shift`` moves the birth month:
        0 = the birthday is in D's month, 1 = next month (still ``age - 1``), -k = k months ago."""
        if shift is None:
            shift = -int(self.rng.integers(1, 11))
        m = months(self.D) - 12 * age + shift
        first = dt.date(m // 12, m % 12 + 1, 1)
        birth = first.replace(day=min(day or int(self.rng.integers(1, 29)), month_end(first).day))
        if male is None:
            male = bool(self.rng.random() < 0.5)
        pid = self._new_id(hh, birth, male)
        name = names.one(self.rng, male, birth.year)
        if father is not None and not isinstance(father, str):
            name = father.name[0] + name[1:] if self.rng.random() < 0.9 else name
        p = PPerson(pid, name, male, birth, hh, rel, father, mother, income)
        hh.members.append(p)
        self.persons.append(p)
        return p

    def _new_id(self, hh: PHousehold, birth: dt.date, male: bool) -> str:
        district = int(self.areas.comm_district[hh.comm])
        area = DISTRICTS[district][0]
        if area == "210115" and birth.year < 2016:
            area = ids.HIST_LIAOZHONG
        if self.rng.random() < 0.1:
            area = ids.ELSEWHERE[int(self.rng.integers(len(ids.ELSEWHERE)))]
        for _ in range(200):
            m = int(self.rng.integers(ids.PLANTED_M0, ids.OUTSIDER_M0))
            pid = idnumber.make(area, birth, 2 * m + int(male))
            if pid not in self._ids:
                self._ids.add(pid)
                return pid
        raise RuntimeError("planted ID space exhausted")

    # ---------------------------------------------------------------- enrollments
    def enroll(
        self, hh: PHousehold | None, person: PPerson | None, programme: str, start: dt.date,
        end: dt.date | None = None, amount: int = 0,
    ) -> Enrollment:
        if person is not None and programme in ("high_age", "disability_care", "disability_living"):
            person.manual.add(programme)
        e = Enrollment(hh, person, programme, start, end, amount)
        self.enrollments.append(e)
        return e

    def care(self, hh: PHousehold, programme: str, start: dt.date, end: dt.date | None = None) -> Enrollment:
        """The household's dibao / dibao_edge / rigid_hardship row (tekun: see ``tekun``)."""
        amount = 0
        if programme == "dibao":
            amount = max(self.std * len(hh.members) - sum(m.income for m in hh.members), 0)
        return self.enroll(hh, None, programme, start, end, amount)

    def tekun(self, p: PPerson, start: dt.date, self_care: str = "全自理") -> Enrollment:
        p.self_care = self_care
        return self.enroll(p.hh, p, "tekun", start, None, params.tekun_amount(self.D, self_care))

    def active(self, hh: PHousehold, programmes: tuple[str, ...], d: dt.date | None = None,
               household_level_or: PPerson | None = None) -> bool:
        """Does ``hh`` have an active enrollment in ``programmes`` (household-level or any member's;
        with ``household_level_or`` only household-level or that person's own)?"""
        d = d or self.D
        for e in self.enrollments:
            if e.programme not in programmes or not e.active(d):
                continue
            if e.hh is hh and e.person is None:
                return True
            if e.person is not None and e.person.hh is hh and (
                household_level_or is None or e.person is household_level_or
            ):
                return True
        return False

    def window_start(self, hh: PHousehold) -> dt.date:
        starts = [
            e.start for e in self.enrollments
            if e.programme in params.IN_CARE and e.active(self.D)
            and (e.hh is hh or (e.person is not None and e.person.hh is hh))
        ]
        return min(starts)

    # ---------------------------------------------------------------- feed rows
    def row(self, file: str, p: PPerson | None, values: dict[str, object]) -> None:
        """A feed row; it is written with the chunk of the person's household."""
        self.rows.setdefault(file, []).append((p.hh if p is not None else None, values))

    def death(self, p: PPerson, when: dt.date, sources: tuple[str, ...] = ("公安",),
              id_forms: tuple[str, ...] | None = None) -> None:
        p.deaths.append(when)
        for i, src in enumerate(sources):
            pid = id_forms[i] if id_forms else p.id
            self.row("deaths", p, {"id_number": pid, "name": p.name, "death_date": when, "source": src})

    def cert(self, p: PPerson, grade: int, issue: dt.date, valid: dt.date | str | None = "10y",
             dtype: str = "肢体") -> None:
        until = add_months(issue, 120) - dt.timedelta(days=1) if valid == "10y" else valid
        assert not isinstance(until, str)
        p.certs.append((grade, dtype, issue, until))
        code = DISABILITY_TYPES.index(dtype) + 1
        self.row("disability_certs", p, {
            "id_number": p.id, "name": p.name, "cert_no": f"{p.id}{code}{grade}", "disability_type": dtype,
            "grade": grade, "issue_date": issue, "valid_until": until,
        })

    def vehicle(self, p: PPerson, vtype: str, when: dt.date, price: int | None = None) -> None:
        s = self._next("plate") + PLATE_SERIAL0
        x = (s * 7919 + 1_234_567) % 34**5
        chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        plate = "辽A" + "".join(chars[(x // 34**i) % 34] for i in range(5))
        if vtype == "mobility_aid":
            plate = ""
        elif vtype == "ebike":
            plate = f"沈A电{((s - PLATE_SERIAL0 + 9_000_000) * 7919 + 4321) % 10**7:07d}"
        elif vtype == "farm_machine":
            plate = f"辽01-{((s - PLATE_SERIAL0 + 9_000_000) * 7919 + 4321) % 10**7:07d}"
        default = {"car": 128_000, "truck": 156_000, "motorcycle": 7_800, "ebike": 2_900,
                   "farm_machine": 36_000, "mobility_aid": 2_100}[vtype]
        self.row("vehicles", p, {"id_number": p.id, "plate": plate, "vehicle_type": vtype,
                                 "register_date": when, "price": price or default})

    def estate(self, owners: list[PPerson], usage: str, when: dt.date, area: str = "76.40") -> str:
        s = self._next("property") + PROPERTY_SERIAL0
        prop = f"辽({when.year})沈阳市不动产权第{(s * 104_723 + 77_777) % 10**7:07d}号"
        for p in owners:
            self.row("real_estate", p, {"id_number": p.id, "property_no": prop, "usage": usage,
                                        "area_m2": area, "register_date": when})
        return prop

    def business(self, p: PPerson, role: str, capital: int, when: dt.date) -> None:
        dname = DISTRICTS[int(self.areas.comm_district[p.hh.comm])][1]
        company = f"{dname}{p.name[0]}记便利店" if role == "sole_proprietor" else f"沈阳{p.name[1:]}商贸有限公司"
        self.row("businesses", p, {"id_number": p.id, "company_name": company, "role": role,
                                   "registered_capital": capital, "register_date": when})

    def employ(self, p: PPerson, event: str, when: dt.date, amount: str | int | None = None) -> None:
        self.row("employment", p, {"id_number": p.id, "name": p.name, "event": event, "event_date": when,
                                   "monthly_amount": amount})

    def justice(self, p: PPerson, event: str, when: dt.date) -> None:
        self.row("justice", p, {"id_number": p.id, "name": p.name, "event": event, "event_date": when})

    def claim(self, p: PPerson, when: dt.date, self_paid_cents: int, *, inpatient: bool = True,
              copies: int = 1) -> None:
        s = self._next("claim") + CLAIM_SERIAL0
        cid = f"YB2101{(s * 48_271 + 9_876_543) % 10**12:012d}"
        fund = self_paid_cents * 2 if inpatient else self_paid_cents // 2
        for _ in range(copies):
            self.row("medical_claims", p, {
                "claim_id": cid, "id_number": p.id, "name": p.name, "settle_date": when,
                "inpatient": "Y" if inpatient else "N", "total_cost": _yuan(self_paid_cents + fund),
                "fund_paid": _yuan(fund), "self_paid": _yuan(self_paid_cents),
            })

    def school(self, p: PPerson, stage: str, school: str, when: dt.date) -> None:
        self.row("school_enrollment", p, {"id_number": p.id, "name": p.name, "stage": stage,
                                          "school": school, "enroll_date": when})

    def _next(self, name: str) -> int:
        v = self._serial.get(name, 0)
        self._serial[name] = v + 1
        return v

    # ---------------------------------------------------------------- truth
    def truth(self, scenario: str, p: PPerson, amount: int | None, note: str) -> None:
        self.truth_rows.append({
            "scenario": scenario, "id_number": p.id, "household_id": p.hh.archive_id or "",
            "monthly_amount": "" if amount is None else str(amount), "note": f"[{self.case}] {note}",
        })

    # ---------------------------------------------------------------- finalise
    def high_age_due(self, p: PPerson) -> int:
        return params.high_age_due(p.birth, self.D, self.active(p.hh, params.HIGH_AGE_100_PROGRAMMES))

    def valid_certs(self, p: PPerson) -> list[tuple[int, str, dt.date, dt.date | None]]:
        return [c for c in p.certs if c[2] <= self.D and (c[3] is None or c[3] >= self.D)]

    def finalise(self) -> None:
        D = self.D
        for p in self.persons:
            if p.dead_on(D):
                continue
            hh = p.hh if p.hh.archive_id else None
            if "high_age" not in p.manual:
                due = self.high_age_due(p)
                if due > 0:
                    age = params.month_age(p.birth, D)
                    band = 100 if age >= 100 else 90 if age >= 90 else 80
                    start = add_months(p.birth.replace(day=1), 12 * band)
                    start = max(start, dt.date(2025, 1, 1) if due == 30 else dt.date(2021, 7, 1))
                    if due == 100:
                        start = max(start, self.window_start(p.hh))
                    self.enroll(hh, p, "high_age", start, None, due)
            valid = self.valid_certs(p)
            if valid and "disability_care" not in p.manual and any(c[0] <= 2 for c in valid):
                first = min(c[2] for c in valid if c[0] <= 2)
                self.enroll(hh, p, "disability_care", max(first, dt.date(2016, 1, 1)), None,
                            params.disability_care(D))
            if valid and "disability_living" not in p.manual and p.hh.archive_id \
                    and self.active(p.hh, ("dibao",), household_level_or=p):
                first = min(c[2] for c in valid)
                self.enroll(hh, p, "disability_living", first, None, params.disability_living(D))
        # a few small claims for everyone not involved in a claims case
        for p in self.persons:
            if p.quiet:
                continue
            last = min([*p.deaths, D]) if p.deaths else D
            for _ in range(int(self.rng.integers(0, 3))):
                when = last - dt.timedelta(days=int(self.rng.integers(0, 300)))
                if when >= p.birth:
                    self.claim(p, when, int(self.rng.integers(1_000, 30_000)), inpatient=False)

    def person_level_amount(self, p: PPerson) -> int:
        """Sum of ``p``'s own active enrollments on D (MON_DECEASED's amount)."""
        return sum(e.amount for e in self.enrollments if e.person is p and e.active(self.D))

    def in_care_households(self) -> int:
        return sum(1 for hh in self.households if self.active(hh, params.IN_CARE))

    # ---------------------------------------------------------------- registry rows
    def registry_rows(self) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
        hh_rows: list[dict[str, object]] = []
        mem_rows: list[dict[str, object]] = []
        for hh in self.households:
            if not hh.archive_id:
                continue
            starts = [e.start for e in self.enrollments if e.hh is hh]
            dname = DISTRICTS[int(self.areas.comm_district[hh.comm])][1]
            hh_rows.append({
                "household_id": hh.archive_id,
                "area_code": self.areas.comm_code[hh.comm],
                "address": f"{dname}{self.areas.comm_street_name[hh.comm][:2]}路{int(self.rng.integers(1, 300))}号"
                           f"{int(self.rng.integers(1, 7))}单元{int(self.rng.integers(1, 19)) * 100 + 1}",
                "phone": f"139{int(self.rng.integers(0, 10**8)):08d}" if self.rng.random() < 0.9 else "",
                "registered_date": min(starts) if starts else self.D,
            })
            for m in hh.members:
                valid = self.valid_certs(m)
                c = valid[0] if valid else None
                mem_rows.append({
                    "household_id": hh.archive_id, "id_number": m.id, "name": m.name, "relation": m.relation,
                    "monthly_income": m.income, "disability_type": c[1] if c else "",
                    "disability_grade": c[0] if c else "", "serious_illness": "Y" if m.serious else "N",
                    "self_care": m.self_care,
                })
        enr_rows: list[dict[str, object]] = [
            {
                "household_id": (e.hh.archive_id if e.hh is not None else "") or "",
                "id_number": e.person.id if e.person is not None else "",
                "programme": e.programme, "start_date": e.start, "end_date": e.end, "monthly_amount": e.amount,
            }
            for e in self.enrollments
        ]
        return hh_rows, mem_rows, enr_rows

    def assign_chunks(self, n_chunks: int) -> None:
        """Spread the planted households over the background's chunks (so over each file)."""
        for i, hh in enumerate(self.households):
            hh.chunk = i % max(n_chunks, 1)

    def rows_for(self, file: str, chunk: int) -> list[dict[str, object]]:
        return [v for hh, v in self.rows.get(file, []) if (hh.chunk if hh is not None else 0) == chunk]

    def population_rows(self) -> list[tuple[int, dict[str, object]]]:
        out: list[tuple[int, dict[str, object]]] = []
        for p in self.persons:
            out.append((p.hh.chunk, {
                "id_number": p.id, "name": p.name, "sex": "男" if p.male else "女", "birth_date": p.birth,
                "area_code": self.areas.comm_code[p.hh.comm], "household_no": p.hh.no,
                "father_id_number": _pid(p.father), "mother_id_number": _pid(p.mother),
            }))
        return out


def _pid(x: PPerson | str | None) -> str:
    if x is None:
        return ""
    return x if isinstance(x, str) else x.id


def _yuan(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def archive_id(serial: int) -> str:
    return f"SY{(serial * 7919 + 1_234_567) % 10**8:08d}"


def household_no(serial: int) -> str:
    return f"{(serial * 104_729 + 5_550_001) % 10**9:09d}"
