"""Demo data for elderly care (``seed_demo``, one step of ``minzheng demo``): the month's high-age allowance
run over the demo city's population, capability assessments at every level, an enterprise serving the district
of the community with the most households (the demo provider account ``fuwu`` is its dispatcher, ``hugong``
one of its workers), orders in every state, last month's settlement with one anomaly (overlapping visits by
one worker), adaptation cases, two meal points with meals, and the year's accident insurance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from minzheng.authz.choices import Role
from minzheng.authz.models import User
from minzheng.core.errors import DomainError
from minzheng.core.models import Area, HouseholdMember, Person
from minzheng.eldercare.actions import adaptation as ad
from minzheng.eldercare.actions.allowance import run_month
from minzheng.eldercare.actions.assessments import record_assessment, record_self_care
from minzheng.eldercare.actions.community import create_policy, enrol_person, record_meal, save_meal_point
from minzheng.eldercare.actions.orders import (
    assign_worker,
    cancel_order,
    check_in,
    check_out,
    place_order,
    rate_order,
)
from minzheng.eldercare.actions.providers import add_worker, link_manager, register_family_contact, save_enterprise
from minzheng.eldercare.actions.settlement import settle_month
from minzheng.eldercare.models import AllowanceRun, Enterprise, Order
from minzheng.eldercare.seeds import INSTRUMENT_DIR, ensure_seeds
from minzheng.eldercare.selectors import hardship_elderly
from minzheng.rules.model import Month

ENTERPRISE_SUFFIX = "颐养居家服务有限公司"
DISPATCHER, WORKER_ACCOUNT = "fuwu", "hugong"
WORKERS = ("张秀云", "刘桂芳", "王淑珍")
TOTALS = (90, 78, 58, 41, 24, 62)  # one assessment per level (the last with dementia: raised one level)


def _answers(total: int) -> dict[str, str]:
    import json

    definition = json.loads((INSTRUMENT_DIR / "gbt42195-2022.json").read_text(encoding="utf-8"))
    out, left = {}, total
    for item in definition["items"]:
        give = min(max(o["score"] for o in item["options"]), left)
        left -= give
        out[item["code"]] = str(give)
    return out


def _community() -> Area:
    found = Area.objects.filter(level="community").annotate(n=Count("households")).order_by("-n", "code").first()
    if found is None:
        raise RuntimeError("no community with households: was the city imported?")
    return found


def _elders(community: Area, day: dt.date, n: int) -> list[Person]:
    cutoff = Month.of(day).shift(-12 * 65).first_day
    ids = (HouseholdMember.objects.filter(household__area=community, end_date__isnull=True,
                                          person__birth_date__lt=cutoff, person__death_date__isnull=True)
           .order_by("person__birth_date").values_list("person_id", flat=True)[:n])
    return list(Person.objects.filter(pk__in=list(ids)).order_by("birth_date"))


def _worker_account(area: Area) -> User:
    from minzheng.cli.demo import DEMO_PASSWORD

    user, created = User.objects.get_or_create(username=WORKER_ACCOUNT, defaults={
        "role": Role.SERVICE_PROVIDER, "jurisdiction": area, "full_name": WORKERS[0]})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.password_changed_at = timezone.now()
        user.save()
    return user


def seed_demo(today: dt.date | None = None) -> dict[str, Any]:
    """Make the demo data once (a second call returns ``{}``)."""
    if Enterprise.objects.filter(name__endswith=ENTERPRISE_SUFFIX).exists():
        return {}
    today = today or timezone.localdate()
    ensure_seeds()
    made: dict[str, Any] = {}
    month = Month.of(today)
    if not AllowanceRun.objects.filter(status="done", month__gte=str(month)).exists():
        run = run_month(user=None, month=month)
        made["高龄津贴应享受"] = run.eligible
    community = _community()
    street = community.parent
    district = street.parent if street else None
    assert district is not None
    elders = _elders(community, today, 10)
    if len(elders) < 6:
        return made
    for i, (person, total) in enumerate(zip(elders, TOTALS, strict=False)):
        record_assessment(user=None, person=person, reason="first" if i % 2 == 0 else "routine",
                          assessed_on=today - dt.timedelta(days=40 + i), assessor_1="赵评估",
                          assessor_2="钱评估", answers=_answers(total),
                          facts={"diagnoses": ["F03"]} if i == 5 else {})
    record_self_care(user=None, person=elders[1], assessed_on=today - dt.timedelta(days=30),
                     items={"eat": True, "dress": False, "bed": True, "toilet": True, "walk": True, "bathe": False},
                     assessor_1="赵评估", assessor_2="钱评估", update_record=False)
    made["能力评估"] = len(TOTALS)
    register_family_contact(user=None, person=elders[0], name=f"{elders[0].name[0]}建华", relation="子",
                            phone="13500001111")

    ent = save_enterprise(user=None, name=f"{district.name}{ENTERPRISE_SUFFIX}", area_code=district.code,
                          category_codes=["cleaning", "bathing", "home_nursing", "companionship", "meal_delivery",
                                          "rehab_training", "escort_medical"], phone="024-23456789",
                          address=f"{district.name}民生服务中心")
    dispatcher = User.objects.filter(username=DISPATCHER, role=Role.SERVICE_PROVIDER).first()
    if dispatcher is not None:
        link_manager(user=None, member=dispatcher, enterprise=ent)
    workers = [add_worker(user=None, enterprise=ent, name=name, phone=f"1360000000{i + 1}",
                          account=_worker_account(community) if i == 0 else None)
               for i, name in enumerate(WORKERS)]

    def order(person: Person, category: str, when: dt.datetime, hours: str = "2", dispatch: bool = True) -> Order:
        return place_order(user=None, person=person, category_code=category, scheduled_at=when, hours=Decimal(hours),
                           address="社区登记住址", contact_name=person.name, contact_phone="13500001111",
                           channel="relative", dispatch=dispatch)

    tz = timezone.get_current_timezone()
    now = timezone.localtime()
    # This month: one order in every state.
    order(elders[0], "companionship", now + dt.timedelta(days=2), dispatch=False)  # ordered (no dispatch yet)
    order(elders[1], "cleaning", now + dt.timedelta(days=1))  # dispatched
    o = order(elders[2], "bathing", now + dt.timedelta(days=1), "1.5")
    assign_worker(user=None, order=o, worker_id=workers[0].pk)  # assigned (in the worker account's list)
    o = order(elders[3], "home_nursing", now, "1")
    assign_worker(user=None, order=o, worker_id=workers[1].pk)
    check_in(user=None, order=o, place="社区登记住址", at=now)  # checked in
    o = order(elders[4], "cleaning", now + dt.timedelta(days=3))
    cancel_order(user=None, order=o, reason="老人住院，暂不需要")  # cancelled

    # Last month: visits for the settlement, with one anomaly (worker 3 booked twice at the same time).
    last = month.shift(-1)
    day1 = dt.datetime.combine(last.first_day, dt.time(9), tzinfo=tz)
    plan = [(elders[0], "cleaning", 2, 0, 120, "2"), (elders[1], "bathing", 4, 1, 90, "1.5"),
            (elders[2], "companionship", 6, 0, 120, "2"), (elders[3], "home_nursing", 8, 1, 60, "1"),
            (elders[4], "cleaning", 10, 2, 120, "2"), (elders[5], "bathing", 10, 2, 90, "1.5")]
    for k, (person, category, day, w, minutes, hours) in enumerate(plan):
        start = day1 + dt.timedelta(days=day) + (dt.timedelta(minutes=30) if k == 5 else dt.timedelta())
        o = order(person, category, start, hours)
        assign_worker(user=None, order=o, worker_id=workers[w].pk)
        o.refresh_from_db()
        check_in(user=None, order=o, place="社区登记住址", at=start)
        check_out(user=None, order=o, record_text="按计划完成服务", place="社区登记住址",
                  at=start + dt.timedelta(minutes=minutes))
        if k < 3:
            rate_order(user=None, order=o, score=5 - k % 2, comment="服务周到", channel="relative")
    settlement = settle_month(user=None, month=str(last), enterprise=ent)
    made["居家服务工单"] = Order.objects.count()
    made["上月结算（元）"] = str(settlement.amount)

    # Home adaptation: one case waiting for assessment, one paid.
    hardship = [p for p in elders if _in_hardship(p, today)]
    for i, person in enumerate(hardship[:2]):
        try:
            case = ad.apply_adaptation(user=None, person=person, address="社区登记住址",
                                       applied_on=today - dt.timedelta(days=60 - 20 * i))
        except DomainError:
            continue
        if i == 1:
            ad.assess_adaptation(user=None, case=case, needs="卫生间无扶手、地面湿滑", assessed_on=case.applied_on)
            ad.plan_adaptation(user=None, case=case, lines=[("floor_antislip", 1, Decimal("780")),
                                                            ("grab_bar", 2, Decimal("120")),
                                                            ("night_light", 1, Decimal("160"))])
            ad.start_works(user=None, case=case, contractor="沈阳安居适老化工程有限公司", started_on=case.applied_on)
            ad.accept_works(user=None, case=case, accepted_on=today - dt.timedelta(days=5), note="验收合格")
            ad.pay_subsidy(user=None, case=case, paid_on=today)
    # Meal points.
    canteen = save_meal_point(user=None, name=f"{community.name}长者食堂", kind="canteen", area_code=community.code,
                              operator=ent.name, seats=80, opened_on=dt.date(2023, 5, 1))
    save_meal_point(user=None, name=f"{community.name}助餐点", kind="meal_point", area_code=community.code, seats=30)
    meals = 0
    for back in range(5):
        for person in elders[:6]:
            record_meal(user=None, point=canteen, person=person, served_on=today - dt.timedelta(days=back),
                        meal="lunch", price=Decimal("15"))
            meals += 1
    made["助餐"] = meals
    # Accident insurance: everyone of the district but a few (so the coverage check has work to show).
    policy = create_policy(user=None, year=today.year, insurer="中国人寿沈阳分公司", premium=Decimal("20"),
                           starts_on=dt.date(today.year, 1, 1), ends_on=dt.date(today.year, 12, 31))
    people = hardship_elderly(today, district.code[:6])
    for pid, _area in people[: max(0, len(people) - 3)]:
        enrol_person(user=None, policy=policy, person=Person.objects.get(pk=pid), enrolled_on=policy.starts_on)
    made["意外伤害保险参保"] = max(0, len(people) - 3)
    return made


def _in_hardship(person: Person, day: dt.date) -> bool:
    from minzheng.eldercare.selectors import is_low_income

    return is_low_income(person, day) and bool(
        HouseholdMember.objects.filter(person=person).filter(Q(end_date__isnull=True)).exists())
