"""``minzheng policy``: run YAML policy tests and explain one household's evaluation.

``policy test PATH...`` runs the cases of policy-tests.md (files, or directories of ``.yaml``): one
line per failing case, then ``N passed, N failed``; exit 1 when a case fails, 2 on bad input.
``policy explain FILE.yaml`` evaluates one household (``period`` + ``household``, the keys of a test
case; ``name`` and ``output`` optional) and prints the category, every amount and every step with
the parameters (value, date, status — assumed values marked) and intermediate figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from minzheng.cli import CommandError
from minzheng.rules._yaml import load_yaml
from minzheng.rules.evaluate import evaluate
from minzheng.rules.explain import render_text
from minzheng.rules.parameters import ParameterError
from minzheng.rules.yamltests import CaseError, actual_output, load_cases, parse_case, run_cases


def register(subparsers: Any) -> None:
    """Add ``policy test`` and ``policy explain`` to the top-level parser."""
    parser = subparsers.add_parser("policy", help="政策规则 rules as code: YAML tests and explanations")
    sub = parser.add_subparsers(dest="policy_command", metavar="SUBCOMMAND", required=True)
    test = sub.add_parser("test", help="run YAML policy cases (policy-tests.md)")
    test.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="case files or directories of .yaml"
    )
    test.set_defaults(func=run_test)
    explain = sub.add_parser(
        "explain", help="evaluate one household and show every rule, parameter and figure"
    )
    explain.add_argument(
        "file", type=Path, metavar="FILE.yaml", help="period + household (a test case's keys)"
    )
    explain.set_defaults(func=run_explain)


def run_test(args: argparse.Namespace) -> int:
    try:
        cases = load_cases(args.paths)
        report = run_cases(cases)
    except (CaseError, ParameterError) as exc:
        raise CommandError(str(exc)) from None
    sys.stdout.write(report.text())
    return 1 if report.failed else 0


def run_explain(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        data = load_yaml(path)
    except Exception as exc:
        raise CommandError(f"{path}: not valid YAML: {exc}") from None
    if isinstance(data, list):
        if len(data) != 1:
            raise CommandError(f"{path}: explain takes one household case, the file has {len(data)}")
        data = data[0]
    try:
        case = parse_case(data, path.name, require_output=False)
        result = evaluate(case.household, case.period)
    except (CaseError, ParameterError) as exc:
        raise CommandError(str(exc)) from None
    title = case.name if isinstance(data, dict) and "name" in data else None
    text = render_text(result, title=title)
    if case.output:
        checks = []
        for key, expected in case.output.items():
            actual = actual_output(result, key)
            mark = "一致 ok" if actual == expected else "不一致 DIFFERS"
            checks.append(f"  {key}: 预期 expected {expected}，实际 actual {actual} → {mark}")
        text += "核对 check（文件中的 output）:\n" + "\n".join(checks) + "\n"
    sys.stdout.write(text)
    return 0
