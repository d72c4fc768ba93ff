"""Recording basis snapshots: from district approvals (the evaluation's input), from the registry for
archive households at their first payroll or after a review's decision, and on request after a review.

Every snapshot is a new row (never edited); each call runs in one transaction and is audited (one event
per call with the counts; the snapshot rows carry who and when).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.assistance.choices import DecisionKind, Outcome
from minzheng.assistance.models import Decision, Evaluation
from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.scope import in_scope
from minzheng.core.errors import Forbidden, InvalidChange, NotFound
from minzheng.core.models import Household, Person
from minzheng.payments import basis as b
from minzheng.payments.actions._common import district_code, month_day
from minzheng.payments.choices import BasisSource
from minzheng.payments.models import BasisSnapshot
from minzheng.payments.workflow import PREPARERS

Owner = tuple[str, int]


def _approval_evaluation(decision: Decision) -> Evaluation | None:
    """The evaluation the approval rests on: the latest one recorded before the decision."""
    return decision.application.evaluations.filter(at__lte=decision.at).order_by("-id").first()


@transaction.atomic
def capture_approvals(*, district: str, user: Any = None) -> int:
    """One snapshot per district approval not yet captured: the evaluated household, valid from the
    month the enrollment starts (the month after the approval)."""
    captured = BasisSnapshot.objects.filter(decision__isnull=False).values("decision_id")
    decisions = (Decision.objects.filter(kind=DecisionKind.DISTRICT, outcome=Outcome.APPROVE,
                                         application__household__area__code__startswith=district)
                 .exclude(pk__in=captured).select_related("application").order_by("id"))
    made = 0
    today = timezone.localdate()
    for decision in decisions:
        evaluation = _approval_evaluation(decision)
        start = decision.data.get("start")
        if evaluation is None or not start:
            continue  # 一事一议 without an evaluation: its enrollments pay the committee's amount
        BasisSnapshot.objects.create(
            household_id=decision.application.household_id, source=BasisSource.APPLICATION, evaluation=evaluation,
            decision=decision, **b.snapshot_fields(evaluation.household_input),
            valid_from=dt.date.fromisoformat(start), taken_on=today, created_by=_person(user),
            note=f"审批 {decision.application.number}（评估 {evaluation.period}）",
        )
        made += 1
    if made:
        record(user, AuditAction.CREATE, object_type="payments.basissnapshot", area_code=district_code(district),
               summary=f"采集审批核定依据 {made} 条", after={"district": district, "count": made})
    return made


@transaction.atomic
def capture_registry(*, district: str, owners: dict[Owner, tuple[str, int]], day: dt.date, user: Any = None
                     ) -> list[Owner]:
    """Freeze the registry's view of ``owners`` (household or lone person → (source, valid-from month
    index)) as of ``day``; returns the owners that could not be captured (no current member)."""
    hh = [oid for (kind, oid) in owners if kind == "h"]
    people = [oid for (kind, oid) in owners if kind == "p"]
    mappings = b.registry_inputs(hh, people, day)
    existing: set[tuple[str, int, str, dt.date]] = set()
    for kind, ids, field in (("h", hh, "household_id"), ("p", people, "person_id")):
        for i in range(0, len(ids), 900):
            qs = BasisSnapshot.objects.filter(**{f"{field}__in": ids[i : i + 900]})
            existing |= {(kind, oid, src, day_) for oid, src, day_ in qs.values_list(field, "source", "valid_from")}
    rows, failed = [], []
    for owner, (source, start) in sorted(owners.items()):
        mapping = mappings.get(owner)
        if mapping is None:
            failed.append(owner)
            continue
        valid_from = month_day(start)
        if (*owner, source, valid_from) in existing:
            continue
        note = "首次发放时按档案冻结" if source == BasisSource.REGISTRY else "变更决定生效时按档案采集"
        rows.append(BasisSnapshot(
            household_id=owner[1] if owner[0] == "h" else None, person_id=owner[1] if owner[0] == "p" else None,
            source=source, **b.snapshot_fields(mapping), valid_from=valid_from,
            taken_on=day, created_by=_person(user), note=note,
        ))
    BasisSnapshot.objects.bulk_create(rows, batch_size=2000)
    if rows:
        record(user, AuditAction.CREATE, object_type="payments.basissnapshot", area_code=district_code(district),
               summary=f"按档案采集核定依据 {len(rows)} 条", after={"district": district, "count": len(rows),
                                                                  "not_captured": len(failed)})
    return failed


@transaction.atomic
def record_review_basis(*, user: Any, household: Household | None = None, person: Person | None = None,
                        valid_from: dt.date, note: str) -> BasisSnapshot:
    """After a review (核查), or to correct a registry basis frozen while the registry was incomplete:
    freeze the registry as it stands now as the basis from ``valid_from`` (the first day of a month; an
    earlier month makes the next payroll pay the difference as arrears). A person in a household gets
    the household's basis. District staff of the district (or the city) only."""
    if (household is None) == (person is None):
        raise InvalidChange("请指定家庭或人员")
    if household is None and person is not None:
        home = person.memberships.filter(end_date__isnull=True).select_related("household").first()
        if home is not None:  # a member's basis is the household's
            household, person = home.household, None
    area = household.area_id if household is not None else (person.area_id if person else "") or ""
    if not in_scope(user, area):
        raise NotFound("未找到该家庭")
    if getattr(user, "role", None) not in PREPARERS:
        raise Forbidden("须由区县审批人员或市级管理员办理")
    if valid_from.day != 1:
        raise InvalidChange("适用起始日须为某月 1 日")
    if not (note or "").strip():
        raise InvalidChange("请填写核查说明")
    owner: Owner = ("h", household.pk) if household is not None else ("p", person.pk)  # type: ignore[union-attr]
    mapping = b.registry_inputs([owner[1]] if owner[0] == "h" else [], [owner[1]] if owner[0] == "p" else [],
                                timezone.localdate()).get(owner)
    if mapping is None:
        raise InvalidChange("该家庭目前没有成员，无法采集")
    field = "household" if household is not None else "person"
    if BasisSnapshot.objects.filter(source=BasisSource.REVIEW, valid_from=valid_from, **{field: owner[1]}).exists():
        raise InvalidChange(f"{valid_from:%Y-%m} 起的核查依据已记录")
    snapshot = BasisSnapshot.objects.create(
        household=household, person=person, source=BasisSource.REVIEW, **b.snapshot_fields(mapping),
        valid_from=valid_from, taken_on=timezone.localdate(),
        created_by=user, note=note.strip()[:255],
    )
    record(user, AuditAction.CREATE, snapshot, area_code=area, summary=f"记录核查核定依据（{valid_from:%Y-%m} 起）",
           after={"valid_from": valid_from.isoformat(), "inputs_hash": snapshot.inputs_hash}, reason=note.strip())
    return snapshot


def _person(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None
