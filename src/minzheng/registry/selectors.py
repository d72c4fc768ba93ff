"""Reads of enrollments (the low-income categories a household or person is in)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from minzheng.core.models import Household, Person
from minzheng.registry.choices import CATEGORY_PROGRAMMES, Programme
from minzheng.registry.models import Enrollment


def active_enrollments(day: dt.date) -> QuerySet[Enrollment]:
    """Enrollments active on ``day``: start on or before it, end empty or on or after it."""
    return Enrollment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


def household_enrollments(household: Household) -> QuerySet[Enrollment]:
    """Every enrollment of the household or of anyone who is or was its member, newest first."""
    person_ids = household.memberships.values("person_id")
    return (
        Enrollment.objects.filter(Q(household=household) | Q(person_id__in=person_ids))
        .select_related("person")
        .order_by("-start_date", "programme")
    )


def household_categories(household: Household, day: dt.date) -> list[str]:
    """The household's low-income categories on ``day``, highest first (one member's 特困 counts)."""
    person_ids = household.memberships.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=day), start_date__lte=day
    ).values("person_id")
    found = set(
        active_enrollments(day)
        .filter(Q(household=household) | Q(person_id__in=person_ids), programme__in=CATEGORY_PROGRAMMES)
        .values_list("programme", flat=True)
    )
    return [p.value for p in CATEGORY_PROGRAMMES if p in found]


def person_programmes(person: Person, day: dt.date) -> list[str]:
    return sorted(
        set(active_enrollments(day).filter(person=person).values_list("programme", flat=True))
    )


__all__ = ["Programme", "active_enrollments", "household_categories", "household_enrollments", "person_programmes"]
