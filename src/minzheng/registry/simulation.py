"""The archive in the operational store as bulk columns, and the what-if simulation over it.

:func:`archive_columns` reads every active household (``core.Household.status`` active) of the user's
jurisdiction — or of the whole city when no user is given (the command line) — with its current
members (``HouseholdMember.end_date`` empty) in three ``values_list`` queries (households; members
joined to people; active enrollments), no ORM object per row, and returns the column sets of
:mod:`minzheng.rules.bulk` plus ``area_code`` and ``household_id``. :func:`simulate_archive` hands them
to :func:`minzheng.analytics.simulation.simulate`.

What the archive holds and what it does not (the rules' inputs are filled as follows):

- people: birth and death dates, countable monthly income, disability certificate (type and grade are
  read independently; a grade without a type still counts as a certificate), serious illness, self-care;
- caseworker findings come from enrollments active on ``as_of`` (default today): ``orphan`` — the
  person is enrolled in ``orphan`` or ``unsupported_child``; ``no_supporter`` — the person is enrolled
  in ``tekun`` (a household-level ``tekun`` row marks every current member); ``single_cover`` (单人保) —
  the person has a person-level ``dibao`` row while the household has no household-level one;
- ``enrollments`` (for the 80–89 high-age rate of low-income households): the household's own active
  enrollments and its current members' person-level ones;
- **assets are not in the archive files** (``data-exchange.md``): financial assets 0, no vehicle, no
  property, no business role, no rigid expenditure, and the 12-month income is 12 × the monthly
  incomes. Households are therefore never excluded by the asset tests, and rigid_hardship is reached
  only through the living part. Both the baseline and the reform read the same inputs, so the
  comparison is like for like; the absolute category counts may differ from the enrollments.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from minzheng.analytics.simulation import AREA_CODE, Reform, SimulationResult, simulate
from minzheng.authz.scope import area_prefix
from minzheng.core.choices import HouseholdStatus
from minzheng.core.models import Household, HouseholdMember
from minzheng.registry.selectors import active_enrollments
from minzheng.rules.bulk import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, NO_DEATH, Columns
from minzheng.rules.model import DISABILITY_TYPES, PROGRAMMES, SELF_CARE_LEVELS, Month

_DISABILITY = {name: 1 + i for i, name in enumerate(DISABILITY_TYPES)}
_SELF_CARE = {name: 1 + i for i, name in enumerate(SELF_CARE_LEVELS)}
_BIT = {name: 1 << i for i, name in enumerate(PROGRAMMES)}  # as bulk's ``enrollments`` column
_ORPHAN_PROGRAMMES = ("orphan", "unsupported_child")
_MEMBER_FIELDS = (
    "household_id",
    "person_id",
    "person__birth_date",
    "person__death_date",
    "person__monthly_income",
    "person__disability_type",
    "person__disability_grade",
    "person__serious_illness",
    "person__self_care",
)

@dataclass
class ArchiveColumns:
    """The archive as bulk columns; ``households`` also holds ``area_code`` and ``household_id``."""

    members: Columns
    households: Columns
    as_of: dt.date

    @property
    def n_households(self) -> int:
        return len(self.households[AREA_CODE])


def _scope(user: Any) -> str | None:
    """The area-code prefix to read: ``""`` for the whole city, ``None`` for nothing."""
    if user is None:
        return ""
    return area_prefix(user)


def _month(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def archive_columns(*, user: Any = None, as_of: dt.date | None = None) -> ArchiveColumns:
    """The current archive of ``user``'s jurisdiction (every household when ``user`` is None)."""
    as_of = as_of or timezone.localdate()
    prefix = _scope(user)
    households = Household.objects.filter(status=HouseholdStatus.ACTIVE)
    memberships = HouseholdMember.objects.filter(end_date__isnull=True, household__status=HouseholdStatus.ACTIVE)
    if prefix:
        households = households.filter(area__code__startswith=prefix)
        memberships = memberships.filter(household__area__code__startswith=prefix)
    if prefix is None:
        households, memberships = households.none(), memberships.none()
    hh_rows = list(households.order_by("id").values_list("id", "area_id"))
    ids = np.fromiter((row[0] for row in hh_rows), dtype=np.int64, count=len(hh_rows))
    area_codes = np.array([row[1] for row in hh_rows], dtype="U12")

    rows = list(memberships.order_by("household_id", "id").values_list(*_MEMBER_FIELDS))
    household_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    position = np.searchsorted(ids, household_ids)
    known = np.zeros(len(rows), dtype=np.bool_)
    if len(ids):
        known = (position < len(ids)) & (ids[np.minimum(position, len(ids) - 1)] == household_ids)
    if not bool(known.all()):  # a household added between the two reads: leave its members out
        rows = [r for r, ok in zip(rows, known.tolist(), strict=True) if ok]
        position = position[known]
    n = len(rows)
    member: dict[str, np.ndarray] = {
        "household": position,
        "birth_month": np.fromiter((_month(r[2]) for r in rows), dtype=np.int32, count=n),
        "death_month": np.fromiter((NO_DEATH if r[3] is None else _month(r[3]) for r in rows), np.int32, n),
        "monthly_income": np.fromiter((int(r[4] * 100) for r in rows), dtype=np.int64, count=n),
        "disability_type": np.fromiter((_DISABILITY.get(r[5] or "", 0) for r in rows), dtype=np.int8, count=n),
        "disability_grade": np.fromiter((r[6] or 0 for r in rows), dtype=np.int8, count=n),
        "serious_illness": np.fromiter((bool(r[7]) for r in rows), dtype=np.bool_, count=n),
        "self_care": np.fromiter((_SELF_CARE.get(r[8] or "", 0) for r in rows), dtype=np.int8, count=n),
        "no_supporter": np.zeros(n, dtype=np.bool_),
        "orphan": np.zeros(n, dtype=np.bool_),
        "single_cover": np.zeros(n, dtype=np.bool_),
    }
    enrollments = np.zeros(len(ids), dtype=np.int64)
    if prefix is not None:
        person_ids = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
        _findings(prefix, memberships, person_ids, ids, member, enrollments, as_of)
    columns: Columns = {name: np.zeros(len(ids), dtype=t) for name, t in HOUSEHOLD_COLUMNS.items()}
    columns["enrollments"] = enrollments
    columns[AREA_CODE] = area_codes
    columns["household_id"] = ids
    members: Columns = {name: member[name].astype(t, copy=False) for name, t in MEMBER_COLUMNS.items()}
    return ArchiveColumns(members=members, households=columns, as_of=as_of)


def _positions(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The index in ``keys`` (unique) of each of ``wanted``, or -1 where it is not there."""
    if not len(keys):
        return np.full(len(wanted), -1, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    at = order[np.minimum(np.searchsorted(keys, wanted, sorter=order), len(keys) - 1)]
    return np.where(keys[at] == wanted, at, -1)


def _findings(
    prefix: str,
    memberships: Any,
    person_ids: np.ndarray,
    ids: np.ndarray,
    member: dict[str, np.ndarray],
    enrollments: np.ndarray,
    as_of: dt.date,
) -> None:
    """Set the findings and the enrollment bits from the enrollments active on ``as_of`` (in place)."""
    active = active_enrollments(as_of).filter(programme__in=list(_BIT))
    if prefix:  # the household's rows, and those of anyone who is now a member of a household in scope
        active = active.filter(
            Q(household__area__code__startswith=prefix) | Exists(memberships.filter(person_id=OuterRef("person_id")))
        )
    found = list(active.values_list("household_id", "person_id", "programme"))
    k = len(found)
    household = np.fromiter((-1 if r[0] is None else r[0] for r in found), dtype=np.int64, count=k)
    person = np.fromiter((-1 if r[1] is None else r[1] for r in found), dtype=np.int64, count=k)
    code = np.fromiter((PROGRAMMES.index(r[2]) for r in found), dtype=np.int64, count=k)
    bit = np.left_shift(np.int64(1), code)
    at_household = _positions(ids, household)  # household-level rows of households in scope
    at_member = _positions(person_ids, person)  # person-level rows of people now members in scope
    whole = (person < 0) & (at_household >= 0)
    own = (person >= 0) & (at_member >= 0)
    in_household = member["household"]
    np.bitwise_or.at(enrollments, at_household[whole], bit[whole])
    np.bitwise_or.at(enrollments, in_household[at_member[own]], bit[own])

    def programme(*names: str) -> np.ndarray:
        return np.isin(code, [PROGRAMMES.index(name) for name in names])

    member["orphan"][at_member[own & programme(*_ORPHAN_PROGRAMMES)]] = True
    member["no_supporter"][at_member[own & programme("tekun")]] = True
    member["no_supporter"] |= np.isin(in_household, at_household[whole & programme("tekun")])
    alone = at_member[own & programme("dibao")]  # 单人保 unless the household has its own dibao row
    alone = alone[~np.isin(in_household[alone], at_household[whole & programme("dibao")])]
    member["single_cover"][alone] = True


def simulate_archive(
    reform: Reform,
    *,
    period: str | Month | None = None,
    user: Any = None,
    as_of: dt.date | None = None,
    parameter_dirs: tuple[Path, ...] = (),
) -> SimulationResult:
    """Run the what-if simulation over the archive of ``user``'s jurisdiction (all when None)."""
    archive = archive_columns(user=user, as_of=as_of)
    result = simulate(archive.members, archive.households, period=period, reform=reform,
                      parameter_dirs=parameter_dirs)
    note = (
        f"- 数据：当前档案（在册家庭、现有成员），认定信息取 {archive.as_of.isoformat()} 有效的救助记录；"
        "档案不含家庭财产（按无财产计）current archive; findings from enrollments active on that day; "
        "assets are not in the archive (taken as none)."
    )
    return dataclasses.replace(result, notes=(*result.notes, note))


__all__ = ["ArchiveColumns", "archive_columns", "simulate_archive"]
