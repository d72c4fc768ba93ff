import datetime as dt

import pytest
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.authz.actions.login import LoginRefused, check_credentials, password_expired
from minzheng.authz.actions.users import (
    create_user,
    issue_token,
    revoke_token,
    set_password,
    unlock_user,
    user_for_token,
)
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.testing import factories as f


def test_success_resets_failures_and_audits(users) -> None:
    u = check_credentials(username="caseworker_a", password=f.PASSWORD, ip="127.0.0.1")
    assert u == users["caseworker_a"]
    ev = AuditEvent.objects.get(action="login")
    assert (ev.actor_username, ev.ip) == ("caseworker_a", "127.0.0.1")


def test_lockout_after_threshold_even_with_right_password(users, settings) -> None:
    settings.MINZHENG_LOCKOUT_THRESHOLD = 5
    for i in range(4):
        with pytest.raises(LoginRefused, match="用户名或密码错误"):
            check_credentials(username="caseworker_a", password=f"wrong{i}")
    users["caseworker_a"].refresh_from_db()
    assert users["caseworker_a"].failed_logins == 4
    assert users["caseworker_a"].locked_until is None
    with pytest.raises(LoginRefused):
        check_credentials(username="caseworker_a", password="wrong-again")
    users["caseworker_a"].refresh_from_db()
    assert users["caseworker_a"].locked_until is not None
    assert AuditEvent.objects.filter(action="locked", actor_username="caseworker_a").count() == 1
    with pytest.raises(LoginRefused, match="账户已锁定"):
        check_credentials(username="caseworker_a", password=f.PASSWORD)
    assert AuditEvent.objects.filter(action="login_failed").count() == 6
    unlock_user(actor=users["city"], user=users["caseworker_a"])
    assert check_credentials(username="caseworker_a", password=f.PASSWORD) == users["caseworker_a"]


def test_lock_expires(users, settings) -> None:
    u = users["caseworker_a"]
    u.locked_until = timezone.now() - dt.timedelta(seconds=1)
    u.save()
    assert check_credentials(username="caseworker_a", password=f.PASSWORD) == u


def test_unknown_user_gets_the_same_message(users) -> None:
    with pytest.raises(LoginRefused, match=r"^用户名或密码错误$"):
        check_credentials(username="nobody", password="x")
    assert AuditEvent.objects.get(action="login_failed").object_id == "nobody"


def test_password_rules(users) -> None:
    u = users["caseworker_a"]
    for weak in ("short1A!", "alllowercaseletters", "1234567890123", "Password123"):
        with pytest.raises(InvalidChange):
            set_password(actor=u, user=u, password=weak)
    set_password(actor=u, user=u, password="Shenyang#2025ok")
    assert u.check_password("Shenyang#2025ok")


def test_password_expiry(users, settings) -> None:
    u = users["caseworker_a"]
    settings.MINZHENG_PASSWORD_MAX_AGE_DAYS = 90
    u.password_changed_at = timezone.now() - dt.timedelta(days=91)
    assert password_expired(u)
    u.password_changed_at = timezone.now() - dt.timedelta(days=89)
    assert not password_expired(u)


def test_user_management_is_scoped(users) -> None:
    new = create_user(actor=users["city"], username="new_cw", password="Shenyang#2025ok",
                      role="community_worker", jurisdiction_code=f.COMMUNITY_A, full_name="新社工")
    assert (new.role, new.jurisdiction_id) == ("community_worker", f.COMMUNITY_A)
    assert AuditEvent.objects.get(action="create", object_type="authz.user").after["role"] == "community_worker"
    with pytest.raises(Forbidden):
        create_user(actor=users["district"], username="x", password="Shenyang#2025ok",
                    role="community_worker", jurisdiction_code=f.COMMUNITY_A)
    with pytest.raises(InvalidChange, match="角色"):
        create_user(actor=users["city"], username="y", password="Shenyang#2025ok", role="king",
                    jurisdiction_code=f.COMMUNITY_A)


def test_tokens(users) -> None:
    token, raw = issue_token(actor=users["city"], user=users["caseworker_a"], name="移动端")
    assert raw.startswith("mz_") and token.digest != raw
    assert user_for_token(raw) == users["caseworker_a"]
    assert user_for_token(raw + "x") is None
    revoke_token(actor=users["city"], token=token)
    assert user_for_token(raw) is None
    expired, raw2 = issue_token(actor=None, user=users["caseworker_b"], name="t", days=1)
    expired.expires_at = timezone.now() - dt.timedelta(seconds=1)
    expired.save()
    assert user_for_token(raw2) is None
    with pytest.raises(Forbidden):  # a caseworker cannot issue tokens for someone else
        issue_token(actor=users["caseworker_a"], user=users["caseworker_b"], name="x")


def test_admin_outside_jurisdiction_sees_nothing(users, tree) -> None:
    district_admin = f.make_user("city_admin", "210103000000", "admin_shenhe")
    with pytest.raises(NotFound):
        unlock_user(actor=district_admin, user=users["caseworker_a"])
