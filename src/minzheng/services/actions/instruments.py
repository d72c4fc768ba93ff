"""Instrument versions: loading one from its JSON description, activating it (retiring the previous one)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.choices import Role
from minzheng.authz.scope import has_role
from minzheng.core.errors import Forbidden, InvalidChange
from minzheng.services.choices import Derivation, Dimension, VersionStatus
from minzheng.services.models import Instrument, InstrumentItem, InstrumentVersion, ServiceItem
from minzheng.services.scoring import InvalidAnswer, spec_from_rows

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "instruments" / "needs-v1.json"


def _check(data: dict[str, Any]) -> None:
    known_tags = set(ServiceItem.objects.values_list("code", flat=True))
    codes: set[str] = set()
    for row in data.get("items", []):
        code = row.get("code", "")
        if not code or code in codes:
            raise InvalidChange(f"指标代码为空或重复: {code!r}")
        codes.add(code)
        if row.get("dimension") not in Dimension.values:
            raise InvalidChange(f"指标 {code} 的维度无效: {row.get('dimension')!r}")
        if row.get("derive") and row["derive"] not in Derivation.values:
            raise InvalidChange(f"指标 {code} 的预填来源无效: {row['derive']!r}")
        if not row.get("options"):
            raise InvalidChange(f"指标 {code} 没有选项")
        for rule in row.get("tag_rules", []):
            if rule.get("tag") not in known_tags:
                raise InvalidChange(f"指标 {code} 的需求标签不是服务项目: {rule.get('tag')!r}")
    if not codes:
        raise InvalidChange("评估工具没有指标")
    try:
        spec_from_rows(data["items"], data.get("dimension_weights", {}), data.get("thresholds", {}))
        for v in list(data.get("dimension_weights", {}).values()) + list(data.get("thresholds", {}).values()):
            if Decimal(str(v)) < 0:
                raise InvalidChange("权重和阈值不能为负")
    except (KeyError, ValueError, InvalidOperation, InvalidAnswer) as exc:
        raise InvalidChange(f"评估工具格式错误: {exc}") from None


@transaction.atomic
def load_instrument(data: dict[str, Any], *, user: Any, activate: bool = False) -> InstrumentVersion:
    """Create the version described by ``data`` (see ``instruments/needs-v1.json``) as a draft, or active."""
    if user is not None and not has_role(user, {Role.CITY_ADMIN}):
        raise Forbidden("只有市级管理员可以配置评估工具")
    _check(data)
    meta = data["instrument"]
    instrument, _ = Instrument.objects.get_or_create(
        code=meta["code"], defaults={"name": meta["name"], "description": meta.get("description", "")}
    )
    number = int(data.get("version") or 0) or (
        (instrument.versions.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    )
    if instrument.versions.filter(version=number).exists():
        raise InvalidChange(f"{instrument.name} 已有第 {number} 版")
    version = InstrumentVersion.objects.create(
        instrument=instrument, version=number, status=VersionStatus.DRAFT,
        valid_from=dt.date.fromisoformat(data["valid_from"]),
        dimension_weights={k: str(v) for k, v in data.get("dimension_weights", {}).items()},
        thresholds={k: str(v) for k, v in data.get("thresholds", {}).items()}, note=data.get("note", ""),
    )
    InstrumentItem.objects.bulk_create([
        InstrumentItem(
            version=version, code=row["code"], dimension=row["dimension"], question=row["question"],
            help_text=row.get("help_text", ""), options=row["options"], weight=Decimal(str(row.get("weight", 1))),
            derive=row.get("derive", ""), tag_rules=row.get("tag_rules", []),
            red_flag=bool(row.get("red_flag", False)), order=int(row.get("order", i)),
        )
        for i, row in enumerate(data["items"])
    ])
    record(user, AuditAction.CREATE, version, summary=f"评估工具 {instrument.name} 第 {number} 版（草稿）",
           after={"items": len(data["items"]), "dimension_weights": version.dimension_weights,
                  "thresholds": version.thresholds})
    if activate:
        activate_version(version, user=user, valid_from=version.valid_from)
    return version


@transaction.atomic
def activate_version(version: InstrumentVersion, *, user: Any, valid_from: dt.date) -> InstrumentVersion:
    """Make ``version`` the one in force from ``valid_from``; the version in force until then is retired
    with ``valid_to = valid_from`` (its assessments keep pointing at it)."""
    if user is not None and not has_role(user, {Role.CITY_ADMIN}):
        raise Forbidden("只有市级管理员可以配置评估工具")
    version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise InvalidChange("只能启用草稿版本")
    for old in InstrumentVersion.objects.select_for_update().filter(
        instrument=version.instrument, status=VersionStatus.ACTIVE
    ):
        old.status = VersionStatus.RETIRED
        old.valid_to = valid_from
        old.save(update_fields=["status", "valid_to"])
        record(user, AuditAction.UPDATE, old, summary=f"停用评估工具第 {old.version} 版",
               after={"valid_to": valid_from.isoformat()})
    version.status = VersionStatus.ACTIVE
    version.valid_from = valid_from
    version.save(update_fields=["status", "valid_from"])
    record(user, AuditAction.UPDATE, version, summary=f"启用评估工具第 {version.version} 版",
           after={"valid_from": valid_from.isoformat()})
    return version


def load_default(*, user: Any = None) -> InstrumentVersion:
    """The shipped instrument (``needs-v1.json``), loaded and active unless it already exists."""
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    existing = InstrumentVersion.objects.filter(
        instrument__code=data["instrument"]["code"], version=data["version"]
    ).first()
    return existing or load_instrument(data, user=user, activate=True)
