"""User management for city administrators (and nobody else)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.authz.models import APIToken, User
from minzheng.authz.models.tokens import hash_token
from minzheng.testing import factories as f
from minzheng.web.tests.support import signed_in

NEW_PASSWORD = "Shenyang-Welcome-2026!"


def test_admin_lists_users_in_the_jurisdiction(users: dict[str, User]) -> None:
    response = signed_in(users["city"]).get("/users/")
    assert [u.username for u in response.context["page"].object_list] == sorted(u.username for u in users.values())
    caseworkers = signed_in(users["city"]).get("/users/", {"role": "community_worker"})
    assert [u.username for u in caseworkers.context["page"].object_list] == ["caseworker_a", "caseworker_b"]
    found = signed_in(users["city"]).get("/users/", {"q": "社区甲"})
    assert [u.username for u in found.context["page"].object_list] == ["caseworker_a"]


def test_admin_creates_a_user_with_role_and_jurisdiction(users: dict[str, User]) -> None:
    client = signed_in(users["city"])
    form = client.get("/users/new/").context["form"]
    choices = dict(form.fields["jurisdiction"].choices)
    assert choices[f.COMMUNITY_A] == "\u3000\u3000\u3000集贤社区（210102001001）"
    assert choices[f.CITY] == "沈阳市（210100000000）"
    response = client.post("/users/new/", {
        "username": "wang_sg", "full_name": "王社工", "phone": "13700001111", "role": "community_worker",
        "jurisdiction": f.COMMUNITY_B, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    user = User.objects.get(username="wang_sg")
    assert (response.status_code, response["Location"]) == (302, f"/users/{user.pk}/")
    assert (user.role, user.jurisdiction_id, user.full_name, user.is_active) == (
        "community_worker", f.COMMUNITY_B, "王社工", True)
    assert user.check_password(NEW_PASSWORD)
    ev = AuditEvent.objects.get(action="create", object_type="authz.user")
    assert (ev.actor_username, ev.area_code, ev.summary) == ("city_admin", f.COMMUNITY_B, "新建用户 wang_sg")
    # The new user can sign in.
    assert Client().post("/login/", {"username": "wang_sg", "password": NEW_PASSWORD}).status_code == 302


def test_create_refusals(users: dict[str, User]) -> None:
    client = signed_in(users["city"])
    base = {"username": "caseworker_a", "full_name": "重复", "role": "auditor", "jurisdiction": f.CITY,
            "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post("/users/new/", base).context["form"].non_field_errors() == ["用户名已存在"]
    weak = client.post("/users/new/", base | {"username": "x1", "password1": "abcdefghij", "password2": "abcdefghij"})
    assert "密码须至少包含小写字母、大写字母、数字、符号中的三类。" in weak.content.decode()
    mismatch = client.post("/users/new/", base | {"username": "x2", "password2": "other"})
    assert mismatch.context["form"].errors == {"password2": ["两次输入的密码不一致"]}
    assert User.objects.filter(username__in=["x1", "x2"]).count() == 0


def test_admin_edits_role_jurisdiction_and_active(users: dict[str, User]) -> None:
    target = users["caseworker_a"]
    response = signed_in(users["city"]).post(f"/users/{target.pk}/edit/", {
        "full_name": "社区甲", "phone": "", "role": "street_reviewer", "jurisdiction": f.STREET_A,
        "is_active": "", "reason": "调岗"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.role, target.jurisdiction_id, target.is_active) == ("street_reviewer", f.STREET_A, False)
    ev = AuditEvent.objects.get(action="update", object_type="authz.user")
    assert ev.before == {"is_active": True, "jurisdiction_id": f.COMMUNITY_A, "role": "community_worker"}
    assert ev.reason == "调岗"


def test_admin_cannot_lock_themselves_out(users: dict[str, User]) -> None:
    me = users["city"]
    response = signed_in(me).post(f"/users/{me.pk}/edit/", {
        "full_name": "x", "role": "auditor", "jurisdiction": f.CITY, "is_active": "on"})
    assert response.context["form"].non_field_errors() == ["不能停用自己的账户，也不能修改自己的角色或管辖范围。"]


def test_reset_password_and_unlock(users: dict[str, User]) -> None:
    target = users["caseworker_a"]
    User.objects.filter(pk=target.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=10), failed_logins=0)
    client = signed_in(users["city"])
    assert "解除锁定" in client.get(f"/users/{target.pk}/").content.decode()
    assert client.post(f"/users/{target.pk}/unlock/").status_code == 302
    target.refresh_from_db()
    assert target.locked_until is None
    response = client.post(f"/users/{target.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)
    assert list(AuditEvent.objects.filter(object_type="authz.user").order_by("id").values_list("summary", flat=True)) \
        == ["解锁用户 caseworker_a", "修改密码 caseworker_a"]


def test_issue_token_shows_the_raw_value_once(users: dict[str, User]) -> None:
    target = users["operator"]
    client = signed_in(users["city"])
    response = client.post(f"/users/{target.pk}/token/", {"name": "数据交换", "days": 30})
    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw.startswith("mz_") and raw in response.content.decode()
    assert response["Cache-Control"] == "no-store, private"
    token = APIToken.objects.get(user=target)
    assert (token.name, token.digest) == ("数据交换", hash_token(raw))
    detail = client.get(f"/users/{target.pk}/").content.decode()
    assert raw not in detail and f"mz_{token.prefix}…" in detail
    assert AuditEvent.objects.filter(object_type="authz.apitoken", action="create").count() == 1


@pytest.mark.parametrize("who", ["caseworker_a", "street", "district", "auditor", "provider", "operator"])
def test_non_admins_get_403(users: dict[str, User], who: str) -> None:
    client = signed_in(users[who])
    target = users["caseworker_b"]
    for url in ["/users/", "/users/new/", f"/users/{target.pk}/", f"/users/{target.pk}/edit/",
                f"/users/{target.pk}/password/", f"/users/{target.pk}/token/"]:
        assert client.get(url).status_code == 403
    assert client.post(f"/users/{target.pk}/unlock/").status_code == 403
    assert client.post("/users/new/", {"username": "x", "role": "city_admin", "jurisdiction": f.CITY,
                                       "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_an_admin_below_the_city_sees_only_their_part(users: dict[str, User]) -> None:
    district_admin = f.make_user("city_admin", f.DISTRICT_A, "admin_heping")
    client = signed_in(district_admin)
    listed = {u.username for u in client.get("/users/").context["page"].object_list}
    assert listed == {"caseworker_a", "caseworker_b", "street_a", "district_a", "provider", "admin_heping"}
    assert client.get(f"/users/{users['other_district'].pk}/").status_code == 404
    assert client.get(f"/users/{users['city'].pk}/edit/").status_code == 404
    outside = client.post("/users/new/", {
        "username": "x", "full_name": "x", "role": "community_worker", "jurisdiction": f.COMMUNITY_OTHER_DISTRICT,
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert "jurisdiction" in outside.context["form"].errors  # not offered, so not accepted
