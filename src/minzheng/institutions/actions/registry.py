"""The registry of institutions: register, edit, and link staff accounts (each audited)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import diff, record, snapshot
from minzheng.authz.choices import Role
from minzheng.core.errors import InvalidChange, NotFound
from minzheng.core.models import Area
from minzheng.institutions.actions._common import require_area, require_role, required
from minzheng.institutions.choices import MANAGES_INSTITUTIONS, InstitutionKind, InstitutionStatus
from minzheng.institutions.models import Institution, InstitutionMembership
from minzheng.institutions.selectors import can_see

EDITABLE = frozenset({"name", "kind", "area_id", "address", "beds", "filing_no", "operator", "contact_name",
                      "contact_phone", "status", "opened_on"})


def _clean(fields: dict[str, Any], *, instance: Institution | None = None) -> dict[str, Any]:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise InvalidChange("不能修改: " + ", ".join(sorted(unknown)))
    out = dict(fields)
    if "name" in out:
        out["name"] = required(out["name"], "机构名称")
    if "kind" in out and out["kind"] not in InstitutionKind.values:
        raise InvalidChange("机构性质无效")
    if "status" in out and out["status"] not in InstitutionStatus.values:
        raise InvalidChange("机构状态无效")
    if "beds" in out and (out["beds"] is None or int(out["beds"]) < 0):
        raise InvalidChange("床位数无效")
    if "area_id" in out:
        area = Area.objects.filter(code=out["area_id"]).first()
        if area is None or area.level == "city":
            raise InvalidChange("所在区划须为区县、街道或社区")
    filing = (out.get("filing_no") or "").strip()
    if filing:
        clash = Institution.objects.filter(filing_no=filing)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise InvalidChange("许可证/备案号已被其他机构使用")
    if "filing_no" in out:
        out["filing_no"] = filing
    return out


@transaction.atomic
def register_institution(*, user: Any, name: str, kind: str, area_code: str, beds: int = 0, **fields: Any
                         ) -> Institution:
    require_role(user, MANAGES_INSTITUTIONS, "登记养老机构")
    require_area(user, area_code)
    data = _clean({"name": name, "kind": kind, "area_id": area_code, "beds": beds, **fields})
    institution = Institution.objects.create(**data)
    record(user, AuditAction.CREATE, institution, area_code=institution.area_id,
           summary=f"登记养老机构 {institution.name}", after=snapshot(institution))
    return institution


@transaction.atomic
def update_institution(*, user: Any, institution: Institution, reason: str = "", **fields: Any) -> Institution:
    require_role(user, MANAGES_INSTITUTIONS, "修改养老机构信息")
    if user is not None and not can_see(user, institution):
        raise NotFound("未找到该机构")
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    data = _clean(fields, instance=institution)
    if "area_id" in data:
        require_area(user, data["area_id"])
    before = snapshot(institution)
    for name, value in data.items():
        setattr(institution, name, value)
    institution.save()
    old, new = diff(before, snapshot(institution))
    if old or new:
        record(user, AuditAction.UPDATE, institution, area_code=institution.area_id,
               summary=f"修改养老机构 {institution.name}", before=old, after=new, reason=reason)
    return institution


@transaction.atomic
def link_member(*, user: Any, institution: Institution, member: Any, title: str = "") -> InstitutionMembership:
    """Give a ``service_provider`` account access to this institution (and only to those it is linked to)."""
    require_role(user, MANAGES_INSTITUTIONS, "管理机构账号")
    if user is not None and not can_see(user, institution):
        raise NotFound("未找到该机构")
    if member.role != Role.SERVICE_PROVIDER:
        raise InvalidChange("只能关联“服务机构人员”角色的账号")
    existing = InstitutionMembership.objects.filter(institution=institution, user=member, ended_at__isnull=True)
    if existing.exists():
        raise InvalidChange("该账号已关联本机构")
    membership = InstitutionMembership.objects.create(institution=institution, user=member, title=title.strip(),
                                                      started_at=timezone.now())
    record(user, AuditAction.CREATE, membership, area_code=institution.area_id,
           summary=f"关联机构账号 {member.username} → {institution.name}", after=snapshot(membership))
    return membership


@transaction.atomic
def end_membership(*, user: Any, membership: InstitutionMembership, reason: str = "") -> InstitutionMembership:
    require_role(user, MANAGES_INSTITUTIONS, "管理机构账号")
    if user is not None and not can_see(user, membership.institution):
        raise NotFound("未找到该机构")
    membership = InstitutionMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.ended_at is not None:
        raise InvalidChange("该账号关联已结束")
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    record(user, AuditAction.UPDATE, membership, area_code=membership.institution.area_id,
           summary=f"解除机构账号 {membership.user_id}", after={"ended_at": membership.ended_at.isoformat()},
           reason=reason)
    return membership
