"""YAML policy tests (policy-tests.md): load case files, evaluate, compare only the listed outputs.

A file holds a list of cases; a case has exactly ``name``, ``period``, ``household`` and ``output``.
Unknown keys anywhere (case, household, member, output, member output) raise :class:`CaseError`
naming the key and the case, so a typo never passes silently. :func:`run_cases` returns a report
with one line per failing case (every differing output with expected and actual) and the closing
line ``N passed, N failed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from minzheng.rules._yaml import load_yaml
from minzheng.rules.evaluate import evaluate
from minzheng.rules.explain import (
    CATEGORIES,
    HOUSEHOLD_OUTPUTS,
    MEMBER_OUTPUTS,
    MEMBER_STATUSES,
    Result,
    yuan,
)
from minzheng.rules.model import Household, InputError, Month, household_from_mapping
from minzheng.rules.parameters import ParameterSet

CASE_KEYS = ("name", "period", "household", "output")
OUTPUT_KEYS = ("category", *HOUSEHOLD_OUTPUTS, "members")
Expected = Decimal | str


class CaseError(ValueError):
    """A case file is malformed (unknown key, bad value); the message names the file and case."""


@dataclass(frozen=True)
class Case:
    name: str
    source: str  # "file.yaml#3"
    period: Month
    household: Household
    output: dict[str, Expected] = field(default_factory=dict)  # "category", "members.c.status", ...

    @property
    def label(self) -> str:
        return f"{self.source} {self.name}"


@dataclass
class Report:
    passed: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def closing(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"

    def text(self) -> str:
        return "\n".join([*self.lines, self.closing]) + "\n"


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, directories searched recursively for ``*.yaml``/``*.yml`` (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise CaseError(f"{path}: no .yaml case files in this directory")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise CaseError(f"{path}: no such file or directory")
    return files


def load_cases(paths: Iterable[Path]) -> list[Case]:
    cases: list[Case] = []
    for path in expand_paths(paths):
        cases.extend(load_file(path))
    return cases


def load_file(path: Path) -> list[Case]:
    try:
        data = load_yaml(path)
    except Exception as exc:
        raise CaseError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise CaseError(f"{path}: expected a non-empty list of cases")
    return [parse_case(raw, f"{path.name}#{i}") for i, raw in enumerate(data, start=1)]


def parse_case(raw: Any, source: str, *, require_output: bool = True) -> Case:
    """One case mapping → :class:`Case`; raises :class:`CaseError` naming the key and the case."""
    if not isinstance(raw, dict):
        raise CaseError(f"{source}: a case must be a mapping with {', '.join(CASE_KEYS)}")
    name = raw.get("name")
    where = f"{source} {name!r}" if name is not None else source
    for key in raw:
        if key not in CASE_KEYS:
            raise CaseError(f"{where}: unknown key {key!r} (allowed: {', '.join(CASE_KEYS)})")
    required = CASE_KEYS if require_output else ("period", "household")
    for key in required:
        if key not in raw:
            raise CaseError(f"{where}: missing key {key!r}")
    try:
        period = Month.parse(raw["period"])
        household = household_from_mapping(raw["household"], "household")
    except InputError as exc:
        raise CaseError(f"{where}: {exc}") from None
    output = _parse_output(raw.get("output"), household, where) if "output" in raw else {}
    return Case(name=str(name or source), source=source, period=period, household=household, output=output)


def _parse_output(raw: Any, household: Household, where: str) -> dict[str, Expected]:
    if not isinstance(raw, dict) or not raw:
        raise CaseError(f"{where}: output must be a non-empty mapping")
    expected: dict[str, Expected] = {}
    for key, value in raw.items():
        if key not in OUTPUT_KEYS:
            raise CaseError(f"{where}: unknown output {key!r} (allowed: {', '.join(OUTPUT_KEYS)})")
        if key == "members":
            expected.update(_parse_member_outputs(value, household, where))
        elif key == "category":
            if value not in CATEGORIES:
                raise CaseError(f"{where}: output.category {value!r} is not one of {', '.join(CATEGORIES)}")
            expected[key] = value
        else:
            expected[key] = _amount(value, f"{where}: output.{key}")
    return expected


def _parse_member_outputs(raw: Any, household: Household, where: str) -> dict[str, Expected]:
    if not isinstance(raw, dict) or not raw:
        raise CaseError(f"{where}: output.members must map member ids to their outputs")
    ids = {m.id for m in household.members}
    expected: dict[str, Expected] = {}
    for member_id, outputs in raw.items():
        if str(member_id) not in ids:
            raise CaseError(f"{where}: output.members: unknown member id {member_id!r}")
        if not isinstance(outputs, dict) or not outputs:
            raise CaseError(f"{where}: output.members.{member_id}: expected a mapping of outputs")
        for key, value in outputs.items():
            label = f"members.{member_id}.{key}"
            if key not in MEMBER_OUTPUTS:
                raise CaseError(f"{where}: unknown output {label!r} (allowed: {', '.join(MEMBER_OUTPUTS)})")
            if key == "status":
                if value not in MEMBER_STATUSES:
                    raise CaseError(
                        f"{where}: output.{label} {value!r} is not one of {', '.join(MEMBER_STATUSES)}"
                    )
                expected[label] = value
            else:
                expected[label] = _amount(value, f"{where}: output.{label}")
    return expected


def _amount(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise CaseError(f"{where}: expected an amount in yuan, not {value!r}")
    return Decimal(value)


def actual_output(result: Result, key: str) -> Expected:
    """The result's value for an output key (``dibao_monthly`` or ``members.c.status``)."""
    if key.startswith("members."):
        member_id, name = key.removeprefix("members.").rsplit(".", 1)
        return result.members[member_id][name]
    return result.output(key)


def check_case(case: Case, params: ParameterSet | None = None) -> list[str]:
    """The differing outputs of one case as ``key: expected X, actual Y`` (empty when it passes)."""
    result = evaluate(case.household, case.period, params)
    differences = []
    for key, expected in case.output.items():
        actual = actual_output(result, key)
        if actual != expected:
            differences.append(f"{key}: expected {_show(expected)}, actual {_show(actual)}")
    return differences


def run_cases(cases: Sequence[Case], params: ParameterSet | None = None) -> Report:
    report = Report()
    for case in cases:
        try:
            differences = check_case(case, params)
        except Exception as exc:  # a crash in one case is that case's failure, not the run's
            differences = [f"error: {type(exc).__name__}: {exc}"]
        if differences:
            report.failed += 1
            report.lines.append(f"FAIL {case.label}: {'; '.join(differences)}")
        else:
            report.passed += 1
    return report


def _show(value: Expected) -> str:
    return yuan(value) if isinstance(value, Decimal) else value
