"""Sign-in (lockout, audit), sign-out, own password, session expiry, language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.authz.models import User
from minzheng.testing import factories as f
from minzheng.web.tests.support import signed_in


def _login(client: Client, username: str, password: str, **extra: str) -> Any:
    return client.post("/login/", {"username": username, "password": password, **extra})


def test_sign_in_success_goes_home_and_is_audited(users: dict[str, User]) -> None:
    client = Client()
    response = _login(client, "caseworker_a", f.PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session["_auth_user_id"] == str(users["caseworker_a"].pk)
    ev = AuditEvent.objects.get(action="login")
    assert (ev.actor_username, ev.summary, ev.ip) == ("caseworker_a", "登录成功", "127.0.0.1")
    home = client.get("/")
    assert home.status_code == 200
    assert "您好，社区甲" in home.content.decode()


def test_sign_in_follows_a_local_next_only(users: dict[str, User]) -> None:
    response = _login(Client(), "caseworker_a", f.PASSWORD, next="/households/")
    assert response["Location"] == "/households/"
    response = _login(Client(), "caseworker_a", f.PASSWORD, next="https://evil.example/")
    assert response["Location"] == "/"


def test_wrong_password_shows_the_generic_message(users: dict[str, User]) -> None:
    client = Client()
    response = _login(client, "caseworker_a", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session
    users["caseworker_a"].refresh_from_db()
    assert users["caseworker_a"].failed_logins == 1
    unknown = _login(Client(), "nobody", "wrong-password")
    assert "用户名或密码错误" in unknown.content.decode()


def test_lockout_after_threshold_even_with_the_right_password(users: dict[str, User]) -> None:
    threshold = settings.MINZHENG_LOCKOUT_THRESHOLD
    assert threshold == 5
    client = Client()
    for _ in range(threshold):
        assert "用户名或密码错误" in _login(client, "caseworker_a", "wrong-password").content.decode()
    response = _login(client, "caseworker_a", f.PASSWORD)
    assert response.status_code == 200
    assert "账户已锁定，请 15 分钟后再试或联系管理员" in response.content.decode()
    assert "_auth_user_id" not in client.session
    user = User.objects.get(username="caseworker_a")
    assert user.locked_until is not None and user.locked_until > timezone.now()
    locked = AuditEvent.objects.filter(action="locked", actor_username="caseworker_a")
    assert [e.summary.split("，")[0] for e in locked] == [f"连续 {threshold} 次登录失败"]
    assert AuditEvent.objects.filter(action="login_failed", actor_username="caseworker_a").count() == threshold + 1
    assert not AuditEvent.objects.filter(action="login").exists()


def test_session_ends_after_30_idle_minutes_and_with_the_browser(users: dict[str, User]) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    client = Client()
    response = _login(client, "caseworker_a", f.PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["max-age"], cookie["expires"]) == ("", "")  # a browser-session cookie
    assert client.session.get_expire_at_browser_close() is True
    assert client.session.get_expiry_age() == 1800


def test_sign_out_is_a_post_and_is_audited(users: dict[str, User]) -> None:
    client = signed_in(users["caseworker_a"])
    assert client.get("/logout/").status_code == 200  # a confirmation page; GET changes nothing
    assert "_auth_user_id" in client.session
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="logout", actor_username="caseworker_a").count() == 1
    assert client.get("/households/")["Location"] == "/login/?next=/households/"


def test_change_own_password(users: dict[str, User]) -> None:
    user = users["caseworker_a"]
    client = signed_in(user)
    wrong = client.post("/password/", {"old_password": "nope", "new_password1": "Shenyang-2026-new!",
                                       "new_password2": "Shenyang-2026-new!"})
    assert "当前密码不正确" in wrong.content.decode()
    weak = client.post("/password/", {"old_password": f.PASSWORD, "new_password1": "abcdefghij",
                                      "new_password2": "abcdefghij"})
    assert "密码须至少包含小写字母、大写字母、数字、符号中的三类。" in weak.content.decode()
    response = client.post("/password/", {"old_password": f.PASSWORD, "new_password1": "Shenyang-2026-new!",
                                          "new_password2": "Shenyang-2026-new!"})
    assert (response.status_code, response["Location"]) == (302, "/")
    user.refresh_from_db()
    assert user.check_password("Shenyang-2026-new!")
    assert client.get("/").status_code == 200  # still signed in (session hash updated)
    ev = AuditEvent.objects.get(action="update", object_type="authz.user")
    assert (ev.actor_username, ev.summary) == ("caseworker_a", "修改密码 caseworker_a")


def test_an_expired_password_sends_the_user_to_change_it(users: dict[str, User]) -> None:
    user = users["caseworker_a"]
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client = signed_in(user)
    assert client.get("/households/")["Location"] == "/password/"
    page = client.get("/password/")
    assert "您的密码已超过规定期限未修改，请先修改密码。" in page.content.decode()


@pytest.mark.parametrize(
    ("who", "menu"),
    [
        ("caseworker_a", ["首页", "家庭档案"]),
        ("street", ["首页", "家庭档案"]),
        ("auditor", ["首页", "家庭档案", "审计日志"]),
        ("city", ["首页", "家庭档案", "审计日志", "用户管理"]),
        ("provider", ["首页"]),
        ("operator", ["首页"]),
    ],
)
def test_menu_by_role(users: dict[str, User], who: str, menu: list[str]) -> None:
    response = signed_in(users[who]).get("/")
    labels = [str(item["label"]) for item in response.context["nav_items"]]
    assert labels[: len(menu)] == menu  # the shell's entries; the apps' entries follow (test_app_menus)
    assert next(item["active"] for item in response.context["nav_items"]) is True


def test_english_through_set_language(users: dict[str, User]) -> None:
    client = signed_in(users["caseworker_a"])
    assert "家庭档案" in client.get("/households/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/households/"})
    assert response["Location"] == "/households/"
    page = client.get("/households/").content.decode()
    assert '<html lang="en">' in page
    assert "Household records" in page
    assert "Export to Excel" in page
    assert "Community caseworker" in client.get("/").content.decode()
    english_cookie = Client()
    english_cookie.cookies["django_language"] = "en"
    assert "Civil Affairs Platform" in english_cookie.get("/login/").content.decode()
    # an English browser without the switcher's cookie still gets Chinese
    assert "民政业务平台" in Client(HTTP_ACCEPT_LANGUAGE="en").get("/login/").content.decode()


def test_chinese_by_default_even_for_an_english_browser(client) -> None:
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert page.headers["Content-Language"] == "zh-hans"
    assert "登录" in page.content.decode()
    client.cookies["django_language"] = "en"
    assert client.get("/login/").headers["Content-Language"] == "en"
