"""Meal points and canteens (registry, meals served, subsidy per meal) and the accident insurance of elderly
people in hardship (policy, enrolment, enrolment of everyone not yet covered)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record, record_bulk, snapshot
from minzheng.audit.models import AuditEvent
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Area, Person
from minzheng.eldercare.actions._guard import acting, require_staff
from minzheng.eldercare.choices import CASEWORKERS, SETTLES, Hardship, MealPointKind, MealSubsidyCategory
from minzheng.eldercare.models import (
    InsuranceEnrollment,
    InsurancePolicy,
    MealPoint,
    MealRecord,
    MealSubsidyRule,
)
from minzheng.eldercare.selectors import hardship_elderly, hardship_of, person_area
from minzheng.registry.actions.archive_rows import chunks
from minzheng.rules.model import Month, aged

MEAL_ORDER = (MealSubsidyCategory.TEKUN, MealSubsidyCategory.DIBAO, MealSubsidyCategory.DIBAO_EDGE,
              MealSubsidyCategory.AGED_80, MealSubsidyCategory.AGED_60)


@transaction.atomic
def save_meal_point(*, user: Any, name: str, kind: str, area_code: str, address: str = "", operator: str = "",
                    phone: str = "", seats: int = 0, opened_on: dt.date | None = None) -> MealPoint:
    require_staff(user, area_code, SETTLES | CASEWORKERS)
    if kind not in MealPointKind.values:
        raise InvalidChange("类型无效")
    if not Area.objects.filter(code=area_code, level="community").exists():
        raise InvalidChange("请选择社区")
    point, created = MealPoint.objects.update_or_create(
        name=name.strip(), defaults={"kind": kind, "area_id": area_code, "address": address, "operator": operator,
                                     "phone": phone, "seats": seats, "opened_on": opened_on})
    record(user, AuditAction.CREATE if created else AuditAction.UPDATE, point, area_code=area_code,
           summary=f"{'登记' if created else '修改'}助餐点 {point.name}", after=snapshot(point))
    return point


def meal_category(person: Person, day: dt.date) -> str:
    """The diner's subsidy category: their hardship category, else 80+ or 60+ by month-age, else none."""
    hardship = hardship_of(person, day)
    if hardship != Hardship.NONE:
        return hardship
    month = Month.of(day)
    if aged(person.birth_date, 80, month):
        return MealSubsidyCategory.AGED_80
    if aged(person.birth_date, 60, month):
        return MealSubsidyCategory.AGED_60
    return ""


def subsidy_for(category: str, day: dt.date) -> Decimal:
    if not category:
        return Decimal("0.00")
    rule = MealSubsidyRule.objects.filter(category=category, valid_from__lte=day).order_by("-valid_from").first()
    return rule.amount if rule else Decimal("0.00")


@transaction.atomic
def record_meal(*, user: Any, point: MealPoint, person: Person, served_on: dt.date, meal: str, price: Decimal
                ) -> MealRecord:
    """One meal served; the subsidy is the category's amount per meal, at most the price."""
    require_staff(user, point.area_id, CASEWORKERS)
    if person.death_date is not None and served_on > person.death_date:
        raise InvalidChange("就餐人已死亡")
    if price < 0:
        raise InvalidChange("餐费不能为负")
    category = meal_category(person, served_on)
    subsidy = min(subsidy_for(category, served_on), price)
    try:
        with transaction.atomic():
            meal_record = MealRecord.objects.create(point=point, person=person, served_on=served_on, meal=meal,
                                                    price=price, category=category, subsidy=subsidy,
                                                    recorded_by=acting(user))
    except IntegrityError:
        raise InvalidChange("该老人本餐次已登记就餐") from None
    record(user, AuditAction.CREATE, meal_record, area_code=point.area_id,
           summary=f"{point.name} {served_on} {meal_record.get_meal_display()}：{person.name}，补贴 {subsidy} 元",
           after={"person_id": person.pk, "category": category, "price": str(price), "subsidy": str(subsidy)})
    return meal_record


@transaction.atomic
def create_policy(*, user: Any, year: int, insurer: str, premium: Decimal, starts_on: dt.date, ends_on: dt.date
                  ) -> InsurancePolicy:
    require_staff(user, "210100000000", SETTLES)
    if ends_on <= starts_on:
        raise InvalidChange("保险止期应晚于起期")
    policy, created = InsurancePolicy.objects.get_or_create(
        year=year, defaults={"insurer": insurer, "premium": premium, "starts_on": starts_on, "ends_on": ends_on})
    if created:
        record(user, AuditAction.CREATE, policy, summary=f"{year} 年老年人意外伤害保险：{insurer}",
               after=snapshot(policy))
    return policy


@transaction.atomic
def enrol_person(*, user: Any, policy: InsurancePolicy, person: Person, enrolled_on: dt.date) -> InsuranceEnrollment:
    area = person_area(person, enrolled_on)
    require_staff(user, area, CASEWORKERS | SETTLES)
    existing = InsuranceEnrollment.objects.filter(policy=policy, person=person).first()
    if existing is not None:
        return existing
    insured = InsuranceEnrollment.objects.create(policy=policy, person=person, area_code=area, enrolled_on=enrolled_on,
                                                 recorded_by=acting(user))
    record(user, AuditAction.CREATE, insured, area_code=area,
           summary=f"{person.name} 参加 {policy.year} 年意外伤害保险")
    return insured


@transaction.atomic
def enrol_uncovered(*, user: Any, policy: InsurancePolicy, day: dt.date, prefix: str = "2101") -> int:
    """Enrol every elderly person (60+) of a hardship household in ``prefix`` not yet covered (the
    coverage check's "补录"): bulk, one audit event for the batch."""
    require_staff(user, prefix.ljust(12, "0"), SETTLES)
    covered = set(InsuranceEnrollment.objects.filter(policy=policy).values_list("person_id", flat=True))
    todo = [(pid, area) for pid, area in hardship_elderly(day, prefix) if pid not in covered]
    actor = acting(user)
    for chunk in chunks(todo, 2000):
        made = InsuranceEnrollment.objects.bulk_create([
            InsuranceEnrollment(policy=policy, person_id=pid, area_code=area, enrolled_on=day, recorded_by=actor)
            for pid, area in chunk])
        record_bulk([AuditEvent(actor=actor, actor_username=getattr(actor, "username", "") or "system",
                                actor_role=getattr(actor, "role", "") or "", action=AuditAction.CREATE,
                                object_type="eldercare.insuranceenrollment", object_id=str(e.pk or ""),
                                area_code=e.area_code, summary=f"参加 {policy.year} 年意外伤害保险（补录）",
                                after={"person_id": e.person_id}) for e in made])
    record(user, AuditAction.CREATE, policy, area_code=prefix.ljust(12, "0"),
           summary=f"{policy.year} 年意外伤害保险补录 {len(todo)} 人（{prefix}）", after={"enrolled": len(todo)})
    return len(todo)
