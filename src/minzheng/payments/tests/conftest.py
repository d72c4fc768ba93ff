"""Fixtures of the payments tests: a second district approver (the approver must be a third person).

The append-only triggers of migration 0002 need nothing here: the root conftest drops every SQLite
trigger around Django's flush and recreates it from ``sqlite_master``, whatever table it guards."""

from __future__ import annotations

import pytest

from minzheng.testing import factories as f


@pytest.fixture
def approver(users):
    return f.make_user("district_approver", f.DISTRICT_A, "district_head", full_name="区分管领导")
