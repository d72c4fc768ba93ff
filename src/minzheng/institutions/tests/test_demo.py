"""The demo seed goes through the actions and leaves findings in every state, once."""

from __future__ import annotations

import datetime as dt

from minzheng.institutions.choices import FindingState
from minzheng.institutions.demo import seed_demo
from minzheng.institutions.models import (
    Escalation,
    Finding,
    InspectionCampaign,
    Institution,
    InstitutionMembership,
    Rating,
)
from minzheng.institutions.selectors import campaign_coverage, is_overdue


def test_seed_demo_covers_every_state_once(tree, users) -> None:
    today = dt.date(2025, 11, 20)
    made = seed_demo(today=today)
    assert made["institutions"] == Institution.objects.count() == 10  # 5 places on the test tree, 9 homes + 1 closed
    assert set(Finding.objects.values_list("state", flat=True)) == set(FindingState.values)
    assert sorted(s for s in Rating.objects.values_list("stars", flat=True) if s) == [1, 2, 3, 3, 4, 4, 5, 5]
    assert Rating.objects.filter(stars__isnull=True).count() == 1  # one assessed below one star
    major = Finding.objects.get(severity="major", state="rectifying")
    assert is_overdue(major, today)
    assert set(major.escalations.values_list("level", "reason")) == {
        ("district", "major_hazard"), ("city", "major_hazard"), ("district", "overdue"), ("city", "overdue")}
    assert Escalation.objects.filter(reason="major_hazard").count() == 4  # two major hazards, two levels each
    member = InstitutionMembership.objects.get()
    assert member.user.username == "fuwu"
    assert Finding.objects.get(state="submitted").submitted_by == member.user
    _rows, total = campaign_coverage(users["city"], InspectionCampaign.objects.get(), on=today)
    assert (total.inspected, total.due) == (7, 9)
    assert seed_demo(today=today) == {}
