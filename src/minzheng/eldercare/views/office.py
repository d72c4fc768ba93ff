"""Staff pages: the eldercare home, finding an elder and their care profile, the high-age allowance (monthly
runs, applications at any community), capability assessments (form, detail, printable report) and the
six-item self-care assessment. Reads go through selectors (out of scope → 404), writes through actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.scope import has_role
from minzheng.core.errors import DomainError, NotFound
from minzheng.core.idnumber import InvalidIDNumber, normalise
from minzheng.core.selectors import visible_people
from minzheng.eldercare import selectors as sel
from minzheng.eldercare.actions.allowance import apply_for_allowance, start_run
from minzheng.eldercare.actions.assessments import active_instrument, record_assessment, record_self_care
from minzheng.eldercare.actions.providers import register_family_contact
from minzheng.eldercare.choices import CASEWORKERS, PROVIDERS, RUNS_ALLOWANCE, STAFF, CapabilityLevel, RunStatus
from minzheng.eldercare.forms import ApplicationForm, AssessmentForm, ContactForm, MonthForm, SelfCareForm
from minzheng.eldercare.models import FamilyContact, HighAgeApplication, Order
from minzheng.eldercare.views._common import jurisdiction_prefix
from minzheng.registry.models import Enrollment
from minzheng.web.http import acting_user, client_ip, no_store, role_required

staff = role_required(STAFF)
caseworkers = role_required(CASEWORKERS)


@role_required(STAFF | PROVIDERS)
def home(request: HttpRequest) -> HttpResponse:
    """Staff: the figures and entry points; an enterprise's dispatcher: the inbox; a worker: today's visits."""
    if sel.worker_of(request.user) is not None:
        return redirect("eldercare:worker")
    if sel.membership_of(request.user) is not None or has_role(request.user, PROVIDERS):
        return redirect("eldercare:provider")
    latest = sel.allowance_runs().filter(status=RunStatus.DONE).first()
    orders = sel.visible_orders(request.user)
    context = {"latest": latest, "open_orders": orders.filter(status__in=("ordered", "dispatched", "assigned",
                                                                          "checked_in")).count(),
               "assessments": sel.visible_assessments(request.user).count(),
               "adaptations": sel.visible_adaptations(request.user).count(),
               "meal_points": sel.visible_meal_points(request.user).count()}
    return render(request, "eldercare/home.html", context)


@staff
def people(request: HttpRequest) -> HttpResponse:
    """Find an elder by ID number or name in the jurisdiction."""
    q = request.GET.get("q", "").strip()
    found = None
    if q:
        qs = visible_people(request.user)
        try:
            found = qs.filter(id_number=normalise(q))
        except InvalidIDNumber:
            found = qs.filter(name__contains=q)
        found = found.order_by("birth_date")[:50]
    return no_store(render(request, "eldercare/people.html", {"q": q, "found": found}))


@staff
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """An elder's care profile: allowance, assessments, orders, family contacts, entitlement."""
    p = sel.get_person(request.user, pk)
    today = timezone.localdate()
    level, hardship, hours = sel.person_entitlement(p, today)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and has_role(request.user, CASEWORKERS) and form.is_valid():
        try:
            register_family_contact(user=request.user, person=p, **form.cleaned_data)
            messages.success(request, "已登记家属联系人，家属可用该手机号在“居家服务下单”页面为老人下单。")
            return redirect("eldercare:person", pk=p.pk)
        except DomainError as exc:
            form.add_error(None, str(exc))
    context = {
        "p": p, "level": level, "level_label": CapabilityLevel(level).label if level is not None else "",
        "hardship": hardship, "hours": hours,
        "allowance": Enrollment.objects.filter(person=p, programme="high_age").order_by("-start_date"),
        "assessments": sel.visible_assessments(request.user).filter(person=p)[:10],
        "selfcare": sel.visible_selfcare(request.user).filter(person=p)[:5],
        "orders": Order.objects.filter(person=p).select_related("category", "enterprise")[:20],
        "contacts": FamilyContact.objects.filter(person=p), "form": form,
        "can_write": has_role(request.user, CASEWORKERS),
    }
    return no_store(render(request, "eldercare/person.html", context))


@staff
def allowance(request: HttpRequest) -> HttpResponse:
    """The monthly runs (免申即享) and the button that starts one."""
    page = Paginator(sel.allowance_runs(), 24).get_page(request.GET.get("page"))
    can_run = has_role(request.user, RUNS_ALLOWANCE)
    applications = HighAgeApplication.objects.filter(
        community__code__startswith=jurisdiction_prefix(request)
    ).select_related("person", "community")[:10]
    return no_store(render(request, "eldercare/allowance.html",
                           {"page": page, "form": MonthForm(), "can_run": can_run, "applications": applications}))


@require_POST
@role_required(RUNS_ALLOWANCE)
def allowance_start(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请按 YYYY-MM 填写月份")
        return redirect("eldercare:allowance")
    try:
        run = start_run(user=request.user, month=form.cleaned_data["month"])
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("eldercare:allowance")
    from minzheng.eldercare.tasks import run_allowance

    transaction.on_commit(lambda: run_allowance.enqueue(run.pk))
    messages.success(request, f"已开始 {run.month} 月度核定（第 {run.attempt} 次），完成后刷新本页查看结果。")
    return redirect("eldercare:allowance_run", pk=run.pk)


@staff
def allowance_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = sel.allowance_runs().filter(pk=pk).first()
    if run is None:
        raise NotFound("未找到该运行记录")
    return render(request, "eldercare/allowance_run.html", {"run": run})


@caseworkers
def allowance_apply(request: HttpRequest) -> HttpResponse:
    """A resident applies at the caseworker's community (any resident of the city: 全市通办)."""
    user = acting_user(request)
    form = ApplicationForm(request.POST or None)
    community = user.jurisdiction
    if community is None or community.level != "community":
        messages.error(request, "只有社区工作人员可以受理高龄津贴申请")
        return redirect("eldercare:allowance")
    if request.method == "POST" and form.is_valid():
        try:
            app = apply_for_allowance(user=user, community=community.code, **form.cleaned_data)
            messages.success(request, f"已受理：{app.person.name} 自 {app.month} 起按月享受 "
                                      f"{app.enrollment.monthly_amount} 元。")
            return redirect("eldercare:person", pk=app.person_id)
        except DomainError as exc:
            form.add_error(None, str(exc))
    return no_store(render(request, "eldercare/apply.html", {"form": form, "community": community}))


@caseworkers
def assessment_new(request: HttpRequest, person_pk: int) -> HttpResponse:
    p = sel.get_person(request.user, person_pk)
    instrument = active_instrument()
    form = AssessmentForm(request.POST or None, definition=instrument.definition)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            a = record_assessment(user=request.user, person=p, reason=d["reason"], assessed_on=d["assessed_on"],
                                  assessor_1=d["assessor_1"], assessor_2=d["assessor_2"], answers=form.answers(),
                                  facts=form.facts(), informant=d["informant"],
                                  informant_relation=d["informant_relation"], note=d["note"])
            return redirect("eldercare:assessment", pk=a.pk)
        except DomainError as exc:
            form.add_error(None, str(exc))
    return no_store(render(request, "eldercare/assessment_form.html",
                           {"p": p, "form": form, "instrument": instrument}))


def _report_rows(a: object) -> list[dict[str, object]]:
    definition = a.instrument.definition  # type: ignore[attr-defined]
    answers = a.answers  # type: ignore[attr-defined]
    rows = []
    for dim in definition["dimensions"]:
        items = []
        for item in (i for i in definition["items"] if i["dimension"] == dim["code"]):
            option = next((o for o in item["options"] if o["code"] == answers.get(item["code"])), None)
            items.append({"code": item["code"], "name": item["name"], "label": option["label"] if option else "",
                          "score": option["score"] if option else "",
                          "max": max(o["score"] for o in item["options"])})
        rows.append({"dim": dim, "items": items, "score": a.dimension_scores.get(dim["code"])})  # type: ignore[attr-defined]
    return rows


@staff
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    a = sel.get_assessment(request.user, pk)
    return no_store(render(request, "eldercare/assessment.html", {
        "a": a, "rows": _report_rows(a), "initial": CapabilityLevel(a.initial_level).label,
        "final": CapabilityLevel(a.final_level).label}))


@staff
def assessment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable report (full ID number: its view is logged)."""
    a = sel.get_assessment(request.user, pk)
    record(request.user, AuditAction.VIEW_SENSITIVE, a.person, area_code=a.area_code,
           summary=f"打印能力评估报告 {a.number}", ip=client_ip(request))
    return no_store(render(request, "eldercare/assessment_report.html", {
        "a": a, "rows": _report_rows(a), "initial": CapabilityLevel(a.initial_level).label,
        "final": CapabilityLevel(a.final_level).label, "levels": a.instrument.definition["levels"]}))


@staff
def assessments(request: HttpRequest) -> HttpResponse:
    qs = sel.visible_assessments(request.user)
    level = request.GET.get("level", "")
    if level.isdigit():
        qs = qs.filter(final_level=int(level))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(number=q))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return no_store(render(request, "eldercare/assessments.html",
                           {"page": page, "levels": CapabilityLevel.choices, "level": level, "q": q}))


@caseworkers
def selfcare_new(request: HttpRequest, person_pk: int) -> HttpResponse:
    p = sel.get_person(request.user, person_pk)
    form = SelfCareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            done = record_self_care(user=request.user, person=p, assessed_on=d["assessed_on"], items=form.items(),
                                    assessor_1=d["assessor_1"], assessor_2=d["assessor_2"])
            messages.success(request, f"生活自理能力评估：{done.unable} 项不能完成，评定为{done.level}。")
            return redirect("eldercare:person", pk=p.pk)
        except DomainError as exc:
            form.add_error(None, str(exc))
    return no_store(render(request, "eldercare/selfcare_form.html", {"p": p, "form": form}))
