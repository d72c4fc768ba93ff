"""Star rating: publish a standard version, apply, rate (the decision row), withdraw."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange
from minzheng.institutions import defaults, grading, models
from minzheng.institutions.actions._common import add_years, not_future, require_role, required, today
from minzheng.institutions.choices import PUBLISHES_STANDARDS, InstitutionStatus, RatingAction, RatingState
from minzheng.institutions.models import (
    Institution,
    Rating,
    RatingApplication,
    RatingItemScore,
    RatingScore,
    RatingStandard,
)
from minzheng.institutions.selectors import grading_standard, standard_on
from minzheng.institutions.workflow import NEW, authorise

_REAL = SimpleNamespace(RatingStandard=models.RatingStandard, RatingPart=models.RatingPart,
                        RatingLevel=models.RatingLevel, RatingPartMinimum=models.RatingPartMinimum)


def _as_grading(spec: Mapping[str, Any]) -> grading.Standard:
    return grading.Standard(
        spec["code"],
        [grading.Part(p["code"], p["name"], Decimal(p["max_points"])) for p in spec["parts"]],
        [grading.Level(lv["stars"], lv["name"], Decimal(lv["min_total"]),
                       {c: Decimal(v[0]) for c, v in lv["minimums"].items()}) for lv in spec["levels"]],
    )


@transaction.atomic
def publish_rating_standard(*, user: Any, spec: Mapping[str, Any], reason: str = "") -> RatingStandard:
    """A new version of a standard from ``spec["valid_from"]`` (same shape as ``defaults.DEFAULT_STANDARD``):
    the version in force until then ends the day before. Versions already used are never changed."""
    require_role(user, PUBLISHES_STANDARDS, "发布评定标准")
    try:
        grading.validate(_as_grading(spec))
    except (grading.GradingError, KeyError, InvalidOperation, TypeError) as exc:
        raise InvalidChange(f"评定标准无效：{exc}") from None
    start: dt.date = spec["valid_from"]
    previous = RatingStandard.objects.select_for_update().filter(code=spec["code"]).order_by("-version").first()
    if previous is not None:
        if start <= previous.valid_from:
            raise InvalidChange(f"新版本施行日期须晚于上一版本（{previous.valid_from}）")
        if previous.valid_to is None or previous.valid_to > start:
            previous.valid_to = start
            previous.save(update_fields=["valid_to"])
    standard = defaults.write_standard(_REAL, dict(spec), version=(previous.version + 1) if previous else 1)
    record(user, AuditAction.CREATE, standard, summary=f"发布评定标准 {standard}",
           after={"valid_from": start.isoformat(), "previous": previous.pk if previous else None}, reason=reason)
    return standard


def _open_application(institution: Institution) -> RatingApplication | None:
    return institution.rating_applications.filter(state=RatingState.APPLIED).first()


@transaction.atomic
def apply_for_rating(*, user: Any, institution: Institution, requested_stars: int | None = None, note: str = "",
                     on: dt.date | None = None) -> RatingApplication:
    """An application under the standard in force on the day (the institution itself or the district)."""
    authorise(user, "rating", NEW, RatingAction.APPLY, institution)
    day = not_future(today(on), "申请日期")
    if institution.status == InstitutionStatus.CLOSED:
        raise InvalidChange("已停业的机构不能申请评定")
    if _open_application(institution) is not None:
        raise InvalidChange("该机构已有待评定的申请")
    if requested_stars is not None and not 1 <= requested_stars <= 5:
        raise InvalidChange("申请等级应为一至五级")
    application = RatingApplication.objects.create(
        institution=institution, standard=standard_on(day), requested_stars=requested_stars, applied_on=day,
        applied_by=user if user is not None else None, note=note.strip(),
    )
    record(user, AuditAction.CREATE, application, area_code=institution.area_id,
           summary=f"申请等级评定 {institution.name}",
           after={"standard": str(application.standard), "requested_stars": requested_stars})
    return application


def _part_scores_with_items(standard: grading.Standard, scores: Mapping[str, Any],
                            items: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """When items are given for a part, the part's score is their sum (a given part score must agree)."""
    codes = {p.code for p in standard.parts}
    sums: dict[str, Decimal] = defaultdict(Decimal)
    clean_items = []
    for it in items:
        part = it.get("part")
        if part not in codes:
            raise InvalidChange(f"细项 {it.get('code')} 的分项无效")
        try:
            points = Decimal(str(it["points"]))
            max_points = Decimal(str(it["max_points"])) if it.get("max_points") not in (None, "") else None
        except (KeyError, InvalidOperation):
            raise InvalidChange(f"细项 {it.get('code')} 的得分无效") from None
        if points < 0 or (max_points is not None and points > max_points):
            raise InvalidChange(f"细项 {it.get('code')} 的得分超出范围")
        sums[part] += points
        clean_items.append({"part": part, "code": required(str(it.get("code", "")), "细项编号"),
                            "label": str(it.get("label", "")), "points": points, "max_points": max_points})
    out = dict(scores)
    for part, total in sums.items():
        given = out.get(part)
        if given not in (None, "") and Decimal(str(given)) != total:
            raise InvalidChange(f"分项 {part} 得分 {given} 与细项合计 {grading.fmt(total)} 不一致")
        out[part] = total
    return out, clean_items


@transaction.atomic
def rate_institution(*, user: Any, institution: Institution, scores: Mapping[str, Any], assessors: str,
                     assessed_on: dt.date, veto_reason: str = "", items: Sequence[Mapping[str, Any]] = (),
                     application: RatingApplication | None = None, note: str = "") -> Rating:
    """Decide an application (the open one, or one made now by the rater): the level under the application's
    standard, the rule that decided it, and a validity of the standard's years from the assessment date."""
    if application is None:
        application = _open_application(institution) or apply_for_rating(user=user, institution=institution,
                                                                          on=assessed_on, note=note)
    application = RatingApplication.objects.select_for_update().select_related("standard").get(pk=application.pk)
    if application.institution_id != institution.pk:
        raise InvalidChange("申请与机构不符")
    row = authorise(user, "rating", application.state, RatingAction.RATE, institution)
    assessors = required(assessors, "评定人员")
    not_future(assessed_on, "评定日期")
    if assessed_on < application.applied_on:
        raise InvalidChange("评定日期不能早于申请日期")
    standard = grading_standard(application.standard)
    scores, clean_items = _part_scores_with_items(standard, scores, items)
    try:
        result = grading.grade(standard, scores, veto=veto_reason)
    except grading.GradingError as exc:
        raise InvalidChange(str(exc)) from None
    valid_from = assessed_on if result.stars else None
    rating = Rating.objects.create(
        application=application, institution=institution, standard=application.standard, stars=result.stars,
        total=result.total, rule=result.rule[:255], explanation=[c.as_dict() for c in result.checks],
        veto_reason=veto_reason.strip(), assessors=assessors, assessed_on=assessed_on, valid_from=valid_from,
        valid_to=add_years(assessed_on, application.standard.validity_years) if result.stars else None,
        decided_by=user if user is not None else None, decided_at=timezone.now(),
    )
    parts = {p.code: p for p in application.standard.parts.all()}
    clean = grading.clean_scores(standard, scores)
    RatingScore.objects.bulk_create([RatingScore(rating=rating, part=parts[c], points=v) for c, v in clean.items()])
    RatingItemScore.objects.bulk_create([
        RatingItemScore(rating=rating, part=parts[it["part"]], code=it["code"], label=it["label"],
                        points=it["points"], max_points=it["max_points"]) for it in clean_items
    ])
    application.state = row.targets[0] if result.stars else RatingState.NOT_RATED
    application.save(update_fields=["state"])
    record(user, AuditAction.CREATE, rating, area_code=institution.area_id,
           summary=f"等级评定 {institution.name}：{result.stars or 0} 星",
           after={"stars": result.stars, "total": str(result.total), "rule": result.rule,
                  "scores": {c: str(v) for c, v in clean.items()}, "standard": str(application.standard)},
           reason=note)
    return rating


@transaction.atomic
def withdraw_rating_application(*, user: Any, application: RatingApplication, reason: str) -> RatingApplication:
    application = RatingApplication.objects.select_for_update().select_related("institution").get(pk=application.pk)
    row = authorise(user, "rating", application.state, RatingAction.WITHDRAW, application.institution)
    reason = required(reason, "撤回原因")
    application.state = row.target
    application.save(update_fields=["state"])
    record(user, AuditAction.UPDATE, application, area_code=application.institution.area_id,
           summary=f"撤回等级评定申请 {application.institution.name}", after={"state": application.state},
           reason=reason)
    return application
