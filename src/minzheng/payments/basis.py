"""Basis snapshots as rules inputs: hashing, the registry's view of a household, the live overrides
(deaths, the month's enrollments), the columns of the bulk path and the parameter versions.

Nothing here writes. A snapshot's ``inputs`` is the rules' ``household`` mapping (policy-tests.md keys;
member ``id`` = the person's primary key as text; dates ISO, money as text yuan). What the payroll
evaluates for a month is the snapshot plus two live inputs, written on each entry as ``overrides``:
``e=`` the household's low-income programmes enrolled that month (they decide the 80–89 high-age
rate) and ``d=`` deaths recorded in the registry that the snapshot does not carry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
from django.db.models import Q

from minzheng.core.models import HouseholdMember, Person
from minzheng.registry.choices import Programme
from minzheng.registry.models import Enrollment
from minzheng.rules.bulk import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, NO_DEATH, Columns
from minzheng.rules.model import (
    BUSINESS_ROLES,
    DISABILITY_TYPES,
    PROGRAMMES,
    SELF_CARE_LEVELS,
    VEHICLE_TYPES,
    Household,
    Month,
    household_from_mapping,
)
from minzheng.rules.parameters import Parameter, ParameterSet, ParamValue, default_parameters

LOW_INCOME = ("tekun", "dibao", "dibao_edge")  # the enrollments the rules read (high_age 80–89 rate)
_PERSON_FLAGS = {  # a person-level enrollment records the caseworker's finding the registry does not hold
    Programme.TEKUN: "no_supporter",
    Programme.ORPHAN: "orphan",
    Programme.UNSUPPORTED_CHILD: "orphan",
    Programme.DIBAO: "single_cover",
}


def canonical(mapping: Mapping[str, Any]) -> str:
    return json.dumps(mapping, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def inputs_hash(mapping: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(mapping).encode()).hexdigest()


def short_hash(*parts: str) -> str:
    return hashlib.blake2b("|".join(parts).encode(), digest_size=8).hexdigest()


def _fen(text: Any) -> int:
    text = str(text)
    return int(text) * 100 if text.isdigit() else int(Decimal(text) * 100)


# --- the registry's view (archive households without an application, and review snapshots) -------------


def registry_inputs(household_ids: Iterable[int], person_ids: Iterable[int], day: dt.date
                    ) -> dict[tuple[str, int], dict[str, Any]]:
    """``{("h", id) | ("p", id): mapping}`` built from the registry on ``day``: the household's members
    then (or the lone person), their birth dates, incomes, certificates, illness, self-care and death;
    the findings the registry does not hold come from the person's own enrollments running that day
    (特困 → ``no_supporter``, orphan programmes → ``orphan``, a person-level 低保 → ``single_cover``).
    The core registry records no assets: they are taken as none (the archive's households were means
    tested when they were enrolled)."""
    hh_ids, p_ids = list(household_ids), list(person_ids)
    members: dict[int, list[tuple[int, str]]] = {}
    for chunk in _chunks(hh_ids):
        rows = HouseholdMember.objects.filter(household_id__in=chunk, start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=day)).order_by("household_id", "id")
        for hid, pid, relation in rows.values_list("household_id", "person_id", "relation"):
            members.setdefault(hid, []).append((pid, relation))
    wanted = {pid for rows in members.values() for pid, _ in rows} | set(p_ids)
    people: dict[int, dict[str, Any]] = {}
    flags: dict[int, set[str]] = {}
    fields = ("id", "birth_date", "death_date", "monthly_income", "disability_type", "disability_grade",
              "serious_illness", "self_care")
    ids = sorted(wanted)
    for chunk in _chunks(ids):
        for row in Person.objects.filter(pk__in=chunk).values(*fields):
            people[row["id"]] = row
        running = Enrollment.objects.filter(person_id__in=chunk, start_date__lte=day,
                                            programme__in=list(_PERSON_FLAGS)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day))
        for pid, programme in running.values_list("person_id", "programme"):
            flags.setdefault(pid, set()).add(_PERSON_FLAGS[Programme(programme)])
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for hid in hh_ids:
        current = members.get(hid, [])
        if current:
            out[("h", hid)] = _mapping([_member(people[pid], relation, flags.get(pid, set()))
                                        for pid, relation in current])
    for pid in p_ids:
        if pid in people:
            out[("p", pid)] = _mapping([_member(people[pid], "本人", flags.get(pid, set()))])
    return out


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _member(p: dict[str, Any], relation: str, flags: set[str]) -> dict[str, Any]:
    member: dict[str, Any] = {"id": str(p["id"]), "birth_date": p["birth_date"].isoformat(), "relation": relation,
                              "monthly_income": str(p["monthly_income"])}
    if p["disability_type"] and p["disability_grade"]:
        member["disability_type"], member["disability_grade"] = p["disability_type"], p["disability_grade"]
    if p["serious_illness"]:
        member["serious_illness"] = True
    if p["self_care"]:
        member["self_care"] = p["self_care"]
    if p["death_date"] is not None:
        member["death_date"] = p["death_date"].isoformat()
    for flag in sorted(flags):
        member[flag] = True
    return member


def _mapping(members: list[dict[str, Any]]) -> dict[str, Any]:
    return {"members": members, "financial_assets": "0", "vehicles": [], "residential_properties": 0,
            "commercial_properties": 0, "business_roles": [], "rigid_expenses_12m": "0", "enrollments": []}


# --- live overrides ----------------------------------------------------------------------------------------


def overrides_text(programmes: Iterable[str], deaths: Mapping[str, dt.date]) -> str:
    parts = ["e=" + ",".join(sorted(set(programmes)))]
    if deaths:
        parts.append("d=" + ",".join(f"{pid}:{day.isoformat()}" for pid, day in sorted(deaths.items())))
    return ";".join(parts)


def apply_overrides(inputs: Mapping[str, Any], overrides: str) -> dict[str, Any]:
    """The snapshot as the payroll evaluated it (``overrides`` as written on the entry)."""
    data = json.loads(canonical(inputs))
    for part in filter(None, overrides.split(";")):
        key, _, value = part.partition("=")
        if key == "e":
            data["enrollments"] = [p for p in value.split(",") if p]
        elif key == "d":
            deaths = dict(item.split(":", 1) for item in value.split(",") if item)
            for member in data["members"]:
                if member["id"] in deaths:
                    member["death_date"] = deaths[member["id"]]
    return data


def to_household(mapping: Mapping[str, Any]) -> Household:
    """A rules :class:`Household` from a mapping with ISO dates (raises ``InputError`` when malformed)."""
    data = dict(mapping)
    data["members"] = [
        {**m, "birth_date": dt.date.fromisoformat(m["birth_date"]),
         **({"death_date": dt.date.fromisoformat(m["death_date"])} if m.get("death_date") else {})}
        for m in mapping["members"]
    ]
    return household_from_mapping(data)


# --- columns of the bulk path --------------------------------------------------------------------------------


@dataclass
class Parsed:
    """A snapshot's static columns (computed once per snapshot and reused every month)."""

    member_ids: list[str]
    members: list[tuple[int, ...]]  # birth, death, income, dtype, grade, serious, self_care, no_sup, orphan, single
    household: tuple[int, ...]  # financial, vehicles, res, com, roles, rigid, income_12m, given


def _iso_month(text: str) -> int:
    return int(text[:4]) * 12 + int(text[5:7]) - 1


def parse(inputs: Mapping[str, Any]) -> Parsed:
    ids: list[str] = []
    rows: list[tuple[int, ...]] = []
    for m in inputs["members"]:
        ids.append(str(m["id"]))
        dtype, grade = m.get("disability_type"), m.get("disability_grade")
        self_care, death = m.get("self_care"), m.get("death_date")
        rows.append((
            _iso_month(m["birth_date"]), NO_DEATH if not death else _iso_month(death),
            _fen(m.get("monthly_income", 0)), 0 if not dtype else 1 + DISABILITY_TYPES.index(dtype), grade or 0,
            int(bool(m.get("serious_illness"))), 0 if not self_care else 1 + SELF_CARE_LEVELS.index(self_care),
            int(bool(m.get("no_supporter"))), int(bool(m.get("orphan"))), int(bool(m.get("single_cover"))),
        ))
    income_12m = inputs.get("income_12m")
    household = (
        _fen(inputs.get("financial_assets", 0)), _bits(inputs.get("vehicles", []), VEHICLE_TYPES),
        int(inputs.get("residential_properties", 0)), int(inputs.get("commercial_properties", 0)),
        _bits(inputs.get("business_roles", []), BUSINESS_ROLES), _fen(inputs.get("rigid_expenses_12m", 0)),
        0 if income_12m is None else _fen(income_12m), int(income_12m is not None),
    )
    return Parsed(ids, rows, household)


def pack(inputs: Mapping[str, Any]) -> str:
    """The snapshot's bulk-path columns as one line (stored beside ``inputs``, read by the payroll instead of
    decoding JSON): ``household ints|member id:ints|…``."""
    parsed = parse(inputs)
    parts = [",".join(map(str, parsed.household))]
    parts += [":".join((mid, *map(str, row))) for mid, row in zip(parsed.member_ids, parsed.members, strict=True)]
    return "|".join(parts)


def unpack(packed: str) -> Parsed:
    head, *members = packed.split("|")
    ids, rows = [], []
    for member in members:
        mid, *values = member.split(":")
        ids.append(mid)
        rows.append(tuple(map(int, values)))
    return Parsed(ids, rows, tuple(map(int, head.split(","))))


def snapshot_fields(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """``inputs``, ``inputs_hash`` and ``packed`` of a new basis snapshot."""
    return {"inputs": inputs, "inputs_hash": inputs_hash(inputs), "packed": pack(inputs)}


def _bits(codes: Iterable[str], names: tuple[str, ...]) -> int:
    return sum(1 << names.index(code) for code in set(codes) if code in names)


def programme_bits(programmes: Iterable[str]) -> int:
    return _bits(programmes, PROGRAMMES)


_MEMBER_NAMES = tuple(MEMBER_COLUMNS)[1:]  # after "household"
_HOUSEHOLD_NAMES = tuple(HOUSEHOLD_COLUMNS)[:-1]  # before "enrollments"


@dataclass
class ColumnBuilder:
    """Accumulates evaluation units (a parsed snapshot + its month's overrides) into bulk columns."""

    member_rows: list[tuple[int, ...]] = field(default_factory=list)
    member_household: list[int] = field(default_factory=list)
    household_rows: list[tuple[int, ...]] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)  # first member row of each unit

    def add(self, parsed: Parsed, deaths: Mapping[str, int], enrollment_bits: int) -> int:
        unit = len(self.household_rows)
        self.offsets.append(len(self.member_rows))
        for member_id, row in zip(parsed.member_ids, parsed.members, strict=True):
            if member_id in deaths:
                row = (row[0], deaths[member_id], *row[2:])
            self.member_rows.append(row)
            self.member_household.append(unit)
        self.household_rows.append((*parsed.household, enrollment_bits))
        return unit

    def columns(self) -> tuple[Columns, Columns]:
        members: Columns = {"household": np.asarray(self.member_household, dtype=np.int64)}
        matrix = np.asarray(self.member_rows, dtype=np.int64).reshape(-1, len(_MEMBER_NAMES))
        for i, name in enumerate(_MEMBER_NAMES):
            members[name] = matrix[:, i].astype(MEMBER_COLUMNS[name])
        hh = np.asarray(self.household_rows, dtype=np.int64).reshape(-1, len(HOUSEHOLD_COLUMNS))
        households: Columns = {}
        for i, name in enumerate((*_HOUSEHOLD_NAMES, "enrollments")):
            households[name] = hh[:, i].astype(HOUSEHOLD_COLUMNS[name])
        return members, households


# --- parameter versions ----------------------------------------------------------------------------------------


def rule_values(params: ParameterSet, month: Month) -> dict[str, Any]:
    """Every parameter's unit and values in force on the first day of ``month`` and of the 12 months
    before it (rigid hardship reads a year of dibao standards), sorted by date."""
    out: dict[str, Any] = {}
    for name in params.names():
        seen: dict[str, list[Any]] = {}
        for back in range(12, -1, -1):
            found = params.get(name, month.shift(-back).first_day)
            if found is not None:
                value = list(found.value) if isinstance(found.value, tuple) else str(found.value)
                seen[found.since.isoformat()] = [found.since.isoformat(), value, found.status, found.reference]
        if seen:
            out[name] = {"unit": params.parameter(name).unit, "values": [seen[k] for k in sorted(seen)]}
    return out


@lru_cache(maxsize=256)
def _default_digest(month_index: int) -> tuple[str, str]:
    values = rule_values(default_parameters(), Month.from_index(month_index))
    return inputs_hash(values), canonical(values)


def rule_digest(params: ParameterSet | None, month: Month) -> tuple[str, dict[str, Any]]:
    """``(digest, values)`` of the parameters governing ``month``."""
    if params is None or params is default_parameters():
        digest, text = _default_digest(month.index)
        return digest, json.loads(text)
    values = rule_values(params, month)
    return inputs_hash(values), values


def params_from_values(values: Mapping[str, Any]) -> ParameterSet:
    """A :class:`ParameterSet` holding exactly the stored values (to explain an entry a year later)."""
    parameters = {}
    defaults = default_parameters()
    for name, data in values.items():
        try:
            known = defaults.parameter(name)
            zh, en = known.description_zh, known.description_en
        except KeyError:
            zh = en = name
        dated = []
        for since, value, status, reference in data["values"]:
            day = dt.date.fromisoformat(since)
            number = tuple(value) if isinstance(value, list) else Decimal(value)
            dated.append((day, ParamValue(value=number, since=day, status=status, reference=reference)))
        parameters[name] = Parameter(name=name, description_zh=zh, description_en=en, unit=data["unit"],
                                     values=tuple(dated))
    return ParameterSet(parameters)
