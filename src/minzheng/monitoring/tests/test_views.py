"""The pages: jurisdiction (another community's alert is a 404), the steps a role sees, masked lists and
exports, the step and disposition forms, and the query count of the inbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from minzheng.audit.models import AuditEvent
from minzheng.monitoring.choices import AlertState
from minzheng.monitoring.models import Alert
from minzheng.monitoring.tests.support import member, pushed, row, run, walk
from minzheng.testing import factories as f
from minzheng.web.tests.support import sheet_rows, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(users, household_a):
    return pushed(member(household_a), household=household_a,
                  evidence={"self_paid_12m": "23500.00", "rows": [
                      {"feed": "medical_claims", "id_number": member(household_a).id_number, "phone": "13912345678",
                       "self_paid": "23500.00"}]})


def test_another_community_sees_nothing_of_the_alert(users, alert):
    client = signed_in(users["caseworker_b"])
    detail = reverse("monitoring:alert_detail", args=[alert.pk])
    assert client.get(detail).status_code == 404
    for action in ("sign_for", "judge", "close"):
        assert client.post(reverse("monitoring:alert_act", args=[alert.pk, action]), {}).status_code == 404
    assert client.post(reverse("monitoring:alert_dispose", args=[alert.pk, "no_action"]),
                       {"no_action-reason": "x"}).status_code == 404
    assert client.post(reverse("monitoring:alert_watch", args=[alert.pk]), {"watch-reason": "x"}).status_code == 404
    assert alert.number not in client.get(reverse("monitoring:inbox") + "?state=all").content.decode()
    alert.refresh_from_db()
    assert alert.state == AlertState.PUSHED
    assert signed_in(users["other_district"]).get(detail).status_code == 404
    assert signed_in(users["provider"]).get(detail).status_code == 403


def test_the_community_signs_for_from_the_page(users, alert):
    client = signed_in(users["caseworker_a"])
    detail = reverse("monitoring:alert_detail", args=[alert.pk])
    page = client.get(detail).content.decode()
    assert 'data-step="sign_for"' in page and 'data-step="judge"' not in page
    full = member(alert.household).id_number
    assert full not in page and "13912345678" not in page and "139****5678" in page  # evidence masked
    response = client.post(reverse("monitoring:alert_act", args=[alert.pk, "sign_for"]),
                           {"sign_for-on": "2025-08-05", "sign_for-note": ""})
    assert response.status_code == 302 and response["Location"] == detail
    alert.refresh_from_db()
    assert (alert.state, alert.signed_on) == (AlertState.SIGNED, dt.date(2025, 8, 5))
    # The same step again is not in the table: an error on the page, nothing changed.
    again = client.post(reverse("monitoring:alert_act", args=[alert.pk, "sign_for"]), {"sign_for-on": "2025-08-05"})
    assert again.status_code == 400 and "不能执行" in again.content.decode()


def test_the_street_sees_but_acts_only_after_escalation(users, alert):
    street = signed_in(users["street"])
    detail = reverse("monitoring:alert_detail", args=[alert.pk])
    assert 'data-step="sign_for"' not in street.get(detail).content.decode()
    denied = street.post(reverse("monitoring:alert_act", args=[alert.pk, "sign_for"]), {})
    assert denied.status_code == 403
    inbox = street.get(reverse("monitoring:inbox")).content.decode()  # opens on what was escalated to it
    assert alert.number not in inbox
    from minzheng.monitoring import actions as m

    m.escalate_overdue(on=dt.date(2025, 8, 6))
    assert alert.number in street.get(reverse("monitoring:inbox")).content.decode()
    assert 'data-step="sign_for"' in street.get(detail).content.decode()


def test_judging_and_disposing_through_the_forms(users, alert):
    cw = users["caseworker_a"]
    client = signed_in(cw)
    walk(alert, cw, AlertState.VERIFYING)
    bad = client.post(reverse("monitoring:alert_act", args=[alert.pk, "judge"]), {"judge-finding": "real_hardship"})
    assert bad.status_code == 400
    ok = client.post(reverse("monitoring:alert_act", args=[alert.pk, "judge"]), {
        "judge-finding": "false_alarm", "judge-method": "phone", "judge-note": "电话核实，医保重复结算",
        "judge-on": "2025-08-07"})
    assert ok.status_code == 302
    page = client.get(reverse("monitoring:alert_detail", args=[alert.pk])).content.decode()
    assert 'data-step="dispose-no_action"' in page and 'data-step="dispose-temporary"' not in page
    refused = client.post(reverse("monitoring:alert_dispose", args=[alert.pk, "temporary"]),
                          {"temporary-amount": "100", "temporary-on": "2025-08-07"})
    assert refused.status_code == 400 and "不能" in refused.content.decode()
    done = client.post(reverse("monitoring:alert_dispose", args=[alert.pk, "no_action"]),
                       {"no_action-reason": "误报，无需处置", "no_action-on": "2025-08-07"})
    assert done.status_code == 302
    closed = client.post(reverse("monitoring:alert_act", args=[alert.pk, "close"]), {"close-on": "2025-08-08"})
    assert closed.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED
    page = client.get(reverse("monitoring:alert_detail", args=[alert.pk])).content.decode()
    assert "已销号" in page and 'data-event="close"' in page and "误报，无需处置" in page


def test_inbox_filters_and_masked_export(users, alert, household_a):
    run([row(member(household_a, "配偶"), scenario="MON_DECEASED", household=household_a)])
    client = signed_in(users["caseworker_a"])
    inbox = reverse("monitoring:inbox")
    page = client.get(inbox).content.decode()
    assert alert.number in page and "共 2 条" in page
    assert member(household_a).id_number not in page
    assert "共 1 条" in client.get(inbox + "?scenario=MON_DECEASED").content.decode()
    assert "共 1 条" in client.get(inbox + f"?q={member(household_a).id_number}").content.decode()
    assert "共 0 条" in client.get(inbox + "?state=closed").content.decode()
    response = client.get(reverse("monitoring:export") + "?state=open&scenario=MON_HARDSHIP_RISK")
    rows = sheet_rows(response.content)
    assert rows[0][:4] == ("预警编号", "场景", "姓名", "身份证号") and len(rows) == 2
    assert rows[1][0] == alert.number and rows[1][3] == f"{member(household_a).id_number[:4]}**********" \
        f"{member(household_a).id_number[-4:]}"
    assert member(household_a).id_number not in str(rows) and "13912345678" not in str(rows)
    exported = AuditEvent.objects.get(action="export", object_type="monitoring.alert")
    assert exported.actor == users["caseworker_a"] and exported.after["rows"] == 1


def test_inbox_query_count_does_not_grow_with_alerts(users, household_a, django_assert_max_num_queries):
    run([row(member(household_a, rel), scenario=s) for rel in ("户主", "配偶", "子")
         for s in ("MON_HARDSHIP_RISK", "MON_ASSET_INCOME")])
    assert Alert.objects.count() == 6
    client = signed_in(users["caseworker_a"])
    client.get(reverse("monitoring:inbox"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("monitoring:inbox")).status_code == 200


def test_key_monitoring_from_the_alert_page(users, alert):
    cw = users["caseworker_a"]
    client = signed_in(cw)
    walk(alert, cw, AlertState.SIGNED)
    response = client.post(reverse("monitoring:alert_watch", args=[alert.pk]),
                           {"watch-reason": "大病支出，重点关注", "watch-interval_months": "1"})
    assert response.status_code == 302
    entry = alert.watch_entries.get()
    page = client.get(reverse("monitoring:watch_list")).content.decode()
    assert alert.person.name in page and alert.person.id_number not in page
    visit = client.post(reverse("monitoring:watch_act", args=[entry.pk, "revisit"]),
                        {"revisit-note": "上门回访，病情稳定", "revisit-visited_on": entry.next_revisit.isoformat()})
    assert visit.status_code == 302
    entry.refresh_from_db()
    assert entry.visits == 1
    assert signed_in(users["caseworker_b"]).get(reverse("monitoring:watch_detail", args=[entry.pk])).status_code == 404


def test_dashboard_and_menu_pages_render(users, alert):
    client = signed_in(users["district"])
    page = client.get(reverse("monitoring:dashboard") + "?start=2025-08-01&end=2025-08-31").content.decode()
    assert "监测看板" in page and "<svg" in page and 'data-stat="found"' in page
    assert client.get(reverse("monitoring:dashboard")).status_code == 200
    assert signed_in(users["auditor"]).get(reverse("monitoring:inbox")).status_code == 200
    assert signed_in(users["operator"]).get(reverse("monitoring:inbox")).status_code == 403
    assert signed_in(users["city"]).get(reverse("monitoring:alert_detail", args=[alert.pk])).status_code == 200
    assert alert.area_id == f.COMMUNITY_A
