"""Reads of institutions, ratings, inspections and findings, scoped to what the user may see.

Staff of the civil-affairs bureau see the institutions whose area lies in their jurisdiction (a code prefix);
an institution's own staff (``service_provider`` with a current membership) see that institution only.
Out of scope and missing look the same: :class:`NotFound`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.fields.files import FieldFile
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone

from minzheng.authz.choices import Role
from minzheng.authz.scope import area_prefix
from minzheng.core.errors import NotFound
from minzheng.core.models import Area
from minzheng.institutions import grading
from minzheng.institutions.choices import OWED, UNCLOSED, InstitutionKind, InstitutionStatus, Severity, ValueStatus
from minzheng.institutions.models import (
    ChecklistVersion,
    Escalation,
    Finding,
    FindingStep,
    Inspection,
    InspectionCampaign,
    Institution,
    InstitutionMembership,
    Rating,
    RatingStandard,
)

# Institutions that must be inspected and count in rating coverage: every one not closed (停业).
IN_OPERATION = (InstitutionStatus.ACTIVE, InstitutionStatus.SUSPENDED)


# --- institutions ------------------------------------------------------------------------------------------

def member_institution_ids(user: Any) -> list[int]:
    return list(InstitutionMembership.objects.filter(user_id=user.pk, ended_at__isnull=True)
                .values_list("institution_id", flat=True))


def visible_institutions(user: Any) -> QuerySet[Institution]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Institution.objects.none()
    if user.role == Role.SERVICE_PROVIDER:
        return Institution.objects.filter(pk__in=member_institution_ids(user))
    prefix = area_prefix(user)
    if prefix is None:
        return Institution.objects.none()
    return Institution.objects.filter(area__code__startswith=prefix)


def can_see(user: Any, institution: Institution) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role == Role.SERVICE_PROVIDER:
        return institution.pk in member_institution_ids(user)
    prefix = area_prefix(user)
    return prefix is not None and institution.area_id.startswith(prefix)


def get_institution(user: Any, pk: int | str) -> Institution:
    try:
        return visible_institutions(user).select_related("area__parent__parent").get(pk=int(pk))
    except (Institution.DoesNotExist, ValueError):
        raise NotFound("未找到该机构") from None


def current_ratings(on: dt.date) -> QuerySet[Rating]:
    """Ratings with a level in force on ``on`` (the latest decided one wins)."""
    return Rating.objects.filter(stars__isnull=False, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    ).order_by("-valid_from", "-decided_at", "-id")


def _latest_rating(on: dt.date) -> QuerySet[Rating]:
    return current_ratings(on).filter(institution=OuterRef("pk"))


def _open_major() -> Exists:
    return Exists(Finding.objects.filter(institution=OuterRef("pk"), severity=Severity.MAJOR, state__in=UNCLOSED))


def with_current_stars(qs: QuerySet[Institution], on: dt.date) -> QuerySet[Institution]:
    """The level in force on ``on`` and the open-major-hazard flag, read through ``Institution.current_stars``,
    ``current_valid_to`` and ``open_major``."""
    latest = _latest_rating(on)
    return qs.annotate(stars_now=Subquery(latest.values("stars")[:1]),
                       stars_valid_to=Subquery(latest.values("valid_to")[:1]),
                       has_open_major=_open_major())


def search_institutions(user: Any, *, q: str = "", area_code: str = "", kind: str = "", status: str = "",
                        stars: str = "", hazard: bool = False, on: dt.date | None = None) -> QuerySet[Institution]:
    """The registry list: ``stars`` is ``1``…``5`` or ``0`` for institutions with no level in force."""
    on = on or timezone.localdate()
    qs = visible_institutions(user)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(filing_no__iexact=q) | Q(operator__contains=q))
    if area_code:
        node = Area.objects.filter(code=area_code).first()
        qs = qs.filter(area__code__startswith=node.prefix) if node else qs.none()
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    level = Subquery(_latest_rating(on).values("stars")[:1])
    if stars == "0":
        qs = qs.filter(IsNull(level, True))
    elif stars:
        qs = qs.filter(Exact(level, int(stars)))
    if hazard:
        qs = qs.filter(_open_major())
    return with_current_stars(qs, on).select_related("area__parent").order_by("area_id", "name", "id")


def get_membership(user: Any, pk: int | str) -> InstitutionMembership:
    try:
        return InstitutionMembership.objects.select_related("institution", "user").get(
            pk=int(pk), institution__in=visible_institutions(user))
    except (InstitutionMembership.DoesNotExist, ValueError):
        raise NotFound("未找到该账号关联") from None


def get_rating(user: Any, pk: int | str) -> Rating:
    try:
        return Rating.objects.select_related("institution__area", "standard", "decided_by").get(
            pk=int(pk), institution__in=visible_institutions(user))
    except (Rating.DoesNotExist, ValueError):
        raise NotFound("未找到该评定结果") from None


# --- standards and checklists ------------------------------------------------------------------------------

def standard_on(day: dt.date, code: str | None = None) -> RatingStandard:
    qs = RatingStandard.objects.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
    if code:
        qs = qs.filter(code=code)
    standard = qs.order_by("-valid_from", "-version").first()
    if standard is None:
        raise NotFound(f"{day} 没有施行中的评定标准")
    return standard


def grading_standard(standard: RatingStandard) -> grading.Standard:
    """The stored standard as the pure data :mod:`grading` works on."""
    parts = list(standard.parts.order_by("order", "id"))
    levels = []
    for level in standard.levels.prefetch_related("minimums__part").order_by("stars"):
        minimums = list(level.minimums.all())
        assumed = level.status == ValueStatus.ASSUMED or any(m.status == ValueStatus.ASSUMED for m in minimums)
        levels.append(grading.Level(level.stars, level.name, level.min_total,
                                    {m.part.code: m.min_points for m in minimums}, assumed))
    return grading.Standard(str(standard), [grading.Part(p.code, p.name, p.max_points) for p in parts], levels)


def checklist_on(day: dt.date, code: str | None = None) -> ChecklistVersion:
    qs = ChecklistVersion.objects.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
    if code:
        qs = qs.filter(code=code)
    version = qs.order_by("-valid_from", "-version").first()
    if version is None:
        raise NotFound(f"{day} 没有启用的检查表")
    return version


# --- inspections and findings ------------------------------------------------------------------------------

def visible_inspections(user: Any) -> QuerySet[Inspection]:
    return Inspection.objects.filter(institution__in=visible_institutions(user))


def get_inspection(user: Any, pk: int | str) -> Inspection:
    try:
        return visible_inspections(user).select_related("institution__area", "checklist", "campaign",
                                                        "recorded_by").get(pk=int(pk))
    except (Inspection.DoesNotExist, ValueError):
        raise NotFound("未找到该检查记录") from None


def _overdue_first(on: dt.date) -> Case:
    return Case(When(state__in=OWED, deadline__lt=on, then=Value(1)), default=Value(0))


def is_overdue(finding: Finding, on: dt.date) -> bool:
    """The rectification is still owed and its deadline has passed."""
    return finding.overdue_on(on)


def overdue_days(finding: Finding, on: dt.date) -> int:
    return (on - finding.deadline).days if is_overdue(finding, on) and finding.deadline else 0


def get_photo(user: Any, kind: str, pk: int | str) -> FieldFile:
    """A finding's photo (``finding``) or a rectification step's (``step``), if the user may see the finding."""
    try:
        if kind == "finding":
            file = visible_findings(user).get(pk=int(pk)).photo
        elif kind == "step":
            file = FindingStep.objects.get(pk=int(pk), finding__in=visible_findings(user)).photo
        else:
            raise NotFound("未找到该照片")
    except (Finding.DoesNotExist, FindingStep.DoesNotExist, ValueError):
        raise NotFound("未找到该照片") from None
    if not file:
        raise NotFound("未找到该照片")
    return file


def visible_findings(user: Any) -> QuerySet[Finding]:
    return Finding.objects.filter(institution__in=visible_institutions(user))


def get_finding(user: Any, pk: int | str) -> Finding:
    try:
        return visible_findings(user).select_related("institution__area", "inspection", "item", "submitted_by",
                                                     "verified_by").get(pk=int(pk))
    except (Finding.DoesNotExist, ValueError):
        raise NotFound("未找到该隐患") from None


def search_findings(user: Any, *, state: str = "", severity: str = "", overdue: bool = False,
                    escalated: bool = False, open_only: bool = False, on: dt.date | None = None) -> QuerySet[Finding]:
    on = on or timezone.localdate()
    qs = visible_findings(user)
    if state:
        qs = qs.filter(state=state)
    if open_only:
        qs = qs.filter(state__in=UNCLOSED)
    if severity:
        qs = qs.filter(severity=severity)
    if overdue:
        qs = qs.filter(state__in=OWED, deadline__lt=on)
    if escalated:
        qs = qs.filter(Exists(Escalation.objects.filter(finding=OuterRef("pk"))))
    return qs.select_related("institution__area", "item").prefetch_related("escalations").order_by(
        _overdue_first(on).desc(), "deadline", "id")


# --- campaigns and coverage --------------------------------------------------------------------------------

def visible_campaigns(user: Any) -> QuerySet[InspectionCampaign]:
    """Campaigns over a part of the user's jurisdiction, or over an area that contains it (the city's)."""
    prefix = area_prefix(user)
    if prefix is None:
        return InspectionCampaign.objects.none()
    ancestors = [prefix[:n].ljust(12, "0") for n in (4, 6, 9, 12) if n <= len(prefix)]
    return InspectionCampaign.objects.filter(Q(area__code__startswith=prefix) | Q(area_id__in=ancestors))


def get_campaign(user: Any, pk: int | str) -> InspectionCampaign:
    try:
        return visible_campaigns(user).select_related("area", "checklist").get(pk=int(pk))
    except (InspectionCampaign.DoesNotExist, ValueError):
        raise NotFound("未找到该检查行动") from None


def campaigns_for(institution: Institution, on: dt.date) -> QuerySet[InspectionCampaign]:
    """Open campaigns whose area contains the institution and whose dates include ``on``."""
    codes = [institution.area_id[:n].ljust(12, "0") for n in (4, 6, 9, 12)]
    return InspectionCampaign.objects.filter(area_id__in=codes, status="open", starts_on__lte=on, ends_on__gte=on)


@dataclass
class CoverageRow:
    area: Area
    due: int = 0
    inspected: int = 0
    findings_open: int = 0
    major_open: int = 0
    overdue: int = 0
    missing: list[Institution] = field(default_factory=list)

    @property
    def percent(self) -> Decimal:
        if not self.due:
            return Decimal("0.0")
        return (Decimal(100) * self.inspected / self.due).quantize(Decimal("0.1"))


def _districts(codes: set[str]) -> dict[str, Area]:
    return {a.code: a for a in Area.objects.filter(code__in=codes)}


def campaign_coverage(user: Any, campaign: InspectionCampaign, *, on: dt.date | None = None
                      ) -> tuple[list[CoverageRow], CoverageRow]:
    """Per district: institutions due (in operation, in the campaign's area and the user's scope), how many
    were inspected in the campaign, and the campaign's open findings. Returns the rows and the total."""
    on = on or timezone.localdate()
    due = list(visible_institutions(user).filter(area__code__startswith=campaign.area.prefix,
                                                 status__in=IN_OPERATION).order_by("area_id", "name"))
    inspected = set(Inspection.objects.filter(campaign=campaign, institution__in=[i.pk for i in due])
                    .values_list("institution_id", flat=True))
    findings = Finding.objects.filter(inspection__campaign=campaign, state__in=UNCLOSED,
                                      institution__in=[i.pk for i in due])
    districts = _districts({i.district_code for i in due})
    rows: dict[str, CoverageRow] = {}
    for inst in due:
        row = rows.setdefault(inst.district_code, CoverageRow(districts[inst.district_code]))
        row.due += 1
        if inst.pk in inspected:
            row.inspected += 1
        else:
            row.missing.append(inst)
    home = {i.pk: i.district_code for i in due}
    for finding in findings.only("institution_id", "severity", "state", "deadline"):
        row = rows[home[finding.institution_id]]
        row.findings_open += 1
        row.major_open += finding.severity == Severity.MAJOR
        row.overdue += is_overdue(finding, on)
    total = CoverageRow(campaign.area)
    for row in rows.values():
        total.due += row.due
        total.inspected += row.inspected
        total.findings_open += row.findings_open
        total.major_open += row.major_open
        total.overdue += row.overdue
    return [rows[code] for code in sorted(rows)], total


@dataclass
class RatingCoverageRow:
    area: Area
    due: int = 0
    rated: int = 0
    public_due: int = 0
    public_rated: int = 0
    by_stars: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    @staticmethod
    def _pct(n: int, d: int) -> Decimal:
        return (Decimal(100) * n / d).quantize(Decimal("0.1")) if d else Decimal("0.0")

    @property
    def percent(self) -> Decimal:
        return self._pct(self.rated, self.due)

    @property
    def public_percent(self) -> Decimal:
        return self._pct(self.public_rated, self.public_due)


def rating_coverage(user: Any, *, on: dt.date | None = None) -> tuple[list[RatingCoverageRow], RatingCoverageRow]:
    """Per district: institutions in operation with a level in force, and the same for public ones (公办)."""
    on = on or timezone.localdate()
    rows: dict[str, RatingCoverageRow] = {}
    operating = visible_institutions(user).filter(status__in=IN_OPERATION)
    levels: dict[int, int | None] = {}
    for institution_id, level in current_ratings(on).filter(institution__in=operating).values_list(
            "institution_id", "stars"):
        levels.setdefault(institution_id, level)  # the latest first
    insts = [(area_id, kind, levels.get(pk)) for pk, area_id, kind in operating.values_list("pk", "area_id", "kind")]
    districts = _districts({code[:6] + "000000" for code, _, _ in insts})
    city = Area.objects.filter(level="city").first()
    total = RatingCoverageRow(city or next(iter(districts.values()), Area(code="", name="")))
    for area_id, kind, stars in insts:
        code = area_id[:6] + "000000"
        for row in (rows.setdefault(code, RatingCoverageRow(districts[code])), total):
            row.due += 1
            row.rated += stars is not None
            if kind == InstitutionKind.PUBLIC:
                row.public_due += 1
                row.public_rated += stars is not None
            if stars is not None:
                row.by_stars[stars] += 1
    return [rows[code] for code in sorted(rows)], total
