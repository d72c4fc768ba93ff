"""Rectification of findings (销号管理): hand over, report done, verify, close, reopen; escalation.

Every move goes through ``workflow.FINDING_FLOW`` and leaves a step row. Close-out needs a verification, and a
rectification is verified by someone other than the person who reported it done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange
from minzheng.institutions.actions._common import check_photo, required, today
from minzheng.institutions.choices import (
    OWED,
    EscalationLevel,
    EscalationReason,
    FindingAction,
    Severity,
)
from minzheng.institutions.models import ChecklistItem, Escalation, Finding, FindingStep, Inspection
from minzheng.institutions.workflow import NEW, authorise


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _escalate(finding: Finding, reason: EscalationReason, on: dt.date, *, user: Any = None) -> list[Escalation]:
    """Put the finding before the district (and, for a major hazard, the city); once per level and reason."""
    area = finding.institution.area_id
    targets = [(EscalationLevel.DISTRICT, area[:6] + "000000")]
    if finding.severity == Severity.MAJOR:
        targets.append((EscalationLevel.CITY, area[:4] + "00000000"))
    made = []
    for level, code in targets:
        escalation, created = Escalation.objects.get_or_create(
            finding=finding, level=level, reason=reason, defaults={"area_code": code, "on": on})
        if created:
            made.append(escalation)
    if made:
        record(user, AuditAction.CREATE, finding, area_code=area,
               summary=f"隐患#{finding.pk} 上报：{EscalationReason(reason).label}",
               after={"levels": [e.level for e in made], "reason": str(reason)})
    return made


def create_finding(*, user: Any, inspection: Inspection, item: ChecklistItem | None, severity: str,
                   description: str, photo: UploadedFile | None = None) -> Finding:
    """Called inside ``record_inspection``'s transaction; a major hazard is escalated at once."""
    row = authorise(user, "finding", NEW, FindingAction.FIND, inspection.institution)
    finding = Finding.objects.create(inspection=inspection, institution=inspection.institution, item=item,
                                     severity=severity, description=description, state=row.target,
                                     photo=check_photo(photo) or "")
    FindingStep.objects.create(finding=finding, action=FindingAction.FIND, from_state="", to_state=row.target,
                               actor=_actor(user), on=inspection.inspected_on, note=description,
                               photo=finding.photo.name if finding.photo else "")
    if severity == Severity.MAJOR:
        _escalate(finding, EscalationReason.MAJOR_HAZARD, inspection.inspected_on, user=user)
    return finding


def _move(finding: Finding, action: FindingAction, *, user: Any, on: dt.date | None, note: str = "",
          photo: UploadedFile | None = None, guard: Callable[[Finding], None] | None = None,
          **fields: Any) -> Finding:
    finding = Finding.objects.select_for_update().select_related("institution").get(pk=finding.pk)
    row = authorise(user, "finding", finding.state, action, finding.institution)
    if guard is not None:
        guard(finding)
    day = today(on)
    before = {"state": finding.state, **{k: str(getattr(finding, k) or "") for k in fields}}
    finding.state = row.target
    for name, value in fields.items():
        setattr(finding, name, value)
    finding.save()
    FindingStep.objects.create(finding=finding, action=action, from_state=before["state"], to_state=row.target,
                               actor=_actor(user), on=day, note=note, owner_name=finding.owner_name,
                               deadline=finding.deadline if action == FindingAction.ASSIGN else None,
                               photo=check_photo(photo) or "")
    record(user, AuditAction.UPDATE, finding, area_code=finding.institution.area_id,
           summary=f"隐患#{finding.pk} {FindingAction(action).label}（{finding.institution.name}）",
           before=before, after={"state": finding.state, **{k: str(getattr(finding, k) or "") for k in fields}},
           reason=note)
    return finding


@transaction.atomic
def assign_rectification(*, user: Any, finding: Finding, owner_name: str, deadline: dt.date, owner_phone: str = "",
                         note: str = "", on: dt.date | None = None) -> Finding:
    """Hand the finding to a named person with a deadline (下达整改); again later to extend it (延期)."""
    day = today(on)
    if deadline < day:
        raise InvalidChange("整改期限不能早于今天")
    return _move(finding, FindingAction.ASSIGN, user=user, on=day, note=note.strip(),
                 owner_name=required(owner_name, "整改责任人"), owner_phone=owner_phone.strip(), deadline=deadline)


@transaction.atomic
def submit_rectification(*, user: Any, finding: Finding, note: str, photo: UploadedFile | None = None,
                         on: dt.date | None = None) -> Finding:
    """Report the rectification done (the institution's staff, or an inspector on its behalf)."""
    return _move(finding, FindingAction.SUBMIT, user=user, on=on, note=required(note, "整改情况"), photo=photo,
                 submitted_by=_actor(user), verified_by=None)


@transaction.atomic
def verify_rectification(*, user: Any, finding: Finding, note: str = "", on: dt.date | None = None) -> Finding:
    """Accept the rectification (验收): never by the person who reported it done."""
    if _actor(user) is None:
        raise InvalidChange("验收须由工作人员办理")

    def not_the_submitter(locked: Finding) -> None:
        if locked.submitted_by_id == user.pk:
            raise InvalidChange("验收人不能是整改报送人")

    return _move(finding, FindingAction.VERIFY, user=user, on=on, note=note.strip(), guard=not_the_submitter,
                 verified_by=user)


@transaction.atomic
def reject_rectification(*, user: Any, finding: Finding, note: str, on: dt.date | None = None) -> Finding:
    """Verification failed: back to rectification (重新整改) with the reason."""
    return _move(finding, FindingAction.REJECT, user=user, on=on, note=required(note, "验收不通过的原因"))


@transaction.atomic
def close_finding(*, user: Any, finding: Finding, note: str = "", on: dt.date | None = None) -> Finding:
    """Close out a verified finding (销号)."""
    return _move(finding, FindingAction.CLOSE, user=user, on=on, note=note.strip(), closed_on=today(on))


@transaction.atomic
def reopen_finding(*, user: Any, finding: Finding, note: str, on: dt.date | None = None) -> Finding:
    """A verified or closed hazard found again (复查发现未整改到位)."""
    return _move(finding, FindingAction.REOPEN, user=user, on=on, note=required(note, "重新整改的原因"),
                 closed_on=None, verified_by=None)


@transaction.atomic
def escalate_overdue(*, on: dt.date | None = None) -> int:
    """The daily job: every owed rectification past its deadline is escalated as overdue (to the district, and
    the city for a major hazard). Idempotent: each finding is escalated once per level for being overdue."""
    day = today(on)
    made = 0
    overdue = Finding.objects.filter(state__in=OWED, deadline__lt=day).select_related("institution")
    for finding in overdue.order_by("pk"):
        made += len(_escalate(finding, EscalationReason.OVERDUE, day))
    return made


__all__ = [
    "assign_rectification",
    "close_finding",
    "create_finding",
    "escalate_overdue",
    "reject_rectification",
    "reopen_finding",
    "submit_rectification",
    "verify_rectification",
]

