"""Pages of the life of an enrollment: a household's assistance page (enrollments and their changes, a
reported change), review tasks, and temporary assistance."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.assistance import actions as a
from minzheng.assistance import forms as f
from minzheng.assistance import selectors as sel
from minzheng.assistance.actions.changes import enrollment_area
from minzheng.assistance.choices import ReviewStatus, TempAction, TempKind
from minzheng.assistance.models import EnrollmentChange, TemporaryAssistance
from minzheng.assistance.procedure import procedure_value, street_limit
from minzheng.assistance.views.applications import _household_by_no, reads
from minzheng.assistance.workflow import LIFE_ACTIONS, acting_level, actions_from, may
from minzheng.core.errors import DomainError, Forbidden, NotFound
from minzheng.core.selectors import current_members, get_household
from minzheng.registry.selectors import household_enrollments
from minzheng.web.http import no_store

ENROLLMENT_FORMS: dict[str, tuple[type[forms.Form], str]] = {
    "amount": (f.AmountForm, "调整金额（增发/减发）"),
    "suspend": (f.ChangeReasonForm, "暂停发放"),
    "resume": (f.ChangeReasonForm, "恢复发放"),
    "exit": (f.ChangeReasonForm, "退出"),
    "gradual_exit": (f.GradualExitForm, "渐退期"),
}


def _household_page(request: HttpRequest, household: Any, *, bound: tuple[str, int, Any] | None = None,
                    report_form: Any = None, error: str = "", status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    level = acting_level(request.user)
    may_change = level in LIFE_ACTIONS["exit"]
    enrollments = []
    for e in household_enrollments(household):
        running = e.end_date is None or e.end_date >= today
        last = EnrollmentChange.objects.filter(enrollment=e).order_by("-id").first()
        options = []
        if may_change and e.programme != "temporary":
            names: list[str] = []
            if last is not None and last.kind == "suspend":
                names = ["resume"]
            elif running and last is None:
                names = ["amount", "suspend", "exit"] + (["gradual_exit"] if e.programme == "dibao" else [])
            for name in names:
                cls, label = ENROLLMENT_FORMS[name]
                form = bound[2] if bound and bound[0] == name and bound[1] == e.pk else cls(prefix=name)
                options.append({"name": name, "label": label, "form": form})
        enrollments.append({"e": e, "running": running, "last": last, "options": options})
    context = {
        "household": household,
        "members": current_members(household),
        "enrollments": enrollments,
        "changes": EnrollmentChange.objects.filter(household=household).select_related("decided_by")[:50],
        "applications": household.applications.order_by("-id"),
        "reviews": household.review_tasks.order_by("status", "due_date"),
        "temporary": household.temporary_cases.order_by("-id"),
        "report_form": report_form or f.ChangeReportForm(),
        "may_report": level in LIFE_ACTIONS["report_change"],
        "error": error,
        "gradual_default": procedure_value("gradual_exit_months", today),
    }
    return no_store(render(request, "assistance/household.html", context, status=status))


@reads
def household(request: HttpRequest, pk: int) -> HttpResponse:
    return _household_page(request, get_household(request.user, pk))


@require_POST
@reads
def report_change(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household(request.user, pk)
    form = f.ChangeReportForm(request.POST)
    if form.is_valid():
        try:
            task = a.report_change(user=request.user, household=household,
                                   description=form.cleaned_data["description"], on=form.cleaned_data["on"])
        except NotFound:
            raise
        except DomainError as exc:
            return _household_page(request, household, report_form=form, error=str(exc),
                                   status=403 if isinstance(exc, Forbidden) else 400)
        messages.success(request, f"已登记情况变化，核查须于 {task.due_date:%Y-%m-%d} 前完成")
        return redirect("assistance:household", household.pk)
    return _household_page(request, household, report_form=form, error="请检查填写的内容", status=400)


@require_POST
@reads
def enrollment_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    enrollment = sel.get_enrollment(request.user, pk)
    _, household = enrollment_area(enrollment)
    if action not in ENROLLMENT_FORMS or household is None:
        raise NotFound("未知的办理事项")
    form = ENROLLMENT_FORMS[action][0](request.POST, prefix=action)
    if not form.is_valid():
        return _household_page(request, household, bound=(action, enrollment.pk, form), error="请检查填写的内容",
                               status=400)
    d, user = form.cleaned_data, request.user
    try:
        if action == "amount":
            a.change_amount(enrollment, user=user, new_amount=d["new_amount"], reason=d["reason"], on=d["on"])
        elif action == "suspend":
            a.suspend_enrollment(enrollment, user=user, reason=d["reason"], on=d["on"])
        elif action == "resume":
            a.resume_enrollment(enrollment, user=user, reason=d["reason"], on=d["on"])
        elif action == "exit":
            a.exit_enrollment(enrollment, user=user, reason=d["reason"], on=d["on"])
        else:
            a.start_gradual_exit(enrollment, user=user, reason=d["reason"], months=d["months"], on=d["on"])
    except NotFound:
        raise
    except DomainError as exc:
        return _household_page(request, household, bound=(action, enrollment.pk, form), error=str(exc),
                               status=403 if isinstance(exc, Forbidden) else 400)
    messages.success(request, f"已办理：{ENROLLMENT_FORMS[action][1]}")
    return redirect("assistance:household", household.pk)


@reads
def review_list(request: HttpRequest) -> HttpResponse:
    done = request.GET.get("status") == "done"
    qs = sel.visible_reviews(request.user).filter(status=ReviewStatus.DONE if done else ReviewStatus.OPEN)
    page = Paginator(qs.order_by("-completed_on" if done else "due_date", "id"), 30).get_page(request.GET.get("page"))
    return no_store(render(request, "assistance/review_list.html", {
        "page": page, "done": done, "today": timezone.localdate(),
    }))


@reads
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = sel.get_review(request.user, pk)
    form = f.ReviewForm(request.POST or None)
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                a.complete_review(task, user=request.user, outcome=d["outcome"], notes=d["notes"], on=d["on"],
                                  irregular_income=d["irregular_income"])
            except NotFound:
                raise
            except DomainError as exc:
                status, error = (403 if isinstance(exc, Forbidden) else 400), str(exc)
            else:
                messages.success(request, "核查已完成")
                return redirect("assistance:household", task.household_id)
        else:
            status, error = 400, "请检查填写的内容"
    return no_store(render(request, "assistance/review_form.html", {
        "task": task, "form": form, "error": error, "may_complete": acting_level(request.user) in
        LIFE_ACTIONS["complete_review"] and task.status == ReviewStatus.OPEN,
    }, status=status))


@reads
def temporary_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(sel.visible_temporary(request.user).order_by("-requested_on", "-id"), 30).get_page(
        request.GET.get("page"))
    today = timezone.localdate()
    limit, basis = street_limit(today)
    return no_store(render(request, "assistance/temporary_list.html", {
        "page": page, "limit": limit, "basis": basis, "today": today,
    }))


@reads
def temporary_new(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("household"):
        initial["household_no"] = get_household(request.user, request.GET["household"]).household_no
    form = f.TemporaryForm(request.POST or None, initial=initial)
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                household = _household_by_no(request.user, d["household_no"])
                if d["help_first"]:
                    case = a.help_first(user=request.user, household=household, amount=d["amount"],
                                        circumstances=d["circumstances"], on=d["on"])
                else:
                    case = a.request_temporary(user=request.user, household=household, amount=d["amount"],
                                               circumstances=d["circumstances"], kind=d["kind"], on=d["on"])
            except NotFound as exc:
                form.add_error("household_no", str(exc))
                status = 400
            except DomainError as exc:
                status, error = (403 if isinstance(exc, Forbidden) else 400), str(exc)
            else:
                messages.success(request, f"已登记临时救助 {case.number}")
                return redirect("assistance:temporary_detail", case.pk)
        else:
            status, error = 400, "请检查填写的内容"
    return no_store(render(request, "assistance/temporary_form.html", {"form": form, "error": error},
                           status=status))


def _temporary_page(request: HttpRequest, case: TemporaryAssistance, *, bound: tuple[str, Any] | None = None,
                    error: str = "", status: int = 200) -> HttpResponse:
    limit, basis = street_limit(case.decided_on or timezone.localdate())
    steps = []
    for row in actions_from("temporary", case.state):
        if may(request.user, row):
            form = bound[1] if bound and bound[0] == row.action else f.TempDecisionForm(prefix=row.action)
            steps.append({"action": row.action, "label": TempAction(row.action).label, "form": form})
    return no_store(render(request, "assistance/temporary_detail.html", {
        "case": case, "steps": steps, "limit": limit, "basis": basis, "error": error,
        "urgent": case.kind == TempKind.URGENT,
    }, status=status))


@reads
def temporary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _temporary_page(request, sel.get_temporary(request.user, pk))


@require_POST
@reads
def temporary_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = sel.get_temporary(request.user, pk)
    if action not in (TempAction.COMPLETE_PAPERWORK, TempAction.APPROVE, TempAction.REJECT):
        raise NotFound("未知的办理事项")
    form = f.TempDecisionForm(request.POST, prefix=action)
    if not form.is_valid():
        return _temporary_page(request, case, bound=(action, form), error="请检查填写的内容", status=400)
    d = form.cleaned_data
    try:
        if action == TempAction.COMPLETE_PAPERWORK:
            a.complete_paperwork(case, user=request.user, on=d["on"])
        elif action == TempAction.APPROVE:
            a.approve_temporary(case, user=request.user, reasons=d["reasons"], on=d["on"])
        else:
            a.reject_temporary(case, user=request.user, reasons=d["reasons"], on=d["on"])
    except NotFound:
        raise
    except DomainError as exc:
        return _temporary_page(request, sel.get_temporary(request.user, pk), bound=(action, form), error=str(exc),
                               status=403 if isinstance(exc, Forbidden) else 400)
    messages.success(request, f"已办理：{TempAction(action).label}")
    return redirect("assistance:temporary_detail", case.pk)
