"""The auditor's view of the audit log: scope, filters, masking, export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from minzheng.audit.log import record
from minzheng.audit.models import AuditEvent
from minzheng.authz.models import User
from minzheng.testing import factories as f
from minzheng.web.tests.support import sheet_rows, signed_in


def _event(actor: Any, action: str, area: str, summary: str, **extra: Any) -> AuditEvent:
    with transaction.atomic():
        return record(actor, action, object_type="core.household", object_id="7", area_code=area, summary=summary,
                      **extra)


def _summaries(response: Any) -> list[str]:
    return [r["ev"].summary for r in response.context["rows"]]


def test_scope_by_jurisdiction(users: dict[str, User]) -> None:
    _event(users["caseworker_a"], "update", f.COMMUNITY_A, "甲社区")
    _event(users["caseworker_b"], "update", f.COMMUNITY_B, "乙社区")
    _event(users["other_district"], "update", f.COMMUNITY_OTHER_DISTRICT, "沈河区")
    _event(None, "import", "", "系统导入")
    district_auditor = f.make_user("auditor", f.DISTRICT_A, "auditor_heping")
    assert _summaries(signed_in(users["auditor"]).get("/audit/")) == ["系统导入", "沈河区", "乙社区", "甲社区"]
    assert _summaries(signed_in(district_auditor).get("/audit/")) == ["乙社区", "甲社区"]
    assert _summaries(signed_in(users["city"]).get("/audit/")) == ["系统导入", "沈河区", "乙社区", "甲社区"]
    for who in ["caseworker_a", "street", "district", "provider", "operator"]:
        assert signed_in(users[who]).get("/audit/").status_code == 403


def test_filters(users: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    # Two events either side of midnight in Shanghai (UTC+8): 15:30 and 16:30 UTC on 2 January.
    for hour, summary in ((15, "一月二日深夜"), (16, "一月三日凌晨")):
        at = dt.datetime(2025, 1, 2, hour, 30, tzinfo=dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda at=at: at)
        _event(users["caseworker_a"], "update", f.COMMUNITY_A, summary)
    monkeypatch.undo()
    _event(users["caseworker_a"], "view_sensitive", f.COMMUNITY_A, "查看号码")
    _event(users["street"], "export", f.COMMUNITY_A, "导出")
    client = signed_in(users["auditor"])
    assert _summaries(client.get("/audit/", {"user": "caseworker_a"})) == ["查看号码", "一月三日凌晨", "一月二日深夜"]
    assert _summaries(client.get("/audit/", {"action": "export"})) == ["导出"]
    # Dates are whole days in Asia/Shanghai.
    assert _summaries(client.get("/audit/", {"date_from": "2025-01-02", "date_to": "2025-01-02"})) == ["一月二日深夜"]
    assert _summaries(client.get("/audit/", {"date_from": "2025-01-03", "date_to": "2025-01-03"})) == ["一月三日凌晨"]
    assert _summaries(client.get("/audit/", {"date_to": "2025-01-01"})) == []
    today = timezone.localdate().isoformat()
    assert _summaries(client.get("/audit/", {"date_from": today})) == ["导出", "查看号码"]
    assert _summaries(client.get("/audit/", {"object_type": "core.person"})) == []
    assert len(_summaries(client.get("/audit/", {"object_type": "core.household", "object_id": "7"}))) == 4
    bad = client.get("/audit/", {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert bad.context["form"].errors == {"date_to": ["结束日期早于开始日期"]}
    times = [r["ev"].at for r in client.get("/audit/", {"date_to": "2025-01-03"}).context["rows"]]
    html = client.get("/audit/", {"date_to": "2025-01-03"}).content.decode()
    assert len(times) == 2 and "2025-01-03 00:30:00" in html and "2025-01-02 23:30:00" in html


def test_id_numbers_and_phones_are_masked_on_screen(users: dict[str, User]) -> None:
    _event(users["caseworker_a"], "update", f.COMMUNITY_A, "核对 21010219700501003X",
           before={"phone": "13812345678", "members": [{"id_number": "210102197005010011"}]},
           after={"phone": "13900001111"}, reason="身份证 210102197005010011")
    html = signed_in(users["auditor"]).get("/audit/").content.decode()
    for raw in ["21010219700501003X", "210102197005010011", "13812345678", "13900001111"]:
        assert raw not in html
    assert "2101**********003X" in html
    assert "2101**********0011" in html
    assert "138****5678" in html and "139****1111" in html


def test_pagination(users: dict[str, User]) -> None:
    for i in range(55):
        _event(users["caseworker_a"], "update", f.COMMUNITY_A, f"事件{i}")
    client = signed_in(users["auditor"])
    assert len(client.get("/audit/").context["rows"]) == 50
    assert _summaries(client.get("/audit/", {"page": 2})) == [f"事件{i}" for i in range(4, -1, -1)]


def test_export_is_masked_and_audited(users: dict[str, User]) -> None:
    _event(users["caseworker_a"], "update", f.COMMUNITY_A, "核对 21010219700501003X",
           before={"phone": "13812345678"}, after={"phone": "13900001111"})
    _event(users["other_district"], "update", f.COMMUNITY_OTHER_DISTRICT, "沈河区")
    district_auditor = f.make_user("auditor", f.DISTRICT_A, "auditor_heping")
    response = signed_in(district_auditor).get("/audit/export.xlsx", {"action": "update"})
    rows = sheet_rows(response.content)
    assert rows[0][:4] == ("时间", "操作人", "角色", "动作")
    assert len(rows) == 2
    assert rows[1][1:10] == ("caseworker_a", "社区工作人员", "修改", "core.household", "7", f.COMMUNITY_A,
                             "核对 2101**********003X", "联系电话: 138****5678", "联系电话: 139****1111")[:9]
    assert isinstance(rows[1][0], dt.datetime)
    ev = AuditEvent.objects.get(action="export")
    assert (ev.actor_username, ev.object_type, ev.area_code, ev.after) == (
        "auditor_heping", "audit.auditevent", f.DISTRICT_A, {"filter": {"action": "update"}, "rows": 1})
