"""Shared pieces of the archive import: rows, outcomes, reason codes and the field parsers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.models import AuditEvent
from minzheng.core.bulkwrite import insert_rows
from minzheng.core.idnumber import REASON_LABELS as ID_REASON_LABELS

Row = tuple[int, dict[str, str]]
"""``(row_number, {column: text})`` as the intake readers give it."""

REASON_LABELS: dict[str, str] = {
    **ID_REASON_LABELS,
    "required": "必填项为空",
    "text_too_long": "内容过长",
    "row_malformed": "该行列数与表头不符，无法读取",
    "date_invalid": "日期格式错误（应为 YYYY-MM-DD 的有效日期）",
    "date_future": "日期晚于今天",
    "money_invalid": "金额格式错误（应为非负数，最多两位小数）",
    "area_code_invalid": "区划代码应为12位数字",
    "area_level_invalid": "层级应为 street（街道/乡镇）或 community（社区/村）；市和区县为预置，只能原样列出",
    "area_parent_unknown": "上级区划不存在或层级不对",
    "area_parent_mismatch": "区划代码与上级区划代码不符",
    "area_conflict": "与已有区划的层级或上级不一致",
    "area_duplicate": "区划代码在文件中重复（已保留先出现的行）",
    "area_unknown": "所在社区的区划代码不存在",
    "area_not_community": "区划代码不是社区/村",
    "household_duplicate": "档案编号在文件中重复（已保留先出现的行）",
    "household_head_count": "家庭户主人数应恰为1人",
    "household_unknown": "家庭档案编号不存在",
    "household_rejected": "所属家庭的记录被拒绝",
    "household_required": "家庭档案编号为空（仅高龄、残疾、孤儿等按人享受的项目可为空）",
    "name_empty": "姓名为空",
    "relation_invalid": "与户主关系无效",
    "relation_changed": "与户主关系与档案不一致（请通过变更户主等业务办理）",
    "disability_type_invalid": "残疾类别无效",
    "disability_grade_invalid": "残疾等级应为1–4",
    "disability_inconsistent": "残疾类别与残疾等级应同时填写或同时为空",
    "serious_illness_invalid": "重特大疾病应为 Y 或 N",
    "self_care_invalid": "自理能力应为 全自理、半自理、全护理 或为空",
    "person_duplicate": "同一人在该家庭中重复出现（已保留先出现的行）",
    "person_in_two_households": "同一人出现在两个家庭（已保留先出现的行）",
    "person_in_other_household": "该人已是档案中另一家庭的当前成员",
    "programme_invalid": "救助项目代码无效",
    "dates_unordered": "终止日期早于起始日期",
    "person_required": "该项目按人享受，身份证号不能为空",
    "person_not_member": "该人不是该家庭的成员",
    "person_unknown": "该人既不在档案中，也不在人口数据中",
    "enrollment_duplicate": "同一享受记录（家庭、人员、项目、起始日期）在文件中重复",
    "enrollment_overlap": "与同一对象同一项目的另一享受记录时间重叠",
}


class RowError(ValueError):
    """One row cannot be taken: ``code`` is a key of :data:`REASON_LABELS`."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass
class Rejection:
    row_number: int
    values: dict[str, str]
    code: str
    detail: str = ""

    @property
    def reason(self) -> str:
        label = REASON_LABELS.get(self.code, self.code)
        return f"{label}：{self.detail}" if self.detail else label


@dataclass
class FileOutcome:
    """What one file did: ``rows_taken = created + changed + unchanged``; ``error`` when nothing landed."""

    kind: str
    rows_read: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    ids_repaired: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    error: str = ""

    @property
    def rows_taken(self) -> int:
        return self.created + self.changed + self.unchanged

    @property
    def rows_rejected(self) -> int:
        return len(self.rejections)

    def reject(self, row: Row, code: str, detail: str = "") -> None:
        self.rejections.append(Rejection(row[0], row[1], code, detail))

    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read, "rows_taken": self.rows_taken, "created": self.created,
            "changed": self.changed, "unchanged": self.unchanged, "rows_rejected": self.rows_rejected,
            "ids_repaired": self.ids_repaired,
        }

    def fail(self, exc: BaseException) -> None:
        """The file's transaction rolled back: nothing of it landed."""
        self.error = f"{type(exc).__name__}: {exc}"
        self.created = self.changed = self.unchanged = 0


# -- field parsers -------------------------------------------------------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONEY = re.compile(r"\d{1,10}(\.\d{1,2})?")
_CODE12 = re.compile(r"\d{12}")


def text(values: dict[str, str], column: str, *, required: bool = False, max_length: int = 0) -> str:
    value = (values.get(column) or "").strip()
    if required and not value:
        raise RowError("required", column)
    if max_length and len(value) > max_length:
        raise RowError("text_too_long", f"{column} 超过 {max_length} 字")
    return value


def date(values: dict[str, str], column: str, *, required: bool = False, today: dt.date | None = None
         ) -> dt.date | None:
    value = text(values, column, required=required)
    if not value:
        return None
    if not _DATE.fullmatch(value):
        raise RowError("date_invalid", f"{column}={value}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise RowError("date_invalid", f"{column}={value}") from None
    if today is not None and day > today:
        raise RowError("date_future", f"{column}={value}")
    return day


def money(values: dict[str, str], column: str, *, empty_is_zero: bool = False) -> Decimal:
    value = text(values, column, required=not empty_is_zero)
    if not value:
        return Decimal("0.00")
    if not _MONEY.fullmatch(value):
        raise RowError("money_invalid", f"{column}={value}")
    return Decimal(value).quantize(Decimal("0.01"))


def code12(values: dict[str, str], column: str) -> str:
    value = text(values, column, required=True)
    if not _CODE12.fullmatch(value):
        raise RowError("area_code_invalid", f"{column}={value}")
    return value


def chunks(items: list[Any], size: int = 900) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


AUDIT_FIELDS = ("at", "actor", "actor_username", "actor_role", "action", "object_type", "object_id", "area_code",
                "summary", "before", "after", "reason", "ip")


class AuditRows:
    """``import`` audit events of one file, collected as rows and written in bulk (same columns as
    :func:`minzheng.audit.log.record` fills)."""

    def __init__(self, user: Any, reason: str) -> None:
        actor = user if getattr(user, "is_authenticated", False) else None
        self.actor_id = getattr(actor, "pk", None)
        self.username = getattr(actor, "username", "") or "system"
        self.role = getattr(actor, "role", "") or ""
        self.reason = reason
        self.at = timezone.now()
        self.rows: list[tuple[Any, ...]] = []

    def add(self, *, object_type: str, object_id: str | int, area_code: str = "", summary: str,
            before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
        self.rows.append((self.at, self.actor_id, self.username, self.role, AuditAction.IMPORT.value, object_type,
                          str(object_id)[:64], area_code or "", summary[:255], before, after, self.reason, None))

    def file(self, file_label: str, out: FileOutcome) -> None:
        """The one event for a whole file, with its counts."""
        self.add(object_type="import_file", object_id=file_label,
                 summary=f"导入 {file_label}：读取 {out.rows_read}，接收 {out.rows_taken}（新增 {out.created}，"
                 f"更新 {out.changed}），拒绝 {out.rows_rejected}", after=out.counts())

    def write(self) -> None:
        insert_rows(AuditEvent, AUDIT_FIELDS, self.rows)
