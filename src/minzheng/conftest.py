"""Shared pytest fixtures: the area tree, one user per role and jurisdiction, households."""

from __future__ import annotations

import pytest

from minzheng.testing import factories as f


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):  # noqa: ANN001
    """PBKDF2 at production strength costs ~0.3 s a user; tests that are not about hashing use MD5."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):  # noqa: ANN001
    return f.build_tree()


@pytest.fixture
def users(tree):  # noqa: ANN001
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
def household_a(tree):  # noqa: ANN001
    return f.make_household(f.COMMUNITY_A, members=3)


@pytest.fixture
def household_b(tree):  # noqa: ANN001
    return f.make_household(f.COMMUNITY_B, members=2)
