"""An alert's evidence for people: scalar facts and tables of the rows that made it fire, masked.

The engine's evidence is free JSON (``monitoring-scenarios.md``: "say in each alert's evidence which rows
made it fire"). Scalars become labelled facts; a list of mappings becomes a table (columns = the union of
their keys); nested mappings become facts with a dotted label. Every string that looks like an ID number
or a mobile number is masked, wherever it sits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from minzheng.core.masking import mask_id, mask_phone

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

LABELS = {
    "rows": "触发数据", "triggers": "触发条件", "feed": "数据来源", "source": "来源", "sources": "来源",
    "date": "日期", "death_date": "死亡日期", "stop_from": "停发起始月", "overpaid_months": "多发月数",
    "overpaid_amount": "多发金额", "amount_due": "应享金额", "received": "现享金额", "age": "年龄",
    "grade": "残疾等级", "certificate_no": "证号", "issue_date": "发证日期", "valid_until": "有效期至",
    "programme": "项目", "programmes": "项目", "monthly_amount": "月金额", "self_paid": "个人自付",
    "self_paid_12m": "12个月自付合计", "self_paid_total": "12个月自付合计", "claim_id": "结算单号",
    "settled_on": "结算日期", "event": "事件", "event_date": "事件日期", "vehicle_type": "车辆类型",
    "plate": "号牌", "registered_on": "登记日期", "usage": "用途", "property_no": "不动产编号",
    "role": "身份", "capital": "注册资本", "employer": "单位", "per_capita_income": "家庭人均收入",
    "standard": "标准", "father": "父亲", "mother": "母亲", "reason": "原因", "kind": "类别", "id_number": "身份证号",
    "name": "姓名", "household_id": "家庭档案编号", "window_start": "在保起始日", "enrollments": "享受记录",
    "note": "说明", "type": "类型", "status": "状态", "amount": "金额", "start_date": "起始日期",
    "end_date": "终止日期", "ref": "编号", "n": "条数", "self_paid_12m_total": "12个月自付合计",
    "self_paid_12m_claims": "12个月结算笔数", "as_of": "监测基准日", "scenario": "场景",
}


# The engine's suggested actions are codes (monitoring-scenarios.md): the programme to enroll in, or a step.
SUGGESTIONS = {
    "high_age": "纳入高龄津贴", "disability_care": "纳入重度残疾人护理补贴",
    "disability_living": "纳入困难残疾人生活补贴", "orphan": "纳入孤儿基本生活保障",
    "unsupported_child": "纳入事实无人抚养儿童保障", "stop_payments": "次月起停发",
    "review": "复核家庭经济状况", "monitor": "入户核查，评估救助需求并纳入重点监测",
}


def suggestion(text: str) -> str:
    """The suggested action for people: a known code becomes its words, other text stays as it is."""
    return SUGGESTIONS.get((text or "").strip(), text or "")


def mask_text(value: str) -> str:
    value = ID_LIKE.sub(lambda m: mask_id(m.group(0)), value)
    return MOBILE_LIKE.sub(lambda m: mask_phone(m.group(0)), value)


def label(key: str) -> str:
    return LABELS.get(key, key)


def show(value: Any) -> str:
    """One value as masked text (lists of scalars joined)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(show(v) for v in value)
    if isinstance(value, Mapping):
        return "；".join(f"{label(str(k))}: {show(v)}" for k, v in value.items())
    return mask_text(str(value))


@dataclass
class Table:
    title: str
    headers: list[str]
    keys: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Evidence:
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _flatten(prefix: str, value: Any, out: Evidence) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flatten(f"{prefix}.{label(str(k))}" if prefix else label(str(k)), v, out)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        keys: list[str] = []
        for row in value:
            keys += [str(k) for k in row if str(k) not in keys]
        out.tables.append(Table(title=prefix or "触发数据", headers=[label(k) for k in keys], keys=keys,
                                rows=[[show(row.get(k)) for k in keys] for row in value]))
    else:
        out.facts.append((prefix or "依据", show(value)))


def sections(evidence: Any) -> Evidence:
    """The evidence laid out for the alert page (facts first, then one table per list of rows)."""
    out = Evidence()
    _flatten("", evidence if isinstance(evidence, Mapping) else {"依据": evidence}, out)
    return out


def summary(evidence: Any, *, limit: int = 240) -> str:
    """The scalar facts on one line (masked), for list rows, exports and pre-filled texts."""
    facts = sections(evidence).facts
    text = "；".join(f"{k}: {v}" for k, v in facts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
