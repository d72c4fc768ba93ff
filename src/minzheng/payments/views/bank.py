"""Pages of disbursement and recovery: a bank batch with its lines (accounts masked), the bank file
download (the only whole account numbers; audited), the return file upload and reconciliation, each
line's history, reissue and hold, bank accounts, recoveries and their workflow, review bases."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.core.errors import DomainError, Forbidden, NotFound
from minzheng.core.selectors import get_household
from minzheng.payments import actions as a
from minzheng.payments import selectors as sel
from minzheng.payments.choices import LineState, RecoveryAction, RecoveryState
from minzheng.payments.forms import AccountForm, ReasonForm, RepaymentForm, ReturnFileForm
from minzheng.payments.workflow import PREPARERS, actions_from, acts_on_district
from minzheng.registry.models import Enrollment
from minzheng.web.http import acting_user, client_ip, no_store, role_required

reads = role_required(READS_PERSONAL_DATA)
PAGE_SIZE = 50


@reads
def disbursement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    disbursement = sel.get_disbursement(user, pk)
    lines = sel.visible_lines(user).filter(disbursement=disbursement).select_related("account", "reissue_of")
    state = request.GET.get("state", "")
    if state in LineState.values:
        lines = lines.filter(state=state)
    page = Paginator(lines.order_by("id"), PAGE_SIZE).get_page(request.GET.get("page"))
    staff = user.role in PREPARERS and acts_on_district(user, disbursement.payroll.district)
    return no_store(render(request, "payments/disbursement_detail.html", {
        "disbursement": disbursement, "payroll": disbursement.payroll, "page": page, "state": state,
        "states": LineState.choices, "staff": staff, "upload": ReturnFileForm(),
        "counts": sel.visible_lines(user).filter(disbursement=disbursement).values("state").annotate(
            n=Count("id"), total=Sum("amount")).order_by("state"),
        "returns": disbursement.returns.select_related("uploaded_by"),
    }))


@reads
def disbursement_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    user = acting_user(request)
    disbursement = sel.get_disbursement(user, pk)
    try:
        name, content, kind = a.export_bank_file(disbursement, user=user, fmt=fmt, ip=client_ip(request))
    except DomainError as exc:
        raise NotFound(str(exc)) from None
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = str(content_disposition_header(as_attachment=True, filename=name))
    return no_store(response)


@require_POST
@reads
def return_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    disbursement = sel.get_disbursement(user, pk)
    form = ReturnFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("payments:disbursement_detail", disbursement.pk)
    upload = form.cleaned_data["file"]
    try:
        result = a.import_bank_return(disbursement, user=user, file_name=upload.name, content=upload.read())
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        c = result.counts
        messages.success(request, f"已对账：成功 {c['paid']}，失败 {c['failed']}，无法匹配 "
                                  f"{c['unknown'] + c['mismatch'] + c['conflict']}")
    return redirect("payments:disbursement_detail", disbursement.pk)


@reads
def line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    line = sel.get_line(user, pk)
    district = line.disbursement.payroll.district
    staff = user.role in PREPARERS and acts_on_district(user, district)
    return no_store(render(request, "payments/line_detail.html", {
        "line": line, "events": line.events.select_related("actor", "bank_return"),
        "later": sel.visible_lines(user).filter(reissue_of=line).select_related("disbursement").first(),
        "actions": [row.action for row in actions_from("line", line.state)] if staff else [],
        "form": ReasonForm(),
    }))


@require_POST
@reads
def line_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = acting_user(request)
    line = sel.get_line(user, pk)
    try:
        if action == "reissue":
            batch = a.reissue_lines([line], user=user, note=request.POST.get("reason", "").strip())
            messages.success(request, f"已重新发放（第 {batch.sequence} 批）")
        elif action == "hold":
            a.hold_line(line, user=user, reason=request.POST.get("reason", ""))
            messages.success(request, "已暂停发放")
        else:
            raise NotFound("未找到该操作")
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("payments:line_detail", line.pk)


@reads
def account_new(request: HttpRequest, household_pk: int) -> HttpResponse:
    """登记银行账户 of a household (or, with ``?person=``, of one of its current members)."""
    user = acting_user(request)
    household = get_household(user, household_pk)
    person = None
    if request.GET.get("person"):
        member = household.memberships.filter(person_id=request.GET["person"], end_date__isnull=True).first()
        if member is None:
            raise NotFound("未找到该成员")
        person = member.person
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            a.record_bank_account(user=user, household=None if person else household, person=person,
                                  **form.cleaned_data)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已登记银行账户")
            return redirect("web:core:household_detail", household.pk)
    return no_store(render(request, "payments/account_form.html", {
        "form": form, "household": household, "person": person,
        "accounts": sel.household_accounts(household)},
        status=400 if request.method == "POST" else 200))


@require_POST
@reads
def basis_record(request: HttpRequest, household_pk: int) -> HttpResponse:
    """After a review: freeze the registry as the household's basis from next month."""
    user = acting_user(request)
    household = get_household(user, household_pk)
    today = dt.date.today()
    start = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)
    try:
        a.record_review_basis(user=user, household=household, valid_from=start,
                              note=request.POST.get("note", ""))
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已记录核查依据，自 {start:%Y-%m} 起按新依据核算")
    return redirect("web:core:household_detail", household.pk)


@require_POST
@reads
def basis_for_enrollment(request: HttpRequest, pk: int) -> HttpResponse:
    """From a payroll's "需关注": the registry has been completed, freeze it again as the basis of the
    enrollment's household (or lone person) from the month the enrollment starts."""
    user = acting_user(request)
    enrollment = Enrollment.objects.select_related("household", "person").filter(pk=pk).first()
    if enrollment is None:
        raise NotFound("未找到该享受记录")
    start = enrollment.start_date.replace(day=1)
    try:
        a.record_review_basis(user=user, household=enrollment.household,
                              person=None if enrollment.household else enrollment.person, valid_from=start,
                              note=request.POST.get("note", "") or "档案已补录，重新采集核定依据")
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已重新采集核定依据（{start:%Y-%m} 起），下次编制时补发差额")
    back = request.POST.get("payroll", "")
    return redirect("payments:payroll_detail", int(back)) if back.isdigit() else redirect("payments:payroll_list")


@reads
def recovery_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    qs = sel.visible_recoveries(user)
    state = request.GET.get("state", "")
    if state in RecoveryState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-found_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return no_store(render(request, "payments/recovery_list.html", {
        "page": page, "states": RecoveryState.choices, "state": state,
        "outstanding": sel.visible_recoveries(user).exclude(state__in=[RecoveryState.RECOVERED,
                                                                       RecoveryState.WRITTEN_OFF])
        .aggregate(total=Sum("amount"), repaid=Sum("repaid")),
    }))


@reads
def recovery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    recovery = sel.get_recovery(user, pk)
    staff = user.role in PREPARERS and acts_on_district(user, recovery.district)
    actions = [row for row in actions_from("recovery", recovery.state)
               if staff and user.role in row.roles and row.action != RecoveryAction.COMPLETE]
    return no_store(render(request, "payments/recovery_detail.html", {
        "recovery": recovery, "entries": recovery.entries.order_by("benefit_month", "id"),
        "events": recovery.events.select_related("actor"), "actions": actions,
        "labels": dict(RecoveryAction.choices), "reason_form": ReasonForm(), "repay_form": RepaymentForm(),
    }))


@require_POST
@reads
def recovery_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = acting_user(request)
    recovery = sel.get_recovery(user, pk)
    try:
        if action == RecoveryAction.NOTIFY:
            a.notify_recovery(recovery, user=user, note=request.POST.get("reason", ""))
        elif action == RecoveryAction.REPAY:
            form = RepaymentForm(request.POST)
            if not form.is_valid():
                raise DomainError("请填写退还金额")
            a.record_repayment(recovery, user=user, amount=form.cleaned_data["amount"],
                               note=form.cleaned_data["note"])
        elif action == RecoveryAction.WRITE_OFF:
            a.write_off_recovery(recovery, user=user, reason=request.POST.get("reason", ""))
        else:
            raise NotFound("未找到该操作")
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{RecoveryAction(action).label}")
    return redirect("payments:recovery_detail", recovery.pk)
