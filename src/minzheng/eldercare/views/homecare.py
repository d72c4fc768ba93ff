"""Home-care pages: the public order page (an elder or a relative on a phone), caseworkers' orders, the
enterprise's dispatch inbox, the worker's check-in/check-out page, and the monthly settlement with its
anomaly flags and Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.scope import has_role
from minzheng.core.errors import DomainError
from minzheng.core.masking import mask_id, mask_phone
from minzheng.eldercare import selectors as sel
from minzheng.eldercare.actions.orders import (
    assign_worker,
    cancel_order,
    check_in,
    check_out,
    dispatch_order,
    identify_elder,
    place_order,
    rate_order,
)
from minzheng.eldercare.actions.settlement import confirm_settlement, settle_month
from minzheng.eldercare.choices import (
    CASEWORKERS,
    DONE_ORDER_STATUSES,
    PROVIDERS,
    SETTLES,
    STAFF,
    LineDecision,
    MemberRole,
    OrderStatus,
)
from minzheng.eldercare.forms import (
    AssignForm,
    CancelForm,
    CheckForm,
    DispatchForm,
    OrderForm,
    PublicOrderForm,
    RatingForm,
    SettleForm,
)
from minzheng.eldercare.models import Enterprise
from minzheng.eldercare.views._common import jurisdiction_prefix
from minzheng.web.excel import xlsx_response
from minzheng.web.http import client_ip, no_store, role_required

staff = role_required(STAFF)
providers = role_required(PROVIDERS)
either = role_required(STAFF | PROVIDERS)
PUBLIC_ATTEMPTS = 5  # wrong ID/phone pairs a browser session may try before it must wait
PUBLIC_LOCK_SECONDS = 15 * 60


def public_order(request: HttpRequest) -> HttpResponse:
    """No sign-in: the elder's ID number and the elder's own or a registered family phone identify the
    elder; the order is dispatched at once when an enterprise serves the area."""
    form = PublicOrderForm(request.POST or None)
    session = request.session
    locked_until = float(session.get("eldercare_order_locked", 0))
    if request.method == "POST" and locked_until > timezone.now().timestamp():
        form.is_valid()
        form.add_error(None, "尝试次数过多，请15分钟后再试，或联系社区")
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person, channel, contact = identify_elder(d["id_number"], d["phone"])
        except DomainError as exc:
            failures = int(session.get("eldercare_order_failures", 0)) + 1
            session["eldercare_order_failures"] = failures
            if failures >= PUBLIC_ATTEMPTS:
                session["eldercare_order_locked"] = timezone.now().timestamp() + PUBLIC_LOCK_SECONDS
                session["eldercare_order_failures"] = 0
            record(None, AuditAction.VIEW_SENSITIVE, object_type="eldercare.public_order", area_code="",
                   summary=f"居家服务下单身份核验失败：{mask_id(d['id_number'])} / {mask_phone(d['phone'])}",
                   ip=client_ip(request))
            form.add_error(None, str(exc))
        else:
            who = f"{'亲属' if contact else '老人本人'} {mask_phone(d['phone'])}"
            try:
                order = place_order(user=who, person=person, channel=channel, category_code=d["category"],
                                    scheduled_at=d["scheduled_at"], hours=d["hours"], address=d["address"],
                                    contact_name=d["contact_name"], contact_phone=d["contact_phone"],
                                    contact_relation=contact.relation if contact else "本人", note=d["note"])
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                session["eldercare_order_failures"] = 0
                return no_store(render(request, "eldercare/public_done.html", {"order": order}))
    return no_store(render(request, "eldercare/public_order.html", {"form": form}))


@staff
def orders(request: HttpRequest) -> HttpResponse:
    qs = sel.visible_orders(request.user)
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return no_store(render(request, "eldercare/orders.html",
                           {"page": page, "statuses": OrderStatus.choices, "status": status}))


@role_required(CASEWORKERS)
def order_new(request: HttpRequest, person_pk: int) -> HttpResponse:
    p = sel.get_person(request.user, person_pk)
    level, hardship, hours = sel.person_entitlement(p, timezone.localdate())
    initial = {}
    membership = sel.household_of(p, timezone.localdate())
    if membership is not None:
        initial = {"address": membership.household.address, "contact_phone": membership.household.phone}
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order = place_order(user=request.user, person=p, category_code=d["category"],
                                scheduled_at=d["scheduled_at"], hours=d["hours"], address=d["address"],
                                contact_name=d["contact_name"], contact_phone=d["contact_phone"], note=d["note"])
            return redirect("eldercare:order", pk=order.pk)
        except DomainError as exc:
            form.add_error(None, str(exc))
    return no_store(render(request, "eldercare/order_form.html",
                           {"p": p, "form": form, "level": level, "hardship": hardship, "hours": hours}))


@either
def order(request: HttpRequest, pk: int) -> HttpResponse:
    o = sel.get_order(request.user, pk)
    membership = sel.membership_of(request.user)
    is_manager = membership is not None and membership.role == MemberRole.MANAGER
    is_staff = membership is None and has_role(request.user, CASEWORKERS)
    workers = [(w.pk, w.name) for w in o.enterprise.workers.filter(active=True)] if o.enterprise else []
    context: dict[str, Any] = {
        "o": o, "events": o.events.select_related("actor"), "visit": getattr(o, "visit", None),
        "rating": getattr(o, "rating", None), "is_manager": is_manager, "is_staff": is_staff,
        "dispatch_form": DispatchForm() if is_staff and o.status in ("ordered", "dispatched") else None,
        "assign_form": AssignForm(workers=workers) if is_manager and o.status in ("dispatched", "assigned") else None,
        "rating_form": RatingForm() if is_staff and o.status == OrderStatus.CHECKED_OUT else None,
        "cancel_form": CancelForm() if (is_staff or is_manager) and o.status in (
            "ordered", "dispatched", "assigned") else None,
    }
    return no_store(render(request, "eldercare/order.html", context))


@require_POST
@either
def order_action(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """dispatch (staff), assign (the enterprise's dispatcher), rate (staff), cancel."""
    o = sel.get_order(request.user, pk)
    try:
        if step == "dispatch":
            form: Any = DispatchForm(request.POST)
            if form.is_valid():
                dispatch_order(user=request.user, order=o, enterprise=form.cleaned_data["enterprise"])
        elif step == "assign":
            workers = [(w.pk, w.name) for w in o.enterprise.workers.filter(active=True)] if o.enterprise else []
            form = AssignForm(request.POST, workers=workers)
            if form.is_valid():
                assign_worker(user=request.user, order=o, worker_id=int(form.cleaned_data["worker"]))
        elif step == "rate":
            form = RatingForm(request.POST)
            if form.is_valid():
                rate_order(user=request.user, order=o, **form.cleaned_data)
        elif step == "cancel":
            form = CancelForm(request.POST)
            if form.is_valid():
                cancel_order(user=request.user, order=o, reason=form.cleaned_data["reason"])
        else:
            return redirect("eldercare:order", pk=o.pk)
        if not form.is_valid():
            messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    except DomainError as exc:
        messages.error(request, str(exc))
    if step == "assign" and sel.membership_of(request.user) is not None:
        return redirect("eldercare:provider")
    return redirect("eldercare:order", pk=o.pk)


@providers
def provider_inbox(request: HttpRequest) -> HttpResponse:
    """The enterprise dispatcher's inbox: orders sent to the enterprise, to assign to a worker."""
    membership = sel.membership_of(request.user)
    if membership is None or membership.role != MemberRole.MANAGER:
        return render(request, "eldercare/provider_none.html", status=403)
    qs = sel.visible_orders(request.user)
    waiting = qs.filter(status=OrderStatus.DISPATCHED).order_by("scheduled_at")
    active = qs.filter(status__in=(OrderStatus.ASSIGNED, OrderStatus.CHECKED_IN)).order_by("scheduled_at")
    done = qs.filter(status__in=DONE_ORDER_STATUSES).order_by("-scheduled_at")[:20]
    workers = [(w.pk, w.name) for w in membership.enterprise.workers.filter(active=True)]
    return no_store(render(request, "eldercare/provider.html", {
        "enterprise": membership.enterprise, "waiting": waiting, "active": active, "done": done,
        "assign_form": AssignForm(workers=workers),
        "settlements": sel.visible_settlements(request.user)[:6]}))


@providers
def worker_home(request: HttpRequest) -> HttpResponse:
    """The worker's phone page: their visits to make and in progress."""
    worker = sel.worker_of(request.user)
    if worker is None:
        return render(request, "eldercare/provider_none.html", status=403)
    qs = sel.visible_orders(request.user)
    todo = qs.filter(status__in=(OrderStatus.ASSIGNED, OrderStatus.CHECKED_IN)).order_by("scheduled_at")
    done = qs.filter(status__in=DONE_ORDER_STATUSES).order_by("-scheduled_at")[:10]
    return no_store(render(request, "eldercare/worker.html", {"worker": worker, "todo": todo, "done": done}))


@providers
def worker_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Check in on arrival, check out with the service record (the phone's position when allowed)."""
    worker = sel.worker_of(request.user)
    o = sel.get_order(request.user, pk)
    if worker is None or o.worker_id != worker.pk:
        return redirect("eldercare:worker")
    form = CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if o.status == OrderStatus.ASSIGNED:
                check_in(user=request.user, order=o, lat=d["lat"], lng=d["lng"], place=d["place"])
                messages.success(request, "已签到，服务结束时请签退并填写服务记录。")
            else:
                check_out(user=request.user, order=o, record_text=d["record"], lat=d["lat"], lng=d["lng"],
                          place=d["place"])
                messages.success(request, "已签退，服务记录已保存。")
                return redirect("eldercare:worker")
            return redirect("eldercare:worker_visit", pk=o.pk)
        except DomainError as exc:
            form.add_error(None, str(exc))
    return no_store(render(request, "eldercare/worker_visit.html",
                           {"o": o, "form": form, "visit": getattr(o, "visit", None)}))


@either
def settlements(request: HttpRequest) -> HttpResponse:
    qs = sel.visible_settlements(request.user)
    can_settle = has_role(request.user, SETTLES)
    prefix = jurisdiction_prefix(request)
    enterprises = Enterprise.objects.filter(area__code__startswith=prefix) if can_settle else Enterprise.objects.none()
    form = SettleForm(request.POST or None, enterprises=enterprises,
                      initial={"month": timezone.localdate().strftime("%Y-%m")})
    if request.method == "POST" and can_settle and form.is_valid():
        try:
            s = settle_month(user=request.user, month=form.cleaned_data["month"],
                             enterprise=form.cleaned_data["enterprise"])
            return redirect("eldercare:settlement", pk=s.pk)
        except DomainError as exc:
            form.add_error(None, str(exc))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    for s in page.object_list:
        s.flag_counts = [(_flag_label(k), n) for k, n in s.flags.items() if n]
    return no_store(render(request, "eldercare/settlements.html",
                           {"page": page, "form": form, "can_settle": can_settle}))


def _lines(s: Any) -> list[Any]:
    lines = list(s.lines.select_related("visit__order__person", "visit__order__category", "visit__worker"))
    for ln in lines:
        ln.flag_labels = [(f, _flag_label(f)) for f in ln.flags]
    return lines


@either
def settlement(request: HttpRequest, pk: int) -> HttpResponse:
    s = sel.get_settlement(request.user, pk)
    lines = _lines(s)
    return no_store(render(request, "eldercare/settlement.html", {
        "s": s, "lines": lines, "can_settle": has_role(request.user, SETTLES),
        "flagged": [ln for ln in lines if ln.flags]}))


@require_POST
@role_required(SETTLES)
def settlement_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    s = sel.get_settlement(request.user, pk)
    try:
        confirm_settlement(user=request.user, settlement=s)
        messages.success(request, "结算单已确认。")
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("eldercare:settlement", pk=s.pk)


@either
def settlement_export(request: HttpRequest, pk: int) -> HttpResponse:
    s = sel.get_settlement(request.user, pk)
    record(request.user, AuditAction.EXPORT, s, area_code=s.enterprise.area_id,
           summary=f"导出 {s.enterprise.name} {s.month} 结算明细（{s.visits} 行，已脱敏）", ip=client_ip(request))
    rows = []
    for ln in _lines(s):
        v = ln.visit
        rows.append([v.order.number, v.order.person.name, mask_id(v.order.person.id_number), v.order.category.name,
                     v.worker.name, timezone.localtime(v.check_in_at),
                     timezone.localtime(v.check_out_at) if v.check_out_at else None, float(ln.hours_claimed),
                     float(ln.hours_paid), float(ln.rate), float(ln.amount), LineDecision(ln.decision).label,
                     "、".join(_flag_label(f) for f in ln.flags), ln.note])
    return xlsx_response(
        filename=f"居家服务结算-{s.enterprise.name}-{s.month}.xlsx", title=f"{s.month} 结算",
        headers=["工单号", "服务对象", "身份证号", "服务项目", "服务人员", "签到", "签退", "服务时长", "结算时长",
                 "补贴标准", "结算金额", "处理", "异常", "说明"], rows=rows,
        widths=[18, 10, 20, 14, 10, 18, 18, 9, 9, 9, 10, 16, 24, 40])


def _flag_label(code: str) -> str:
    from minzheng.eldercare.choices import Anomaly

    return Anomaly(code).label if code in Anomaly.values else code
