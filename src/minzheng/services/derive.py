"""Answers pre-filled from data already held (档案: members' self-care, disability, illness, ages; the
registry's low-income categories), and which member a need is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from minzheng.core.models import Household, Person
from minzheng.core.selectors import current_members
from minzheng.registry.selectors import household_categories
from minzheng.services.choices import Derivation, Priority

SELF_CARE_SCORE = {"全护理": 3, "半自理": 2}
DISABILITY_SCORE = {1: 3, 2: 2, 3: 1, 4: 1}
CATEGORY_SCORE = {"tekun": 3, "dibao": 2, "dibao_edge": 1, "rigid_hardship": 1}


def derived_values(household: Household, day: dt.date) -> dict[str, int]:
    """Each :class:`Derivation` computed for the household's current members on ``day``."""
    people = [m.person for m in current_members(household)]
    alive = [p for p in people if p.death_date is None or p.death_date > day]
    ages = [p.age_on(day) for p in alive]
    grades = [p.disability_grade or 4 for p in alive if p.disability_type]
    categories = household_categories(household, day)
    oldest = max(ages, default=0)
    return {
        Derivation.SELF_CARE: max((SELF_CARE_SCORE.get(p.self_care, 0) for p in alive), default=0),
        Derivation.DISABILITY: max((DISABILITY_SCORE.get(g, 1) for g in grades), default=0),
        Derivation.SERIOUS_ILLNESS: 3 if any(p.serious_illness for p in alive) else 0,
        Derivation.LIVING_ALONE: (3 if oldest >= 80 else 2) if len(alive) == 1 else 0,
        Derivation.ELDERLY: 2 if oldest >= 80 else 1 if oldest >= 60 else 0,
        Derivation.CATEGORY: CATEGORY_SCORE.get(categories[0], 0) if categories else 0,
        Derivation.MINOR: 1 if any(a < 18 for a in ages) else 0,
    }


def snap(value: int, options: Sequence[int]) -> int:
    """The highest option not above ``value`` (derived values must be one of the item's options)."""
    below = [o for o in options if o <= value]
    return max(below) if below else min(options)


def priority_of(household: Household, day: dt.date) -> str:
    categories = household_categories(household, day)
    return categories[0] if categories else Priority.OTHER.value


CARE_GROUPS = ("care.", "life.", "concern.visit", "material.aids")
CHILD_TAGS = ("development.tutor", "concern.guardian")
WORKING_TAGS = ("development.job", "development.skills")


def subject_for(tag: str, household: Household, day: dt.date) -> Person | None:
    """The member a need is about: the most dependent or oldest for care, a minor for schooling and
    guardianship, a working-age member for employment; else the head of household."""
    members = list(current_members(household))
    people = [m.person for m in members if m.person.death_date is None]
    if not people:
        return None
    head = next((m.person for m in members if m.relation == "户主"), people[0])
    if tag.startswith(CARE_GROUPS):
        def dependency(p: Person) -> tuple[int, int, int]:
            return (SELF_CARE_SCORE.get(p.self_care, 0), 1 if p.disability_type else 0, p.age_on(day))
        return max(people, key=dependency)
    if tag in CHILD_TAGS:
        minors = [p for p in people if p.age_on(day) < 18]
        return min(minors, key=lambda p: p.age_on(day)) if minors else head
    if tag in WORKING_TAGS:
        working = [p for p in people if 18 <= p.age_on(day) < 60]
        return head if head in working else (working[0] if working else head)
    return head
