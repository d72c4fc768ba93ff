"""Scoring of the assessment instruments from their definitions (no Django import).

GB/T 42195-2022: the answer to each of the 26 items is an option code; the option's score adds to its
dimension; the total (0–90) gives the initial level by the definition's thresholds; then the level-change
rules (each one on/off and parameterised in the definition, because published transcriptions disagree):

- ``set_level`` (coma): when the item's answer is one of ``options`` (or the fact ``coma`` is true), the
  level is set to ``level`` (default 4 完全失能; 3 重度失能 is the other reading);
- ``raise`` by ``diagnoses`` (ICD-10 ranges such as ``F00-F03``): ``steps`` levels up;
- ``raise`` by ``threshold`` care-risk events within ``days`` days: ``steps`` levels up.

``stacking`` ``each`` adds the steps of every raise rule that applies; ``once`` raises at most one step
in all. The level never passes the highest level of the definition.

The 特困 six-item instrument: the number of items a person cannot do decides 全自理 / 半自理 / 全护理 by
the definition's ranges (0 / 1–3 / 4–6).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_ICD = re.compile(r"^([A-Z])(\d{2})")


class ScoringError(ValueError):
    """The answers do not fit the instrument (a missing item, an unknown option)."""


@dataclass
class Outcome:
    dimension_scores: dict[str, int]
    total: int
    initial_level: int
    final_level: int
    applied: list[dict[str, Any]] = field(default_factory=list)


def _icd_key(code: str) -> tuple[str, int] | None:
    m = _ICD.match(code.strip().upper())
    return (m.group(1), int(m.group(2))) if m else None


def icd_in(code: str, ranges: list[str]) -> bool:
    """Whether an ICD-10 code (``F03``, ``F01.1``) falls in one of ``ranges`` (``F00-F03``, ``G30``)."""
    key = _icd_key(code)
    if key is None:
        return False
    for spec in ranges:
        low_text, _, high_text = spec.partition("-")
        low, high = _icd_key(low_text), _icd_key(high_text or low_text)
        if low is not None and high is not None and low <= key <= high:
            return True
    return False


def level_for(definition: Mapping[str, Any], total: int) -> int:
    for band in definition["levels"]:
        if band["min"] <= total <= band["max"]:
            return int(band["level"])
    raise ScoringError(f"总分 {total} 不在任何等级区间内")


def max_level(definition: Mapping[str, Any]) -> int:
    return max(int(b["level"]) for b in definition["levels"])


def risk_count(facts: Mapping[str, Any]) -> int:
    events = facts.get("risk_events") or {}
    if isinstance(events, Mapping):
        return sum(int(v or 0) for v in events.values())
    return int(events)


def _rule_applies(rule: Mapping[str, Any], answers: Mapping[str, str], facts: Mapping[str, Any]) -> str | None:
    """Why the rule applies (for the report), or ``None``."""
    kind = rule["kind"]
    if kind == "set_level":
        if "item" in rule and answers.get(rule["item"]) in rule.get("options", []):
            return f"{rule['item']} 答案为昏迷"
        if facts.get("coma"):
            return "健康相关问题记录为昏迷"
        return None
    if "diagnoses" in rule:
        hits = [c for c in facts.get("diagnoses") or [] if icd_in(str(c), rule["diagnoses"])]
        return f"诊断 {'、'.join(hits)}" if hits else None
    if "threshold" in rule:
        n = risk_count(facts)
        return f"近{rule.get('days', 30)}天照护风险事件 {n} 次" if n >= int(rule["threshold"]) else None
    raise ScoringError(f"无法识别的规则 {rule.get('code')}")


def score(definition: Mapping[str, Any], answers: Mapping[str, str],
          facts: Mapping[str, Any] | None = None) -> Outcome:
    """Score a GB/T 42195 assessment; ``answers`` maps every item code to an option code."""
    facts = facts or {}
    dims = {d["code"]: 0 for d in definition["dimensions"]}
    for item in definition["items"]:
        code = item["code"]
        if code not in answers or answers[code] in (None, ""):
            raise ScoringError(f"{code} {item['name']} 未作答")
        option = next((o for o in item["options"] if o["code"] == str(answers[code])), None)
        if option is None:
            raise ScoringError(f"{code} {item['name']} 的答案 {answers[code]!r} 不是有效选项")
        dims[item["dimension"]] += int(option["score"])
    unknown = set(answers) - {i["code"] for i in definition["items"]}
    if unknown:
        raise ScoringError(f"未知条目：{'、'.join(sorted(unknown))}")
    total = sum(dims.values())
    initial = level_for(definition, total)
    top = max_level(definition)
    level, raised, applied = initial, 0, []
    for rule in definition.get("rules", []):
        if not rule.get("enabled", True) or rule["kind"] != "raise":
            continue
        why = _rule_applies(rule, answers, facts)
        if why is None:
            continue
        steps = int(rule.get("steps", 1))
        if definition.get("stacking", "each") == "once":
            steps = max(0, min(steps, 1 - raised))
        raised += steps
        before, level = level, min(top, level + steps)
        applied.append({"code": rule["code"], "label": rule["label"], "why": why, "from": before, "to": level})
    for rule in definition.get("rules", []):
        if not rule.get("enabled", True) or rule["kind"] != "set_level":
            continue
        why = _rule_applies(rule, answers, facts)
        if why is not None:
            before, level = level, int(rule["level"])
            applied.append({"code": rule["code"], "label": rule["label"], "why": why, "from": before, "to": level})
    return Outcome(dimension_scores=dims, total=total, initial_level=initial, final_level=level, applied=applied)


def check_definition(definition: Mapping[str, Any]) -> None:
    """A definition is usable: dimension maxima equal their items' maxima; levels cover 0..the total."""
    maxima = {d["code"]: 0 for d in definition["dimensions"]}
    for item in definition["items"]:
        if item["dimension"] not in maxima:
            raise ScoringError(f"{item['code']}: 未知一级指标 {item['dimension']}")
        maxima[item["dimension"]] += max(int(o["score"]) for o in item["options"])
    for d in definition["dimensions"]:
        if maxima[d["code"]] != int(d["max"]):
            raise ScoringError(f"{d['name']} 满分应为 {d['max']}，各条目合计 {maxima[d['code']]}")
    full = sum(maxima.values())
    covered = sorted(t for b in definition["levels"] for t in range(int(b["min"]), int(b["max"]) + 1))
    if covered != list(range(full + 1)):
        raise ScoringError(f"等级区间应不重叠地覆盖 0–{full} 分")


def self_care(definition: Mapping[str, Any], can_do: Mapping[str, bool]) -> tuple[int, str]:
    """The six-item instrument: (number of items the person cannot do, level label)."""
    codes = [i["code"] for i in definition["items"]]
    missing = [c for c in codes if c not in can_do]
    if missing:
        raise ScoringError(f"未填写：{'、'.join(missing)}")
    unable = sum(1 for c in codes if not can_do[c])
    for band in definition["levels"]:
        if band["min_unable"] <= unable <= band["max_unable"]:
            return unable, str(band["level"])
    raise ScoringError(f"{unable} 项不能完成：不在任何等级区间内")
