"""The demo step: a catalogue, assessments, a run, referrals in several states, the ``fuwu`` account."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from minzheng.authz.models import User
from minzheng.services.demo import seed_demo
from minzheng.services.models import MatchRun, Referral
from minzheng.services.tests.conftest import make_single
from minzheng.testing import factories as f


def test_seed_demo(tree) -> None:
    for i in range(8):
        make_single(name=f"演示{i}", birth=dt.date(1938 + i, 1, 1))
    make_single(area=f.COMMUNITY_B, name="文安户")
    made = seed_demo()
    assert made["providers"] == 8 and made["assessed"] == 9
    fuwu = User.objects.get(username="fuwu")
    assert (fuwu.role, fuwu.jurisdiction_id) == ("service_provider", f.COMMUNITY_A)
    assert fuwu.provider_membership.provider.name == "集贤社区长者食堂"
    assert MatchRun.objects.get(key="demo-1").status == "done"
    states = Counter(Referral.objects.filter(offering__provider__members__user=fuwu).values_list("status", flat=True))
    assert states["completed"] == 1 and states["in_service"] == 1
    assert seed_demo() == {}
