"""Recording a needs assessment: score it, keep every answer, open needs for its tags (the need register)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Household
from minzheng.services import derive, geo
from minzheng.services.actions._guard import require_staff
from minzheng.services.choices import (
    ALL_WEEKDAYS,
    ASSESSES,
    LIVE_NEED_STATUSES,
    AnswerSource,
    AssessmentChannel,
    NeedStatus,
)
from minzheng.services.models import Answer, Assessment, InstrumentVersion, Need, ServiceItem
from minzheng.services.scoring import InvalidAnswer, score, spec_from_rows


def version_spec(version: InstrumentVersion) -> Any:
    items = list(version.items.all())
    rows = [{"code": i.code, "dimension": i.dimension, "options": i.options, "weight": i.weight,
             "tag_rules": i.tag_rules, "red_flag": i.red_flag} for i in items]
    return spec_from_rows(rows, version.dimension_weights, version.thresholds)


def prefill(household: Household, version: InstrumentVersion, day: dt.date) -> dict[str, int]:
    """The answers the data already gives (item code → score), for items with a derivation."""
    values = derive.derived_values(household, day)
    out = {}
    for item in version.items.all():
        if item.derive:
            out[item.code] = derive.snap(values[item.derive], [int(o["score"]) for o in item.options])
    return out


@transaction.atomic
def record_assessment(
    *,
    user: Any,
    household: Household,
    version: InstrumentVersion,
    answers: Mapping[str, int],
    channel: str = AssessmentChannel.HOME_VISIT,
    day: dt.date | None = None,
    weekdays: int = ALL_WEEKDAYS,
    lat: float | None = None,
    lng: float | None = None,
    note: str = "",
) -> Assessment:
    """Score and store an assessment; open a need for each tag that has no live need yet, and close open
    (not yet referred) needs whose tag the new assessment no longer gives.

    Items with a derivation that are not answered take the pre-filled value (source 数据预填)."""
    require_staff(user, household.area_id, ASSESSES)
    if channel not in AssessmentChannel.values:
        raise InvalidChange("评估方式无效")
    if not 0 < weekdays <= ALL_WEEKDAYS:
        raise InvalidChange("请至少选择一个可上门的日子")
    household = Household.objects.select_for_update().get(pk=household.pk)
    day = day or timezone.localdate()
    derived = prefill(household, version, day)
    full = dict(derived) | {k: int(v) for k, v in answers.items()}
    try:
        result = score(version_spec(version), full)
    except InvalidAnswer as exc:
        raise InvalidChange(str(exc)) from None
    assessment = Assessment.objects.create(
        household=household, version=version, assessed_on=day,
        assessor=user if getattr(user, "is_authenticated", False) else None, channel=channel,
        total_score=result.total, level=result.level,
        dimension_scores={k: str(v) for k, v in result.dimensions.items()}, tags=result.tags,
        red_flags=result.red_flags, note=note, lat=lat, lng=lng,
    )
    Answer.objects.bulk_create([
        Answer(assessment=assessment, item=item, score=full[item.code],
               source=AnswerSource.VISIT if item.code in answers else AnswerSource.DERIVED,
               derived_score=derived.get(item.code))
        for item in version.items.all()
    ])
    opened, closed = _update_needs(household, assessment, result.tags, day, weekdays, lat, lng)
    record(user, AuditAction.CREATE, assessment, area_code=household.area_id,
           summary=f"需求评估 {household.household_no}：{assessment.get_level_display()}，{len(opened)} 项新需求",
           after={"total": str(result.total), "level": result.level, "tags": result.tags,
                  "opened": [n.item_id for n in opened], "closed": [n.pk for n in closed]})
    return assessment


def _update_needs(household: Household, assessment: Assessment, tags: list[str], day: dt.date,
                  weekdays: int, lat: float | None, lng: float | None) -> tuple[list[Need], list[Need]]:
    items = {i.code: i for i in ServiceItem.objects.filter(code__in=tags)}
    live_needs = household.service_needs.filter(status__in=LIVE_NEED_STATUSES).select_related("item")
    live = {n.item.code: n for n in live_needs}
    priority = derive.priority_of(household, day)
    if lat is None or lng is None:
        lat, lng = geo.standin_point(household.area_id)
    opened = []
    for tag in tags:
        if tag in live or tag not in items:
            continue
        opened.append(Need.objects.create(
            household=household, person=derive.subject_for(tag, household, day), assessment=assessment,
            item=items[tag], level=assessment.level, priority=priority, area_id=household.area_id,
            lat=lat, lng=lng, weekdays=weekdays,
        ))
    closed = []
    now = timezone.now()
    for tag, need in live.items():
        if need.status == NeedStatus.OPEN:
            if tag in tags:  # still needed: the latest assessment sets its level and priority
                Need.objects.filter(pk=need.pk).update(level=assessment.level, priority=priority,
                                                       assessment=assessment, weekdays=weekdays)
            else:
                Need.objects.filter(pk=need.pk).update(status=NeedStatus.CLOSED, closed_at=now,
                                                       close_reason="复评后不再需要")
                closed.append(need)
    return opened, closed
