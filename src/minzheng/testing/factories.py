"""Test data builders shared by every app's tests (real rows in the real database, no mocks)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from minzheng.authz.models import User
from minzheng.core.idnumber import make
from minzheng.core.models import Area, Household, HouseholdMember, Person
from minzheng.core.shenyang import seed_top

PASSWORD = "Minzheng-Test-2025!"

# A small tree: two communities in one street of 和平区, one community in 沈河区.
TREE = [
    ("210102001000", "南市场街道", "street", "210102000000"),
    ("210102001001", "集贤社区", "community", "210102001000"),
    ("210102001002", "文安社区", "community", "210102001000"),
    ("210103001000", "大西街道", "street", "210103000000"),
    ("210103001001", "北顺城社区", "community", "210103001000"),
]
COMMUNITY_A = "210102001001"
COMMUNITY_B = "210102001002"
STREET_A = "210102001000"
DISTRICT_A = "210102000000"
COMMUNITY_OTHER_DISTRICT = "210103001001"
CITY = "210100000000"

_seq = itertools.count(1)


def build_tree() -> dict[str, Area]:
    seed_top(Area)  # a transactional test's flush removes what the data migration seeded
    for code, name, level, parent in TREE:
        Area.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})
    return {a.code: a for a in Area.objects.all()}


def make_user(role: str, area_code: str, username: str | None = None, **extra: Any) -> User:
    user = User(username=username or f"{role}_{next(_seq)}", role=role, jurisdiction_id=area_code, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def new_id(birth: dt.date, *, female: bool = False, area6: str = "210102") -> str:
    n = next(_seq) % 500
    return make(area6, birth, n * 2 + (0 if female else 1))


def make_person(name: str, birth: dt.date, *, female: bool = False, area_code: str = COMMUNITY_A,
                **extra: Any) -> Person:
    idn = new_id(birth, female=female)
    return Person.objects.create(
        id_number=idn, name=name, sex="F" if female else "M", birth_date=birth, area_id=area_code, **extra
    )


def make_household(area_code: str = COMMUNITY_A, *, members: int = 3, no: str | None = None,
                   start: dt.date = dt.date(2020, 1, 1)) -> Household:
    """A household with a head, a spouse and children (members - 2), all current since ``start``."""
    household = Household.objects.create(
        household_no=no or f"SY{next(_seq):08d}", area_id=area_code, address="和平区南京南街1号", phone="13812345678",
        registered_date=start,
    )
    head = make_person("王建国", dt.date(1970, 5, 1), area_code=area_code)
    HouseholdMember.objects.create(household=household, person=head, relation="户主", start_date=start)
    if members >= 2:
        spouse = make_person("李秀英", dt.date(1972, 8, 9), female=True, area_code=area_code)
        HouseholdMember.objects.create(household=household, person=spouse, relation="配偶", start_date=start)
    for i in range(max(0, members - 2)):
        child = make_person(f"王小{'明亮'[i % 2]}", dt.date(2010 + i, 3, 4), area_code=area_code)
        HouseholdMember.objects.create(household=household, person=child, relation="子", start_date=start)
    return household
