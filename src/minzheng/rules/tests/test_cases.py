"""The YAML case suite through the runner, the runner's strictness, and ``minzheng policy``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from minzheng.cli import CommandError
from minzheng.cli import policy as policy_cli
from minzheng.rules.yamltests import CaseError, load_cases, load_file, run_cases

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"

GOOD_CASE = """
- name: 三口之家
  period: 2023-08
  household:
    members:
      - {id: a, birth_date: 1975-03-02, relation: 户主, monthly_income: 1000}
      - {id: b, birth_date: 1977-06-11, relation: 配偶, monthly_income: 0}
      - {id: c, birth_date: 2012-09-30, relation: 子, monthly_income: 0}
  output:
    category: dibao
    dibao_monthly: 1379
"""


def _write(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_suite_passes() -> None:
    cases = load_cases([CASES_DIR])
    assert len(cases) >= 70
    report = run_cases(cases)
    assert report.lines == []
    assert report.closing == f"{len(cases)} passed, 0 failed"


def test_suite_covers_every_output_and_category() -> None:
    cases = load_cases([CASES_DIR])
    keys = {key.rsplit(".", 1)[-1] for case in cases for key in case.output}
    assert {
        "category",
        "dibao_monthly",
        "dibao_addon_monthly",
        "tekun_monthly",
        "high_age_monthly",
        "orphan_monthly",
        "disability_living_monthly",
        "disability_care_monthly",
        "total_monthly",
        "status",
        "single_cover_monthly",
    } <= keys
    categories = {case.output.get("category") for case in cases}
    assert {"tekun", "dibao", "dibao_edge", "rigid_hardship", "none"} <= categories


def test_failing_case_reports_expected_and_actual(tmp_path: Path) -> None:
    text = (
        GOOD_CASE.replace("dibao_monthly: 1379", "dibao_monthly: 1380")
        + "    members: {c: {status: orphan}}\n"
    )
    report = run_cases(load_file(_write(tmp_path, text)))
    assert report.closing == "0 passed, 1 failed"
    (line,) = report.lines
    assert "三口之家" in line and "cases.yaml#1" in line
    assert "dibao_monthly: expected 1380, actual 1379" in line
    assert "members.c.status: expected orphan, actual dibao" in line


def test_only_listed_outputs_are_asserted(tmp_path: Path) -> None:
    text = GOOD_CASE.replace("    category: dibao\n    dibao_monthly: 1379\n", "    category: dibao\n")
    assert run_cases(load_file(_write(tmp_path, text))).closing == "1 passed, 0 failed"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("  period: 2023-08", "  period: 2023-08\n  perod: 2023-09", "perod"),
        ("    members:", "    financial_asset: 10\n    members:", "financial_asset"),
        ("monthly_income: 1000}", "monthly_incom: 1000}", "monthly_incom"),
        ("    category: dibao", "    categroy: dibao", "categroy"),
        (
            "    dibao_monthly: 1379",
            "    dibao_monthly: 1379\n    members: {c: {high_age: 0}}",
            "members.c.high_age",
        ),
    ],
)
def test_unknown_keys_rejected_naming_key_and_case(tmp_path: Path, old: str, new: str, key: str) -> None:
    path = _write(tmp_path, GOOD_CASE.replace(old, new, 1))
    with pytest.raises(CaseError) as error:
        load_file(path)
    assert key in str(error.value)
    assert "三口之家" in str(error.value) and "cases.yaml#1" in str(error.value)


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("monthly_income: 1000}", "monthly_income: 1000.001}", "2 decimal places"),
        ("monthly_income: 1000}", "monthly_income: -5}", "non-negative"),
        ("  period: 2023-08", "  period: 2023-13", "not a month"),
        ("relation: 子,", "relation: 子, disability_grade: 2,", "go together"),
        ("relation: 子,", "relation: 子, self_care: 自理,", "self_care"),
        ("    members:", "    vehicles: [bicycle]\n    members:", "bicycle"),
        ("    category: dibao", "    category: low", "category"),
        ("    dibao_monthly: 1379", "    dibao_monthly: 1379\n    members: {z: {status: dibao}}", "'z'"),
        ("{id: b,", "{id: a,", "duplicate member id"),
    ],
)
def test_bad_values_rejected(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    with pytest.raises(CaseError, match=fragment):
        load_file(_write(tmp_path, GOOD_CASE.replace(old, new, 1)))


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="minzheng")
    parser.add_argument("--quiet", action="store_true")
    policy_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_test_passes_on_suite(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["policy", "test", str(CASES_DIR)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].endswith("passed, 0 failed")


def test_cli_test_exit_1_on_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, GOOD_CASE.replace("1379", "1"))
    assert _run(["policy", "test", str(path), str(CASES_DIR / "worked_examples.yaml")]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("FAIL cases.yaml#1")
    assert out[-1] == "3 passed, 1 failed"


def test_cli_test_bad_input_is_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="unknown key"):
        _run(["policy", "test", str(_write(tmp_path, GOOD_CASE.replace("relation:", "relaton:", 1)))])
    with pytest.raises(CommandError, match="no such file"):
        _run(["policy", "test", str(tmp_path / "missing.yaml")])


def test_cli_explain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "\n".join(
        line[2:] if line.startswith("  ") else line.lstrip("- ") for line in GOOD_CASE.splitlines()
    )
    path = _write(tmp_path, text, "household.yaml")
    assert _run(["policy", "explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "家庭类别 category: dibao" in out
    assert "dibao_monthly: 1379" in out
    assert "dibao.standard = 793，2023-07-01 起 since（正式 official）" in out
    assert "（假定值 assumed）" in out
    assert "793 × 3 − 1000 = 1379" in out
    assert "一致 ok" in out


def test_cli_explain_rejects_two_cases(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_CASE + GOOD_CASE)
    with pytest.raises(CommandError, match="one household"):
        _run(["policy", "explain", str(path)])
