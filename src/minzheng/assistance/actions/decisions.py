"""Review, 一事一议, public notice and the district's decision: each a Decision row, never edited.

Dates: the notice runs 7 calendar days from its first day (both ends included) and may be closed from
the day after; a rejection must be notified in writing within 3 working days of the decision; an
approval enrolls from the first day of the month after it (policy-rules.md "Dates").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from minzheng.assistance.actions._common import add_months, first_of_next_month, lock, move, required, today
from minzheng.assistance.actions.changes import record_change
from minzheng.assistance.actions.evaluation import Planned, latest_evaluation, latest_investigation, plan
from minzheng.assistance.choices import AppAction, DecisionKind, Outcome, RequestedProgramme, ReviewKind
from minzheng.assistance.models import Application, Decision, ExceptionCase, PublicNotice, ReviewTask
from minzheng.assistance.procedure import procedure_int
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Person
from minzheng.core.workdays import add_working_days
from minzheng.registry.actions.enrollments import (
    CHILD_PROGRAMMES,
    HOUSEHOLD_STATUSES,
    CategoryConflict,
    end_enrollment,
    enroll,
)
from minzheng.registry.models import Enrollment
from minzheng.registry.selectors import active_enrollments

MIN_COMMITTEE = 3  # 一事一议 is a collective decision: at least three members recorded (assumed)
NO_CATEGORY = "评估结果不符合任何救助类别：请作出不予批准决定，或提请一事一议"


def complaint_phone() -> str:
    return str(getattr(settings, "MINZHENG_COMPLAINT_PHONE", "12345"))


@transaction.atomic
def street_approve(application: Application, *, user: Any, opinion: str = "",
                   on: dt.date | None = None) -> Decision:
    """街道审核: agree with the evaluation (or the approved exception) and send it to public notice."""
    application = lock(application)
    on = today(on)
    move(application, AppAction.STREET_APPROVE, user=user, on=on, note=opinion)
    planned = plan(application)
    if not planned:
        raise InvalidChange(NO_CATEGORY)
    evaluation = latest_evaluation(application)
    return Decision.objects.create(
        application=application, kind=DecisionKind.STREET_REVIEW, outcome=Outcome.APPROVE, reasons=opinion.strip(),
        decided_on=on, decided_by=user, data={"evaluation": evaluation.pk if evaluation else None,
                                              "plan": _plan_json(planned)},
    )


def _reject(application: Application, action: AppAction, kind: DecisionKind, *, user: Any, reasons: str,
            on: dt.date) -> Decision:
    reasons = required(reasons, "不予批准的理由")
    move(application, action, user=user, on=on, note=reasons, save=False)
    application.decided_on = on
    application.rejection_notify_due = add_working_days(
        on, procedure_int("rejection_notice_working_days", on)).date
    application.save()
    return Decision.objects.create(application=application, kind=kind, outcome=Outcome.REJECT, reasons=reasons,
                                   decided_on=on, decided_by=user)


@transaction.atomic
def street_reject(application: Application, *, user: Any, reasons: str, on: dt.date | None = None) -> Decision:
    """街道审核不通过: written reasons; the applicant must be told within 3 working days."""
    application = lock(application)
    return _reject(application, AppAction.STREET_REJECT, DecisionKind.STREET_REVIEW, user=user, reasons=reasons,
                   on=today(on))


@transaction.atomic
def district_reject(application: Application, *, user: Any, reasons: str, on: dt.date | None = None) -> Decision:
    """区县不予批准: written reasons; the applicant must be told within 3 working days."""
    application = lock(application)
    return _reject(application, AppAction.DISTRICT_REJECT, DecisionKind.DISTRICT, user=user, reasons=reasons,
                   on=today(on))


@transaction.atomic
def notify_rejection(application: Application, *, user: Any, on: dt.date | None = None) -> Application:
    """The written notice of rejection (书面告知) was delivered to the applicant."""
    application = lock(application)
    on = today(on)
    move(application, AppAction.NOTIFY_REJECTION, user=user, on=on, save=False)
    application.rejection_notified_on = on
    application.save()
    return application


@transaction.atomic
def propose_exception(application: Application, *, user: Any, circumstances: str, programme: str,
                      amount: Decimal, months: int, person: Person | None = None,
                      on: dt.date | None = None) -> ExceptionCase:
    """一事一议: the street puts a case the rules do not cover to the district's committee."""
    application = lock(application)
    on = today(on)
    circumstances = required(circumstances, "特殊困难情形")
    if programme not in RequestedProgramme.values:
        raise InvalidChange("请选择拟给予的救助")
    if programme == RequestedProgramme.TEKUN and person is None:
        raise InvalidChange("特困按人认定：请选择对象")
    if person is not None and not application.household.memberships.filter(
            person=person, end_date__isnull=True).exists():
        raise InvalidChange("对象须为该家庭的现有成员")
    if amount < 0 or months < 1:
        raise InvalidChange("金额不能为负数，期限至少 1 个月")
    move(application, AppAction.PROPOSE_EXCEPTION, user=user, on=on, note=circumstances)
    return ExceptionCase.objects.create(
        application=application, circumstances=circumstances, requested_programme=programme,
        requested_person=person, requested_amount=amount, requested_months=months, proposed_on=on, proposed_by=user,
    )


@transaction.atomic
def decide_exception(application: Application, *, user: Any, approve: bool, committee_members: list[str],
                     reasons: str, amount: Decimal | None = None, months: int | None = None,
                     on: dt.date | None = None) -> Decision:
    """The committee's decision, with its members and reasons; an approval fixes scope and duration."""
    application = lock(application)
    on = today(on)
    members = [m.strip() for m in committee_members if m and m.strip()]
    if len(members) < MIN_COMMITTEE:
        raise InvalidChange(f"一事一议须集体研究：请记录至少 {MIN_COMMITTEE} 名参会人员")
    reasons = required(reasons, "研究意见和理由")
    move(application, AppAction.APPROVE_EXCEPTION if approve else AppAction.DECLINE_EXCEPTION,
         user=user, on=on, note=reasons)
    case = application.exceptions.order_by("-id").first()
    assert case is not None  # the table reaches EXCEPTION only through propose_exception
    amount = case.requested_amount if amount is None else amount
    months = case.requested_months if months is None else months
    if approve and (amount < 0 or months < 1):
        raise InvalidChange("金额不能为负数，期限至少 1 个月")
    return Decision.objects.create(
        application=application, kind=DecisionKind.EXCEPTION, outcome=Outcome.APPROVE if approve else Outcome.REJECT,
        reasons=reasons, decided_on=on, decided_by=user, exception=case, committee_members=members,
        programme=case.requested_programme if approve else "", person=case.requested_person if approve else None,
        amount=amount if approve else None, months=months if approve else None,
    )


def notice_entries(application: Application, planned: list[Planned], on: dt.date) -> list[dict[str, Any]]:
    """The notice's rows: name, people covered and amount only; minors in 特困 are never listed."""
    entries = []
    for item in planned:
        if item.person_id is not None:
            person = Person.objects.get(pk=item.person_id)
            if item.programme == "tekun" and person.age_on(on) < 18:
                continue
            name = person.name
        else:
            name = application.applicant.name
        entries.append({"name": name, "people": item.people, "amount": str(item.amount)})
    return entries


@transaction.atomic
def publish_notice(application: Application, *, user: Any, on: dt.date | None = None,
                   phone: str = "") -> PublicNotice:
    """公示 for 7 days in the community, showing only the allowed fields."""
    application = lock(application)
    on = today(on)
    move(application, AppAction.PUBLISH_NOTICE, user=user, on=on)
    entries = notice_entries(application, plan(application), on)
    street = application.area.parent
    days = procedure_int("notice_days", on)
    return PublicNotice.objects.create(
        application=application, issuer=f"{street.name if street else application.area.name}办事处",
        notice_date=on, start_date=on, end_date=on + dt.timedelta(days=days - 1),
        complaint_phone=(phone or complaint_phone()).strip(), entries=entries, displayed=bool(entries),
        published_by=user,
    )


def _current_notice(application: Application) -> PublicNotice:
    notice = application.notices.order_by("-id").first()
    assert notice is not None  # the table reaches IN_NOTICE only through publish_notice
    return notice


@transaction.atomic
def close_notice(application: Application, *, user: Any, objections: str = "",
                 on: dt.date | None = None) -> Decision:
    """公示期满: no objection (or none upheld, with what was raised and why it was not upheld)."""
    application = lock(application)
    on = today(on)
    notice = _current_notice(application)
    if on <= notice.end_date:
        raise InvalidChange(f"公示期至 {notice.end_date} 结束，期满后方可办理")
    move(application, AppAction.CLOSE_NOTICE, user=user, on=on, note=objections)
    return Decision.objects.create(application=application, kind=DecisionKind.NOTICE, outcome=Outcome.NO_OBJECTION,
                                   reasons=objections.strip(), decided_on=on, decided_by=user,
                                   data={"notice": notice.pk})


@transaction.atomic
def uphold_objection(application: Application, *, user: Any, objections: str,
                     on: dt.date | None = None) -> Decision:
    """An objection during the notice is upheld: the case goes back to a new investigation."""
    application = lock(application)
    on = today(on)
    notice = _current_notice(application)
    objections = required(objections, "异议内容及核实情况")
    if on < notice.start_date:
        raise InvalidChange("公示尚未开始")
    move(application, AppAction.UPHOLD_OBJECTION, user=user, on=on, note=objections)
    return Decision.objects.create(application=application, kind=DecisionKind.NOTICE,
                                   outcome=Outcome.OBJECTION_UPHELD, reasons=objections, decided_on=on,
                                   decided_by=user, data={"notice": notice.pk})


def _plan_json(planned: list[Planned]) -> list[dict[str, Any]]:
    return [{"programme": p.programme, "person": p.person_id, "amount": str(p.amount), "people": p.people,
             "months": p.months} for p in planned]


def _hard_conflicts(application: Application, planned: list[Planned], start: dt.date) -> list[Enrollment]:
    """Orphan programmes exclude 特困 and 低保: a member with one cannot be counted in either (never superseded)."""
    people = {p.person_id for p in planned if p.person_id} | {pid for p in planned for pid in p.counted}
    return list(active_enrollments(start).filter(person_id__in=people, programme__in=CHILD_PROGRAMMES)) + list(
        Enrollment.objects.filter(person_id__in=people, programme__in=CHILD_PROGRAMMES, start_date__gt=start))


def _clashes(application: Application, start: dt.date) -> list[Enrollment]:
    """The approval re-determines the whole household: its running statuses (低保, 低保边缘, 刚性支出困难)
    and its current members' own 特困 or 低保 (单人保) enrollments all give way to the new ones."""
    household = application.household
    members = household.memberships.filter(end_date__isnull=True).values("person_id")
    running = Enrollment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    return list(
        running.filter(household=household, person__isnull=True, programme__in=HOUSEHOLD_STATUSES)
        | running.filter(person_id__in=members, programme__in=("tekun", "dibao"))
    )


@transaction.atomic
def district_approve(application: Application, *, user: Any, on: dt.date | None = None, opinion: str = "",
                     supersede_reason: str = "") -> list[Enrollment]:
    """区县审批: enroll from the first day of the next month at the amounts noticed.

    One person, one category: a member in an orphan programme cannot be counted (refused); running
    低保边缘 / 刚性支出困难 statuses are superseded by the new determination; a running 特困 or 低保 is
    superseded only with a written ``supersede_reason``, otherwise the approval is refused.
    """
    application = lock(application)
    on = today(on)
    move(application, AppAction.DISTRICT_APPROVE, user=user, on=on, note=opinion, save=False)
    planned = plan(application)
    if not planned:
        raise InvalidChange(NO_CATEGORY)
    start = first_of_next_month(on)
    hard = _hard_conflicts(application, planned, start)
    if hard:
        raise CategoryConflict(
            "一人一类：家庭成员已享受孤儿（事实无人抚养儿童）基本生活保障，不能同时纳入特困或低保", hard)
    clash = _clashes(application, start)
    cash = [e for e in clash if e.programme in ("tekun", "dibao")]
    if cash and not supersede_reason.strip():
        raise CategoryConflict("一人一类：家庭或成员已在享受特困或低保；如由本次认定取代，请填写取代原因", cash)
    if any(e.start_date >= start for e in clash):
        raise CategoryConflict("已有自下月起的享受记录，请先处理", [e for e in clash if e.start_date >= start])
    for e in clash:
        reason = supersede_reason.strip() or "由新的认定结果取代"
        end_enrollment(e, user=user, last_day=start - dt.timedelta(days=1), reason=reason)
        record_change(e, kind="supersede", user=user, on=on, effective=start, reason=reason, application=application,
                      paid_until=start - dt.timedelta(days=1))
    created = []
    rigid_months = procedure_int("rigid_hardship_months", on)
    for item in planned:
        months = item.months or (rigid_months if item.programme == "rigid_hardship" else None)
        end = add_months(start, months) - dt.timedelta(days=1) if months else None
        person = Person.objects.get(pk=item.person_id) if item.person_id else None
        created.append(enroll(
            user=user, programme=item.programme, start=start, end=end, monthly_amount=item.amount,
            household=None if person else application.household, person=person,
            counted=frozenset(item.counted) if item.counted else None,
            source_key=f"asst:{application.number}:{item.programme}:{item.person_id or 'hh'}",
            reason=f"审批 {application.number}",
        ))
    investigation = latest_investigation(application)
    irregular = bool(investigation and investigation.irregular_income)
    application.review_months = procedure_int("review_months_irregular" if irregular else "review_months_stable", on)
    application.decided_on = on
    application.save()
    if any(p.programme == "rigid_hardship" for p in planned):
        ReviewTask.objects.create(
            household=application.household, application=application, area_id=application.area_id,
            kind=ReviewKind.TEMPORARY_ASSESSMENT, due_date=add_working_days(on, 10).date, created_on=on,
            created_by=user, description="刚性支出困难家庭：评估是否给予临时救助并转介专项救助",
        )
    Decision.objects.create(
        application=application, kind=DecisionKind.DISTRICT, outcome=Outcome.APPROVE, reasons=opinion.strip(),
        decided_on=on, decided_by=user, data={"plan": _plan_json(planned), "start": start.isoformat(),
                                              "enrollments": [e.pk for e in created],
                                              "superseded": [e.pk for e in clash]},
    )
    return created
