"""Fixtures of the services tests: a small catalogue over the test tree, an elderly household, provider users."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.core.models import Household, HouseholdMember
from minzheng.registry.models import Enrollment
from minzheng.services.actions.catalogue import link_provider_user, save_offering, save_provider
from minzheng.testing import factories as f

TODAY = dt.date(2025, 6, 11)  # a Wednesday


def make_single(area: str = f.COMMUNITY_A, *, birth: dt.date = dt.date(1943, 3, 1), self_care: str = "半自理",
                programme: str | None = "dibao", name: str = "赵桂兰") -> Household:
    household = Household.objects.create(household_no=f"SV{Household.objects.count() + 1:06d}", area_id=area,
                                         address="和平区集贤街3号", phone="13900001111")
    person = f.make_person(name, birth, female=True, area_code=area, self_care=self_care)
    HouseholdMember.objects.create(household=household, person=person, relation="户主", start_date=dt.date(2020, 1, 1))
    if programme:
        Enrollment.objects.create(household=household, programme=programme, start_date=dt.date(2021, 1, 1),
                                  monthly_amount=Decimal("850.00"))
    return household


@pytest.fixture
def elder(tree):
    return make_single()


@pytest.fixture
def catalogue(tree):
    """Three providers: a meal canteen in community A, a street social-work station, a district charity."""
    canteen = save_provider(user=None, name="集贤社区长者食堂", kind="company", area_codes=[f.COMMUNITY_A],
                            phone="024-23456789", address="和平区集贤街1号", lat=41.7801, lng=123.3950,
                            rating=Decimal("4.5"))
    station = save_provider(user=None, name="南市场街道社工站", kind="social_org", area_codes=[f.STREET_A],
                            lat=41.7850, lng=123.4100, rating=Decimal("4.0"))
    charity = save_provider(user=None, name="和平区慈善会", kind="mass_org", area_codes=[f.DISTRICT_A],
                            lat=41.7700, lng=123.4300, rating=Decimal("3.5"))
    offers = {
        "canteen_meal": save_offering(user=None, provider=canteen, item_code="life.meal", capacity=1,
                                      weekdays=0b1111111, cost=Decimal("12.00"), payer="government_purchase"),
        "canteen_nursing": save_offering(user=None, provider=canteen, item_code="care.nursing", capacity=2,
                                         min_age=60, eligibility_description="60岁以上"),
        "station_meal": save_offering(user=None, provider=station, item_code="life.meal", capacity=2),
        "station_visit": save_offering(user=None, provider=station, item_code="concern.visit", capacity=5,
                                       payer="free"),
        "charity_goods": save_offering(user=None, provider=charity, item_code="material.goods", capacity=10,
                                       payer="charity", eligible_categories=["tekun", "dibao"]),
    }
    return {"canteen": canteen, "station": station, "charity": charity, **offers}


@pytest.fixture
def provider_users(users, catalogue):
    """users["provider"] works for the canteen; a second provider user works for the station."""
    link_provider_user(user=None, member=users["provider"], provider=catalogue["canteen"])
    other = f.make_user("service_provider", f.STREET_A, "station_worker")
    link_provider_user(user=None, member=other, provider=catalogue["station"])
    return {"canteen": users["provider"], "station": other}
