"""Reads of the assistance app, scoped to the user's jurisdiction (out of scope → :class:`NotFound`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from minzheng.assistance.choices import OPEN_STATES, AppAction, AppState, ReviewStatus, TempState
from minzheng.assistance.models import Application, ReviewTask, TemporaryAssistance
from minzheng.assistance.workflow import APPLICATION_FLOW, acting_level
from minzheng.authz.models import User
from minzheng.authz.scope import area_prefix
from minzheng.core.errors import NotFound
from minzheng.core.idnumber import InvalidIDNumber, normalise
from minzheng.registry.models import Enrollment

# Self-loops and side actions do not make a case someone's next task.
_NOT_TASKS = {AppAction.EXTEND_DEADLINE, AppAction.WITHDRAW}


def visible_applications(user: Any) -> QuerySet[Application]:
    prefix = area_prefix(user)
    if prefix is None:
        return Application.objects.none()
    return Application.objects.filter(area__code__startswith=prefix)


def get_application(user: Any, pk: int | str) -> Application:
    try:
        return visible_applications(user).select_related("household", "applicant", "area__parent").get(pk=int(pk))
    except (Application.DoesNotExist, ValueError):
        raise NotFound("未找到该申请") from None


def task_states(user: Any) -> set[str]:
    """The states in which the user's level takes the next step."""
    level = acting_level(user)
    states = {str(row.source) for row in APPLICATION_FLOW
              if level in row.levels and row.action not in _NOT_TASKS and row.source != row.target}
    return states - {"new"}


def my_tasks(user: Any) -> QuerySet[Application]:
    """Cases waiting for the user's level, earliest deadline first."""
    return visible_applications(user).filter(state__in=task_states(user)).select_related(
        "household", "applicant", "area").order_by("due_date", "rejection_notify_due", "id")


def overdue(user: Any, day: dt.date) -> QuerySet[Application]:
    """Open cases past their deadline, and rejections not notified in time."""
    return visible_applications(user).filter(
        Q(state__in=OPEN_STATES, due_date__lt=day) | Q(state=AppState.REJECTED, rejection_notify_due__lt=day)
    ).select_related("household", "applicant", "area").order_by("due_date", "id")


def visible_reviews(user: Any) -> QuerySet[ReviewTask]:
    prefix = area_prefix(user)
    if prefix is None:
        return ReviewTask.objects.none()
    return ReviewTask.objects.filter(area__code__startswith=prefix).select_related("household", "area")


def get_review(user: Any, pk: int | str) -> ReviewTask:
    try:
        return visible_reviews(user).get(pk=int(pk))
    except (ReviewTask.DoesNotExist, ValueError):
        raise NotFound("未找到该核查任务") from None


def open_reviews(user: Any) -> QuerySet[ReviewTask]:
    return visible_reviews(user).filter(status=ReviewStatus.OPEN).order_by("due_date", "id")


def visible_temporary(user: Any) -> QuerySet[TemporaryAssistance]:
    prefix = area_prefix(user)
    if prefix is None:
        return TemporaryAssistance.objects.none()
    return TemporaryAssistance.objects.filter(area__code__startswith=prefix).select_related("household", "area")


def get_temporary(user: Any, pk: int | str) -> TemporaryAssistance:
    try:
        return visible_temporary(user).get(pk=int(pk))
    except (TemporaryAssistance.DoesNotExist, ValueError):
        raise NotFound("未找到该临时救助") from None


def pending_temporary(user: Any) -> QuerySet[TemporaryAssistance]:
    return visible_temporary(user).filter(state__in=[TempState.HELPED, TempState.PENDING]).order_by("requested_on")


def get_enrollment(user: Any, pk: int | str) -> Enrollment:
    """An enrollment of a household in scope, or of a person whose current household is in scope."""
    prefix = area_prefix(user)
    if prefix is None:
        raise NotFound("未找到该享受记录")
    try:
        return Enrollment.objects.select_related("household", "person").get(
            Q(household__area__code__startswith=prefix)
            | Q(person__memberships__end_date__isnull=True,
                person__memberships__household__area__code__startswith=prefix),
            pk=int(pk),
        )
    except (Enrollment.DoesNotExist, Enrollment.MultipleObjectsReturned, ValueError):
        raise NotFound("未找到该享受记录") from None


def investigator_choices(area_code: str) -> QuerySet[User]:
    """Active community and street staff whose jurisdiction contains the community ``area_code``."""
    prefixes = [area_code[:9], area_code]
    return User.objects.filter(is_active=True, role__in=["community_worker", "street_reviewer"]).filter(
        Q(jurisdiction__code=area_code) | Q(jurisdiction__code=prefixes[0] + "000")).order_by("role", "username")


def resident_lookup(number: str, id_number: str) -> Application | None:
    """The application with this number whose applicant has this ID number, or ``None`` (whatever the
    reason: a malformed value, an unknown number or a number that belongs to someone else)."""
    try:
        idn = normalise(id_number)
    except InvalidIDNumber:
        return None
    number = (number or "").strip().upper()
    if not number or len(number) > 24:
        return None
    return Application.objects.filter(number=number, applicant__id_number=idn).first()
