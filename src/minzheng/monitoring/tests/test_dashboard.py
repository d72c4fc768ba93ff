"""The dashboard's numbers, exact, on a seeded set across two districts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.monitoring import actions as m
from minzheng.monitoring.choices import AlertState, Finding
from minzheng.monitoring.dashboard import dashboard
from minzheng.monitoring.models import Alert
from minzheng.monitoring.tests.support import member, row, run, walk
from minzheng.registry.models import Enrollment
from minzheng.testing import factories as f

pytestmark = pytest.mark.django_db
START, END, TODAY = dt.date(2025, 8, 1), dt.date(2025, 9, 30), dt.date(2025, 9, 30)


@pytest.fixture
def seeded(users, household_a):
    cw = users["caseworker_a"]
    cw_other = f.make_user("community_worker", f.COMMUNITY_OTHER_DISTRICT, "cw_shenhe")
    head, spouse, child = member(household_a), member(household_a, "配偶"), member(household_a, "子")
    elsewhere = f.make_person("周外区", dt.date(1950, 1, 1), area_code=f.COMMUNITY_OTHER_DISTRICT)
    newcomer = f.new_id(dt.date(1940, 3, 5), female=True)
    run([row(scenario="FIND_HIGH_AGE", id_number=newcomer, name="钱老太"),
         row(head, household=household_a), row(spouse, household=household_a),
         row(child, scenario="MON_ASSET_INCOME", household=household_a),
         row(elsewhere, scenario="MON_DECEASED", area=f.COMMUNITY_OTHER_DISTRICT)])  # pushed 4 August
    by = {a.person_id: a for a in Alert.objects.all()}
    # Temporary help given on 7 August, closed on 11 August (7 days after the push).
    a = walk(by[head.pk], cw, AlertState.JUDGED)
    m.start_temporary(a, user=cw, amount=Decimal("800"), on=dt.date(2025, 8, 7))
    m.close(a, user=cw, on=dt.date(2025, 8, 11))
    # An application whose approval enrolls the household in 低保 from 1 September.
    a = walk(by[spouse.pk], cw, AlertState.JUDGED)
    app = m.start_application(a, user=cw, authorisation_signed=True, on=dt.date(2025, 8, 7)).application
    Enrollment.objects.create(household=household_a, programme="dibao", start_date=dt.date(2025, 9, 1),
                              monthly_amount=Decimal("1200"), source="workflow",
                              source_key=f"asst:{app.number}:dibao:hh")
    Enrollment.objects.create(household=household_a, programme="dibao_edge", start_date=dt.date(2025, 9, 1),
                              monthly_amount=Decimal("0"), source="workflow", source_key="asst:SQ-OTHER:dibao_edge:hh")
    walk(by[child.pk], cw, AlertState.SIGNED)  # signed 4 August, verify by 13 August: overdue now
    # Another district: a false alarm, closed 14 August (10 days).
    a = walk(by[elsewhere.pk], cw_other, AlertState.JUDGED, finding=Finding.FALSE_ALARM)
    m.record_no_action(a, user=cw_other, reason="死亡信息有误", on=dt.date(2025, 8, 14))
    m.close(a, user=cw_other, on=dt.date(2025, 8, 14))
    # Key monitoring: one added in the period, one still on the list from June, one taken off in July.
    m.add_to_key_monitoring(user=cw, person=head, area_code=f.COMMUNITY_A, reason="大病", since=dt.date(2025, 8, 7))
    m.add_to_key_monitoring(user=cw, person=child, area_code=f.COMMUNITY_A, reason="失业", since=dt.date(2025, 6, 1),
                            interval_months=3)
    gone = m.add_to_key_monitoring(user=cw, person=spouse, area_code=f.COMMUNITY_A, reason="残疾",
                                   since=dt.date(2025, 6, 1))
    m.end_key_monitoring(gone, user=cw, reason="已纳入低保", on=dt.date(2025, 7, 15))
    m.escalate_overdue(on=dt.date(2025, 8, 6))  # only the high-age alert was not signed for: street
    return users


def test_city_numbers(seeded):
    d = dashboard(seeded["city"], start=START, end=END, today=TODAY)
    states = [s for s, _ in d["states"]]
    matrix = {label: dict(zip(states, counts, strict=True)) for label, counts, _ in d["by_scenario"]}
    assert {k: {s: n for s, n in v.items() if n} for k, v in matrix.items() if any(v.values())} == {
        "高龄津贴（政策找人）": {"pushed": 1},
        "在保对象死亡未停保": {"closed": 1},
        "财产收入变化（复核）": {"signed": 1},
        "困难风险（重点监测）": {"disposed": 1, "closed": 1},
    }
    assert [(label, total) for label, _, total in d["by_district"]] == [("和平区", 4), ("沈河区", 1)]
    assert (d["open"], d["overdue"], d["overdue_sign"], d["escalated_street"], d["escalated_district"]) == (
        3, 2, 1, 1, 0)
    assert (d["found"], d["found_find"], d["found_watch"]) == (5, 1, 4)
    assert (d["closed"], d["median_close_days"]) == (2, 8.5)
    assert d["into_care"] == {"care": 1, "dibao": 1, "by_programme": [("最低生活保障", 1)], "temporary": 1, "any": 2}
    assert (d["watch_on_list"], d["watch_added"], d["watch_due"]) == (2, 1, 1)
    assert [(b.label, b.total) for b in d["district_bars"]] == [("和平区", 4), ("沈河区", 1)]
    top = d["district_bars"][0]
    assert [(css, n, x, w) for css, n, x, w in top.parts] == [
        ("bar-new", 1, 0.0, 25.0), ("bar-work", 2, 25.0, 50.0), ("bar-closed", 1, 75.0, 25.0)]


def test_district_and_period_scope(seeded):
    d = dashboard(seeded["district"], start=START, end=END, today=TODAY)
    assert [(label, total) for label, _, total in d["by_district"]] == [("和平区", 4)]
    assert (d["found"], d["closed"], d["median_close_days"], d["into_care"]["any"]) == (4, 1, 7, 2)
    august = dashboard(seeded["city"], start=START, end=dt.date(2025, 8, 31), today=TODAY)
    assert (august["into_care"]["dibao"], august["into_care"]["temporary"], august["watch_on_list"]) == (0, 1, 2)
    september = dashboard(seeded["city"], start=dt.date(2025, 9, 1), end=END, today=TODAY)
    assert (september["found"], september["closed"], september["median_close_days"]) == (0, 0, None)
    assert september["into_care"]["dibao"] == 1
    assert dashboard(seeded["caseworker_b"], start=START, end=END, today=TODAY)["found"] == 0
