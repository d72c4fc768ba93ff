"""The demo seeder: alerts in every state a run leaves them in, escalations, key monitoring; idempotent."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from minzheng.authz.models import User
from minzheng.monitoring.dashboard import dashboard
from minzheng.monitoring.demo import seed_demo
from minzheng.monitoring.models import Alert, Disposition, KeyMonitoring
from minzheng.testing import factories as f

pytestmark = pytest.mark.django_db


def test_seed_demo_walks_alerts_into_every_state(tree):
    for i in range(10):
        f.make_household(f.COMMUNITY_A, members=2, no=f"SY-DEMO-{i:02d}")
    made = seed_demo(today=dt.date(2025, 9, 24))
    assert made["alerts"] == 13 and made["key_monitoring"] == 3 and made["escalated"] >= 3
    states = Counter(Alert.objects.values_list("state", flat=True))
    assert set(states) == {"pushed", "signed", "verifying", "judged", "disposed", "closed"}
    assert states["closed"] == 6 and states["pushed"] == 3
    assert set(Alert.objects.values_list("level", flat=True)) == {"community", "street", "district"}
    kinds = set(Disposition.objects.values_list("kind", flat=True))
    assert kinds == {"stop_payments", "no_action", "temporary", "application", "refer_service", "refer_special"}
    assert KeyMonitoring.objects.filter(ended_on__isnull=True).count() == 2
    # Found last month, approved on its last day: in care from 1 September.
    cw = User.objects.get(username="shequ")
    d = dashboard(cw, start=dt.date(2025, 9, 1), end=dt.date(2025, 9, 24), today=dt.date(2025, 9, 24))
    assert d["into_care"]["care"] == 1 and d["into_care"]["temporary"] == 1 and d["watch_due"] == 1
    assert seed_demo(today=dt.date(2025, 9, 24)) == {}
    assert Alert.objects.count() == 13
