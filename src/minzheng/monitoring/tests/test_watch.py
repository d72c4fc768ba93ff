"""重点监测: the revisit schedule, one entry per person, who may keep the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.monitoring import actions as m
from minzheng.monitoring.models import KeyMonitoring
from minzheng.monitoring.selectors import watch_list
from minzheng.monitoring.tests.support import member
from minzheng.testing import factories as f

pytestmark = pytest.mark.django_db


def test_revisits_follow_the_interval(users, household_a):
    cw, head = users["caseworker_a"], member(household_a)
    entry = m.add_to_key_monitoring(user=cw, person=head, area_code=f.COMMUNITY_A, reason="大病自付高",
                                    household=household_a, since=dt.date(2025, 11, 30))
    assert (entry.interval_months, entry.next_revisit, entry.visits) == (3, dt.date(2026, 2, 28), 0)  # month end
    v1 = m.record_revisit(entry, user=cw, note="病情稳定", visited_on=dt.date(2026, 2, 20))
    entry.refresh_from_db()
    assert (v1.next_revisit, entry.next_revisit, entry.last_visit, entry.visits) == (
        dt.date(2026, 5, 20), dt.date(2026, 5, 20), dt.date(2026, 2, 20), 1)
    m.record_revisit(entry, user=cw, note="住院，下月再访", visited_on=dt.date(2026, 3, 2),
                     next_revisit=dt.date(2026, 4, 2))
    entry.refresh_from_db()
    assert (entry.next_revisit, entry.visits) == (dt.date(2026, 4, 2), 2)
    with pytest.raises(InvalidChange, match="早于"):
        m.record_revisit(entry, user=cw, note="补录", visited_on=dt.date(2026, 3, 1))
    with pytest.raises(InvalidChange, match="晚于"):
        m.record_revisit(entry, user=cw, note="x", visited_on=dt.date(2026, 3, 5), next_revisit=dt.date(2026, 3, 5))
    # Due on the list from the next revisit date.
    assert list(watch_list(cw, day=dt.date(2026, 4, 1), due=True)) == []
    assert list(watch_list(cw, day=dt.date(2026, 4, 2), due=True)) == [entry]
    with pytest.raises(RuntimeError):
        v1.save()


def test_one_entry_per_person_and_ending_it(users, household_a):
    cw, head = users["caseworker_a"], member(household_a)
    entry = m.add_to_key_monitoring(user=cw, person=head, area_code=f.COMMUNITY_A, reason="失业", interval_months=1,
                                    since=dt.date(2025, 8, 1))
    assert entry.next_revisit == dt.date(2025, 9, 1) and entry.household == household_a  # the current household
    with pytest.raises(InvalidChange, match="已在"):
        m.add_to_key_monitoring(user=cw, person=head, area_code=f.COMMUNITY_A, reason="again")
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyMonitoring.objects.create(person=head, area_id=f.COMMUNITY_A, reason="x", since=dt.date(2025, 8, 2),
                                     interval_months=1, next_revisit=dt.date(2025, 9, 2))
    with pytest.raises(InvalidChange):
        m.add_to_key_monitoring(user=cw, person=member(household_a, "配偶"), area_code=f.COMMUNITY_A, reason="x",
                                interval_months=30)
    m.end_key_monitoring(entry, user=cw, reason="已就业", on=dt.date(2025, 10, 1))
    with pytest.raises(InvalidChange, match="移出"):
        m.record_revisit(entry, user=cw, note="x", visited_on=dt.date(2025, 10, 2))
    again = m.add_to_key_monitoring(user=cw, person=head, area_code=f.COMMUNITY_A, reason="再次失业",
                                    since=dt.date(2025, 12, 1))
    assert again.pk != entry.pk and KeyMonitoring.objects.filter(person=head).count() == 2


def test_only_staff_in_scope_keep_the_list(users, household_a):
    head = member(household_a)
    with pytest.raises(NotFound):
        m.add_to_key_monitoring(user=users["caseworker_b"], person=head, area_code=f.COMMUNITY_A, reason="x")
    with pytest.raises(Forbidden):
        m.add_to_key_monitoring(user=users["auditor"], person=head, area_code=f.COMMUNITY_A, reason="x")
    entry = m.add_to_key_monitoring(user=users["street"], person=head, area_code=f.COMMUNITY_A, reason="街道纳入")
    with pytest.raises(NotFound):
        m.record_revisit(entry, user=users["other_district"], note="x")
    assert list(watch_list(users["caseworker_b"], day=dt.date(2030, 1, 1))) == []
