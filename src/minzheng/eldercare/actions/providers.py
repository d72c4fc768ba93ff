"""Home care's supply side: enterprises, their dispatchers and workers, and the family phones registered for
elderly people (which let a relative order on the public page)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record, snapshot
from minzheng.authz.choices import Role
from minzheng.authz.models import User
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.core.models import Area, Person
from minzheng.eldercare.actions._guard import acting, require_staff
from minzheng.eldercare.choices import CASEWORKERS, SETTLES, MemberRole
from minzheng.eldercare.models import Enterprise, EnterpriseMembership, FamilyContact, ServiceCategory, Worker
from minzheng.eldercare.selectors import membership_of, person_area


@transaction.atomic
def save_enterprise(*, user: Any, name: str, area_code: str, category_codes: list[str], phone: str = "",
                    address: str = "", credit_code: str = "") -> Enterprise:
    """Register an enterprise on the platform (or update the one of that name) and the categories it serves."""
    require_staff(user, area_code, SETTLES)
    if not Area.objects.filter(code=area_code).exists():
        raise InvalidChange("服务区域不存在")
    categories = list(ServiceCategory.objects.filter(code__in=category_codes, active=True))
    if len(categories) != len(set(category_codes)):
        raise InvalidChange("服务类别无效")
    enterprise, created = Enterprise.objects.select_for_update().get_or_create(
        name=name.strip(), defaults={"area_id": area_code, "phone": phone, "address": address,
                                     "credit_code": credit_code})
    before = None if created else snapshot(enterprise)
    if not created:
        enterprise.area_id, enterprise.phone, enterprise.address = area_code, phone, address
        enterprise.credit_code = credit_code
        enterprise.save()
    enterprise.categories.set(categories)
    record(user, AuditAction.CREATE if created else AuditAction.UPDATE, enterprise, area_code=area_code,
           summary=f"{'登记' if created else '修改'}服务企业 {enterprise.name}", before=before,
           after={**snapshot(enterprise), "categories": sorted(category_codes)})
    return enterprise


def _require_manager_or_staff(user: Any, enterprise: Enterprise) -> None:
    membership = membership_of(user)
    if membership is not None:
        if membership.enterprise_id != enterprise.pk or membership.role != MemberRole.MANAGER:
            raise NotFound("未找到该企业")
        return
    require_staff(user, enterprise.area_id, SETTLES)


@transaction.atomic
def link_manager(*, user: Any, member: User, enterprise: Enterprise) -> EnterpriseMembership:
    """Make a service-provider account the enterprise's dispatcher."""
    require_staff(user, enterprise.area_id, SETTLES)
    if member.role != Role.SERVICE_PROVIDER:
        raise InvalidChange("企业账号应为“服务机构人员”角色")
    existing = EnterpriseMembership.objects.filter(user=member).first()
    if existing is not None:
        if existing.enterprise_id == enterprise.pk and existing.role == MemberRole.MANAGER:
            return existing
        raise InvalidChange("该账号已属于其他企业或已是服务人员")
    membership = EnterpriseMembership.objects.create(user=member, enterprise=enterprise, role=MemberRole.MANAGER)
    record(user, AuditAction.CREATE, membership, area_code=enterprise.area_id,
           summary=f"{member.username} 成为 {enterprise.name} 的调度管理员")
    return membership


@transaction.atomic
def add_worker(*, user: Any, enterprise: Enterprise, name: str, phone: str = "", account: User | None = None
               ) -> Worker:
    """Add a worker; with ``account`` (a service-provider user) they check in and out on their phone."""
    _require_manager_or_staff(user, enterprise)
    if not name.strip():
        raise InvalidChange("请填写姓名")
    if account is not None:
        if account.role != Role.SERVICE_PROVIDER:
            raise InvalidChange("服务人员账号应为“服务机构人员”角色")
        if EnterpriseMembership.objects.filter(user=account).exists():
            raise InvalidChange("该账号已属于某企业")
    worker = Worker.objects.create(enterprise=enterprise, name=name.strip(), phone=phone.strip(), user=account)
    if account is not None:
        EnterpriseMembership.objects.create(user=account, enterprise=enterprise, role=MemberRole.WORKER)
    record(user, AuditAction.CREATE, worker, area_code=enterprise.area_id,
           summary=f"{enterprise.name} 新增服务人员 {worker.name}",
           after={"name": worker.name, "phone": worker.phone, "account": getattr(account, "username", "")})
    return worker


@transaction.atomic
def register_family_contact(*, user: Any, person: Person, name: str, relation: str, phone: str) -> FamilyContact:
    """A caseworker registers a family member's mobile for the elder (checked with them at a visit)."""
    area = person_area(person)
    require_staff(user, area, CASEWORKERS)
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) != 11 or not digits.startswith("1"):
        raise InvalidChange("请填写11位手机号")
    if not name.strip() or not relation.strip():
        raise InvalidChange("请填写家属姓名和关系")
    contact, created = FamilyContact.objects.get_or_create(
        person=person, phone=digits,
        defaults={"name": name.strip(), "relation": relation.strip(), "registered_by": acting(user)})
    if created:
        record(user, AuditAction.CREATE, contact, area_code=area,
               summary=f"登记 {person.name} 的家属联系人 {contact.name}（{contact.relation}）",
               after={"name": contact.name, "relation": contact.relation, "phone": digits})
    return contact


def require_enterprise_user(user: Any, enterprise_id: int | None, *, manager: bool) -> EnterpriseMembership | None:
    """A user of the enterprise (its dispatcher when ``manager``); ``None`` is the system (the demo, jobs)."""
    if user is None:
        return None
    membership = membership_of(user)
    if membership is None or membership.enterprise_id != enterprise_id:
        raise NotFound("未找到该工单")
    if manager and membership.role != MemberRole.MANAGER:
        raise Forbidden("只有企业调度管理员可以派单")
    return membership
