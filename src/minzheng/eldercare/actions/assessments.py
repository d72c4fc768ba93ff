"""Capability assessment actions: record a GB/T 42195 assessment (two assessors, scored from the active
instrument version), configure the instrument (a new version with a rule switched on/off or re-set, then
activated), and record the 特困 six-item self-care assessment."""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from typing import Any

from django.db import transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.choices import Role
from minzheng.core.actions.people import update_person
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.core.models import Person
from minzheng.eldercare import scoring
from minzheng.eldercare.actions._guard import acting, require_staff
from minzheng.eldercare.choices import CASEWORKERS, AssessmentReason, InstrumentStatus
from minzheng.eldercare.models import Assessment, Instrument, SelfCareAssessment
from minzheng.eldercare.selectors import person_area

GBT = "gbt42195"
SELF_CARE = "tekun_selfcare"
CONFIGURES = frozenset({Role.CITY_ADMIN})


def active_instrument(code: str = GBT) -> Instrument:
    found = Instrument.objects.filter(code=code, status=InstrumentStatus.ACTIVE).first()
    if found is None:
        raise NotFound(f"没有启用的评估工具 {code}")
    return found


def _assessors(first: str, second: str, *, both: bool = True) -> tuple[str, str]:
    a, b = first.strip(), second.strip()
    if not a or (both and not b):
        raise InvalidChange("请填写两名评估员")
    if a == b:
        raise InvalidChange("两名评估员不能是同一人")
    return a, b


@transaction.atomic
def record_assessment(*, user: Any, person: Person, reason: str, assessed_on: dt.date, assessor_1: str,
                      assessor_2: str, answers: dict[str, str], facts: dict[str, Any] | None = None,
                      informant: str = "", informant_relation: str = "", note: str = "") -> Assessment:
    """Score and store one assessment; the initial level comes from the total, the final one after the
    instrument's level-change rules (each recorded with its reason)."""
    area = person_area(person, assessed_on)
    require_staff(user, area, CASEWORKERS)
    if reason not in AssessmentReason.values:
        raise InvalidChange("评估原因无效")
    a1, a2 = _assessors(assessor_1, assessor_2)
    instrument = active_instrument(GBT)
    facts = dict(facts or {})
    try:
        outcome = scoring.score(instrument.definition, answers, facts)
    except scoring.ScoringError as exc:
        raise InvalidChange(str(exc)) from None
    assessment = Assessment.objects.create(
        number=f"NL{assessed_on:%Y%m%d}{secrets.token_hex(3).upper()}", person=person, area_code=area,
        instrument=instrument, reason=reason, assessed_on=assessed_on, assessor_1=a1, assessor_2=a2,
        informant=informant.strip(), informant_relation=informant_relation.strip(), answers=dict(answers),
        facts=facts, dimension_scores=outcome.dimension_scores, total=outcome.total,
        initial_level=outcome.initial_level, final_level=outcome.final_level, applied_rules=outcome.applied,
        note=note.strip(), recorded_by=acting(user),
    )
    record(user, AuditAction.CREATE, assessment, area_code=area,
           summary=f"能力评估 {person.name}：总分 {outcome.total}，初步等级 {outcome.initial_level}，"
           f"能力等级 {outcome.final_level}",
           after={"number": assessment.number, "reason": reason, "total": outcome.total,
                  "dimension_scores": outcome.dimension_scores, "initial_level": outcome.initial_level,
                  "final_level": outcome.final_level, "rules": [r["code"] for r in outcome.applied],
                  "instrument": f"{instrument.code} {instrument.version}"})
    return assessment


@transaction.atomic
def configure_instrument(*, user: Any, version: str, rules: dict[str, dict[str, Any]] | None = None,
                         stacking: str | None = None, valid_from: dt.date, activate: bool = True,
                         code: str = GBT) -> Instrument:
    """A new version of the instrument from the active one with some rules changed (``{"coma": {"enabled":
    False}, "coma": {"level": 3}}``) or another ``stacking``; activated at once unless ``activate`` is false."""
    if user is not None and getattr(user, "role", None) not in CONFIGURES:
        raise Forbidden("只有市级管理员可以修改评估工具")
    base = active_instrument(code)
    definition = copy.deepcopy(base.definition)
    known = {r["code"]: r for r in definition.get("rules", [])}
    for rule_code, changes in (rules or {}).items():
        if rule_code not in known:
            raise InvalidChange(f"未知规则 {rule_code}")
        unknown = set(changes) - {"enabled", "level", "steps", "threshold", "diagnoses"}
        if unknown:
            raise InvalidChange(f"规则 {rule_code} 不能设置 {', '.join(sorted(unknown))}")
        known[rule_code].update(changes)
    if stacking is not None:
        if stacking not in ("each", "once"):
            raise InvalidChange("叠加方式应为 each 或 once")
        definition["stacking"] = stacking
    definition["version"] = version
    try:
        scoring.check_definition(definition)
    except scoring.ScoringError as exc:
        raise InvalidChange(str(exc)) from None
    if Instrument.objects.filter(code=code, version=version).exists():
        raise InvalidChange(f"版本 {version} 已存在")
    if activate:
        Instrument.objects.filter(code=code, status=InstrumentStatus.ACTIVE).update(status=InstrumentStatus.RETIRED)
    instrument = Instrument.objects.create(
        code=code, version=version, name=base.name, valid_from=valid_from, definition=definition,
        status=InstrumentStatus.ACTIVE if activate else InstrumentStatus.DRAFT)
    record(user, AuditAction.CREATE, instrument, summary=f"评估工具 {base.name} 新版本 {version}",
           before={"version": base.version, "rules": {r["code"]: r for r in base.definition.get("rules", [])},
                   "stacking": base.definition.get("stacking")},
           after={"version": version, "rules": known, "stacking": definition.get("stacking"), "activated": activate})
    return instrument


@transaction.atomic
def record_self_care(*, user: Any, person: Person, assessed_on: dt.date, items: dict[str, bool], assessor_1: str,
                     assessor_2: str = "", update_record: bool = True) -> SelfCareAssessment:
    """The six-item instrument; with ``update_record`` the person's 自理能力 in the archive follows it (the
    tekun care standard depends on it)."""
    area = person_area(person, assessed_on)
    require_staff(user, area, CASEWORKERS)
    a1, a2 = _assessors(assessor_1, assessor_2, both=False)
    instrument = active_instrument(SELF_CARE)
    try:
        unable, level = scoring.self_care(instrument.definition, items)
    except scoring.ScoringError as exc:
        raise InvalidChange(str(exc)) from None
    done = SelfCareAssessment.objects.create(
        person=person, area_code=area, assessed_on=assessed_on, items={k: bool(v) for k, v in items.items()},
        unable=unable, level=level, assessor_1=a1, assessor_2=a2, recorded_by=acting(user))
    record(user, AuditAction.CREATE, done, area_code=area,
           summary=f"生活自理能力评估 {person.name}：{unable} 项不能完成 → {level}",
           after={"items": done.items, "unable": unable, "level": level})
    if update_record and person.self_care != level:
        update_person(user=user, person=person, reason=f"生活自理能力评估（{assessed_on}）", self_care=level)
    return done
