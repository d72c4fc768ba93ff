"""Reads of elderly care, scoped to the user's jurisdiction (a record outside it looks missing: NotFound),
and the derived facts the actions need (hardship category, capability level, entitlement)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from minzheng.authz.scope import area_prefix
from minzheng.core.errors import NotFound
from minzheng.core.models import HouseholdMember, Person
from minzheng.eldercare.choices import Hardship
from minzheng.eldercare.models import (
    AdaptationCase,
    AllowanceRun,
    Assessment,
    EnterpriseMembership,
    EntitlementRule,
    InsuranceEnrollment,
    MealPoint,
    Order,
    SelfCareAssessment,
    Settlement,
    Worker,
)
from minzheng.registry.selectors import household_categories, person_programmes

HARDSHIP_ORDER = (Hardship.TEKUN, Hardship.DIBAO, Hardship.DIBAO_EDGE)


# -- derived facts --------------------------------------------------------------------------------------------

def household_of(person: Person, day: dt.date) -> HouseholdMember | None:
    return (HouseholdMember.objects.filter(person=person, start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=day)).select_related("household").first())


def hardship_of(person: Person, day: dt.date) -> str:
    """The person's hardship category on ``day``: their household's highest (a member's 特困 makes the household
    特困, policy-rules.md) or their own person-level enrollment; otherwise ``none``."""
    found = set(person_programmes(person, day))
    membership = household_of(person, day)
    if membership is not None:
        found.update(household_categories(membership.household, day))
    return next((h.value for h in HARDSHIP_ORDER if h.value in found), Hardship.NONE.value)


def is_low_income(person: Person, day: dt.date) -> bool:
    """In a tekun, dibao or dibao_edge household (the 80–89 high-age rate of 100)."""
    return hardship_of(person, day) != Hardship.NONE


def capability_level(person: Person, day: dt.date) -> int | None:
    """The final level of the person's latest GB/T 42195 assessment on or before ``day``."""
    latest = Assessment.objects.filter(person=person, assessed_on__lte=day).order_by("-assessed_on", "-id").first()
    return latest.final_level if latest else None


def entitlement_hours(level: int | None, hardship: str, day: dt.date) -> Decimal:
    """Hours of home care a month for a level and a category (0 without an assessment or a rule)."""
    if level is None:
        return Decimal("0")
    rule = (EntitlementRule.objects.filter(level=level, hardship=hardship, valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day)).order_by("-valid_from").first())
    return rule.hours if rule else Decimal("0")


def person_entitlement(person: Person, day: dt.date) -> tuple[int | None, str, Decimal]:
    level, hardship = capability_level(person, day), hardship_of(person, day)
    return level, hardship, entitlement_hours(level, hardship, day)


# -- enterprise users -----------------------------------------------------------------------------------------

def membership_of(user: Any) -> EnterpriseMembership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return EnterpriseMembership.objects.select_related("enterprise").filter(user=user).first()


def worker_of(user: Any) -> Worker | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.select_related("enterprise").filter(user=user, active=True).first()


# -- scoped lists ---------------------------------------------------------------------------------------------

def _scoped(qs: QuerySet[Any], user: Any, field: str) -> QuerySet[Any]:
    prefix = area_prefix(user)
    if prefix is None:
        return qs.none()
    return qs.filter(**{f"{field}__startswith": prefix})


def visible_assessments(user: Any) -> QuerySet[Assessment]:
    return _scoped(Assessment.objects.select_related("person", "instrument"), user, "area_code")


def get_assessment(user: Any, pk: int) -> Assessment:
    try:
        return visible_assessments(user).get(pk=pk)
    except Assessment.DoesNotExist:
        raise NotFound("未找到该评估") from None


def visible_selfcare(user: Any) -> QuerySet[SelfCareAssessment]:
    return _scoped(SelfCareAssessment.objects.select_related("person"), user, "area_code")


def visible_orders(user: Any) -> QuerySet[Order]:
    """Staff: orders of elders in their jurisdiction; an enterprise's users: the orders sent to it (a worker:
    the ones assigned to them)."""
    qs = Order.objects.select_related("person", "area", "category", "enterprise", "worker")
    worker = worker_of(user)
    membership = membership_of(user)
    if membership is not None and membership.role == "manager":
        return qs.filter(enterprise=membership.enterprise)
    if worker is not None:
        return qs.filter(worker=worker)
    return _scoped(qs, user, "area__code")


def get_order(user: Any, pk: int) -> Order:
    try:
        return visible_orders(user).get(pk=pk)
    except Order.DoesNotExist:
        raise NotFound("未找到该工单") from None


def visible_settlements(user: Any) -> QuerySet[Settlement]:
    qs = Settlement.objects.select_related("enterprise")
    membership = membership_of(user)
    if membership is not None:
        return qs.filter(enterprise=membership.enterprise) if membership.role == "manager" else qs.none()
    return _scoped(qs, user, "enterprise__area__code")


def get_settlement(user: Any, pk: int) -> Settlement:
    try:
        return visible_settlements(user).get(pk=pk)
    except Settlement.DoesNotExist:
        raise NotFound("未找到该结算单") from None


def visible_adaptations(user: Any) -> QuerySet[AdaptationCase]:
    return _scoped(AdaptationCase.objects.select_related("person", "area"), user, "area__code")


def get_adaptation(user: Any, pk: int) -> AdaptationCase:
    try:
        return visible_adaptations(user).get(pk=pk)
    except AdaptationCase.DoesNotExist:
        raise NotFound("未找到该改造申请") from None


def visible_meal_points(user: Any) -> QuerySet[MealPoint]:
    return _scoped(MealPoint.objects.select_related("area"), user, "area__code")


def get_meal_point(user: Any, pk: int) -> MealPoint:
    try:
        return visible_meal_points(user).get(pk=pk)
    except MealPoint.DoesNotExist:
        raise NotFound("未找到该助餐点") from None


def visible_insured(user: Any) -> QuerySet[InsuranceEnrollment]:
    return _scoped(InsuranceEnrollment.objects.all(), user, "area_code")


def allowance_runs() -> QuerySet[AllowanceRun]:
    """Runs are city-wide batch records (no personal data): every staff role may see them."""
    return AllowanceRun.objects.select_related("actor")


def person_area(person: Person, day: dt.date | None = None) -> str:
    """Where a person is looked after: their current household's community, else their registered area."""
    membership = household_of(person, day or timezone.localdate())
    if membership is not None:
        return str(membership.household.area_id)
    return str(person.area_id or "")


def get_person(user: Any, pk: int) -> Person:
    """A person the user may see (in their jurisdiction by household or registration)."""
    from minzheng.core.selectors import get_person as core_get_person

    return core_get_person(user, pk)


# -- hardship elderly, coverage and meals --------------------------------------------------------------------

LOW_INCOME = ("tekun", "dibao", "dibao_edge")


def hardship_elderly(day: dt.date, prefix: str = "2101") -> list[tuple[int, str]]:
    """(person pk, community) of every living person aged 60 or more (month-age) on ``day`` who is a member of
    a tekun/dibao/dibao_edge household or holds such an enrollment, in ``prefix``."""
    from minzheng.registry.selectors import active_enrollments
    from minzheng.rules.model import Month

    cutoff = Month.of(day).shift(-12 * 60 + 1).first_day
    active = active_enrollments(day).filter(programme__in=LOW_INCOME)
    members = HouseholdMember.objects.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
    holders = active.filter(person__isnull=False).values("person_id")
    households = set(active.filter(household__isnull=False).values_list("household_id", flat=True))
    households |= set(members.filter(person_id__in=holders).values_list("household_id", flat=True))
    alive = Q(person__death_date__isnull=True) | Q(person__death_date__gte=day)
    found: dict[int, str] = {}
    for pid, area in (members.filter(alive, household_id__in=households, person__birth_date__lt=cutoff,
                                     household__area__code__startswith=prefix)
                      .values_list("person_id", "household__area_id")):
        found[pid] = area
    for pid, area in (Person.objects.filter(pk__in=holders, birth_date__lt=cutoff, area__code__startswith=prefix)
                      .filter(Q(death_date__isnull=True) | Q(death_date__gte=day)).values_list("pk", "area_id")):
        found.setdefault(pid, area)
    return sorted(found.items())


def coverage(policy: Any, day: dt.date, prefix: str = "2101") -> list[dict[str, Any]]:
    """Per district: elderly people in hardship, how many the policy covers, and the share (the report's
    100 % check). The last row is the total."""
    from minzheng.core.models import Area

    covered = set(InsuranceEnrollment.objects.filter(policy=policy).values_list("person_id", flat=True))
    by_district: dict[str, list[int]] = {}
    for pid, area in hardship_elderly(day, prefix):
        counts = by_district.setdefault(area[:6], [0, 0])
        counts[0] += 1
        counts[1] += pid in covered
    names = dict(Area.objects.filter(level="district").values_list("code", "name"))
    rows: list[dict[str, Any]] = [
        {"district": code, "name": names.get(code.ljust(12, "0"), code), "eligible": n, "covered": c,
         "share": (Decimal(c) / n * 100).quantize(Decimal("0.1")) if n else Decimal("100.0")}
        for code, (n, c) in sorted(by_district.items())]
    total_n, total_c = sum(r["eligible"] for r in rows), sum(r["covered"] for r in rows)
    rows.append({"district": "", "name": "合计", "eligible": total_n, "covered": total_c,
                 "share": (Decimal(total_c) / total_n * 100).quantize(Decimal("0.1")) if total_n else Decimal("100.0")})
    return rows


def meal_summary(point: MealPoint, month: str) -> dict[str, Any]:
    """Meals served and subsidy of a meal point in a month, by diner category."""
    from django.db.models import Count, Sum

    from minzheng.eldercare.models import MealRecord
    from minzheng.rules.model import Month

    m = Month.parse(month)
    qs = MealRecord.objects.filter(point=point, served_on__gte=m.first_day, served_on__lt=m.shift(1).first_day)
    by = list(qs.values("category").annotate(meals=Count("pk"), subsidy=Sum("subsidy"), diners=Count("person",
                                                                                                        distinct=True))
              .order_by("category"))
    totals = qs.aggregate(meals=Count("pk"), subsidy=Sum("subsidy"), price=Sum("price"),
                          diners=Count("person", distinct=True))
    return {"month": str(m), "by_category": by, "meals": totals["meals"], "diners": totals["diners"],
            "subsidy": totals["subsidy"] or Decimal("0.00"), "price": totals["price"] or Decimal("0.00")}
