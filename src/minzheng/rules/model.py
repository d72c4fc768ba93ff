"""Inputs of the rules: a benefit month, a household and its members (keys of policy-tests.md).

``household_from_mapping`` turns the ``household:`` mapping of a YAML case into a :class:`Household`,
rejecting unknown keys and bad values with :class:`InputError` naming the key. Money is ``Decimal``
yuan with at most two decimals (fen), never negative.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

DISABILITY_TYPES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
SELF_CARE_LEVELS = ("全自理", "半自理", "全护理")
VEHICLE_TYPES = ("car", "truck", "motorcycle", "ebike", "farm_machine", "mobility_aid")
BUSINESS_ROLES = ("legal_rep", "shareholder", "sole_proprietor")
PROGRAMMES = (
    "dibao",
    "tekun",
    "dibao_edge",
    "rigid_hardship",
    "orphan",
    "unsupported_child",
    "disability_living",
    "disability_care",
    "high_age",
    "temporary",
)
ZERO = Decimal(0)
FEN = Decimal("0.01")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class InputError(ValueError):
    """A household or case is malformed; the message names the offending key."""


@dataclass(frozen=True, order=True)
class Month:
    """A benefit month (``2023-08``)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 2999:
            raise InputError(f"not a month: {self.year:04d}-{self.month:02d}")

    @classmethod
    def parse(cls, text: object) -> Month:
        if isinstance(text, Month):
            return text
        match = _MONTH_RE.match(str(text)) if isinstance(text, str) else None
        if not match:
            raise InputError(f"period must be YYYY-MM, not {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        """Months since year 0 (``year * 12 + month - 1``): the bulk path's month number."""
        return self.year * 12 + self.month - 1

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def shift(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_old(birth_date: dt.date, month: Month) -> int:
    """Age in whole months counted by calendar month (0 in the month of birth)."""
    return month.index - Month.of(birth_date).index


def aged(birth_date: dt.date, years: int, month: Month) -> bool:
    """Aged ``years`` or more in ``month``: that birthday falls in this month or earlier."""
    return months_old(birth_date, month) >= 12 * years


@dataclass(frozen=True)
class Member:
    id: str
    birth_date: dt.date
    relation: str = ""
    monthly_income: Decimal = ZERO
    disability_type: str | None = None
    disability_grade: int | None = None
    serious_illness: bool = False
    self_care: str | None = None
    no_supporter: bool = False
    orphan: bool = False
    single_cover: bool = False
    death_date: dt.date | None = None

    @property
    def has_certificate(self) -> bool:
        return self.disability_grade is not None

    def present(self, month: Month) -> bool:
        """Counted in ``month``: born by then, and not dead before it (death counts in its month)."""
        if Month.of(self.birth_date) > month:
            return False
        return self.death_date is None or Month.of(self.death_date) >= month


@dataclass(frozen=True)
class Household:
    members: tuple[Member, ...]
    financial_assets: Decimal = ZERO
    vehicles: tuple[str, ...] = ()
    residential_properties: int = 0
    commercial_properties: int = 0
    business_roles: tuple[str, ...] = ()
    rigid_expenses_12m: Decimal = ZERO
    income_12m: Decimal | None = None
    enrollments: tuple[str, ...] = field(default=())


MEMBER_KEYS = tuple(f.name for f in dataclasses.fields(Member))
HOUSEHOLD_KEYS = tuple(f.name for f in dataclasses.fields(Household))


def household_from_mapping(data: Any, where: str = "household") -> Household:
    """Build a :class:`Household` from a case's ``household:`` mapping (strict: unknown keys raise)."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping")
    _reject_unknown(data, HOUSEHOLD_KEYS, where)
    raw_members = data.get("members")
    if not isinstance(raw_members, list) or not raw_members:
        raise InputError(f"{where}: 'members' must be a non-empty list")
    members = tuple(_member(raw, f"{where}.members[{i}]") for i, raw in enumerate(raw_members))
    ids = [m.id for m in members]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError(f"{where}: duplicate member id {duplicates[0]!r}")
    income_12m = data.get("income_12m")
    return Household(
        members=members,
        financial_assets=_money(data.get("financial_assets", 0), f"{where}.financial_assets"),
        vehicles=_codes(data.get("vehicles", []), VEHICLE_TYPES, f"{where}.vehicles"),
        residential_properties=_count(
            data.get("residential_properties", 0), f"{where}.residential_properties"
        ),
        commercial_properties=_count(data.get("commercial_properties", 0), f"{where}.commercial_properties"),
        business_roles=_codes(data.get("business_roles", []), BUSINESS_ROLES, f"{where}.business_roles"),
        rigid_expenses_12m=_money(data.get("rigid_expenses_12m", 0), f"{where}.rigid_expenses_12m"),
        income_12m=None if income_12m is None else _money(income_12m, f"{where}.income_12m"),
        enrollments=_codes(data.get("enrollments", []), PROGRAMMES, f"{where}.enrollments"),
    )


def _member(raw: Any, where: str) -> Member:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a mapping")
    if "id" not in raw or raw["id"] is None or isinstance(raw["id"], bool):
        raise InputError(f"{where}: missing key 'id'")
    member_id = str(raw["id"])
    where = f"{where} (id {member_id})"
    _reject_unknown(raw, MEMBER_KEYS, where)
    if "birth_date" not in raw:
        raise InputError(f"{where}: missing key 'birth_date'")
    dtype, grade = raw.get("disability_type"), raw.get("disability_grade")
    if (dtype is None) != (grade is None):
        raise InputError(
            f"{where}: disability_type and disability_grade go together (a certificate has both)"
        )
    if dtype is not None and dtype not in DISABILITY_TYPES:
        raise InputError(f"{where}.disability_type: {dtype!r} is not one of {', '.join(DISABILITY_TYPES)}")
    if grade is not None and (isinstance(grade, bool) or grade not in (1, 2, 3, 4)):
        raise InputError(f"{where}.disability_grade: must be 1, 2, 3 or 4, not {grade!r}")
    self_care = raw.get("self_care")
    if self_care is not None and self_care not in SELF_CARE_LEVELS:
        raise InputError(f"{where}.self_care: {self_care!r} is not one of {', '.join(SELF_CARE_LEVELS)}")
    relation = raw.get("relation", "")
    if not isinstance(relation, str):
        raise InputError(f"{where}.relation: must be text")
    birth = _date(raw["birth_date"], f"{where}.birth_date")
    death = None if raw.get("death_date") is None else _date(raw["death_date"], f"{where}.death_date")
    if death is not None and death < birth:
        raise InputError(f"{where}.death_date: before the birth date")
    return Member(
        id=member_id,
        birth_date=birth,
        relation=relation,
        monthly_income=_money(raw.get("monthly_income", 0), f"{where}.monthly_income"),
        disability_type=dtype,
        disability_grade=None if grade is None else int(grade),
        serious_illness=_bool(raw.get("serious_illness", False), f"{where}.serious_illness"),
        self_care=self_care,
        no_supporter=_bool(raw.get("no_supporter", False), f"{where}.no_supporter"),
        orphan=_bool(raw.get("orphan", False), f"{where}.orphan"),
        single_cover=_bool(raw.get("single_cover", False), f"{where}.single_cover"),
        death_date=death,
    )


def _reject_unknown(data: dict[Any, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise InputError(f"{where}: unknown key {key!r} (allowed: {', '.join(allowed)})")


def _money(raw: Any, where: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
        raise InputError(f"{where}: must be an amount in yuan, not {raw!r}")
    try:
        amount = Decimal(raw)
    except ArithmeticError:
        raise InputError(f"{where}: must be an amount in yuan, not {raw!r}") from None
    if not amount.is_finite() or amount < 0:
        raise InputError(f"{where}: must be a non-negative amount, not {raw!r}")
    if amount != amount.quantize(FEN):
        raise InputError(f"{where}: at most 2 decimal places (fen), not {raw!r}")
    return amount


def _count(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise InputError(f"{where}: must be a whole number ≥ 0, not {raw!r}")
    return raw


def _bool(raw: Any, where: str) -> bool:
    if not isinstance(raw, bool):
        raise InputError(f"{where}: must be true or false, not {raw!r}")
    return raw


def _date(raw: Any, where: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        raise InputError(f"{where}: must be a date YYYY-MM-DD, not {raw!r}")
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise InputError(f"{where}: must be a date YYYY-MM-DD, not {raw!r}")


def _codes(raw: Any, allowed: tuple[str, ...], where: str) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise InputError(f"{where}: must be a list")
    for code in raw:
        if code not in allowed:
            raise InputError(f"{where}: {code!r} is not one of {', '.join(allowed)}")
    return tuple(raw)
