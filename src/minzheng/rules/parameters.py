"""Dated policy parameters (OpenFisca style), read from ``rules/parameters/*.yaml``.

Each file is a rule family; a parameter's full name is ``<file stem>.<key>`` (``dibao.standard``).
A definition holds ``description`` (``zh`` and ``en``), ``unit`` and ``values``: a mapping from the
date a value takes effect to ``{value, status, reference}`` where ``status`` is ``official`` or
``assumed``. A value applies from its date until the next one; ``value: null`` ends the parameter.

>>> value("dibao.standard", date(2023, 8, 1)).value
Decimal('793')

A month is governed by the values in force on its first day: callers look values up with
``month.first_day``. Before the first date :func:`value` raises :class:`ParameterNotInForce` and
:meth:`ParameterSet.get` returns ``None``; the rule that needs the parameter then does not apply.

Several directories can be layered (``ParameterSet.load(base, overlay)``): a dated value in a later
directory replaces the value of the same date, or adds a date, in the earlier one (a "reform").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from minzheng.rules._yaml import load_yaml

PARAMETERS_DIR = Path(__file__).with_name("parameters")
STATUSES = ("official", "assumed")
UNITS = (
    "CNY/person/month",
    "CNY/month",
    "CNY/person/year",
    "ratio",
    "multiple",
    "years",
    "grade",
    "count",
    "codes",
)
_DEFINITION_KEYS = frozenset({"description", "unit", "values"})
_VALUE_KEYS = frozenset({"value", "status", "reference"})

ParamData = Decimal | tuple[str, ...]


class ParameterError(ValueError):
    """A parameter file is malformed (the message names the file and the parameter)."""


class ParameterNotInForce(LookupError):
    """The parameter has no value on the date asked (before its first date, or ended)."""

    def __init__(self, name: str, on: dt.date, first: dt.date | None) -> None:
        self.name, self.on, self.first = name, on, first
        since = f"; first value from {first.isoformat()}" if first else ""
        super().__init__(f"parameter {name} is not in force on {on.isoformat()}{since}")


@dataclass(frozen=True)
class ParamValue:
    """One dated value: ``value`` applies from ``since``; ``status`` official/assumed."""

    value: ParamData
    since: dt.date
    status: str
    reference: str

    @property
    def assumed(self) -> bool:
        return self.status == "assumed"

    @property
    def number(self) -> Decimal:
        """The value as a ``Decimal`` (raises ``TypeError`` for a code list)."""
        if not isinstance(self.value, Decimal):
            raise TypeError(f"parameter value {self.value!r} is not a number")
        return self.value

    @property
    def codes(self) -> tuple[str, ...]:
        if not isinstance(self.value, tuple):
            raise TypeError(f"parameter value {self.value!r} is not a code list")
        return self.value


@dataclass(frozen=True)
class Parameter:
    """A parameter with its dated values (``None`` = ended from that date), sorted by date."""

    name: str
    description_zh: str
    description_en: str
    unit: str
    values: tuple[tuple[dt.date, ParamValue | None], ...]

    def at(self, on: dt.date) -> ParamValue | None:
        """The value in force on ``on`` or ``None``."""
        found: ParamValue | None = None
        for since, entry in self.values:
            if since > on:
                break
            found = entry
        return found

    @property
    def first_date(self) -> dt.date | None:
        return self.values[0][0] if self.values else None


class ParameterSet:
    """All parameters of one or more layered directories."""

    def __init__(self, parameters: dict[str, Parameter]) -> None:
        self._parameters = dict(sorted(parameters.items()))

    @classmethod
    def load(cls, *directories: Path) -> ParameterSet:
        """Read every ``*.yaml`` of each directory; later directories overlay earlier ones."""
        merged: dict[str, Parameter] = {}
        for directory in directories or (PARAMETERS_DIR,):
            files = sorted(Path(directory).glob("*.yaml"))
            if not files:
                raise ParameterError(f"{directory}: no parameter files (*.yaml)")
            for path in files:
                for param in _read_file(path):
                    merged[param.name] = _overlay(merged.get(param.name), param)
        return cls(merged)

    def names(self) -> list[str]:
        return list(self._parameters)

    def parameter(self, name: str) -> Parameter:
        try:
            return self._parameters[name]
        except KeyError:
            raise KeyError(f"unknown parameter {name}") from None

    def get(self, name: str, on: dt.date) -> ParamValue | None:
        """The value in force on ``on``, or ``None`` before the first date (unknown names raise)."""
        return self.parameter(name).at(on)

    def value(self, name: str, on: dt.date) -> ParamValue:
        """The value in force on ``on``; raises :class:`ParameterNotInForce` when there is none."""
        found = self.get(name, on)
        if found is None:
            raise ParameterNotInForce(name, on, self.parameter(name).first_date)
        return found

    def first_date(self, name: str) -> dt.date | None:
        return self.parameter(name).first_date

    def change_dates(self) -> list[dt.date]:
        """Every date on which some parameter changes, sorted."""
        return sorted({since for p in self._parameters.values() for since, _ in p.values})


@lru_cache(maxsize=1)
def default_parameters() -> ParameterSet:
    """The parameters shipped with the package (read once)."""
    return ParameterSet.load(PARAMETERS_DIR)


def value(name: str, on: dt.date) -> ParamValue:
    """The shipped value of ``name`` in force on ``on`` (see :meth:`ParameterSet.value`)."""
    return default_parameters().value(name, on)


def _overlay(base: Parameter | None, new: Parameter) -> Parameter:
    if base is None:
        return new
    values = dict(base.values)
    values.update(dict(new.values))
    return Parameter(
        name=new.name,
        description_zh=new.description_zh,
        description_en=new.description_en,
        unit=new.unit,
        values=tuple(sorted(values.items())),
    )


def _read_file(path: Path) -> Iterable[Parameter]:
    try:
        data = load_yaml(path)
    except Exception as exc:  # yaml errors carry the line
        raise ParameterError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: expected a mapping of parameter definitions")
    for key, definition in data.items():
        name = f"{path.stem}.{key}"
        yield _read_definition(f"{path.name}: {name}", name, definition)


def _read_definition(where: str, name: str, definition: Any) -> Parameter:
    if not isinstance(definition, dict):
        raise ParameterError(f"{where}: expected a mapping with description, unit, values")
    unknown = sorted(set(map(str, definition)) - _DEFINITION_KEYS)
    if unknown:
        raise ParameterError(f"{where}: unknown key {unknown[0]!r}")
    missing = sorted(_DEFINITION_KEYS - set(definition))
    if missing:
        raise ParameterError(f"{where}: missing key {missing[0]!r}")
    description = definition["description"]
    if not (isinstance(description, dict) and set(description) == {"zh", "en"}):
        raise ParameterError(f"{where}: description must have exactly zh and en")
    unit = definition["unit"]
    if unit not in UNITS:
        raise ParameterError(f"{where}: unit {unit!r} is not one of {', '.join(UNITS)}")
    raw_values = definition["values"]
    if not isinstance(raw_values, dict) or not raw_values:
        raise ParameterError(f"{where}: values must be a non-empty mapping of dates")
    values: list[tuple[dt.date, ParamValue | None]] = []
    for since, entry in raw_values.items():
        if not isinstance(since, dt.date) or isinstance(since, dt.datetime):
            raise ParameterError(f"{where}: {since!r} is not a date (YYYY-MM-DD)")
        values.append((since, _read_value(f"{where} {since.isoformat()}", unit, since, entry)))
    return Parameter(
        name=name,
        description_zh=str(description["zh"]),
        description_en=str(description["en"]),
        unit=unit,
        values=tuple(sorted(values, key=lambda item: item[0])),
    )


def _read_value(where: str, unit: str, since: dt.date, entry: Any) -> ParamValue | None:
    if not isinstance(entry, dict):
        raise ParameterError(f"{where}: expected {{value, status, reference}}")
    unknown = sorted(set(map(str, entry)) - _VALUE_KEYS)
    if unknown:
        raise ParameterError(f"{where}: unknown key {unknown[0]!r}")
    missing = sorted(_VALUE_KEYS - set(entry))
    if missing:
        raise ParameterError(f"{where}: missing key {missing[0]!r}")
    if entry["status"] not in STATUSES:
        raise ParameterError(f"{where}: status must be official or assumed, not {entry['status']!r}")
    reference = entry["reference"]
    if not isinstance(reference, str) or not reference.strip():
        raise ParameterError(f"{where}: reference must be a non-empty text")
    raw = entry["value"]
    if raw is None:
        return None
    data: ParamData
    if unit == "codes":
        if not isinstance(raw, list) or not all(isinstance(code, str) for code in raw):
            raise ParameterError(f"{where}: a codes value must be a list of strings")
        data = tuple(raw)
    else:
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            raise ParameterError(f"{where}: value must be a number, not {raw!r}")
        data = Decimal(raw)
        if data < 0:
            raise ParameterError(f"{where}: value must not be negative")
        if unit.startswith("CNY") and data != data.quantize(Decimal("0.01")):
            raise ParameterError(f"{where}: money must have at most 2 decimal places (fen)")
        if unit in ("years", "grade", "count") and data != data.to_integral_value():
            raise ParameterError(f"{where}: a {unit} value must be a whole number")
    return ParamValue(value=data, since=since, status=entry["status"], reference=reference.strip())
