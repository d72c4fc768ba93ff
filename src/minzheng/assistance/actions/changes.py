"""The life of an enrollment: reviews (scheduled 12 or 6 months apart, or after a reported change), new
amounts, suspension and resumption, exit, the gradual exit (渐退期) and the 12-month expiry of 刚性支出困难.

Dates: a change decided in a month takes effect from the first day of the next month (the decision's
month is paid as before); a suspension or exit pays through the end of the decision's month; a gradual
exit keeps paying the same amount for ``procedure.gradual_exit_months`` more months, then stops.
Every change is an :class:`EnrollmentChange` row (never edited) beside the registry's periods.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from minzheng.assistance.actions._common import add_months, first_of_next_month, last_of_month, required, today
from minzheng.assistance.choices import AppState, ChangeKind, ReviewKind, ReviewOutcome, ReviewStatus
from minzheng.assistance.models import Application, EnrollmentChange, ReviewTask
from minzheng.assistance.procedure import procedure_int
from minzheng.assistance.workflow import authorise_life
from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record, snapshot
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Household
from minzheng.core.workdays import add_working_days
from minzheng.registry.actions.enrollments import end_enrollment, restart
from minzheng.registry.choices import CATEGORY_PROGRAMMES, Programme
from minzheng.registry.models import Enrollment


def enrollment_area(enrollment: Enrollment) -> tuple[str, Household | None]:
    if enrollment.household_id:
        household = enrollment.household
        assert household is not None
        return household.area_id, household
    membership = (enrollment.person.memberships.filter(end_date__isnull=True).select_related("household").first()
                  if enrollment.person else None)
    if membership is not None:
        return membership.household.area_id, membership.household
    return (enrollment.person.area_id or "") if enrollment.person else "", None


def record_change(enrollment: Enrollment, *, kind: str, user: Any, on: dt.date, effective: dt.date, reason: str,
                  new: Enrollment | None = None, paid_until: dt.date | None = None,
                  application: Application | None = None, review_task: ReviewTask | None = None,
                  ) -> EnrollmentChange:
    area, household = enrollment_area(enrollment)
    change = EnrollmentChange.objects.create(
        enrollment=enrollment, new_enrollment=new, household=household, area_id=area, kind=kind,
        effective_date=effective, old_amount=enrollment.monthly_amount,
        new_amount=new.monthly_amount if new is not None else None, paid_until=paid_until, reason=reason,
        review_task=review_task, application=application, decided_on=on, decided_by=user,
    )
    record(user, AuditAction.CREATE, change, area_code=area,
           summary=f"{ChangeKind(kind).label} 享受记录 {enrollment.pk}", after=snapshot(change), reason=reason)
    return change


def _running(enrollment: Enrollment, on: dt.date) -> Enrollment:
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if locked.end_date is not None and locked.end_date < on:
        raise InvalidChange("该享受记录已终止")
    return locked


@transaction.atomic
def change_amount(enrollment: Enrollment, *, user: Any, new_amount: Decimal, reason: str, on: dt.date | None = None,
                  review_task: ReviewTask | None = None) -> EnrollmentChange:
    """增发/减发 from the first day of the next month: the old period ends, a new one starts."""
    on = today(on)
    reason = required(reason, "变更原因")
    enrollment = _running(enrollment, on)
    if new_amount < 0 or new_amount == enrollment.monthly_amount:
        raise InvalidChange("新金额须不小于 0 且与原金额不同")
    kind = ChangeKind.REDUCE if new_amount < enrollment.monthly_amount else ChangeKind.INCREASE
    area, _ = enrollment_area(enrollment)
    authorise_life(user, kind, area)
    start = first_of_next_month(on)
    new = restart(enrollment, user=user, start=start, monthly_amount=new_amount, end=enrollment.end_date,
                  source_key=f"chg:{enrollment.pk}:{start.isoformat()}", reason=reason)
    return record_change(enrollment, kind=kind, user=user, on=on, effective=start, reason=reason, new=new,
                         paid_until=start - dt.timedelta(days=1), review_task=review_task)


def _stop(enrollment: Enrollment, kind: ChangeKind, *, user: Any, reason: str, on: dt.date, paid_until: dt.date,
          review_task: ReviewTask | None) -> EnrollmentChange:
    reason = required(reason, "原因")
    enrollment = _running(enrollment, on)
    area, _ = enrollment_area(enrollment)
    authorise_life(user, kind, area)
    if enrollment.start_date > paid_until:
        raise InvalidChange("该享受记录尚未开始，请直接撤销审批后重新办理")
    end_enrollment(enrollment, user=user, last_day=paid_until, reason=reason)
    return record_change(enrollment, kind=kind, user=user, on=on, effective=paid_until + dt.timedelta(days=1),
                         reason=reason, paid_until=paid_until, review_task=review_task)


@transaction.atomic
def suspend_enrollment(enrollment: Enrollment, *, user: Any, reason: str, on: dt.date | None = None,
                       review_task: ReviewTask | None = None) -> EnrollmentChange:
    """暂停发放 from the next month (e.g. the family cannot be reached for a review)."""
    on = today(on)
    return _stop(enrollment, ChangeKind.SUSPEND, user=user, reason=reason, on=on, paid_until=last_of_month(on),
                 review_task=review_task)


@transaction.atomic
def exit_enrollment(enrollment: Enrollment, *, user: Any, reason: str, on: dt.date | None = None,
                    review_task: ReviewTask | None = None) -> EnrollmentChange:
    """退出 (停发) from the next month."""
    on = today(on)
    return _stop(enrollment, ChangeKind.EXIT, user=user, reason=reason, on=on, paid_until=last_of_month(on),
                 review_task=review_task)


@transaction.atomic
def start_gradual_exit(enrollment: Enrollment, *, user: Any, reason: str, on: dt.date | None = None,
                       months: int | None = None, review_task: ReviewTask | None = None) -> EnrollmentChange:
    """渐退期: income rose above the standard through work; keep paying for ``months`` more months
    (``procedure.gradual_exit_months`` by default, assumed 6), then stop."""
    on = today(on)
    if enrollment.programme != Programme.DIBAO:
        raise InvalidChange("渐退期只适用于低保")
    months = procedure_int("gradual_exit_months", on) if months is None else months
    if months < 1:
        raise InvalidChange("渐退期至少 1 个月")
    paid_until = last_of_month(add_months(on.replace(day=1), months))
    return _stop(enrollment, ChangeKind.GRADUAL_EXIT, user=user, reason=reason, on=on, paid_until=paid_until,
                 review_task=review_task)


@transaction.atomic
def resume_enrollment(enrollment: Enrollment, *, user: Any, reason: str, on: dt.date | None = None) -> EnrollmentChange:
    """恢复发放 of a suspended enrollment, from the next month at the same amount (arrears are not paid)."""
    on = today(on)
    reason = required(reason, "恢复原因")
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    last = EnrollmentChange.objects.filter(enrollment=locked).order_by("-id").first()
    if last is None or last.kind != ChangeKind.SUSPEND:
        raise InvalidChange("只有暂停发放的享受记录可以恢复")
    area, _ = enrollment_area(locked)
    authorise_life(user, "resume", area)
    start = max(first_of_next_month(on), (locked.end_date or on) + dt.timedelta(days=1))
    new = restart(locked, user=user, start=start, monthly_amount=locked.monthly_amount,
                  source_key=f"res:{locked.pk}:{start.isoformat()}", reason=reason)
    return record_change(locked, kind=ChangeKind.RESUME, user=user, on=on, effective=start, reason=reason, new=new)


@transaction.atomic
def report_change(*, user: Any, household: Household, description: str, on: dt.date | None = None) -> ReviewTask:
    """情况变化: a change of income, members or assets reported; a review is due within 10 working days."""
    on = today(on)
    description = required(description, "变化情况")
    authorise_life(user, "report_change", household.area_id)
    task = ReviewTask.objects.create(
        household=household,
        application=Application.objects.filter(household=household, state=AppState.APPROVED).order_by("-id").first(),
        area_id=household.area_id, kind=ReviewKind.CHANGE, description=description, created_on=on, created_by=user,
        due_date=add_working_days(on, procedure_int("change_review_working_days", on)).date,
    )
    record(user, AuditAction.CREATE, task, area_code=household.area_id, summary="报告情况变化", after=snapshot(task))
    return task


@transaction.atomic
def complete_review(task: ReviewTask, *, user: Any, outcome: str, notes: str, on: dt.date | None = None,
                    irregular_income: bool | None = None) -> ReviewTask:
    """核查完成: the finding (unchanged, or a change the district then decides) and the review frequency."""
    on = today(on)
    task = ReviewTask.objects.select_for_update().get(pk=task.pk)
    authorise_life(user, "complete_review", task.area_id)
    if task.status != ReviewStatus.OPEN:
        raise InvalidChange("该核查任务已完成")
    if outcome not in ReviewOutcome.values:
        raise InvalidChange("请选择核查结论")
    notes = required(notes, "核查记录")
    before = snapshot(task, ["status", "outcome"])
    task.status, task.outcome, task.notes = ReviewStatus.DONE, outcome, notes
    task.completed_on, task.completed_by = on, user
    task.save()
    application = task.application
    if irregular_income is not None and application is not None:
        application.irregular_income = irregular_income
        application.review_months = procedure_int(
            "review_months_irregular" if irregular_income else "review_months_stable", on)
        application.save(update_fields=["irregular_income", "review_months", "updated_at"])
    record(user, AuditAction.UPDATE, task, area_code=task.area_id, summary=f"完成核查 {ReviewOutcome(outcome).label}",
           before=before, after=snapshot(task, ["status", "outcome"]), reason=notes)
    return task


def _first_start(application: Application) -> dt.date | None:
    return Enrollment.objects.filter(source_key__startswith=f"asst:{application.number}:").order_by(
        "start_date").values_list("start_date", flat=True).first()


def _still_enrolled(application: Application, on: dt.date) -> bool:
    """The household or a current member still has a low-income category running on or after ``on``."""
    household = application.household
    members = household.memberships.filter(end_date__isnull=True).values("person_id")
    return Enrollment.objects.filter(programme__in=CATEGORY_PROGRAMMES).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)).filter(
        Q(household=household) | Q(person_id__in=members)).exists()


def schedule_reviews(*, on: dt.date, user: Any = None) -> list[ReviewTask]:
    """Periodic review tasks (定期核查): every ``review_months`` from the first month paid; a task appears
    ``procedure.review_lead_days`` before it is due. Idempotent: one task per application and due date."""
    lead = procedure_int("review_lead_days", on)
    created: list[ReviewTask] = []
    approved = Application.objects.filter(state=AppState.APPROVED, review_months__isnull=False).annotate(
        last_due=Max("review_tasks__due_date", filter=Q(review_tasks__kind=ReviewKind.PERIODIC)))
    seen: set[int] = set()
    for application in approved.select_related("household").order_by("-decided_on", "-id"):
        if application.household_id in seen:  # only the household's latest approval schedules reviews
            continue
        seen.add(application.household_id)
        start = _first_start(application)
        if start is None or not _still_enrolled(application, on):
            continue
        assert application.review_months is not None
        due = add_months(application.last_due or start, application.review_months)
        while due - dt.timedelta(days=lead) <= on:
            try:
                with transaction.atomic():
                    task, made = ReviewTask.objects.get_or_create(
                        application=application, kind=ReviewKind.PERIODIC, due_date=due,
                        defaults={"household": application.household, "area_id": application.area_id,
                                  "created_on": on, "created_by": user,
                                  "description": f"每{application.review_months}个月核查一次"},
                    )
                    if made:
                        record(user, AuditAction.CREATE, task, area_code=application.area_id,
                               summary=f"生成定期核查任务 {due.isoformat()}")
                        created.append(task)
            except IntegrityError:  # a concurrent sweep made it first
                pass
            due = add_months(due, application.review_months)
    return created


def expire_rigid_hardship(*, on: dt.date, user: Any = None) -> list[EnrollmentChange]:
    """刚性支出困难 is valid at most 12 months: end any that has run past it (from whatever source)."""
    months = procedure_int("rigid_hardship_months", on)
    changes = []
    running = Enrollment.objects.filter(programme=Programme.RIGID_HARDSHIP, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on))
    for enrollment in running.select_related("household", "person"):
        last_valid = add_months(enrollment.start_date, months) - dt.timedelta(days=1)
        if last_valid >= on:
            continue
        with transaction.atomic():
            end_enrollment(enrollment, user=user, last_day=last_valid, reason=f"认定有效期 {months} 个月届满")
            changes.append(record_change(enrollment, kind=ChangeKind.EXPIRE, user=user, on=on,
                                         effective=last_valid + dt.timedelta(days=1), paid_until=last_valid,
                                         reason=f"刚性支出困难认定有效期 {months} 个月届满"))
    return changes
