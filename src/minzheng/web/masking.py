"""Masking of free text and JSON values shown on screen or exported (audit before/after, change records).

Any run of characters that looks like a 公民身份号码 (18 characters, or the old 15 digits) or a mobile
number is masked, wherever it sits in the value.
"""

from __future__ import annotations

import re
from typing import Any

from minzheng.core.masking import mask_id, mask_phone

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_text(value: str) -> str:
    value = ID_LIKE.sub(lambda m: mask_id(m.group(0)), value)
    return MOBILE_LIKE.sub(lambda m: mask_phone(m.group(0)), value)


def mask_data(value: Any) -> Any:
    """The same structure with every string (and long integer) masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        masked = mask_text(str(value))
        return value if masked == str(value) else masked
    if isinstance(value, dict):
        return {k: mask_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(v) for v in value]
    return value


# Names of the fields that change records and audit events carry, as a reader knows them.
KEY_LABELS = {
    "address": "住址", "phone": "联系电话", "area_id": "所在区划", "registered_date": "建档日期",
    "household_no": "档案编号", "status": "状态", "members": "成员", "person_id": "人员编号", "name": "姓名",
    "id_number": "身份证号", "relation": "关系", "username": "用户名", "full_name": "姓名", "role": "角色",
    "jurisdiction_id": "管辖范围", "is_active": "启用", "locked_until": "锁定至", "field": "字段",
    "filter": "条件", "rows": "行数", "q": "关键词", "area_code": "区划", "programme": "项目",
    "monthly_income": "月收入", "disability_type": "残疾类别", "disability_grade": "残疾等级",
    "death_date": "死亡日期", "self_care": "自理能力", "serious_illness": "重特大疾病",
}


def describe(value: Any) -> str:
    """A compact one-line rendering of before/after data for tables and spreadsheets (masked)."""
    value = mask_data(value)
    if value in (None, "", {}, []):
        return ""
    if isinstance(value, dict):
        return "；".join(
            f"{KEY_LABELS.get(k, k)}: {describe(v) if isinstance(v, dict | list) else _scalar(v)}"
            for k, v in value.items()
        )
    if isinstance(value, list):
        return "，".join(describe(v) if isinstance(v, dict | list) else _scalar(v) for v in value)
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
