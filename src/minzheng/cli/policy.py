"""``minzheng policy``: run YAML policy tests and explain one household's evaluation.

``policy test PATH...`` runs the cases of policy-tests.md (files, or directories of ``.yaml``): one
line per failing case, then ``N passed, N failed``; exit 1 when a case fails, 2 on bad input.
``policy explain FILE.yaml`` evaluates one household (``period`` + ``household``, the keys of a test
case; ``name`` and ``output`` optional) and prints the category, every amount and every step with
the parameters (value, date, status — assumed values marked) and intermediate figures.
``policy simulate --raise dibao_standard --by 5% --from 2025-07-01 [--month 2025-08] [--xlsx FILE]``
runs a what-if over the archive in the database (``analytics.simulation``, ``registry.simulation``):
per district, households by category before and after, changes, newly qualifying and leaving, and the
monthly budget before, after and the difference; ``--xlsx`` writes the same as an Excel workbook.
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
    _register_simulate(sub)


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


# ---------------------------------------------------------------- policy simulate (what-if, issue 3)
def _register_simulate(sub: Any) -> None:
    from minzheng.analytics.simulation import PARAMETER_ALIASES, ROUNDING_MODES

    simulate = sub.add_parser(
        "simulate",
        help="政策模拟 what-if: change a standard from a date and compare, per district (archive in the database)",
    )
    simulate.add_argument(
        "--raise", dest="parameter", default="dibao_standard", metavar="PARAMETER",
        help=f"money parameter to change: {', '.join(PARAMETER_ALIASES)} or a full name such as "
        "tekun.care.full (default dibao_standard)",
    )
    change = simulate.add_mutually_exclusive_group(required=True)
    change.add_argument("--by", metavar="X%", help="change by X percent (5%%; a cut as --by=-5%%)")
    change.add_argument("--to", metavar="YUAN", help="set to this amount instead")
    simulate.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD",
                          help="date the change applies from")
    simulate.add_argument("--month", metavar="YYYY-MM",
                          help="benefit month to compare (default: the reform's first month)")
    simulate.add_argument("--round", dest="quantum", default="1", metavar="YUAN",
                          help="round a raised value to this unit (default 1 = whole yuan; 0.01 keeps the fen)")
    simulate.add_argument("--rounding", choices=tuple(ROUNDING_MODES), default="half_up",
                          help="rounding rule (default half_up 四舍五入)")
    simulate.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                          help="day whose active enrollments give the findings (default today)")
    simulate.add_argument("--xlsx", type=Path, metavar="FILE", help="also write the tables as an Excel workbook")
    simulate.set_defaults(func=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    import datetime as dt
    import time

    from minzheng.analytics.simulation import Reform, ReformError, render_text
    from minzheng.rules.model import InputError
    from minzheng.rules.parameters import default_parameters

    try:
        reform = Reform.parse(args.start, parameter=args.parameter, by=args.by, to=args.to,
                              quantum=args.quantum, rounding=args.rounding)
        reform.changes(default_parameters())  # an unknown or non-money parameter fails before any read
        month = reform.month(args.month)
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except (ReformError, InputError) as exc:
        raise CommandError(str(exc)) from None
    except ValueError:
        raise CommandError(f"--as-of must be YYYY-MM-DD, not {args.as_of!r}") from None
    from minzheng.cli.setup import django

    django()
    from minzheng.registry.simulation import simulate_archive

    started = time.perf_counter()
    try:
        result = simulate_archive(reform, period=month, as_of=as_of)
    except ReformError as exc:
        raise CommandError(str(exc)) from None
    elapsed = time.perf_counter() - started
    sys.stdout.write(render_text(result))
    if args.xlsx:
        write_simulation_xlsx(result, args.xlsx)
        print(f"已写入 Excel written: {args.xlsx}")
    if not getattr(args, "quiet", False):
        print(f"用时 total {elapsed:.2f} s（读取档案并计算 read the archive and evaluate）", file=sys.stderr)
    return 0


def write_simulation_xlsx(result: Any, path: Path) -> None:
    """The per-district table, the transition matrices, the budget by item and the reform (one sheet each)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from minzheng.analytics.simulation import (
        CATEGORY_LABELS,
        NOTES,
        SHOWN_CATEGORIES,
        TABLE_HEADERS,
        table_rows,
    )
    from minzheng.rules.explain import HOUSEHOLD_OUTPUTS, OUTPUT_ZH

    money = "#,##0.00"
    bold = Font(bold=True)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "分区县"
    sheet.append([f"政策模拟：{result.label} {result.reform.describe()}"])
    sheet.append([f"测算月份 {result.period}"])
    sheet.append([])
    sheet.append(list(TABLE_HEADERS))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in table_rows(result):
        sheet.append(row)
        for cell in sheet[sheet.max_row][-3:]:
            cell.number_format = money
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.freeze_panes = "B5"

    areas = [*result.districts, result.total]
    matrix = book.create_sheet("类别转移")
    matrix.append(["区县", "调整前类别 \\ 调整后类别", *(CATEGORY_LABELS[c] for c in SHOWN_CATEGORIES), "合计"])
    for area in areas:
        name = "全市合计" if area is result.total else area.name
        for before in SHOWN_CATEGORIES:
            counts = [area.moved(before, after) for after in SHOWN_CATEGORIES]
            matrix.append([name, CATEGORY_LABELS[before], *counts, sum(counts)])

    budget = book.create_sheet("预算明细")
    budget.append(["区县", "项目", "项目代码", "调整前（元/月）", "调整后（元/月）", "差额（元/月）"])
    for area in areas:
        name = "全市合计" if area is result.total else area.name
        for output in HOUSEHOLD_OUTPUTS:
            budget.append([name, OUTPUT_ZH.get(output, output), output, area.budget_before(output),
                           area.budget_after(output), area.budget_difference(output)])
            for cell in budget[budget.max_row][-3:]:
                cell.number_format = money

    about = book.create_sheet("说明")
    before, after = result.value_before, result.value_after
    for line in (
        ("方案 reform", result.reform.describe()),
        ("参数 parameter", f"{result.reform.parameter}（{result.label}，{result.unit}）"),
        ("测算月份 benefit month", str(result.period)),
        ("调整前 baseline", "未生效" if before is None else f"{before.number}（{before.since}，{before.status}）"),
        ("调整后 reform", "未生效" if after is None else f"{after.number}（{after.since}，模拟值 simulated）"),
        ("家庭 households", result.total.households),
        ("成员 members", result.members),
        *((note, "") for note in (*NOTES, *result.notes)),
    ):
        about.append(list(line))
    book.save(path)
