"""The supply catalogue as Open Referral HSDS 3.0 JSON (export, parsing for import, schema validation).

Mapping (Minzheng → HSDS):
- provider → ``organization``: name, description, email, website, one phone, one physical location (address,
  latitude/longitude); attributes carry the provider kind (``organization_type``), the rating, whether it is
  in the register (``status``) and every coverage area (``service_area``, value = 12-digit area code).
- offering → ``service`` (a full object with its ``organization``): name, description, status, eligibility
  description, minimum/maximum age, a weekly schedule (``byday``, ``opens_at``/``closes_at`` in +08:00),
  service areas (the provider's coverage), a cost option (CNY per visit) and funding (who pays); attributes
  carry the service item (``service_type``, a term of the taxonomy ``minzheng-service-assistance``), the
  places per period (``capacity``) and the eligible categories and conditions (``eligibility``).
IDs are the records' UUIDs; nested objects get stable uuid5 IDs, so exporting twice gives identical files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from minzheng.core.models import Area
from minzheng.registry.choices import CATEGORY_PROGRAMMES, Programme
from minzheng.services.choices import ItemKind, OfferingStatus, Payer, Period, ProviderKind
from minzheng.services.models import Offering, Provider, ServiceItem
from minzheng.services.models.catalogue import stable_uuid
from minzheng.services.taxonomy import LABELS, TAXONOMY_NAME, TAXONOMY_VERSION

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
AREA_TAXONOMY = "GB/T 2260 统计用区划代码"
LOCAL_TAXONOMY = "minzheng"


class HSDSError(ValueError):
    """An object that cannot be mapped to the catalogue (the message says why)."""


def schema_dir() -> Path | None:
    """The official compiled HSDS 3.0 schemas: ``MINZHENG_HSDS_SCHEMAS`` if set, else the copy shipped in
    ``services/hsds_schemas``; ``None`` if the folder lacks ``service.json`` or ``organization.json``."""
    env = os.environ.get("MINZHENG_HSDS_SCHEMAS")
    path = Path(env) if env else Path(__file__).resolve().parent / "hsds_schemas"
    if (path / "service.json").is_file() and (path / "organization.json").is_file():
        return path
    return None


@cache
def _validator(kind: str) -> Any:
    import jsonschema

    folder = schema_dir()
    if folder is None:
        raise FileNotFoundError("HSDS 3.0 schemas not found (set MINZHENG_HSDS_SCHEMAS)")
    schema = json.loads((folder / f"{kind}.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validation_errors(obj: Any, kind: str) -> list[str]:
    """Messages of every violation of the official ``compiled/<kind>.json`` (``service``/``organization``)."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in sorted(_validator(kind).iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    ]


# --- export ----------------------------------------------------------------------------------------------

def _id(*parts: object) -> str:
    return str(stable_uuid(*parts))


def _term(taxonomy: str, code: str, name: str, description: str = "") -> dict[str, Any]:
    return {"id": _id("term", taxonomy, code), "code": code, "name": name, "description": description or name,
            "taxonomy": taxonomy}


def _attribute(owner: str, entity: str, link_type: str, term: dict[str, Any], value: str = "") -> dict[str, Any]:
    out = {"id": _id(owner, "attribute", link_type, term["id"]), "link_id": owner, "link_type": link_type,
           "link_entity": entity, "taxonomy_term_id": term["id"], "taxonomy_term": term}
    if value:
        out["value"] = value
    return out


def item_term(item: ServiceItem) -> dict[str, Any]:
    return {"id": str(item.uid), "code": item.code, "name": item.name,
            "description": f"{LABELS.get(item.group, item.group)}·{ItemKind(item.kind).label}",
            "parent_id": _id("group", item.group), "taxonomy": TAXONOMY_NAME,
            "taxonomy_detail": {"id": _id("taxonomy", TAXONOMY_NAME), "name": TAXONOMY_NAME,
                                "description": "服务类社会救助清单（照护、生活、关爱、发展、资源链接）及物质救助",
                                "version": TAXONOMY_VERSION}}


def organization(p: Provider, areas: list[Area]) -> dict[str, Any]:
    pid = str(p.uid)
    out: dict[str, Any] = {"id": pid, "name": p.name, "description": p.description or p.name}
    if p.email:
        out["email"] = p.email
    if p.website:
        out["website"] = p.website
    if p.phone:
        out["phones"] = [{"id": _id(pid, "phone"), "organization_id": pid, "number": p.phone}]
    location: dict[str, Any] = {"id": _id(pid, "location"), "location_type": "physical", "organization_id": pid,
                                "name": p.name}
    if p.lat is not None and p.lng is not None:
        location["latitude"] = p.lat
        location["longitude"] = p.lng
    if p.address:
        location["addresses"] = [{
            "id": _id(pid, "address"), "location_id": location["id"], "address_1": p.address, "city": "沈阳市",
            "state_province": "辽宁省", "postal_code": "110000", "country": "CN", "address_type": "physical",
        }]
    out["locations"] = [location]
    attrs = [
        _attribute(pid, "organization", "organization_type",
                   _term(LOCAL_TAXONOMY, f"provider.{p.kind}", ProviderKind(p.kind).label)),
        _attribute(pid, "organization", "rating", _term(LOCAL_TAXONOMY, "rating", "评分", "满意度评分（0–5）"),
                   str(p.rating)),
        _attribute(pid, "organization", "status", _term(LOCAL_TAXONOMY, "status", "在册状态"),
                   "active" if p.active else "inactive"),
    ]
    attrs += [_attribute(pid, "organization", "service_area", _term(AREA_TAXONOMY, a.code, a.name), a.code)
              for a in areas]
    out["attributes"] = attrs
    return out


def _hhmm(value: dt.time | None) -> str:
    return f"{value:%H:%M}+08:00" if value else ""


def service(o: Offering, org: dict[str, Any], areas: list[Area]) -> dict[str, Any]:
    sid = str(o.uid)
    out: dict[str, Any] = {
        "id": sid, "organization_id": org["id"], "name": o.name, "status": o.status,
        "fees_description": f"{Payer(o.payer).label}，每次服务成本 {o.cost} 元",
    }
    if o.description:
        out["description"] = o.description
    if o.eligibility_description:
        out["eligibility_description"] = o.eligibility_description
    if o.min_age is not None:
        out["minimum_age"] = o.min_age
    if o.max_age is not None:
        out["maximum_age"] = o.max_age
    schedule: dict[str, Any] = {"id": _id(sid, "schedule"), "service_id": sid, "freq": "WEEKLY",
                                "byday": ",".join(d for i, d in enumerate(DAYS) if o.weekdays >> i & 1)}
    if o.opens_at:
        schedule["opens_at"] = _hhmm(o.opens_at)
    if o.closes_at:
        schedule["closes_at"] = _hhmm(o.closes_at)
    out["schedules"] = [schedule]
    out["service_areas"] = [
        {"id": _id(sid, "area", a.code), "service_id": sid, "name": a.name, "extent": a.code, "extent_type": "text",
         "uri": f"urn:minzheng:area:{a.code}"}
        for a in areas
    ]
    out["cost_options"] = [{"id": _id(sid, "cost"), "service_id": sid, "option": Payer(o.payer).label,
                            "currency": "CNY", "amount": float(o.cost), "amount_description": "每次服务"}]
    out["funding"] = [{"id": _id(sid, "funding"), "service_id": sid, "source": o.payer}]
    attrs = [
        _attribute(sid, "service", "service_type", item_term(o.item)),
        _attribute(sid, "service", "capacity",
                   _term(LOCAL_TAXONOMY, f"capacity.{o.period}", f"{Period(o.period).label}服务名额"), str(o.capacity)),
    ]
    attrs += [_attribute(sid, "service", "eligibility", _term(LOCAL_TAXONOMY, f"programme.{c}", Programme(c).label))
              for c in o.eligible_categories]
    if o.requires_disability:
        attrs.append(_attribute(sid, "service", "eligibility", _term(LOCAL_TAXONOMY, "condition.disability", "残疾人")))
    out["attributes"] = attrs
    out["organization"] = org
    return out


def export_catalogue(providers: Iterable[Provider] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(services, organizations)`` of the whole catalogue, in a stable order."""
    qs = providers if providers is not None else Provider.objects.all()
    providers = list(
        Provider.objects.filter(pk__in=[p.pk for p in qs]).prefetch_related("areas__area", "offerings__item")
        .order_by("uid")
    )
    organizations, services = [], []
    for p in providers:
        areas = sorted((pa.area for pa in p.areas.all()), key=lambda a: a.code)
        org = organization(p, areas)
        organizations.append(org)
        for o in sorted(p.offerings.all(), key=lambda o: str(o.uid)):
            services.append(service(o, org, areas))
    return services, organizations


# --- parsing for import ------------------------------------------------------------------------------------

def _attrs(obj: dict[str, Any], link_type: str) -> list[dict[str, Any]]:
    return [a for a in obj.get("attributes", []) if a.get("link_type") == link_type]


def _code(attr: dict[str, Any]) -> str:
    return str((attr.get("taxonomy_term") or {}).get("code", ""))


def parse_organization(obj: dict[str, Any]) -> dict[str, Any]:
    kinds = [_code(a).removeprefix("provider.") for a in _attrs(obj, "organization_type")]
    kind = kinds[0] if kinds else ProviderKind.SOCIAL_ORG.value
    if kind not in ProviderKind.values:
        raise HSDSError(f"机构类型无效: {kind}")
    location = (obj.get("locations") or [{}])[0]
    address = (location.get("addresses") or [{}])[0]
    rating = [a.get("value") for a in _attrs(obj, "rating")]
    status = [a.get("value") for a in _attrs(obj, "status")]
    description = obj.get("description", "")
    return {
        "uid": obj["id"],
        "fields": {
            "name": obj["name"], "kind": kind, "description": "" if description == obj["name"] else description,
            "phone": ((obj.get("phones") or [{}])[0]).get("number", ""), "email": obj.get("email", ""),
            "website": obj.get("website", ""), "address": address.get("address_1", ""),
            "lat": location.get("latitude"), "lng": location.get("longitude"),
            "rating": Decimal(str(rating[0])) if rating else Decimal("4.0"),
            "active": (status[0] if status else "active") == "active",
        },
        "areas": sorted({str(a.get("value") or _code(a)) for a in _attrs(obj, "service_area")}),
    }


def _time(value: str | None) -> dt.time | None:
    if not value:
        return None
    return dt.time.fromisoformat(value[:5])


def parse_service(obj: dict[str, Any]) -> dict[str, Any]:
    items = [_code(a) for a in _attrs(obj, "service_type")]
    if not items:
        raise HSDSError("缺少服务项目（service_type 属性）")
    capacity = _attrs(obj, "capacity")
    if not capacity:
        raise HSDSError("缺少服务名额（capacity 属性）")
    period = _code(capacity[0]).removeprefix("capacity.")
    if period not in Period.values:
        raise HSDSError(f"名额周期无效: {period}")
    funding = [f.get("source") for f in obj.get("funding", [])]
    payer = funding[0] if funding else Payer.FREE.value
    if payer not in Payer.values:
        raise HSDSError(f"付费方无效: {payer}")
    status = obj.get("status", "active")
    if status not in OfferingStatus.values:
        status = OfferingStatus.INACTIVE.value
    schedule = (obj.get("schedules") or [{}])[0]
    days = [d.strip().upper() for d in str(schedule.get("byday", "")).split(",") if d.strip()]
    weekdays = sum(1 << DAYS.index(d) for d in days if d in DAYS) or 0b0011111
    eligibility = [_code(a) for a in _attrs(obj, "eligibility")]
    categories = [c.removeprefix("programme.") for c in eligibility if c.startswith("programme.")]
    if any(c not in CATEGORY_PROGRAMMES for c in categories):
        raise HSDSError(f"适用类别无效: {categories}")
    cost = (obj.get("cost_options") or [{}])[0].get("amount", 0)
    return {
        "uid": obj["id"],
        "organization": obj.get("organization_id") or (obj.get("organization") or {}).get("id"),
        "item": items[0],
        "fields": {
            "name": obj["name"], "description": obj.get("description", ""), "status": status,
            "capacity": int(capacity[0].get("value") or 0), "period": period, "weekdays": weekdays,
            "opens_at": _time(schedule.get("opens_at")), "closes_at": _time(schedule.get("closes_at")),
            "cost": Decimal(str(cost)).quantize(Decimal("0.01")), "payer": payer,
            "eligible_categories": categories,
            "min_age": int(obj["minimum_age"]) if obj.get("minimum_age") is not None else None,
            "max_age": int(obj["maximum_age"]) if obj.get("maximum_age") is not None else None,
            "requires_disability": "condition.disability" in eligibility,
            "eligibility_description": obj.get("eligibility_description", ""),
        },
    }
