"""Demo data for service assistance (``seed_demo``, one step of ``minzheng demo``): a catalogue over the demo
city's communities, assessments of archived households, a match run, referrals in every state, visits, and the
demo provider account ``fuwu`` linked to the canteen of the community with the most households."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from minzheng.authz.choices import Role
from minzheng.authz.models import User
from minzheng.core.models import Area, Household
from minzheng.services import geo
from minzheng.services.actions.assessments import prefill, record_assessment
from minzheng.services.actions.catalogue import ensure_taxonomy, link_provider_user, save_offering, save_provider
from minzheng.services.actions.instruments import load_default
from minzheng.services.actions.matching import execute_run, start_run
from minzheng.services.actions.referrals import (
    accept_referral,
    decline_referral,
    record_feedback,
    record_visit,
)
from minzheng.services.choices import ALL_WEEKDAYS, AssessmentChannel
from minzheng.services.models import MatchRun, Offering, Provider, Referral
from minzheng.services.selectors import active_version

DEMO_RUN = "demo-1"
PROVIDER_USERNAME = "fuwu"
WORKERS = ("张秀云", "刘桂芳", "王淑珍", "李红")
CITY = "210100000000"


def _provider(name: str, kind: str, areas: list[str], anchor: str, rating: str, offers: list[dict[str, Any]],
              rng: random.Random) -> Provider:
    lat, lng = geo.standin_point(anchor)
    lat, lng = round(lat + rng.uniform(-0.004, 0.004), 6), round(lng + rng.uniform(-0.004, 0.004), 6)
    provider = save_provider(user=None, name=name, kind=kind, area_codes=areas, rating=Decimal(rating), lat=lat,
                             lng=lng, phone=f"024-{rng.randint(22000000, 89999999)}", address=f"{name}服务点",
                             description=f"{name}：承接服务类社会救助项目。")
    for spec in offers:
        save_offering(user=None, provider=provider, **spec)
    return provider


def _catalogue(community: Area, rng: random.Random) -> Provider:
    """Providers of the top community, its street and district, the city, and the other districts."""
    street = community.parent
    district = street.parent if street else None
    assert street is not None and district is not None
    canteen = _provider(f"{community.name}长者食堂", "company", [community.code], community.code, "4.6", [
        {"item_code": "life.meal", "capacity": 15, "weekdays": ALL_WEEKDAYS, "cost": Decimal("12.00"),
         "eligibility_description": "60岁以上或失能、半失能人员", "opens_at": dt.time(10, 30),
         "closes_at": dt.time(13, 0)},
        {"item_code": "care.bath", "capacity": 4, "cost": Decimal("40.00"), "min_age": 60,
         "eligibility_description": "60岁以上"},
    ], rng)
    _provider(f"{street.name}社工站", "social_org", [street.code], street.code, "4.3", [
        {"item_code": "concern.visit", "capacity": 40, "payer": "free"},
        {"item_code": "concern.counsel", "capacity": 10},
        {"item_code": "concern.social", "capacity": 12, "payer": "free"},
        {"item_code": "life.errand", "capacity": 10, "payer": "free"},
    ], rng)
    _provider(f"{district.name}居家养老服务中心", "company", [district.code], street.code, "4.1", [
        {"item_code": "care.nursing", "capacity": 12, "min_age": 60, "cost": Decimal("60.00"),
         "eligibility_description": "60岁以上失能、半失能老人"},
        {"item_code": "life.clean", "capacity": 20, "cost": Decimal("30.00")},
        {"item_code": "life.mobility", "capacity": 6, "cost": Decimal("20.00")},
        {"item_code": "life.meal", "capacity": 10, "weekdays": 0b0011111, "cost": Decimal("15.00")},
    ], rng)
    _provider(f"{district.name}残疾人康复站", "government", [district.code], district.code, "4.4", [
        {"item_code": "care.rehab", "capacity": 10, "requires_disability": True, "payer": "free",
         "eligibility_description": "持证残疾人"},
        {"item_code": "material.aids", "capacity": 8, "requires_disability": True, "payer": "free"},
    ], rng)
    _provider(f"{district.name}青少年事务服务中心", "social_org", [district.code], district.code, "4.2", [
        {"item_code": "development.tutor", "capacity": 15, "max_age": 18, "payer": "free"},
        {"item_code": "concern.guardian", "capacity": 6, "payer": "free"},
    ], rng)
    _provider("沈阳市慈善总会", "mass_org", [CITY], CITY, "4.5", [
        {"item_code": "material.goods", "capacity": 60, "payer": "charity", "eligible_categories": ["tekun", "dibao"],
         "eligibility_description": "特困、低保家庭"},
        {"item_code": "material.heating", "capacity": 40, "payer": "charity"},
        {"item_code": "link.charity", "capacity": 30, "payer": "charity"},
    ], rng)
    _provider("沈阳市志愿服务联合会", "volunteer", [CITY], CITY, "4.0", [
        {"item_code": "link.volunteer", "capacity": 50, "payer": "free", "weekdays": ALL_WEEKDAYS},
        {"item_code": "concern.visit", "capacity": 30, "payer": "free", "weekdays": 0b1100000},
    ], rng)
    _provider("沈阳市公共就业服务中心", "government", [CITY], CITY, "4.2", [
        {"item_code": "development.job", "capacity": 40, "payer": "free"},
        {"item_code": "development.skills", "capacity": 30, "payer": "free"},
    ], rng)
    others = (
        Area.objects.filter(level="district").exclude(code=district.code)
        .annotate(n=Count("children__children__households")).filter(n__gt=0).order_by("-n", "code")[:4]
    )
    for other in others:
        _provider(f"{other.name}居家养老服务中心", "company", [other.code], other.code, "4.0", [
            {"item_code": "care.nursing", "capacity": 8, "min_age": 60},
            {"item_code": "life.meal", "capacity": 12, "weekdays": ALL_WEEKDAYS},
            {"item_code": "life.clean", "capacity": 10},
        ], rng)
    return canteen


def _answers(version: Any, rng: random.Random, derived: dict[str, int]) -> dict[str, int]:
    """Plausible visit answers for the items the data does not give (no schooling or guardianship trouble
    in a household without children)."""
    out = {}
    for item in version.items.all():
        if item.derive:
            continue
        scores = [int(o["score"]) for o in item.options]
        weights = [6 if s == 0 else 2 if s == scores[1] else 1 for s in scores]
        if item.red_flag:
            weights = [30] + [1] * (len(scores) - 1)
        out[item.code] = rng.choices(scores, weights=weights)[0]
    if not derived.get("D1"):
        out["D2"] = out["G1"] = 0
    return out


def provider_user(community: Area) -> User:
    user, created = User.objects.get_or_create(
        username=PROVIDER_USERNAME,
        defaults={"role": Role.SERVICE_PROVIDER, "jurisdiction": community, "full_name": "演示服务机构人员"},
    )
    if created:
        user.set_unusable_password()  # the demo command sets the printed password
        user.save()
    return user


def seed_demo(args: Any = None, *, households: int = 40, seed: int = 6) -> dict[str, int]:
    """Idempotent (does nothing if the demo run exists) and whole (one transaction). Returns what it made.

    Usable as a step of ``minzheng demo`` (``STEPS.append(seed_demo)``: it is called with the parsed
    arguments, and then says what it made)."""
    made = _seed(households=households, seed=seed)
    if args is not None and not getattr(args, "quiet", False):
        if made:
            print("服务类救助演示：" + "，".join(f"{k} {v}" for k, v in made.items()), flush=True)
        else:
            print("服务类救助演示数据已存在", flush=True)
    return made


@transaction.atomic
def _seed(*, households: int, seed: int) -> dict[str, int]:
    if MatchRun.objects.filter(key=DEMO_RUN).exists():
        return {}
    ensure_taxonomy()
    load_default()
    rng = random.Random(seed)
    community = (
        Area.objects.filter(level="community").annotate(n=Count("households")).order_by("-n", "code").first()
    )
    if community is None or community.parent is None:
        return {}
    canteen = _catalogue(community, rng)
    member = provider_user(community)
    link_provider_user(user=None, member=member, provider=canteen)
    version = active_version()
    today = timezone.localdate()
    district_prefix = community.code[:6]
    picked = list(Household.objects.filter(area__code__startswith=district_prefix, status="active").order_by("pk"))
    picked.sort(key=lambda h: (h.area_id != community.code, h.pk))  # the demo community first
    assessed = 0
    for household in picked[:households]:
        answers = _answers(version, rng, prefill(household, version, today))
        record_assessment(user=None, household=household, version=version, answers=answers,
                          channel=AssessmentChannel.HOME_VISIT, day=today,
                          weekdays=rng.choice([ALL_WEEKDAYS, ALL_WEEKDAYS, 0b0011111]))
        assessed += 1
    start_run(user=None, scope=None, key=DEMO_RUN, enqueue=False)
    stats = execute_run(DEMO_RUN)
    made = _referral_states(member, canteen)
    return {"providers": Provider.objects.count(), "offerings": Offering.objects.count(), "assessed": assessed,
            "served": int(stats.get("served", 0)), **made}


def _referral_states(member: User, canteen: Provider) -> dict[str, int]:
    """The demo provider answers its referrals: some accepted and visited (one completed with feedback), one
    declined (and re-matched at once), the rest left pending in its inbox."""
    mine = list(Referral.objects.filter(offering__provider=canteen, status="pending").order_by("pk"))
    now = timezone.now()
    out = {"accepted": 0, "visits": 0, "declined": 0}
    for i, referral in enumerate(mine):
        if i == len(mine) - 1 and len(mine) > 3:
            decline_referral(user=member, referral=referral, reason="full", note="本周名额已排满")
            execute_run(f"rematch-{referral.pk}-declined")
            out["declined"] += 1
            continue
        if i >= 3:
            continue  # left pending
        referral = accept_referral(user=member, referral=referral, worker_name=WORKERS[i],
                                   worker_phone=f"1380000{1000 + i}", planned_at=now + dt.timedelta(days=1, hours=i))
        out["accepted"] += 1
        if i < 2:
            record_visit(user=member, referral=referral, worker_name=referral.worker_name,
                         started_at=now, duration_minutes=45,
                         content="送餐上门，协助进食，了解近况。", beneficiary_confirmed=True,
                         confirmed_by=referral.need.person.name if referral.need.person else "家属",
                         complete=(i == 0))
            out["visits"] += 1
            if i == 0:
                record_feedback(user=None, referral=referral, satisfaction=5, comment="饭菜可口，准时。")
    return out
