"""The rules' evaluation of the household as investigated, the enrollment plan it implies, and the 特困
six-item self-care assessment.

The input is built from the latest recorded investigation: members with birth dates from their ID
numbers, declared incomes and findings, the household's assets; a member's latest 特困 self-care
assessment (on or before the evaluation date) overrides the level declared at the visit. The benefit
month evaluated is the month of the evaluation date. The whole :class:`~minzheng.rules.explain.Result`
is frozen as JSON, every parameter with its value, date, status and reference.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from minzheng.assistance.actions._common import lock, move, today
from minzheng.assistance.choices import AppAction, DecisionKind, Outcome, SupportMode
from minzheng.assistance.models import (
    SIX_ITEMS,
    Application,
    Decision,
    Evaluation,
    Investigation,
    TekunAssessment,
)
from minzheng.assistance.workflow import authorise_life
from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record, snapshot
from minzheng.core.errors import InvalidChange
from minzheng.core.idnumber import facts
from minzheng.core.models import Person
from minzheng.registry.selectors import household_categories
from minzheng.rules.evaluate import evaluate
from minzheng.rules.explain import Result, param_text, render_text
from minzheng.rules.model import FEN, InputError, Month, household_from_mapping


def latest_investigation(application: Application) -> Investigation | None:
    return application.investigations.filter(recorded_on__isnull=False).order_by("-id").first()


def latest_evaluation(application: Application) -> Evaluation | None:
    return application.evaluations.order_by("-id").first()


def self_care_level(unable: int) -> str:
    """六项: all achieved → 全自理; 1–3 not achieved → 半自理; 4 or more → 全护理."""
    if unable == 0:
        return "全自理"
    return "半自理" if unable <= 3 else "全护理"


def household_input(investigation: Investigation, on: dt.date) -> dict[str, Any]:
    """The rules' ``household`` mapping (policy-tests.md keys) for the investigated household."""
    application = investigation.application
    members = []
    for row in investigation.members.select_related("person").order_by("id"):
        person = row.person
        assessed = (TekunAssessment.objects.filter(person=person, assessed_on__lte=on)
                    .order_by("-assessed_on", "-id").first())
        member: dict[str, Any] = {
            "id": str(person.pk),
            "birth_date": facts(person.id_number).birth_date.isoformat(),
            "relation": row.relation,
            "monthly_income": str(row.monthly_income),
            "serious_illness": row.serious_illness,
            "no_supporter": row.no_supporter,
            "orphan": row.orphan,
            "single_cover": row.single_cover,
        }
        if row.disability_type and row.disability_grade:
            member["disability_type"] = row.disability_type
            member["disability_grade"] = row.disability_grade
        level = assessed.level if assessed else row.self_care
        if level:
            member["self_care"] = level
        if person.death_date is not None:
            member["death_date"] = person.death_date.isoformat()
        members.append(member)
    mapping: dict[str, Any] = {
        "members": members,
        "financial_assets": str(sum((r.financial_assets for r in investigation.members.all()), Decimal(0))),
        "vehicles": list(investigation.vehicles),
        "residential_properties": investigation.residential_properties,
        "commercial_properties": investigation.commercial_properties,
        "business_roles": list(investigation.business_roles),
        "rigid_expenses_12m": str(investigation.rigid_expenses_12m),
        "enrollments": household_categories(application.household, on),
    }
    if investigation.income_12m is not None:
        mapping["income_12m"] = str(investigation.income_12m)
    return mapping


def _parse(mapping: dict[str, Any]) -> Any:
    data = dict(mapping)
    data["members"] = [
        {**m, "birth_date": dt.date.fromisoformat(m["birth_date"]),
         **({"death_date": dt.date.fromisoformat(m["death_date"])} if "death_date" in m else {})}
        for m in mapping["members"]
    ]
    try:
        return household_from_mapping(data)
    except InputError as exc:
        raise InvalidChange(f"调查数据不完整：{exc}") from None


def result_json(result: Result) -> dict[str, Any]:
    """The result as JSON: amounts as strings of yuan, steps with every parameter's status."""
    return {
        "period": result.period,
        "category": result.category,
        "amounts": {k: str(v) for k, v in result.amounts.items()},
        "members": {mid: {k: str(v) for k, v in out.items()} for mid, out in result.members.items()},
        "steps": [
            {
                "rule": s.rule,
                "title": s.title,
                "parameters": [
                    {
                        "name": u.name,
                        "in_force": u.value is not None,
                        "value": param_text(u.value) if u.value else None,
                        "since": u.value.since.isoformat() if u.value else None,
                        "status": u.value.status if u.value else None,
                        "reference": u.value.reference if u.value else "",
                        "first_date": u.first_date.isoformat() if u.first_date else None,
                    }
                    for u in s.parameters
                ],
                "figures": [[label, text] for label, text in s.figures],
                "outcome": s.outcome,
            }
            for s in result.steps
        ],
    }


@transaction.atomic
def evaluate_application(application: Application, *, user: Any, on: dt.date | None = None) -> Evaluation:
    """Run the rules on the household as investigated and attach the frozen result."""
    application = lock(application)
    on = today(on)
    move(application, AppAction.EVALUATE, user=user, on=on)
    investigation = latest_investigation(application)
    if investigation is None:
        raise InvalidChange("尚无入户调查记录")
    mapping = household_input(investigation, on)
    result = evaluate(_parse(mapping), Month.of(on))
    assumed = sorted({u.name for u in result.parameters_used() if u.value is not None and u.value.assumed})
    return Evaluation.objects.create(
        application=application, investigation=investigation, period=result.period, category=result.category,
        total_monthly=result.amounts["total_monthly"], household_input=mapping, result=result_json(result),
        assumed=assumed, text=render_text(result), evaluated_on=on, evaluated_by=user,
    )


@dataclass(frozen=True)
class Planned:
    """One enrollment an approval would create: programme, a person (``None`` = the household)."""

    programme: str
    person_id: int | None
    amount: Decimal
    people: int
    months: int | None = None  # a limited duration (一事一议, 刚性支出困难 handled by its parameter)
    counted: tuple[int, ...] = ()  # household 低保: the members it counts


def approved_exception(application: Application) -> Decision | None:
    """The committee's approval, when the case reached the street's approval through 一事一议 (and was not
    evaluated again since, e.g. after an objection upheld during the notice)."""
    last = application.decisions.filter(kind=DecisionKind.EXCEPTION).order_by("-id").first()
    if last is None or last.outcome != Outcome.APPROVE:
        return None
    evaluation = latest_evaluation(application)
    return None if evaluation is not None and evaluation.at > last.at else last


def plan(application: Application) -> list[Planned]:
    """What an approval would enroll, from the 一事一议 decision or else the latest evaluation.

    Per member status: 特困 → a person-level tekun at ``tekun_monthly``; 单人保 → a person-level dibao at
    ``single_cover_monthly`` + the member's add-on; members in 低保 → one household-level dibao at their
    difference plus their add-ons; 低保边缘 / 刚性支出困难 → a household status (amount 0). Only the
    programmes the application asked for. Allowances (高龄, 残疾人两项补贴, 孤儿) are not enrolled here.
    """
    exception = approved_exception(application)
    if exception is not None:
        return [Planned(exception.programme, exception.person_id, (exception.amount or Decimal(0)).quantize(FEN),
                        1 if exception.person_id else application.household.memberships.filter(
                            end_date__isnull=True).count(), exception.months)]
    evaluation = latest_evaluation(application)
    if evaluation is None:
        return []
    members = evaluation.result["members"]
    amounts = evaluation.result["amounts"]
    out: list[Planned] = []
    by_status: dict[str, list[int]] = {}
    for mid, values in members.items():
        by_status.setdefault(values["status"], []).append(int(mid))
    for pid in sorted(by_status.get("tekun", [])):
        out.append(Planned("tekun", pid, Decimal(members[str(pid)]["tekun_monthly"]), 1))
    for pid in sorted(by_status.get("single_cover", [])):
        m = members[str(pid)]
        out.append(Planned("dibao", pid, Decimal(m["single_cover_monthly"]) + Decimal(m["dibao_addon_monthly"]), 1))
    base = sorted(by_status.get("dibao", []))
    if base:
        single = sum((Decimal(members[str(p)]["single_cover_monthly"]) for p in by_status.get("single_cover", [])),
                     Decimal(0))
        addons = sum((Decimal(members[str(p)]["dibao_addon_monthly"]) for p in base), Decimal(0))
        amount = Decimal(amounts["dibao_monthly"]) - single + addons
        out.append(Planned("dibao", None, amount, len(base), counted=tuple(base)))
    for status in ("dibao_edge", "rigid_hardship"):
        if by_status.get(status):
            out.append(Planned(status, None, Decimal(0), len(by_status[status])))
    return [dataclasses.replace(p, amount=p.amount.quantize(FEN)) for p in out if p.programme in application.programmes]


@transaction.atomic
def record_tekun_assessment(*, user: Any, person: Person, items: dict[str, bool], support_mode: str,
                            assessors: str, on: dt.date | None = None, institution: str = "",
                            application: Application | None = None) -> TekunAssessment:
    """特困人员生活自理能力评估 (six items) with the form of support; the level feeds the care standard."""
    on = today(on)
    home = person.memberships.filter(end_date__isnull=True).select_related("household").first()
    area = home.household.area_id if home else (person.area_id or "")
    if application is not None:
        area = application.area_id
    authorise_life(user, "tekun_assessment", area)
    if set(items) != {key for key, _ in SIX_ITEMS}:
        raise InvalidChange("须逐项填写六项自理能力")
    if support_mode not in SupportMode.values:
        raise InvalidChange("请选择供养方式")
    if support_mode == SupportMode.CENTRALISED and not institution.strip():
        raise InvalidChange("集中供养须填写供养服务机构")
    if not (assessors or "").strip():
        raise InvalidChange("请填写评估人员")
    unable = sum(1 for achieved in items.values() if not achieved)
    assessment = TekunAssessment.objects.create(
        person=person, application=application, assessed_on=on, unable_count=unable,
        level=self_care_level(unable), support_mode=support_mode, institution=institution.strip(),
        assessors=assessors.strip(), recorded_by=user, **{k: bool(v) for k, v in items.items()},
    )
    record(user, AuditAction.CREATE, assessment, area_code=area, summary=f"特困自理能力评估 {assessment.level}",
           after=snapshot(assessment))
    return assessment
