"""Fixtures of the institutions tests: the seeded standard and checklist, institutions on the test tree,
a member (institution staff) account, and helpers to fill a checklist."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.institutions import actions as act
from minzheng.institutions.defaults import ensure_defaults
from minzheng.institutions.models import ChecklistVersion, Institution
from minzheng.testing import factories as f

D = dt.date
INSPECTED = D(2025, 9, 10)


@pytest.fixture
def defaults(db: Any) -> None:
    ensure_defaults()  # a transactional test elsewhere may have flushed what the data migration seeded


def make_institution(name: str, area: str = f.COMMUNITY_A, *, kind: str = "public", **extra: Any) -> Institution:
    extra.setdefault("contact_name", "张院长")
    extra.setdefault("contact_phone", "13812345678")
    return act.register_institution(user=None, name=name, kind=kind, area_code=area, beds=extra.pop("beds", 80),
                                    **extra)


@pytest.fixture
def homes(tree: Any, defaults: None) -> dict[str, Institution]:
    """Two institutions in district 210102 (a community and a street), one in 210103, one closed in 210102."""
    return {
        "a": make_institution("集贤社区养老院", f.COMMUNITY_A, filing_no="民养备2101020001"),
        "street": make_institution("南市场街道敬老院", f.STREET_A, kind="private", filing_no="民养备2101020002"),
        "other": make_institution("大西街道颐养中心", f.COMMUNITY_OTHER_DISTRICT, kind="public_private"),
        "closed": make_institution("已停业老年公寓", f.COMMUNITY_B, kind="private", status="closed"),
    }


@pytest.fixture
def member(users: dict[str, Any], homes: dict[str, Institution]) -> Any:
    """The ``provider`` user, linked to institution "a" as its staff."""
    act.link_member(user=users["district"], institution=homes["a"], member=users["provider"], title="安全员")
    return users["provider"]


def checklist() -> ChecklistVersion:
    return ChecklistVersion.objects.filter(code="elder-safety").order_by("version").first()  # type: ignore[return-value]


def results(version: ChecklistVersion | None = None, **fails: str) -> dict[str, tuple[str, str]]:
    """Every item passed, except the codes given (failed, with the note given)."""
    version = version or checklist()
    return {it.code: ("fail", fails[it.code]) if it.code in fails else ("pass", "") for it in version.items.all()}


def inspect(user: Any, institution: Institution, *, on: dt.date = INSPECTED, owner: str = "",
            **fails: str) -> Any:
    return act.record_inspection(user=user, institution=institution, inspected_on=on, inspectors="李明、王芳",
                                 results=results(**fails), owner_name=owner)
