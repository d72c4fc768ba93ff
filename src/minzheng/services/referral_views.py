"""Referral pages: a provider's inbox and the referral it serves (accept or decline, record visits with
photos), the caseworker's side (cancel, satisfaction), the notice for the household (who will come), photos.

A provider user reaches only referrals of their provider; staff only those of their jurisdiction; anything
else is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.authz.scope import has_role
from minzheng.core.errors import DomainError
from minzheng.core.masking import mask_phone
from minzheng.services import selectors as sel
from minzheng.services.actions.referrals import (
    accept_referral,
    cancel_referral,
    complete_referral,
    decline_referral,
    record_feedback,
    record_visit,
)
from minzheng.services.choices import ASSESSES, PROVIDER_ROLES, ReferralStatus, weekday_text
from minzheng.services.forms import AcceptForm, CancelForm, DeclineForm, FeedbackForm, VisitForm
from minzheng.web.http import client_ip, no_store, role_required

STAFF_OR_PROVIDER = READS_PERSONAL_DATA | PROVIDER_ROLES
providers_only = role_required(PROVIDER_ROLES)
either = role_required(STAFF_OR_PROVIDER)
INBOX_STATES = (("open", "待办"), ("overdue", "逾期"), ("closed", "已结束"), ("all", "全部"))


@either
def inbox(request: HttpRequest) -> HttpResponse:
    """Provider users: referrals sent to their provider. Staff: referrals of their jurisdiction."""
    state = request.GET.get("state", "open")
    if state not in dict(INBOX_STATES):
        state = "open"
    page = Paginator(sel.inbox(request.user, state=state), 30).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "states": INBOX_STATES, "provider": sel.provider_of(request.user),
               "now": timezone.now()}
    return no_store(render(request, "services/inbox.html", context))


@either
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = sel.get_referral(request.user, pk)
    is_provider = sel.provider_of(request.user) is not None
    live = referral.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE)
    phone = mask_phone(referral.need.household.phone)
    serving = referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE)
    if is_provider and serving and referral.need.household.phone:
        # The provider that serves the household needs its number to arrange the visit: shown and logged.
        phone = referral.need.household.phone
        with transaction.atomic():
            record(request.user, AuditAction.VIEW_SENSITIVE, referral.need.household, area_code=referral.need.area_id,
                   summary=f"服务机构查看服务对象联系电话（转介单 {referral.pk}）", ip=client_ip(request))
    context = {
        "r": referral,
        "is_provider": is_provider,
        "phone": phone,
        "days": weekday_text(referral.need.weekdays & referral.offering.weekdays),
        "events": referral.events.select_related("actor"),
        "records": referral.records.prefetch_related("photos"),
        "feedback": getattr(referral, "feedback", None),
        "overdue": referral.status == ReferralStatus.PENDING and referral.respond_by < timezone.now(),
        "accept_form": AcceptForm(initial={"planned_at": None}) if is_provider else None,
        "decline_form": DeclineForm() if is_provider else None,
        "cancel_form": CancelForm() if not is_provider and live and has_role(request.user, ASSESSES) else None,
        "feedback_form": FeedbackForm() if not is_provider and has_role(request.user, ASSESSES) else None,
        "reasons": (referral.match.explanation.get("reasons", []) if referral.match else []),
    }
    return no_store(render(request, "services/referral.html", context))


def _back(pk: int) -> HttpResponse:
    return redirect("services:referral", pk=pk)


@require_POST
@providers_only
def referral_accept(request: HttpRequest, pk: int) -> HttpResponse:
    referral = sel.get_referral(request.user, pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写上门服务人员；预约时间格式不正确。")
        return _back(pk)
    try:
        accept_referral(user=request.user, referral=referral, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已接收转介，服务对象将收到上门告知。")
    return _back(pk)


@require_POST
@providers_only
def referral_decline(request: HttpRequest, pk: int) -> HttpResponse:
    referral = sel.get_referral(request.user, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择拒绝原因。")
        return _back(pk)
    try:
        decline_referral(user=request.user, referral=referral, reason=form.cleaned_data["reason"],
                         note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, str(exc))
        return _back(pk)
    messages.success(request, "已拒绝，该需求将重新匹配其他机构。")
    return redirect("services:inbox")


@providers_only
def referral_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit on the phone: check-in place from the browser, photos from the camera."""
    referral = sel.get_referral(request.user, pk)
    form = VisitForm(request.POST or None, request.FILES or None,
                     initial={"worker_name": referral.worker_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_visit(
                user=request.user, referral=referral, worker_name=data["worker_name"], started_at=data["started_at"],
                duration_minutes=data["duration_minutes"], content=data["content"],
                beneficiary_confirmed=data["beneficiary_confirmed"], confirmed_by=data["confirmed_by"],
                checkin_lat=data.get("lat"), checkin_lng=data.get("lng"), photos=data["photos"],
                complete=data["complete"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "服务记录已保存。")
            return _back(pk)
    return no_store(render(request, "services/visit.html", {"r": referral, "form": form}))


@require_POST
@providers_only
def referral_complete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        complete_referral(user=request.user, referral=sel.get_referral(request.user, pk))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "服务已结束。")
    return _back(pk)


@require_POST
@role_required(ASSESSES)
def referral_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    referral = sel.get_referral(request.user, pk)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("请填写撤销原因")
        cancel_referral(user=request.user, referral=referral, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "转介已撤销。")
    return _back(pk)


@require_POST
@role_required(ASSESSES)
def referral_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    referral = sel.get_referral(request.user, pk)
    form = FeedbackForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("请选择满意度")
        record_feedback(user=request.user, referral=referral, satisfaction=form.cleaned_data["satisfaction"],
                        comment=form.cleaned_data["comment"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "满意度已记录。")
    return _back(pk)


@either
def referral_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """服务告知单: what the household is told — who will come, when, for what, whom to call."""
    referral = sel.get_referral(request.user, pk)
    return no_store(render(request, "services/notice.html", {"r": referral,
                                                             "days": weekday_text(referral.offering.weekdays)}))


@either
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit photo (at most 8 MB), for the provider of the referral and staff in scope only."""
    item = sel.get_photo(request.user, pk)
    with item.image.open("rb") as fh:
        response = HttpResponse(fh.read(), content_type=item.content_type or "application/octet-stream")
    response["Cache-Control"] = "no-store, private"
    return response
