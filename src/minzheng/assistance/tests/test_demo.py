"""The demo seed walks cases into every state through the real actions, once."""

from __future__ import annotations

import datetime as dt

from minzheng.assistance.choices import AppState
from minzheng.assistance.demo import seed_demo
from minzheng.assistance.models import Application, PublicNotice, ReviewTask, TemporaryAssistance
from minzheng.registry.models import Enrollment
from minzheng.testing import factories as f


def test_seed_demo_covers_every_state(tree) -> None:
    for i in range(20):
        household = f.make_household(f.COMMUNITY_A, members=3, no=f"SY-DEMO-{i:02d}")
        if i == 10:  # an archived household already in care: the approval supersedes its 低保
            Enrollment.objects.create(household=household, programme="dibao", start_date=dt.date(2024, 1, 1),
                                      monthly_amount=700)
    made = seed_demo(today=dt.date(2025, 11, 20))
    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(AppState.values)
    assert made[AppState.APPROVED] == 2 and made["temporary"] == 3
    rejected = Application.objects.get(state=AppState.REJECTED)
    assert rejected.decisions.get(outcome="reject").reasons.startswith("经入户调查")
    assert Application.objects.filter(overdue_since__isnull=False).exists()
    assert ReviewTask.objects.filter(kind="periodic", status="open").count() == 1
    assert ReviewTask.objects.filter(kind="change").count() == 1
    assert PublicNotice.objects.filter(end_date__gte=dt.date(2025, 11, 20)).count() == 2
    assert TemporaryAssistance.objects.filter(state="helped").count() == 1
    assert seed_demo(today=dt.date(2025, 11, 20)) == {}  # idempotent
