"""Home adaptation along ``workflow.ADAPTATION_TRANSITIONS``: application → assessment → plan (items of the
recommended list) → works → acceptance → subsidy.

The subsidy (policy in force on the application date): each plan line pays ``ratio × cost`` (the basic
ratio for the 7 basic items, the optional ratio for the 23 others), at most ``quantity × the item's cap``;
the case pays at most the policy's ``case_cap``. Amounts are rounded half-up to the fen.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Person
from minzheng.eldercare.actions._guard import require_staff
from minzheng.eldercare.choices import CASEWORKERS, SETTLES, AdaptationStatus, Hardship
from minzheng.eldercare.models import AdaptationCase, AdaptationEvent, AdaptationItem, AdaptationLine, AdaptationPolicy
from minzheng.eldercare.selectors import hardship_of, person_area
from minzheng.eldercare.workflow import ADAPTATION_TRANSITIONS, move
from minzheng.rules.model import Month, aged

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PlannedLine:
    item: AdaptationItem
    quantity: int
    unit_cost: Decimal

    @property
    def cost(self) -> Decimal:
        return (self.unit_cost * self.quantity).quantize(CENT, ROUND_HALF_UP)


def line_subsidy(line: PlannedLine, policy: AdaptationPolicy) -> Decimal:
    ratio = policy.basic_ratio if line.item.basic else policy.optional_ratio
    return min((line.cost * ratio).quantize(CENT, ROUND_HALF_UP), line.item.subsidy_cap * line.quantity)


def plan_subsidy(lines: list[PlannedLine], policy: AdaptationPolicy) -> tuple[list[Decimal], Decimal]:
    """Each line's subsidy and the case's (capped) total."""
    each = [line_subsidy(ln, policy) for ln in lines]
    return each, min(sum(each, Decimal(0)), policy.case_cap)


def policy_on(day: dt.date) -> AdaptationPolicy:
    policy = AdaptationPolicy.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if policy is None:
        raise InvalidChange(f"{day} 没有生效的适老化改造补贴政策")
    return policy


def _lock(case: AdaptationCase) -> AdaptationCase:
    return AdaptationCase.objects.select_for_update().get(pk=case.pk)


def _move(case: AdaptationCase, to: str, *, user: Any, note: str = "") -> None:
    move(case, to, table=ADAPTATION_TRANSITIONS, labels=AdaptationStatus, event_model=AdaptationEvent, link="case",
         user=user, note=note)


def _audit(user: Any, case: AdaptationCase, summary: str, after: dict[str, Any] | None = None) -> None:
    record(user, AuditAction.UPDATE, case, area_code=case.area_id, summary=f"适老化改造 {case.number}：{summary}",
           after={"status": case.status, **(after or {})})


@transaction.atomic
def apply_adaptation(*, user: Any, person: Person, address: str, applied_on: dt.date) -> AdaptationCase:
    """An elderly person (60 or more) of a tekun, dibao or dibao_edge household applies."""
    area = person_area(person, applied_on)
    require_staff(user, area, CASEWORKERS)
    if not aged(person.birth_date, 60, Month.of(applied_on)):
        raise InvalidChange("申请人应年满60周岁")
    hardship = hardship_of(person, applied_on)
    if hardship == Hardship.NONE:
        raise InvalidChange("居家适老化改造补贴面向特困、低保、低保边缘家庭的老年人")
    if AdaptationCase.objects.filter(person=person).exclude(status=AdaptationStatus.REJECTED).exists():
        raise InvalidChange("该老人已有适老化改造申请")
    if not address.strip():
        raise InvalidChange("请填写改造地址")
    case = AdaptationCase.objects.create(
        number=f"SL{applied_on:%Y%m%d}{secrets.token_hex(3).upper()}", person=person, area_id=area,
        hardship=hardship, address=address.strip(), applied_on=applied_on, policy=policy_on(applied_on))
    AdaptationEvent.objects.create(case=case, from_status=AdaptationStatus.APPLIED, to_status=AdaptationStatus.APPLIED,
                                   actor=user if getattr(user, "is_authenticated", False) else None,
                                   at=case.created_at, note="申请")
    record(user, AuditAction.CREATE, case, area_code=area, summary=f"适老化改造申请 {case.number}：{person.name}",
           after={"person_id": person.pk, "hardship": hardship, "applied_on": applied_on.isoformat()})
    return case


@transaction.atomic
def assess_adaptation(*, user: Any, case: AdaptationCase, needs: str, assessed_on: dt.date) -> AdaptationCase:
    case = _lock(case)
    require_staff(user, case.area_id, CASEWORKERS)
    if not needs.strip():
        raise InvalidChange("请填写入户评估意见")
    _move(case, AdaptationStatus.ASSESSED, user=user)
    case.needs, case.assessed_on = needs.strip(), assessed_on
    case.save()
    _audit(user, case, "入户评估", {"needs": case.needs, "assessed_on": assessed_on.isoformat()})
    return case


@transaction.atomic
def plan_adaptation(*, user: Any, case: AdaptationCase, lines: list[tuple[str, int, Decimal]]) -> AdaptationCase:
    """The plan: ``(item code, quantity, unit cost)`` lines, each item once."""
    case = _lock(case)
    require_staff(user, case.area_id, CASEWORKERS)
    if not lines:
        raise InvalidChange("改造方案至少包含一个项目")
    codes = [c for c, _, _ in lines]
    if len(set(codes)) != len(codes):
        raise InvalidChange("同一项目只能列一次")
    items = {i.code: i for i in AdaptationItem.objects.filter(code__in=codes, active=True)}
    if len(items) != len(codes):
        raise InvalidChange("改造项目无效：" + "、".join(sorted(set(codes) - set(items))))
    planned = []
    for code, quantity, unit_cost in lines:
        if int(quantity) < 1 or Decimal(unit_cost) < 0:
            raise InvalidChange("数量应至少为1，单价不能为负")
        planned.append(PlannedLine(items[code], int(quantity), Decimal(unit_cost).quantize(CENT)))
    assert case.policy is not None
    each, total = plan_subsidy(planned, case.policy)
    _move(case, AdaptationStatus.PLANNED, user=user)
    AdaptationLine.objects.bulk_create([
        AdaptationLine(case=case, item=p.item, quantity=p.quantity, unit_cost=p.unit_cost, cost=p.cost, subsidy=sub)
        for p, sub in zip(planned, each, strict=True)])
    case.cost, case.subsidy = sum((p.cost for p in planned), Decimal(0)), total
    case.save()
    _audit(user, case, f"改造方案 {len(planned)} 项，费用 {case.cost} 元，补贴 {total} 元",
           {"lines": [[p.item.code, p.quantity, str(p.unit_cost)] for p in planned], "cost": str(case.cost),
            "subsidy": str(total)})
    return case


@transaction.atomic
def start_works(*, user: Any, case: AdaptationCase, contractor: str, started_on: dt.date) -> AdaptationCase:
    case = _lock(case)
    require_staff(user, case.area_id, CASEWORKERS)
    if not contractor.strip():
        raise InvalidChange("请填写施工单位")
    _move(case, AdaptationStatus.IN_WORKS, user=user)
    case.contractor, case.works_started_on = contractor.strip(), started_on
    case.save()
    _audit(user, case, f"开工（{case.contractor}）", {"contractor": case.contractor})
    return case


@transaction.atomic
def accept_works(*, user: Any, case: AdaptationCase, accepted_on: dt.date, note: str = "") -> AdaptationCase:
    case = _lock(case)
    require_staff(user, case.area_id, CASEWORKERS)
    if case.works_started_on and accepted_on < case.works_started_on:
        raise InvalidChange("验收日期早于开工日期")
    _move(case, AdaptationStatus.ACCEPTED, user=user, note=note)
    case.accepted_on, case.acceptance_note = accepted_on, note.strip()
    case.save()
    _audit(user, case, "竣工验收合格", {"accepted_on": accepted_on.isoformat()})
    return case


@transaction.atomic
def pay_subsidy(*, user: Any, case: AdaptationCase, paid_on: dt.date) -> AdaptationCase:
    """The district releases the subsidy (the plan's amount) after acceptance."""
    case = _lock(case)
    require_staff(user, case.area_id, SETTLES)
    _move(case, AdaptationStatus.SUBSIDISED, user=user, note=f"{case.subsidy} 元")
    case.subsidised_on = paid_on
    case.save()
    _audit(user, case, f"拨付补贴 {case.subsidy} 元", {"subsidy": str(case.subsidy)})
    return case


@transaction.atomic
def reject_adaptation(*, user: Any, case: AdaptationCase, reason: str) -> AdaptationCase:
    case = _lock(case)
    require_staff(user, case.area_id, CASEWORKERS)
    if not reason.strip():
        raise InvalidChange("请填写不予改造的原因")
    _move(case, AdaptationStatus.REJECTED, user=user, note=reason.strip())
    case.save()
    _audit(user, case, f"不予改造：{reason.strip()}")
    return case
