"""临时救助: 急难型 (help first, paperwork after) and 支出型, moved by ``workflow.TEMPORARY_FLOW``.

A street may approve amounts up to ``procedure.temporary_street_multiple`` × the dibao standard in force
(assumed 2 ×); above that only the district. The money is recorded as a one-day ``temporary``
enrollment (start = end = the day it was given), when help is given first or else on approval.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from minzheng.assistance.actions._common import number, required, today
from minzheng.assistance.choices import TempAction, TempKind
from minzheng.assistance.models import TemporaryAssistance
from minzheng.assistance.procedure import procedure_int, street_limit
from minzheng.assistance.workflow import NEW, S, acting_level, authorise
from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.core.errors import Forbidden, InvalidChange
from minzheng.core.models import Household
from minzheng.core.workdays import add_working_days
from minzheng.registry.actions.enrollments import enroll
from minzheng.registry.models import Enrollment


def _audit(user: Any, case: TemporaryAssistance, action: TempAction, before: str, note: str = "") -> None:
    record(user, AuditAction.UPDATE if before != NEW else AuditAction.CREATE, case, area_code=case.area_id,
           summary=f"临时救助 {TempAction(action).label} {case.number}", before={"state": before},
           after={"state": case.state, "amount": str(case.amount)}, reason=note)


def _pay(case: TemporaryAssistance, *, user: Any, on: dt.date) -> Enrollment:
    return enroll(user=user, programme="temporary", start=on, end=on, monthly_amount=case.amount,
                  household=case.household, source_key=f"tmp:{case.number}", reason=f"临时救助 {case.number}")


def _open(*, user: Any, household: Household, kind: str, amount: Decimal, circumstances: str, on: dt.date,
          action: TempAction) -> TemporaryAssistance:
    row = authorise(user, "temporary", NEW, action, household.area_id)
    circumstances = required(circumstances, "困难情形")
    if amount <= 0:
        raise InvalidChange("救助金额须大于 0")
    if kind not in TempKind.values:
        raise InvalidChange("请选择临时救助类型")
    case = TemporaryAssistance.objects.create(
        household=household, area_id=household.area_id, kind=kind, state=row.target, circumstances=circumstances,
        amount=amount, requested_on=on, created_by=user,
    )
    case.number = number("LS", on, case.pk)
    case.save(update_fields=["number"])
    return case


@transaction.atomic
def help_first(*, user: Any, household: Household, amount: Decimal, circumstances: str,
               on: dt.date | None = None) -> TemporaryAssistance:
    """急难型先行救助: the help is given now; the paperwork is due within the working days set."""
    on = today(on)
    case = _open(user=user, household=household, kind=TempKind.URGENT, amount=amount, circumstances=circumstances,
                 on=on, action=TempAction.HELP_FIRST)
    case.helped_on = on
    case.paperwork_due = add_working_days(on, procedure_int("urgent_paperwork_working_days", on)).date
    case.enrollment = _pay(case, user=user, on=on)
    case.save()
    _audit(user, case, TempAction.HELP_FIRST, NEW, circumstances)
    return case


@transaction.atomic
def request_temporary(*, user: Any, household: Household, amount: Decimal, circumstances: str,
                      kind: str = TempKind.EXPENSE, on: dt.date | None = None) -> TemporaryAssistance:
    """支出型 (or 急难型 without help first): an application awaiting approval."""
    on = today(on)
    case = _open(user=user, household=household, kind=kind, amount=amount, circumstances=circumstances, on=on,
                 action=TempAction.REQUEST)
    _audit(user, case, TempAction.REQUEST, NEW, circumstances)
    return case


def _lock(case: TemporaryAssistance) -> TemporaryAssistance:
    return TemporaryAssistance.objects.select_for_update().select_related("household").get(pk=case.pk)


@transaction.atomic
def complete_paperwork(case: TemporaryAssistance, *, user: Any, on: dt.date | None = None) -> TemporaryAssistance:
    """事后补办: the application papers of an urgent case are in; it now awaits approval."""
    case = _lock(case)
    on = today(on)
    row = authorise(user, "temporary", case.state, TempAction.COMPLETE_PAPERWORK, case.area_id)
    before, case.state, case.paperwork_on = case.state, row.target, on
    case.save()
    _audit(user, case, TempAction.COMPLETE_PAPERWORK, before)
    return case


@transaction.atomic
def approve_temporary(case: TemporaryAssistance, *, user: Any, reasons: str = "",
                      on: dt.date | None = None) -> TemporaryAssistance:
    """Approve: a street up to its limit, the district for any amount."""
    case = _lock(case)
    on = today(on)
    row = authorise(user, "temporary", case.state, TempAction.APPROVE, case.area_id)
    limit, _ = street_limit(on)
    level = acting_level(user)
    if level == S and case.amount > limit:
        raise Forbidden(f"金额 {case.amount} 元超过街道审批限额 {limit} 元，须报区县审批")
    before, case.state = case.state, row.target
    case.decided_on, case.decided_by, case.decision_level = on, user, str(level)
    case.decision_reasons = reasons.strip()
    if case.enrollment_id is None:
        case.enrollment = _pay(case, user=user, on=on)
    case.save()
    _audit(user, case, TempAction.APPROVE, before, reasons)
    return case


@transaction.atomic
def reject_temporary(case: TemporaryAssistance, *, user: Any, reasons: str,
                     on: dt.date | None = None) -> TemporaryAssistance:
    """不予批准, with written reasons (help already given first is not reclaimed here)."""
    case = _lock(case)
    on = today(on)
    row = authorise(user, "temporary", case.state, TempAction.REJECT, case.area_id)
    reasons = required(reasons, "不予批准的理由")
    before, case.state = case.state, row.target
    case.decided_on, case.decided_by, case.decision_level = on, user, str(acting_level(user))
    case.decision_reasons = reasons
    case.save()
    _audit(user, case, TempAction.REJECT, before, reasons)
    return case
