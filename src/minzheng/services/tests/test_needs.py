"""``open_need``: one need opened from outside an assessment (a monitoring referral), audited, scoped."""

from __future__ import annotations

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.core.errors import Forbidden, NotFound
from minzheng.services.actions.catalogue import ensure_taxonomy
from minzheng.services.actions.needs import open_need
from minzheng.services.models import Need, ServiceItem
from minzheng.services.tests.conftest import TODAY


@pytest.fixture
def meal(tree) -> ServiceItem:
    ensure_taxonomy()
    return ServiceItem.objects.get(code="life.meal")


def test_opens_one_live_need_and_audits_it(users, elder, meal) -> None:
    head = elder.memberships.get().person
    need, created = open_need(elder, meal, user=users["caseworker_a"], person=head, day=TODAY, reason="监测预警转介")
    assert created
    need.refresh_from_db()
    assert (need.status, need.level, need.priority, need.area_id, need.person_id, need.assessment_id) == (
        "open", "medium", "dibao", elder.area_id, head.pk, None)
    assert need.lat is not None and need.lng is not None
    event = AuditEvent.objects.get(object_type="services.need", object_id=str(need.pk))
    assert (event.actor_username, event.area_code, event.reason) == ("caseworker_a", elder.area_id, "监测预警转介")
    assert event.summary == f"登记服务需求 {elder.household_no}：{meal.name}"
    assert event.after == {"item": "life.meal", "person_id": head.pk, "level": "medium", "priority": "dibao"}
    again, created = open_need(elder, meal, user=users["street"], person=None, day=TODAY)
    assert (again.pk, created) == (need.pk, False)
    assert Need.objects.filter(household=elder).count() == 1
    assert AuditEvent.objects.filter(object_type="services.need").count() == 1


def test_only_staff_in_jurisdiction(users, elder, meal) -> None:
    for name in ("caseworker_b", "other_district", "provider", "operator"):
        with pytest.raises(NotFound):
            open_need(elder, meal, user=users[name], person=None, day=TODAY)
    with pytest.raises(Forbidden):
        open_need(elder, meal, user=users["auditor"], person=None, day=TODAY)
    assert not Need.objects.exists()
