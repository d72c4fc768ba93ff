"""The supply catalogue: the taxonomy, providers and their coverage, offerings and capacity, provider users,
and the HSDS import (a round trip of an export changes nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import diff, record, snapshot
from minzheng.authz.choices import Role
from minzheng.authz.scope import has_role
from minzheng.core.errors import Forbidden, InvalidChange
from minzheng.core.models import Area
from minzheng.services import hsds
from minzheng.services.actions._guard import move
from minzheng.services.choices import (
    LEVEL_RANK,
    MANAGES_CATALOGUE,
    PRIORITY_ORDER,
    NeedLevel,
    NeedStatus,
    ReferralStatus,
)
from minzheng.services.models import Offering, Provider, ProviderArea, ProviderMembership, Referral, ServiceItem
from minzheng.services.models.catalogue import stable_uuid
from minzheng.services.taxonomy import ITEMS

CATEGORY_CODES = frozenset(PRIORITY_ORDER[:-1])  # the low-income categories (not "other")
PROVIDER_FIELDS = ("name", "kind", "description", "phone", "email", "website", "address", "lat", "lng", "rating",
                   "active")
OFFERING_FIELDS = ("name", "description", "capacity", "period", "weekdays", "opens_at", "closes_at", "cost", "payer",
                   "eligible_categories", "min_age", "max_age", "requires_disability", "eligibility_description",
                   "status")


def _snap(obj: Any, names: Sequence[str]) -> dict[str, Any]:
    """Audit-ready values (times, decimals and UUIDs as text)."""
    out = {}
    for key, value in snapshot(obj, names).items():
        out[key] = value if value is None or isinstance(value, bool | int | float | str | list | dict) else str(value)
    return out


def _require_manager(user: Any) -> None:
    if user is not None and not has_role(user, MANAGES_CATALOGUE):
        raise Forbidden("当前角色无权维护供给清单")


def ensure_taxonomy() -> int:
    """Create the taxonomy's service items (idempotent); returns how many were created."""
    created = 0
    for order, (code, group, name, kind) in enumerate(ITEMS):
        _, new = ServiceItem.objects.update_or_create(
            code=code, defaults={"group": group, "name": name, "kind": kind, "order": order,
                                 "uid": stable_uuid("item", code)},
        )
        created += int(new)
    return created


def _areas(codes: Iterable[str]) -> list[Area]:
    codes = sorted(set(codes))
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidChange(f"服务范围中的区划代码不存在: {', '.join(missing)}")
    return [found[c] for c in codes]


def _set_areas(provider: Provider, codes: Sequence[str]) -> bool:
    wanted = {a.code for a in _areas(codes)}
    have = set(provider.areas.values_list("area_id", flat=True))
    if wanted == have:
        return False
    provider.areas.exclude(area_id__in=wanted).delete()
    ProviderArea.objects.bulk_create([ProviderArea(provider=provider, area_id=c) for c in sorted(wanted - have)])
    return True


@transaction.atomic
def save_provider(*, user: Any, provider: Provider | None = None, area_codes: Sequence[str],
                  uid: Any = None, **fields: Any) -> Provider:
    """Create or change a provider and its coverage (``area_codes``: nodes of any level)."""
    _require_manager(user)
    unknown = set(fields) - set(PROVIDER_FIELDS)
    if unknown:
        raise InvalidChange(f"未知字段: {sorted(unknown)}")
    if not area_codes:
        raise InvalidChange("请至少选择一个服务范围")
    before = _snap(provider, PROVIDER_FIELDS) if provider else {}
    if provider is None:
        provider = Provider(**({"uid": uid} if uid else {}))
    for k, v in fields.items():
        setattr(provider, k, v)
    if not provider.name:
        raise InvalidChange("请填写机构名称")
    provider.full_clean(exclude=["uid"])
    provider.save()
    _set_areas(provider, area_codes)
    b, a = diff(before, _snap(provider, PROVIDER_FIELDS))
    record(user, AuditAction.UPDATE if before else AuditAction.CREATE, provider, summary=f"服务机构 {provider.name}",
           before=b or None, after=(a | {"areas": sorted(area_codes)}))
    return provider


@transaction.atomic
def save_offering(*, user: Any, provider: Provider, item_code: str, offering: Offering | None = None,
                  uid: Any = None, **fields: Any) -> Offering:
    _require_manager(user)
    unknown = set(fields) - set(OFFERING_FIELDS)
    if unknown:
        raise InvalidChange(f"未知字段: {sorted(unknown)}")
    item = ServiceItem.objects.filter(code=item_code).first()
    if item is None:
        raise InvalidChange(f"服务项目不存在: {item_code}")
    if any(c not in CATEGORY_CODES for c in fields.get("eligible_categories", [])):
        raise InvalidChange("适用类别只能是特困、低保、低保边缘、刚性支出困难")
    before = _snap(offering, OFFERING_FIELDS) if offering else {}
    if offering is None:
        offering = Offering(provider=provider, item=item, **({"uid": uid} if uid else {}))
    offering.item = item
    fields.setdefault("name", offering.name or f"{provider.name}·{item.name}")
    for k, v in fields.items():
        setattr(offering, k, v)
    offering.full_clean(exclude=["uid", "provider", "item"])
    offering.save()
    b, a = diff(before, _snap(offering, OFFERING_FIELDS))
    record(user, AuditAction.UPDATE if before else AuditAction.CREATE, offering,
           summary=f"服务供给 {offering.name}", before=b or None, after=a)
    return offering


@transaction.atomic
def change_capacity(*, user: Any, offering: Offering, capacity: int, reason: str = "") -> dict[str, int]:
    """Set the places of an offering. If fewer places remain than live referrals, the *pending* ones of
    lowest priority are withdrawn (accepted ones never) and their needs re-opened; a re-match is queued."""
    _require_manager(user)
    if capacity < 0:
        raise InvalidChange("名额不能为负")
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    before = offering.capacity
    offering.capacity = capacity
    offering.save(update_fields=["capacity", "updated_at"])
    live = list(
        Referral.objects.select_for_update(of=("self",))
        .filter(offering=offering, status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED,
                                                ReferralStatus.IN_SERVICE])
        .select_related("need")
    )
    excess = len(live) - capacity
    pending = sorted(
        (r for r in live if r.status == ReferralStatus.PENDING),
        key=lambda r: (-PRIORITY_ORDER.index(r.need.priority), LEVEL_RANK[NeedLevel(r.need.level)], -r.pk),
    )
    withdrawn = 0
    now = timezone.now()
    for referral in pending[: max(0, excess)]:
        move(referral, ReferralStatus.CANCELLED, user=user, note="机构名额减少，撤回待接收转介并重新匹配")
        referral.closed_at = now
        referral.save()
        referral.need.status = NeedStatus.OPEN
        referral.need.save(update_fields=["status"])
        withdrawn += 1
    record(user, AuditAction.UPDATE, offering, summary=f"调整名额 {offering.name}：{before} → {capacity}",
           before={"capacity": before}, after={"capacity": capacity, "withdrawn": withdrawn}, reason=reason)
    if withdrawn or capacity > before:
        from minzheng.services.actions.matching import start_run

        start_run(user=None, key=f"capacity-{offering.pk}-{now:%Y%m%d%H%M%S%f}")
    return {"before": before, "after": capacity, "withdrawn": withdrawn}


@transaction.atomic
def link_provider_user(*, user: Any, member: Any, provider: Provider) -> ProviderMembership:
    """Make ``member`` (role 服务机构人员) a user of ``provider``."""
    if user is not None and not has_role(user, {Role.CITY_ADMIN, Role.DISTRICT_APPROVER}):
        raise Forbidden("当前角色无权管理机构用户")
    if member.role != Role.SERVICE_PROVIDER:
        raise InvalidChange("只有“服务机构人员”角色的用户可以关联服务机构")
    membership, _ = ProviderMembership.objects.update_or_create(user=member, defaults={"provider": provider})
    record(user, AuditAction.UPDATE, membership, summary=f"{member.username} 关联服务机构 {provider.name}")
    return membership


# --- HSDS import ------------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: {"organizations": 0, "services": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"organizations": 0, "services": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"organizations": 0, "services": 0})
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, id, reason)

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def _validate(obj: Any, kind: str, check_schema: bool) -> None:
    if not isinstance(obj, dict) or not obj.get("id"):
        raise hsds.HSDSError("不是带 id 的对象")
    if check_schema:
        errors = hsds.validation_errors(obj, kind)
        if errors:
            raise hsds.HSDSError("不符合 HSDS 3.0：" + "；".join(errors[:3]))


def _apply(obj: Any, parsed: Mapping[str, Any], fields: Sequence[str]) -> bool:
    changed = False
    for name in fields:
        value = parsed["fields"][name]
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


@transaction.atomic
def import_hsds(organizations: Sequence[Any], services: Sequence[Any], *, user: Any,
                check_schema: bool = True) -> ImportReport:
    """Take an HSDS catalogue in: upsert providers (by organization id) and offerings (by service id).

    Each object that fails the schema or the mapping is rejected with its reason; the rest land together."""
    _require_manager(user)
    report = ImportReport()
    known_orgs: set[str] = set()
    for obj in organizations:
        oid = str(obj.get("id", "")) if isinstance(obj, dict) else ""
        try:
            _validate(obj, "organization", check_schema)
            parsed = hsds.parse_organization(obj)
            with transaction.atomic():
                provider = Provider.objects.filter(uid=parsed["uid"]).first()
                new = provider is None
                provider = provider or Provider(uid=parsed["uid"])
                changed = _apply(provider, parsed, PROVIDER_FIELDS)
                if new or changed:
                    provider.full_clean(exclude=["uid"])
                    provider.save()
                changed = _set_areas(provider, parsed["areas"]) or changed
        except (hsds.HSDSError, InvalidChange, ValidationError, IntegrityError, KeyError, ValueError, TypeError) as exc:
            report.rejected.append(("organization", oid, str(exc)))
            continue
        known_orgs.add(str(provider.uid))
        bucket = report.created if new else report.updated if changed else report.unchanged
        bucket["organizations"] += 1
        if new or changed:
            record(user, AuditAction.IMPORT, provider, summary=f"HSDS 导入服务机构 {provider.name}")
    for obj in services:
        sid = str(obj.get("id", "")) if isinstance(obj, dict) else ""
        try:
            _validate(obj, "service", check_schema)
            parsed = hsds.parse_service(obj)
            provider = Provider.objects.filter(uid=parsed["organization"]).first()
            if provider is None:
                raise hsds.HSDSError(f"所属机构不存在: {parsed['organization']}")
            item = ServiceItem.objects.filter(code=parsed["item"]).first()
            if item is None:
                raise hsds.HSDSError(f"服务项目不在分类中: {parsed['item']}")
            with transaction.atomic():
                offering = Offering.objects.filter(uid=parsed["uid"]).first()
                new = offering is None
                if new:
                    offering = Offering(uid=parsed["uid"], provider=provider, item=item)
                assert offering is not None
                changed = offering.provider_id != provider.pk or offering.item_id != item.pk
                offering.provider, offering.item = provider, item
                changed = _apply(offering, parsed, OFFERING_FIELDS) or changed
                if new or changed:
                    offering.full_clean(exclude=["uid", "provider", "item"])
                    offering.save()
        except (hsds.HSDSError, InvalidChange, ValidationError, IntegrityError, KeyError, ValueError, TypeError) as exc:
            report.rejected.append(("service", sid, str(exc)))
            continue
        bucket = report.created if new else report.updated if changed else report.unchanged
        bucket["services"] += 1
        if new or changed:
            record(user, AuditAction.IMPORT, offering, summary=f"HSDS 导入服务 {offering.name}")
    return report
