"""Reads of people and households, always scoped to the user's jurisdiction.

Out-of-scope records raise :class:`NotFound`, exactly like missing ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from minzheng.authz.scope import area_prefix
from minzheng.core.errors import NotFound
from minzheng.core.idnumber import InvalidIDNumber, normalise
from minzheng.core.models import Area, Household, HouseholdMember, Person


def visible_households(user: Any) -> QuerySet[Household]:
    prefix = area_prefix(user)
    if prefix is None:
        return Household.objects.none()
    return Household.objects.filter(area__code__startswith=prefix)


def get_household(user: Any, pk: int | str) -> Household:
    try:
        return visible_households(user).select_related("area").get(pk=int(pk))
    except (Household.DoesNotExist, ValueError):
        raise NotFound("未找到该家庭") from None


def visible_people(user: Any) -> QuerySet[Person]:
    """People registered in the jurisdiction, or currently members of a household in it."""
    prefix = area_prefix(user)
    if prefix is None:
        return Person.objects.none()
    member_here = HouseholdMember.objects.filter(
        person=OuterRef("pk"), end_date__isnull=True, household__area__code__startswith=prefix
    )
    return Person.objects.filter(Q(area__code__startswith=prefix) | Exists(member_here))


def get_person(user: Any, pk: int | str) -> Person:
    try:
        return visible_people(user).get(pk=int(pk))
    except (Person.DoesNotExist, ValueError):
        raise NotFound("未找到该人员") from None


def current_members(household: Household) -> QuerySet[HouseholdMember]:
    return (
        household.memberships.filter(end_date__isnull=True)
        .select_related("person")
        .annotate(head_first=Case(When(relation="户主", then=Value(0)), default=Value(1)))
        .order_by("head_first", "person__birth_date", "id")
    )


def members_on(household: Household, day: dt.date) -> QuerySet[HouseholdMember]:
    return household.memberships.filter(Q(end_date__isnull=True) | Q(end_date__gt=day), start_date__lte=day)


def head_of(household: Household) -> Person | None:
    m = household.memberships.filter(end_date__isnull=True, relation="户主").select_related("person").first()
    return m.person if m else None


def search_households(
    user: Any,
    *,
    q: str = "",
    area_code: str = "",
    status: str = "",
    programme: str = "",
) -> QuerySet[Household]:
    """Search by a member's name or ID number, the archive number or the address, within scope.

    ``area_code`` narrows to any node (district, street or community) of the tree.
    """
    qs = visible_households(user)
    q = q.strip()
    if q:
        try:
            idn = normalise(q)
        except InvalidIDNumber:
            idn = None
        current = HouseholdMember.objects.filter(household=OuterRef("pk"), end_date__isnull=True)
        if idn:
            qs = qs.filter(Exists(current.filter(person__id_number=idn)))
        else:
            qs = qs.filter(
                Exists(current.filter(person__name__contains=q))
                | Q(household_no__iexact=q)
                | Q(address__contains=q)
            )
    if area_code:
        try:
            node = Area.objects.get(code=area_code)
        except Area.DoesNotExist:
            return qs.none()
        qs = qs.filter(area__code__startswith=node.prefix)
    if status:
        qs = qs.filter(status=status)
    if programme:
        from minzheng.registry.selectors import active_enrollments

        # A household is in a programme through a household-level enrollment or through a member's own
        # (one member's 特困 counts, as in registry.selectors.household_categories), on today's local date.
        day = timezone.localdate()
        member_on_day = HouseholdMember.objects.filter(
            household=OuterRef(OuterRef("pk")), person=OuterRef("person"), start_date__lte=day
        ).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        qs = qs.filter(
            Exists(
                active_enrollments(day)
                .filter(programme=programme)
                .filter(Q(household=OuterRef("pk")) | Exists(member_on_day))
            )
        )
    return qs.select_related("area").prefetch_related(
        Prefetch(
            "memberships",
            queryset=HouseholdMember.objects.filter(end_date__isnull=True).select_related("person"),
            to_attr="current_memberships",
        )
    )
