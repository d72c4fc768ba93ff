"""Demo data for the institutions app (``seed_demo``, one step of ``minzheng demo``): institutions across the demo
city's districts, ratings at every level (some unrated), a city-wide safety campaign with inspections, and
findings in every state, including a major hazard escalated to the district and the city and overdue.

Everything goes through the actions. The demo provider account ``fuwu`` (as in the services demo) is linked to
the institution of the community with the most households; verifications are made by ``shiji`` (city admin).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from minzheng.authz.choices import Role
from minzheng.authz.models import User
from minzheng.core.models import Area
from minzheng.institutions import actions as act
from minzheng.institutions.defaults import ensure_defaults
from minzheng.institutions.models import Finding, InspectionCampaign, Institution
from minzheng.institutions.selectors import checklist_on

CAMPAIGN = "2025 下半年养老机构安全隐患排查整治"
CITY = "210100000000"
PARTS = {"environment": 120, "facilities": 130, "operations": 150, "service": 600}
# Share of every part's maximum that lands on each level under the seeded standard (0.35: below one star).
LEVEL_SHARE = {5: "0.93", 4: "0.85", 3: "0.70", 2: "0.55", 1: "0.45", 0: "0.35"}
RATING_PLAN = [5, 4, 3, 0, 2, 1, 4, 3, 5, 2, 3, 4]  # the rest stay unrated


def _user(username: str, role: str, area: Area, full_name: str) -> User:
    """A demo account (the demo command sets the printed password of those it lists)."""
    user, created = User.objects.get_or_create(username=username,
                                               defaults={"role": role, "jurisdiction": area, "full_name": full_name})
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _places() -> list[tuple[Area, list[Area]]]:
    """Up to five districts with streets, each with up to three places (streets or communities) to put homes in."""
    out = []
    districts = (Area.objects.filter(level="district", children__level="street").distinct().order_by("code"))
    for district in districts[:5]:
        streets = list(Area.objects.filter(parent=district, level="street").order_by("code")[:2])
        communities = list(Area.objects.filter(parent__in=streets, level="community").order_by("code")[:2])
        out.append((district, (communities + streets)[:3]))
    return out


MIN_HOMES = 9  # enough homes in operation for every finding state even on a small tree
SUFFIX = {"public": "敬老院", "private": "颐养院", "public_private": "康养中心"}
MORE = ("护理院", "养护中心", "老年公寓", "长者之家")


def _register(place: Area, district: Area, kind: str, name: str, n: int, rng: random.Random) -> Institution:
    operator = f"{district.name}民政局" if kind == "public" else f"{place.name}养老服务有限公司"
    return act.register_institution(
        user=None, name=name, kind=kind, area_code=place.code, beds=rng.randrange(30, 300, 10),
        filing_no=f"民养备{place.code[:6]}{n:04d}", operator=operator,
        contact_name=rng.choice(["张", "王", "李", "刘"]) + "院长", contact_phone=f"139{rng.randrange(10**7, 10**8)}",
        address=f"{district.name}{place.name}养老路{n}号", opened_on=dt.date(2010 + rng.randrange(12),
                                                                          rng.randrange(1, 13), 1))


def _institutions(top: Area | None, rng: random.Random) -> list[Institution]:
    kinds = ["public", "private", "public_private"]
    spots: list[tuple[Area, Area]] = []
    for district, places in _places():
        if top is not None and top.code.startswith(district.code[:6]) and top not in places:
            places = [top, *places[:2]]
        spots.extend((place, district) for place in places)
    made = [_register(place, district, kinds[n % 3], f"{place.name}{SUFFIX[kinds[n % 3]]}", n + 1, rng)
            for n, (place, district) in enumerate(spots)]
    for n in range(max(0, MIN_HOMES - len(made)) if spots else 0):
        place, district = spots[n % len(spots)]
        made.append(_register(place, district, kinds[(n + 1) % 3], f"{place.name}{MORE[n % len(MORE)]}",
                              len(made) + 1, rng))
    if made:
        made.append(act.register_institution(user=None, name=f"{made[0].area.name}老年公寓（已停业）", kind="private",
                                             area_code=made[0].area_id, beds=20, status="closed"))
    return made


def _scores(level: int) -> dict[str, Decimal]:
    share = Decimal(LEVEL_SHARE[level])
    return {code: (Decimal(top) * share).quantize(Decimal("0.1")) for code, top in PARTS.items()}


def _findings(homes: list[Institution], campaign: InspectionCampaign, member: User | None, verifier: User,
              today: dt.date) -> dict[str, int]:
    """Inspect all but the last two homes in operation; leave findings in every state."""
    version = checklist_on(today)
    codes = [it.code for it in version.items.all()]
    plans: list[dict[str, str]] = [
        {"G01": "submitted", "G05": "rectifying"},  # the provider's home: one reported done, one in hand
        {"M05": "overdue"},  # a major hazard: escalated at once, then overdue
        {"G03": "closed", "G09": "verified"},
        {"G07": "open"},
        {"G02": "reopened"},
        {"M03": "closed"},
    ]
    due = [h for h in homes if h.status != "closed"]
    inspected = due[:-2] if len(due) > 2 else due
    for n, home in enumerate(inspected):
        plan = plans[n] if n < len(plans) else {}
        on = today - dt.timedelta(days=30 - n)
        notes = {code: "检查发现：" + next(it.text for it in version.items.all() if it.code == code) for code in plan}
        inspection = act.record_inspection(
            user=None, institution=home, inspected_on=on, inspectors="李明、王芳", campaign=campaign,
            results={c: ("fail", notes[c]) if c in plan else ("pass", "") for c in codes},
            summary="按检查表逐项检查。" if plan else "未发现隐患。")
        for finding in inspection.findings.select_related("item").order_by("id"):
            state = plan[finding.item.code]  # type: ignore[union-attr]
            if state == "open":
                continue
            deadline = on + dt.timedelta(days=15) if state == "overdue" else today + dt.timedelta(days=20)
            finding = act.assign_rectification(user=None, finding=finding, owner_name=home.contact_name,
                                               deadline=deadline, on=on, note="按期整改并报送照片")
            if state in ("rectifying", "overdue"):
                continue
            submitter = member if member is not None and n == 0 else None
            finding = act.submit_rectification(user=submitter, finding=finding, note="已整改完毕，附整改后照片。")
            if state == "submitted":
                continue
            if state == "reopened":
                act.reject_rectification(user=verifier, finding=finding, note="复核发现仍未整改到位")
                continue
            finding = act.verify_rectification(user=verifier, finding=finding, note="现场复核合格")
            if state == "closed":
                act.close_finding(user=verifier, finding=finding, note="准予销号")
    escalated = act.escalate_overdue(on=today)
    return {"inspections": len(inspected), "findings": Finding.objects.count(), "overdue_escalations": escalated}


@transaction.atomic
def seed_demo(*, today: dt.date | None = None, seed: int = 7) -> dict[str, int]:
    """Idempotent (nothing if the demo campaign exists) and whole (one transaction). Returns what it made."""
    if InspectionCampaign.objects.filter(name=CAMPAIGN).exists():
        return {}
    ensure_defaults()
    today = today or timezone.localdate()
    rng = random.Random(seed)
    top = (Area.objects.filter(level="community").annotate(n=Count("households")).order_by("-n", "code").first())
    homes = _institutions(top, rng)
    if not homes:
        return {}
    city = Area.objects.get(code=CITY)
    verifier = _user("shiji", Role.CITY_ADMIN, city, "演示市级管理员")
    member = None
    mine = next((h for h in homes if top is not None and h.area_id == top.code), None)
    if mine is not None and top is not None:
        member = _user("fuwu", Role.SERVICE_PROVIDER, top, "演示服务机构人员")
        act.link_member(user=None, institution=mine, member=member, title="安全管理员")
        homes.remove(mine)
        homes.insert(0, mine)
    rated = 0
    for n, home in enumerate(h for h in homes if h.status != "closed"):
        if n >= len(RATING_PLAN):
            break
        level = RATING_PLAN[n]
        act.rate_institution(user=None, institution=home, scores=_scores(level), assessors="赵评、钱审、孙核",
                             assessed_on=today - dt.timedelta(days=200 - 10 * n))
        rated += 1
    campaign = act.start_campaign(user=None, name=CAMPAIGN, area_code=CITY, starts_on=today - dt.timedelta(days=60),
                                  ends_on=today + dt.timedelta(days=60))
    made = _findings(homes, campaign, member, verifier, today)
    return {"institutions": len(homes), "ratings": rated, **made}

