"""Dated procedure parameters (``parameters/procedure.yaml``), read with the rules' parameter loader.

``procedure_value("notice_days", on)`` → :class:`~minzheng.rules.parameters.ParamValue` (value, since,
status, reference). Deadlines, the gradual-exit length and the temporary-assistance threshold all come
from here, so replacing an ``assumed`` value is a one-line data change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from minzheng.rules.parameters import ParameterSet, ParamValue
from minzheng.rules.parameters import value as rules_value

PROCEDURE_DIR = Path(__file__).with_name("parameters")


@lru_cache(maxsize=1)
def procedure_parameters() -> ParameterSet:
    return ParameterSet.load(PROCEDURE_DIR)


def procedure_value(name: str, on: dt.date) -> ParamValue:
    return procedure_parameters().value(f"procedure.{name}", on)


def procedure_int(name: str, on: dt.date) -> int:
    return int(procedure_value(name, on).number)


def street_limit(on: dt.date) -> tuple[Decimal, list[ParamValue]]:
    """The largest temporary-assistance amount a street may approve on ``on`` and the values it rests on."""
    multiple = procedure_value("temporary_street_multiple", on)
    standard = rules_value("dibao.standard", on)
    return (multiple.number * standard.number).quantize(Decimal("0.01")), [multiple, standard]
