"""The demo data: every part of elderly care gets something to show, once."""

from __future__ import annotations

import datetime as dt

from minzheng.eldercare.demo import seed_demo
from minzheng.eldercare.models import (
    AdaptationCase,
    AllowanceRun,
    Assessment,
    InsuranceEnrollment,
    MealRecord,
    Order,
    Settlement,
)
from minzheng.eldercare.tests import support as s
from minzheng.testing import factories as f


def test_seed_demo_covers_every_part(tree, users, settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path  # no population snapshot: the allowance run reads the archive only
    users["provider"].username = "fuwu"
    users["provider"].save()
    for i in range(7):
        birth = dt.date(1935 + i, 3, 1)
        s.household_in_care([s.person(s.pid(birth), f"老人{i}", birth)], ("dibao", "tekun", None)[i % 3])
    made = seed_demo(today=dt.date(2025, 11, 20))
    assert made["能力评估"] == 6 and made["助餐"] == 30
    assert AllowanceRun.objects.filter(month="2025-11", status="done").count() == 1
    assert sorted(Assessment.objects.values_list("final_level", flat=True)) == [0, 1, 2, 3, 3, 4]
    assert set(Order.objects.values_list("status", flat=True)) == {
        "ordered", "dispatched", "assigned", "checked_in", "checked_out", "rated", "cancelled"}
    settlement = Settlement.objects.get(month="2025-10")
    assert settlement.flags["overlap"] == 2 and settlement.amount > 0
    assert settlement.enterprise.members.get(role="manager").user.username == "fuwu"
    assert AdaptationCase.objects.filter(status="subsidised").count() == 1
    assert MealRecord.objects.count() == 30 and InsuranceEnrollment.objects.exists()
    assert settlement.enterprise.area_id == f.DISTRICT_A  # the district of the community with most households
    assert seed_demo(today=dt.date(2025, 11, 20)) == {}
