"""Scoped reads of service assistance.

- Staff (roles that read personal data) see needs, assessments, referrals and records of households in their
  jurisdiction (a code prefix, like every selector of the project).
- Provider users (role 服务机构人员 with a :class:`ProviderMembership`) see only the referrals sent to their
  provider, with what they need to serve them; nothing else. Out of scope and missing look the same
  (:class:`NotFound`).
- The catalogue (providers, offerings) is not personal data: every signed-in staff user reads it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from minzheng.authz.scope import area_prefix, has_role
from minzheng.core.errors import NotFound
from minzheng.core.models import Area, Household
from minzheng.core.selectors import get_household
from minzheng.registry.selectors import household_enrollments
from minzheng.services.choices import (
    LIVE_REFERRAL_STATUSES,
    PROVIDER_ROLES,
    ReferralStatus,
    VersionStatus,
)
from minzheng.services.models import (
    Assessment,
    InstrumentVersion,
    MatchRun,
    Need,
    Offering,
    Provider,
    Referral,
    ServicePhoto,
    ServiceRecord,
)
from minzheng.services.taxonomy import LABELS


def provider_of(user: Any) -> Provider | None:
    """The provider a provider user works for (``None`` for anyone else)."""
    if not has_role(user, PROVIDER_ROLES) or not user.is_active:
        return None
    membership = getattr(user, "provider_membership", None)
    if membership is None:
        return None
    provider: Provider = membership.provider
    return provider if provider.active else None


def active_version(code: str = "needs", day: dt.date | None = None) -> InstrumentVersion:
    day = day or timezone.localdate()
    version = (
        InstrumentVersion.objects.filter(instrument__code=code, status=VersionStatus.ACTIVE, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .select_related("instrument")
        .first()
    )
    if version is None:
        raise NotFound("没有启用的评估工具版本")
    return version


# --- needs and assessments (staff) ---------------------------------------------------------------------

def visible_needs(user: Any) -> QuerySet[Need]:
    prefix = area_prefix(user)
    if prefix is None:
        return Need.objects.none()
    return Need.objects.filter(area__code__startswith=prefix)


def need_register(user: Any, *, status: str = "", item: str = "", level: str = "",
                  area_code: str = "") -> QuerySet[Need]:
    """The need register (需求台账) of the user's jurisdiction, filtered."""
    qs = visible_needs(user).select_related("household", "item", "area", "person")
    if status:
        qs = qs.filter(status=status)
    if item:
        qs = qs.filter(item__code=item)
    if level:
        qs = qs.filter(level=level)
    if area_code:
        node = Area.objects.filter(code=area_code).first()
        qs = qs.filter(area__code__startswith=node.prefix) if node else qs.none()
    return qs.order_by("-opened_at", "-id")


def get_need(user: Any, pk: int | str) -> Need:
    try:
        return visible_needs(user).select_related("household", "item", "area").get(pk=int(pk))
    except (Need.DoesNotExist, ValueError):
        raise NotFound("未找到该需求") from None


def household_assessments(household: Household) -> QuerySet[Assessment]:
    return household.service_assessments.select_related("version__instrument", "assessor").order_by(
        "-assessed_on", "-id"
    )


def get_assessment(user: Any, pk: int | str) -> Assessment:
    prefix = area_prefix(user)
    if prefix is None:
        raise NotFound("未找到该评估")
    try:
        return (
            Assessment.objects.filter(household__area__code__startswith=prefix)
            .select_related("household", "version__instrument", "assessor")
            .get(pk=int(pk))
        )
    except (Assessment.DoesNotExist, ValueError):
        raise NotFound("未找到该评估") from None


# --- referrals: staff by jurisdiction, provider users by provider ---------------------------------------

def visible_referrals(user: Any) -> QuerySet[Referral]:
    provider = provider_of(user)
    if provider is not None:
        qs = Referral.objects.filter(offering__provider=provider)
    else:
        prefix = area_prefix(user)
        if prefix is None:
            return Referral.objects.none()
        qs = Referral.objects.filter(need__area__code__startswith=prefix)
    return qs.select_related("need__household", "need__item", "need__area", "need__person", "offering__provider")


def get_referral(user: Any, pk: int | str) -> Referral:
    try:
        return visible_referrals(user).get(pk=int(pk))
    except (Referral.DoesNotExist, ValueError):
        raise NotFound("未找到该转介单") from None


def inbox(user: Any, *, state: str = "open") -> QuerySet[Referral]:
    """A provider's inbox: ``open`` (to answer or serve), ``overdue``, ``closed`` or ``all``."""
    qs = visible_referrals(user)
    if state == "open":
        qs = qs.filter(status__in=LIVE_REFERRAL_STATUSES)
    elif state == "overdue":
        qs = qs.filter(status=ReferralStatus.PENDING, respond_by__lt=timezone.now())
    elif state == "closed":
        qs = qs.exclude(status__in=LIVE_REFERRAL_STATUSES)
    return qs.order_by("respond_by", "id") if state in {"open", "overdue"} else qs.order_by("-created_at", "-id")


def get_photo(user: Any, pk: int | str) -> ServicePhoto:
    try:
        photo = ServicePhoto.objects.select_related("record").get(pk=int(pk))
    except (ServicePhoto.DoesNotExist, ValueError):
        raise NotFound("未找到该照片") from None
    get_referral(user, photo.record.referral_id)  # raises NotFound out of scope
    return photo


# --- catalogue and runs ---------------------------------------------------------------------------------

def catalogue(*, item: str = "", q: str = "", include_inactive: bool = False) -> QuerySet[Provider]:
    qs = Provider.objects.prefetch_related("areas__area", "offerings__item")
    if not include_inactive:
        qs = qs.filter(active=True)
    if item:
        qs = qs.filter(offerings__item__code=item).distinct()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(description__contains=q))
    return qs.order_by("name", "id")


def get_provider(pk: int | str) -> Provider:
    try:
        return Provider.objects.prefetch_related("areas__area", "offerings__item").get(pk=int(pk))
    except (Provider.DoesNotExist, ValueError):
        raise NotFound("未找到该服务机构") from None


def offering_load() -> dict[int, int]:
    """Places held per offering (live referrals)."""
    rows = (
        Referral.objects.filter(status__in=LIVE_REFERRAL_STATUSES)
        .values("offering_id")
        .annotate(n=Count("id"))
    )
    return {r["offering_id"]: r["n"] for r in rows}


def get_offering(pk: int | str) -> Offering:
    try:
        return Offering.objects.select_related("provider", "item").get(pk=int(pk))
    except (Offering.DoesNotExist, ValueError):
        raise NotFound("未找到该服务") from None


def visible_runs(user: Any) -> QuerySet[MatchRun]:
    """Runs over the user's jurisdiction, part of it, or a larger area containing it (city-wide runs too);
    a run's page then lists only the matches of needs in scope."""
    prefix = area_prefix(user)
    if prefix is None:
        return MatchRun.objects.none()
    code = user.jurisdiction.code
    enclosing = {code[:6] + "000000", code[:9] + "000", code, "210100000000"}
    return MatchRun.objects.select_related("scope", "requested_by").filter(
        Q(scope__isnull=True) | Q(scope__code__startswith=prefix) | Q(scope__code__in=enclosing)
    )


def get_run(user: Any, pk: int | str) -> MatchRun:
    try:
        return visible_runs(user).get(pk=int(pk))
    except (MatchRun.DoesNotExist, ValueError):
        raise NotFound("未找到该匹配运行") from None


# --- the household's chain of assistance (一户一条救助链) ------------------------------------------------

@dataclass
class TimelineEntry:
    at: dt.datetime | dt.date
    kind: str  # "money", "assessment", "referral", "visit"
    title: str
    detail: str
    obj: Any


def _sort_key(entry: TimelineEntry) -> dt.datetime:
    at = entry.at
    if isinstance(at, dt.datetime):
        return timezone.localtime(at).replace(tzinfo=None) if timezone.is_aware(at) else at
    return dt.datetime.combine(at, dt.time.min)


def household_timeline(user: Any, household_pk: int | str) -> tuple[Household, list[TimelineEntry]]:
    """Everything the household received, newest first: money (enrollments), assessments, referrals and
    service visits."""
    household = get_household(user, household_pk)
    entries: list[TimelineEntry] = []
    for e in household_enrollments(household):
        who = e.person.name if e.person else "全户"
        end = f" 至 {e.end_date:%Y-%m-%d}" if e.end_date else "，享受中"
        entries.append(TimelineEntry(e.start_date, "money", e.get_programme_display(),
                                     f"{who}，每月 {e.monthly_amount} 元，{e.start_date:%Y-%m-%d} 起{end}", e))
    for a in household_assessments(household):
        tags = "、".join(LABELS.get(t, t) for t in a.tags) if a.tags else "无"
        entries.append(TimelineEntry(a.created_at, "assessment", f"需求评估（{a.get_level_display()}）",
                                     f"总分 {a.total_score}，需求标签 {tags}", a))
    referrals = (
        Referral.objects.filter(need__household=household)
        .select_related("offering__provider", "need__item")
        .order_by("-created_at")
    )
    for r in referrals:
        entries.append(TimelineEntry(r.created_at, "referral", f"转介：{r.need.item.name}",
                                     f"{r.offering.provider.name}（{r.get_status_display()}）", r))
    records = (
        ServiceRecord.objects.filter(referral__need__household=household)
        .select_related("referral__offering__provider", "referral__need__item")
        .prefetch_related("photos")
    )
    for s in records:
        entries.append(TimelineEntry(s.started_at, "visit", f"上门服务：{s.referral.need.item.name}",
                                     f"{s.referral.offering.provider.name} {s.worker_name}，{s.duration_minutes} 分钟",
                                     s))
    entries.sort(key=_sort_key, reverse=True)
    return household, entries


# --- aggregation ------------------------------------------------------------------------------------------

def _records_in_scope(user: Any) -> QuerySet[ServiceRecord]:
    prefix = area_prefix(user)
    if prefix is None:
        return ServiceRecord.objects.none()
    return ServiceRecord.objects.filter(referral__need__area__code__startswith=prefix)


def stats(user: Any, *, since: dt.date | None = None) -> dict[str, list[dict[str, Any]]]:
    """Visits, hours, households and satisfaction per provider, per service item and per district."""
    records = _records_in_scope(user)
    if since:
        records = records.filter(started_at__date__gte=since)
    common = {
        "visits": Count("id"),
        "minutes": Sum("duration_minutes"),
        "households": Count("referral__need__household", distinct=True),
        "satisfaction": Avg("referral__feedback__satisfaction"),
    }

    def rows(*keys: str, **extra: Any) -> list[dict[str, Any]]:
        out = []
        for r in records.annotate(**extra).values(*keys).annotate(**common).order_by("-visits", *keys):
            r["hours"] = round((r.pop("minutes") or 0) / 60, 1)
            sat = r.get("satisfaction")
            r["satisfaction"] = Decimal(sat).quantize(Decimal("0.1")) if sat is not None else None
            out.append(r)
        return out

    by_district = rows("district", district=Substr(F("referral__need__area__code"), 1, 6))
    names = {a.code[:6]: a.name for a in _districts([r["district"] for r in by_district])}
    for r in by_district:
        r["district_name"] = names.get(r["district"], r["district"])
    return {
        "provider": rows("referral__offering__provider__id", "referral__offering__provider__name"),
        "item": rows("referral__need__item__code", "referral__need__item__name"),
        "district": by_district,
    }


def _districts(codes: list[str]) -> QuerySet[Area]:
    return Area.objects.filter(code__in=[c + "000000" for c in codes])
