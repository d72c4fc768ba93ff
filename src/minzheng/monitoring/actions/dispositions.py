"""处置: the measures taken on a judged alert, each written once as a :class:`Disposition` with a link to
what it started elsewhere — an application (assistance), temporary assistance (assistance), the death
stop of payments (registry), a need in the service register (services) — or the reason for no action.

A confirmed finding (情况属实) allows every measure; any other finding only "no action" with its reason.
The first measure moves the alert judged → disposed; further measures keep it disposed. Everything a
measure does happens in the same transaction as the disposition row and its audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from minzheng.assistance import actions as assistance
from minzheng.assistance.choices import RequestedProgramme
from minzheng.assistance.models import ReviewTask
from minzheng.authz.scope import in_scope
from minzheng.core.actions.households import create_household
from minzheng.core.actions.people import update_person
from minzheng.core.errors import InvalidChange
from minzheng.core.models import Household, HouseholdMember
from minzheng.monitoring.actions._common import actor, lock, move, not_before, required, today
from minzheng.monitoring.choices import (
    ALLOWED_DISPOSITIONS,
    AlertAction,
    DispositionKind,
    Finding,
    Scenario,
    SpecialAssistance,
)
from minzheng.monitoring.evidence import suggestion, summary
from minzheng.monitoring.models import Alert, Disposition
from minzheng.monitoring.workflow import C, S, acting_level, authorise
from minzheng.registry.actions.stops import stop_payments_after_death
from minzheng.registry.selectors import active_enrollments
from minzheng.services.actions.needs import open_need
from minzheng.services.models import ServiceItem

K = DispositionKind


def _begin(alert: Alert, user: Any, kind: str, on: dt.date) -> Alert:
    """Lock, authorise the dispose move, and check the finding allows ``kind`` (nothing written yet)."""
    alert = lock(alert)
    authorise(user, alert.state, AlertAction.DISPOSE, area_code=alert.area_id, level=alert.level)
    allowed = ALLOWED_DISPOSITIONS.get(Finding(alert.finding), frozenset()) if alert.finding else frozenset()
    if kind not in allowed:
        raise InvalidChange(f"研判结论为“{alert.get_finding_display()}”，不能“{K(kind).label}”，请记录不予处置的理由")
    not_before(on, alert.judged_on, "研判日期")
    return alert


def _finish(alert: Alert, disposition: Disposition, *, user: Any, on: dt.date) -> Disposition:
    alert.disposed_on = alert.disposed_on or on
    move(alert, AlertAction.DISPOSE, user=user, on=on, note=f"{K(disposition.kind).label}：{disposition.note}",
         after={"disposition": disposition.kind, "disposition_id": disposition.pk})
    return disposition


def prefill(alert: Alert) -> str:
    """The alert as the opening text of an application or a temporary-assistance case (IDs masked)."""
    facts = summary(alert.evidence)
    parts = [f"【监测预警 {alert.number}】{Scenario(alert.scenario).label}"]
    if alert.suggested_action:
        parts.append(f"建议：{suggestion(alert.suggested_action)}")
    if facts:
        parts.append(f"依据：{facts}")
    return "；".join(parts)


def household_for(alert: Alert, *, user: Any, on: dt.date) -> Household:
    """The alert's household, else the person's current one, else a new archive household (person as head)."""
    if alert.household_id is not None:
        return alert.household  # type: ignore[return-value]
    membership = HouseholdMember.objects.filter(person=alert.person, end_date__isnull=True).select_related(
        "household").first()
    household = membership.household if membership else create_household(
        user=user, household_no=f"JC{alert.number}", area_code=alert.area_id, head=alert.person, start_date=on,
        reason=f"监测预警 {alert.number} 发现，建档以便申请救助")
    alert.household = household
    return household


@transaction.atomic
def start_application(alert: Alert, *, user: Any, programmes: Sequence[str] | None = None, note: str = "",
                      authorisation_signed: bool = False, on: dt.date | None = None) -> Disposition:
    """发起救助申请 for the person's household, pre-filled from the alert (made by the caseworker for them).

    ``programmes``: the low-income categories asked for (all four by default: 一次申请、分类审核认定)."""
    on = today(on)
    alert = _begin(alert, user, K.APPLICATION, on)
    household = household_for(alert, user=user, on=on)
    current = HouseholdMember.objects.filter(household=household, person=alert.person, end_date__isnull=True)
    reason = prefill(alert) + (f"；{note.strip()}" if note.strip() else "")
    application = assistance.submit_application(
        user=user, household=household, channel="caseworker", applicant=alert.person if current.exists() else None,
        programmes=list(programmes or RequestedProgramme.values), reason=reason, on=on,
        authorisation_signed=authorisation_signed)
    disposition = Disposition.objects.create(alert=alert, kind=K.APPLICATION, disposed_on=on, disposed_by=actor(user),
                                             note=note.strip() or f"已发起救助申请 {application.number}",
                                             application=application)
    return _finish(alert, disposition, user=user, on=on)


@transaction.atomic
def start_temporary(alert: Alert, *, user: Any, amount: Decimal, circumstances: str = "", urgent: bool = True,
                    on: dt.date | None = None) -> Disposition:
    """给予临时救助: urgent help given first (急难型, paperwork after) or an expense-type request."""
    on = today(on)
    alert = _begin(alert, user, K.TEMPORARY, on)
    household = household_for(alert, user=user, on=on)
    text = circumstances.strip() or prefill(alert)
    if urgent:
        case = assistance.help_first(user=user, household=household, amount=amount, circumstances=text, on=on)
    else:
        case = assistance.request_temporary(user=user, household=household, amount=amount, circumstances=text, on=on)
    disposition = Disposition.objects.create(alert=alert, kind=K.TEMPORARY, disposed_on=on, disposed_by=actor(user),
                                             note=f"临时救助 {case.number}，{amount} 元（{case.get_kind_display()}）",
                                             temporary=case)
    return _finish(alert, disposition, user=user, on=on)


def _person_area(alert: Alert) -> str:
    membership = alert.person.memberships.filter(end_date__isnull=True).select_related("household").first()
    return str(membership.household.area_id) if membership else str(alert.person.area_id or alert.area_id)


@transaction.atomic
def stop_payments(alert: Alert, *, user: Any, death_date: dt.date | None = None, note: str = "",
                  on: dt.date | None = None) -> Disposition:
    """死亡停发: the person's person-level enrollments end on the last day of the death month (paid up to
    it, nothing after); the death is recorded on the person; a household in care gets a change review."""
    on = today(on)
    alert = _begin(alert, user, K.STOP_PAYMENTS, on)
    if alert.scenario != Scenario.MON_DECEASED:
        raise InvalidChange("只有“在保对象死亡未停保”预警可以死亡停发")
    person = alert.person
    death_date = death_date or person.death_date or death_in_evidence(alert.evidence)
    if death_date is None:
        raise InvalidChange("请填写死亡日期")
    reason = f"监测预警 {alert.number}" + (f"：{note.strip()}" if note.strip() else "")
    stop = stop_payments_after_death(user=user, person=person, death_date=death_date, reason=reason,
                                     area_code=alert.area_id)
    if person.death_date is None and in_scope(user, _person_area(alert)):
        update_person(user=user, person=person, reason=reason, death_date=death_date)
    review = _household_review(alert, user=user, death_date=death_date, on=on)
    ended = [{"id": e.pk, "programme": e.programme, "monthly_amount": str(e.monthly_amount),
              "end_date": e.end_date.isoformat() if e.end_date else None} for e in stop.ended]
    ended += [{"id": e.pk, "programme": e.programme, "monthly_amount": str(e.monthly_amount),
               "not_started": True, "start_date": e.start_date.isoformat()} for e in stop.not_started]
    text = note.strip() or f"{death_date:%Y-%m-%d} 死亡，终止 {len(stop.ended)} 项个人待遇"
    disposition = Disposition.objects.create(alert=alert, kind=K.STOP_PAYMENTS, disposed_on=on, disposed_by=actor(user),
                                             note=text, death_date=death_date, stop_from=stop.stop_from,
                                             ended_enrollments=ended, review_task=review)
    return _finish(alert, disposition, user=user, on=on)


def death_in_evidence(evidence: Any) -> dt.date | None:
    """The death date the engine found: ``death_date``, else the earliest ``death`` row's ``date``."""
    if not isinstance(evidence, dict):
        return None
    found = [evidence.get("death_date")]
    found += [r.get("date") for r in evidence.get("rows") or [] if isinstance(r, dict) and r.get("kind") == "death"]
    days = []
    for value in found:
        try:
            days.append(dt.date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return min(days) if days else None


def _household_review(alert: Alert, *, user: Any, death_date: dt.date, on: dt.date) -> ReviewTask | None:
    """A member of a household in care died: its household-level amount is re-determined by a review."""
    membership = alert.person.memberships.filter(Q(end_date__isnull=True) | Q(end_date__gte=death_date)).first()
    household = alert.household or (membership.household if membership else None)
    if household is None or acting_level(user) not in (C, S):
        return None
    if not active_enrollments(on).filter(household=household, person__isnull=True).exists():
        return None
    return assistance.report_change(user=user, household=household, on=on,
                                    description=f"成员 {alert.person.name} 于 {death_date:%Y-%m-%d} 死亡"
                                                f"（监测预警 {alert.number}），请复核家庭保障人数和金额")


@transaction.atomic
def refer_special(alert: Alert, *, user: Any, special: str, note: str, on: dt.date | None = None) -> Disposition:
    """转介专项救助 (medical, education, housing, employment): recorded for the department's feedback."""
    on = today(on)
    alert = _begin(alert, user, K.REFER_SPECIAL, on)
    if special not in SpecialAssistance.values:
        raise InvalidChange("请选择专项救助类别")
    note = required(note, "转介说明")
    disposition = Disposition.objects.create(alert=alert, kind=K.REFER_SPECIAL, disposed_on=on, disposed_by=actor(user),
                                             note=f"{SpecialAssistance(special).label}：{note}", special=special)
    return _finish(alert, disposition, user=user, on=on)


@transaction.atomic
def refer_service(alert: Alert, *, user: Any, item_code: str, note: str = "",
                  on: dt.date | None = None) -> Disposition:
    """转介服务类救助: a need for the service item opens in the service register (matched to providers there)."""
    on = today(on)
    alert = _begin(alert, user, K.REFER_SERVICE, on)
    item = ServiceItem.objects.filter(code=item_code).first()
    if item is None:
        raise InvalidChange("请选择服务项目")
    household = household_for(alert, user=user, on=on)
    need, _ = open_need(household, item, user=user, person=alert.person, day=on,
                        reason=f"监测预警 {alert.number} 转介服务类救助")
    disposition = Disposition.objects.create(alert=alert, kind=K.REFER_SERVICE, disposed_on=on, disposed_by=actor(user),
                                             note=note.strip() or f"转介服务：{item.name}", need=need)
    return _finish(alert, disposition, user=user, on=on)


@transaction.atomic
def record_no_action(alert: Alert, *, user: Any, reason: str, on: dt.date | None = None) -> Disposition:
    """不予处置: the reason is recorded (already covered, not eligible, a false alarm, unreachable …)."""
    on = today(on)
    alert = _begin(alert, user, K.NO_ACTION, on)
    reason = required(reason, "不予处置的理由")
    disposition = Disposition.objects.create(alert=alert, kind=K.NO_ACTION, disposed_on=on, disposed_by=actor(user),
                                             note=reason)
    return _finish(alert, disposition, user=user, on=on)


def dispose(alert: Alert, *, user: Any, kind: str, on: dt.date | None = None, **details: Any) -> Disposition:
    """Dispatch to the measure ``kind`` with its details (the form of each measure on the alert page)."""
    measures: dict[str, Callable[..., Disposition]] = {
        K.APPLICATION: start_application, K.TEMPORARY: start_temporary, K.STOP_PAYMENTS: stop_payments,
        K.REFER_SPECIAL: refer_special, K.REFER_SERVICE: refer_service, K.NO_ACTION: record_no_action}
    if kind not in measures:
        raise InvalidChange("未知的处置方式")
    return measures[K(kind)](alert, user=user, on=on, **details)
