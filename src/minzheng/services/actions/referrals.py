"""Referrals (转介): the provider accepts (who will come, when) or declines (why); deadlines and escalation;
visits recorded by the provider; satisfaction feedback; closing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import InvalidChange
from minzheng.core.workdays import default_calendar
from minzheng.services.actions._guard import move, require_provider_user, require_staff
from minzheng.services.choices import (
    ASSESSES,
    FIRST_VISIT_WITHIN_WORKING_DAYS,
    WITHDRAW_AFTER_WORKING_DAYS,
    DeclineReason,
    NeedStatus,
    ReferralStatus,
)
from minzheng.services.models import Feedback, Provider, Referral, ServicePhoto, ServiceRecord
from minzheng.services.workdays import add_working_days

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_COUNT = 6
PRIOR_RATING = Decimal("4.0")  # a provider's rating starts here and moves with feedback (weight of the prior: 3)
PRIOR_WEIGHT = 3


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("need__household", "need__item", "offering__provider")
        .get(pk=referral.pk)
    )


def _reopen_need(referral: Referral, reason: str, *, rematch: bool) -> None:
    """The need goes back to the register as open; a re-match for its community is queued."""
    need = referral.need
    need.status = NeedStatus.OPEN
    need.save(update_fields=["status"])
    if rematch:
        from minzheng.services.actions.matching import start_run

        start_run(user=None, scope=need.area, key=f"rematch-{referral.pk}-{reason}")


@transaction.atomic
def accept_referral(*, user: Any, referral: Referral, worker_name: str, worker_phone: str = "",
                    planned_at: dt.datetime | None = None) -> Referral:
    """The provider takes the referral and says who will come and when (the household is told)."""
    referral = _lock(referral)
    require_provider_user(user, referral)
    worker_name = (worker_name or "").strip()
    if not worker_name:
        raise InvalidChange("请填写上门服务人员")
    now = timezone.now()
    if planned_at is not None and planned_at < now - dt.timedelta(hours=1):
        raise InvalidChange("预约上门时间不能早于现在")
    move(referral, ReferralStatus.ACCEPTED, user=user, note=f"上门人员 {worker_name}")
    referral.responded_at = now
    referral.worker_name = worker_name
    referral.worker_phone = (worker_phone or "").strip()
    referral.planned_at = planned_at
    referral.first_visit_by = add_working_days(timezone.localtime(now), FIRST_VISIT_WITHIN_WORKING_DAYS)
    referral.save()
    record(user, AuditAction.UPDATE, referral, area_code=referral.need.area_id,
           summary=f"接收转介 {referral.pk}（{referral.offering.provider.name}）",
           after={"status": referral.status, "worker_name": worker_name,
                  "planned_at": planned_at.isoformat() if planned_at else None})
    return referral


@transaction.atomic
def decline_referral(*, user: Any, referral: Referral, reason: str, note: str = "") -> Referral:
    """The provider declines with a reason; the need is re-opened and re-matched (never to this offering)."""
    referral = _lock(referral)
    require_provider_user(user, referral)
    if reason not in DeclineReason.values:
        raise InvalidChange("请选择拒绝原因")
    if reason == DeclineReason.OTHER and not (note or "").strip():
        raise InvalidChange("选择“其他”时请说明原因")
    move(referral, ReferralStatus.DECLINED, user=user, note=f"{DeclineReason(reason).label} {note}".strip())
    referral.responded_at = referral.closed_at = timezone.now()
    referral.decline_reason = reason
    referral.decline_note = (note or "").strip()
    referral.save()
    _reopen_need(referral, "declined", rematch=True)
    record(user, AuditAction.UPDATE, referral, area_code=referral.need.area_id,
           summary=f"拒绝转介 {referral.pk}：{DeclineReason(reason).label}", reason=referral.decline_note,
           after={"status": referral.status, "decline_reason": reason})
    return referral


@transaction.atomic
def cancel_referral(*, user: Any, referral: Referral, reason: str) -> Referral:
    """A caseworker withdraws a live referral (the household moved away, no longer wants it, …)."""
    referral = _lock(referral)
    require_staff(user, referral.need.area_id, ASSESSES)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidChange("请填写撤销原因")
    move(referral, ReferralStatus.CANCELLED, user=user, note=reason)
    referral.closed_at = timezone.now()
    referral.save()
    need = referral.need
    need.status = NeedStatus.CLOSED
    need.closed_at = referral.closed_at
    need.close_reason = f"转介撤销：{reason}"[:128]
    need.save(update_fields=["status", "closed_at", "close_reason"])
    record(user, AuditAction.UPDATE, referral, area_code=need.area_id, summary=f"撤销转介 {referral.pk}",
           reason=reason, after={"status": referral.status})
    return referral


def escalate_overdue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The deadline sweep (idempotent; run by every match run and on a schedule).

    - A pending referral past its answer deadline is *escalated* (督办, level 1): it shows as overdue to the
      street and district, and the provider's inbox flags it.
    - Still pending ``WITHDRAW_AFTER_WORKING_DAYS`` working days after the deadline, it is *withdrawn*
      (逾期撤回, level 2) and its need is re-opened for matching (never again to that offering).
    - An accepted referral with no visit by its first-visit deadline is escalated (level 1) too.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    out = {"escalated": 0, "withdrawn": 0, "visit_overdue": 0}
    overdue = Referral.objects.filter(status=ReferralStatus.PENDING, respond_by__lt=now).values_list("pk", flat=True)
    for pk in list(overdue):
        with transaction.atomic():
            referral = _lock(Referral(pk=pk))
            if referral.status != ReferralStatus.PENDING:
                continue
            late = default_calendar().working_days_between(timezone.localtime(referral.respond_by).date(), today)
            if late >= WITHDRAW_AFTER_WORKING_DAYS:
                move(referral, ReferralStatus.EXPIRED, user=None, note=f"逾期 {late} 个工作日未接收，自动撤回")
                referral.escalation_level = 2
                referral.escalated_at = referral.closed_at = now
                referral.save()
                _reopen_need(referral, "expired", rematch=False)
                record(None, AuditAction.UPDATE, referral, area_code=referral.need.area_id,
                       summary=f"转介 {referral.pk} 逾期未接收，已撤回并重新匹配")
                out["withdrawn"] += 1
            elif referral.escalation_level < 1:
                referral.escalation_level = 1
                referral.escalated_at = now
                referral.save(update_fields=["escalation_level", "escalated_at"])
                record(None, AuditAction.UPDATE, referral, area_code=referral.need.area_id,
                       summary=f"转介 {referral.pk} 超过接收期限，已督办")
                out["escalated"] += 1
    late_visits = Referral.objects.filter(
        status=ReferralStatus.ACCEPTED, first_visit_by__lt=now, escalation_level=0, records__isnull=True
    )
    with transaction.atomic():
        for referral in late_visits.select_for_update(of=("self",)):
            referral.escalation_level = 1
            referral.escalated_at = now
            referral.save(update_fields=["escalation_level", "escalated_at"])
            record(None, AuditAction.UPDATE, referral, summary=f"转介 {referral.pk} 超过首次上门期限，已督办")
            out["visit_overdue"] += 1
    return out


@transaction.atomic
def record_visit(
    *,
    user: Any,
    referral: Referral,
    worker_name: str,
    started_at: dt.datetime,
    duration_minutes: int,
    content: str,
    beneficiary_confirmed: bool,
    confirmed_by: str = "",
    checkin_lat: float | None = None,
    checkin_lng: float | None = None,
    photos: Sequence[UploadedFile] = (),
    complete: bool = False,
) -> ServiceRecord:
    """A visit by the provider: the first one puts the referral (and need) in service; ``complete`` closes it."""
    referral = _lock(referral)
    require_provider_user(user, referral)
    if referral.status not in (ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE):
        raise InvalidChange("只有已接收或服务中的转介单可以登记服务")
    if not (worker_name or "").strip() or not (content or "").strip():
        raise InvalidChange("请填写服务人员和服务内容")
    if not 0 < int(duration_minutes) <= 24 * 60:
        raise InvalidChange("服务时长应在 1 至 1440 分钟之间")
    now = timezone.now()
    if started_at > now + dt.timedelta(minutes=10):
        raise InvalidChange("服务时间不能晚于现在")
    if beneficiary_confirmed and not (confirmed_by or "").strip():
        raise InvalidChange("请填写确认人")
    if len(photos) > PHOTO_MAX_COUNT:
        raise InvalidChange(f"照片最多 {PHOTO_MAX_COUNT} 张")
    for photo in photos:
        if photo.content_type not in PHOTO_TYPES or (photo.size or 0) > PHOTO_MAX_BYTES:
            raise InvalidChange("照片须为 JPG/PNG/WEBP/HEIC 格式，单张不超过 8 MB")
    visit = ServiceRecord.objects.create(
        referral=referral, worker_name=worker_name.strip(), started_at=started_at,
        duration_minutes=int(duration_minutes), checkin_at=now, checkin_lat=checkin_lat, checkin_lng=checkin_lng,
        content=content.strip(), beneficiary_confirmed=beneficiary_confirmed, confirmed_by=(confirmed_by or "").strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    for photo in photos:
        ServicePhoto.objects.create(record=visit, uploaded_at=now, image=photo,
                                    content_type=photo.content_type or "")
    if referral.status == ReferralStatus.ACCEPTED:
        move(referral, ReferralStatus.IN_SERVICE, user=user, note="首次上门服务")
        referral.need.status = NeedStatus.IN_SERVICE
        referral.need.save(update_fields=["status"])
    if complete:
        _complete(referral, user=user, now=now)
    referral.save()
    record(user, AuditAction.CREATE, visit, area_code=referral.need.area_id,
           summary=f"服务记录：{referral.need.item.name} {visit.duration_minutes} 分钟",
           after={"referral": referral.pk, "photos": len(photos), "confirmed": beneficiary_confirmed})
    return visit


def _complete(referral: Referral, *, user: Any, now: dt.datetime) -> None:
    move(referral, ReferralStatus.COMPLETED, user=user, note="服务完成")
    referral.closed_at = now
    need = referral.need
    need.status = NeedStatus.CLOSED
    need.closed_at = now
    need.close_reason = "服务完成"
    need.save(update_fields=["status", "closed_at", "close_reason"])


@transaction.atomic
def complete_referral(*, user: Any, referral: Referral) -> Referral:
    referral = _lock(referral)
    require_provider_user(user, referral)
    if not referral.records.exists():
        raise InvalidChange("尚无服务记录，不能结束")
    _complete(referral, user=user, now=timezone.now())
    referral.save()
    record(user, AuditAction.UPDATE, referral, area_code=referral.need.area_id, summary=f"转介 {referral.pk} 服务完成")
    return referral


@transaction.atomic
def record_feedback(*, user: Any, referral: Referral, satisfaction: int, comment: str = "") -> Feedback:
    """The household's satisfaction (asked by the caseworker); it moves the provider's rating."""
    referral = _lock(referral)
    require_staff(user, referral.need.area_id, ASSESSES)
    if referral.status not in (ReferralStatus.IN_SERVICE, ReferralStatus.COMPLETED):
        raise InvalidChange("服务开始后才能评价")
    if not 1 <= int(satisfaction) <= 5:
        raise InvalidChange("满意度为 1 至 5 分")
    if Feedback.objects.filter(referral=referral).exists():
        raise InvalidChange("该转介单已评价")
    feedback = Feedback.objects.create(referral=referral, satisfaction=int(satisfaction), comment=comment.strip(),
                                       recorded_by=user if getattr(user, "is_authenticated", False) else None,
                                       at=timezone.now())
    provider = Provider.objects.select_for_update().get(pk=referral.offering.provider_id)
    agg = Feedback.objects.filter(referral__offering__provider=provider).aggregate(total=Sum("satisfaction"),
                                                                                   n=Count("id"))
    before = provider.rating
    rating = (PRIOR_RATING * PRIOR_WEIGHT + Decimal(agg["total"] or 0)) / (PRIOR_WEIGHT + agg["n"])
    provider.rating = rating.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    provider.save(update_fields=["rating", "updated_at"])
    record(user, AuditAction.CREATE, feedback, area_code=referral.need.area_id,
           summary=f"满意度评价 {satisfaction} 分（{provider.name}）",
           after={"satisfaction": int(satisfaction), "provider_rating": str(provider.rating)},
           before={"provider_rating": str(before)})
    return feedback
