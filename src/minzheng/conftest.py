"""Shared pytest fixtures: the area tree, one user per role and jurisdiction, households."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest

from minzheng.testing import factories as f


@pytest.fixture(autouse=True, scope="session")
def _flush_steps_around_audit_triggers() -> Iterator[None]:
    """Let Django's test flush empty the append-only audit table on SQLite.

    After a transactional (live-server, browser) test Django flushes every table; PostgreSQL does it with
    TRUNCATE, which row triggers do not see, but SQLite uses DELETE, which the append-only triggers of
    audit migration 0003 refuse. For the flush alone the triggers are dropped and put back at once, by
    the migration's own code, so every test still runs against them.
    """
    from django.core.management.commands import flush
    from django.db import DEFAULT_DB_ALIAS, connections

    triggers = importlib.import_module("minzheng.audit.migrations.0003_append_only_trigger")
    original = flush.Command.handle

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        conn = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if conn.vendor != "sqlite":
            return original(self, *args, **options)
        with conn.schema_editor() as editor:
            triggers.backwards(None, editor)
        try:
            return original(self, *args, **options)
        finally:
            with conn.schema_editor() as editor:
                triggers.forwards(None, editor)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 at production strength costs ~0.3 s a user; tests that are not about hashing use MD5."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):
    return f.build_tree()


@pytest.fixture
def users(tree):
    """One user per role; caseworker_a in community A, caseworker_b in community B, etc."""
    return {
        "caseworker_a": f.make_user("community_worker", f.COMMUNITY_A, "caseworker_a", full_name="社区甲"),
        "caseworker_b": f.make_user("community_worker", f.COMMUNITY_B, "caseworker_b", full_name="社区乙"),
        "street": f.make_user("street_reviewer", f.STREET_A, "street_a", full_name="街道审核"),
        "district": f.make_user("district_approver", f.DISTRICT_A, "district_a", full_name="区审批"),
        "other_district": f.make_user("district_approver", "210103000000", "district_b"),
        "city": f.make_user("city_admin", f.CITY, "city_admin", full_name="市管理员"),
        "auditor": f.make_user("auditor", f.CITY, "auditor", full_name="审计"),
        "provider": f.make_user("service_provider", f.COMMUNITY_A, "provider"),
        "operator": f.make_user("data_operator", f.CITY, "operator"),
    }


@pytest.fixture
def household_a(tree):
    return f.make_household(f.COMMUNITY_A, members=3)


@pytest.fixture
def household_b(tree):
    return f.make_household(f.COMMUNITY_B, members=2)
