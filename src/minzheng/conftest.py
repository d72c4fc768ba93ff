"""Shared pytest fixtures: the area tree, one user per role and jurisdiction, households; a headless chromium
(``browser``, from minzheng.testing.browser) for the browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from minzheng.testing import factories as f
from minzheng.testing.browser import browser  # noqa: F401  (the browser tests' fixture, for every app)


@pytest.fixture(autouse=True, scope="session")
def _flush_steps_around_append_only_triggers() -> Iterator[None]:
    """Let Django's test flush empty append-only tables (audit events, the payment ledger) on SQLite,
    and keep it from re-running post_migrate.

    After a transactional (live-server, browser) test Django flushes every table; PostgreSQL does it with
    TRUNCATE, which row triggers do not see, but SQLite uses DELETE, which the append-only triggers
    refuse. For the flush alone every trigger is dropped and then recreated from its own stored SQL, so
    every test still runs against them.
    """
    from django.core.management.commands import flush
    from django.db import DEFAULT_DB_ALIAS, connections

    original = flush.Command.handle

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        # No post_migrate after a test flush: it would recreate content types that a following
        # serialized_rollback test then restores again (a unique-constraint error). Minzheng uses no Django
        # permissions, and content types are created lazily when looked up.
        options["inhibit_post_migrate"] = True
        conn = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if conn.vendor != "sqlite":
            return original(self, *args, **options)
        with conn.cursor() as cur:
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cur.fetchall()
            for name, _sql in triggers:
                cur.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        try:
            return original(self, *args, **options)
        finally:
            with conn.cursor() as cur:
                for _name, sql in triggers:
                    cur.execute(sql)

    setattr(flush.Command, "handle", handle)  # noqa: B010  (a test-only patch of a method)
    yield
    setattr(flush.Command, "handle", original)  # noqa: B010


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


_DB_FIXTURES = frozenset(
    {"db", "transactional_db", "live_server", "client", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With MINZHENG_TEST_DB_ONLY=1 (the second, PostgreSQL pass of scripts/test.sh) keep only the tests
    that touch the database: the others (rules, synthetic city, ID numbers, engines) already ran once."""
    import os

    if os.environ.get("MINZHENG_TEST_DB_ONLY") != "1":
        return
    keep: list[pytest.Item] = []
    skip: list[pytest.Item] = []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            _DB_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (keep if uses_db else skip).append(item)
    if skip:
        config.hook.pytest_deselected(items=skip)
        items[:] = keep
