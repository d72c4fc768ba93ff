"""Pages of home adaptation (cases and their next step), meal points (registry, meals, monthly subsidy) and
the accident-insurance coverage check."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.authz.scope import has_role
from minzheng.core.errors import DomainError, NotFound
from minzheng.core.models import Person
from minzheng.eldercare import selectors as sel
from minzheng.eldercare.actions import adaptation as ad
from minzheng.eldercare.actions.community import enrol_uncovered, record_meal, save_meal_point
from minzheng.eldercare.choices import CASEWORKERS, SETTLES, STAFF, AdaptationStatus
from minzheng.eldercare.forms import AdaptationApplyForm, AdaptationStepForm, MealForm, MealPointForm
from minzheng.eldercare.models import AdaptationItem, InsurancePolicy
from minzheng.eldercare.views._common import jurisdiction_prefix
from minzheng.web.http import no_store, role_required

staff = role_required(STAFF)
caseworkers = role_required(CASEWORKERS)
# The next step of a case, its button label and the text field's meaning.
NEXT_STEP = {
    AdaptationStatus.APPLIED: ("assess", "完成入户评估", "评估意见"),
    AdaptationStatus.ASSESSED: ("plan", "保存改造方案", ""),
    AdaptationStatus.PLANNED: ("works", "开工", "施工单位"),
    AdaptationStatus.IN_WORKS: ("accept", "竣工验收合格", "验收意见"),
    AdaptationStatus.ACCEPTED: ("pay", "拨付补贴", ""),
}


@staff
def adaptations(request: HttpRequest) -> HttpResponse:
    qs = sel.visible_adaptations(request.user)
    status = request.GET.get("status", "")
    if status in AdaptationStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return no_store(render(request, "eldercare/adaptations.html",
                           {"page": page, "statuses": AdaptationStatus.choices, "status": status}))


@caseworkers
def adaptation_new(request: HttpRequest, person_pk: int) -> HttpResponse:
    p = sel.get_person(request.user, person_pk)
    membership = sel.household_of(p, timezone.localdate())
    form = AdaptationApplyForm(request.POST or None,
                               initial={"address": membership.household.address if membership else ""})
    if request.method == "POST" and form.is_valid():
        try:
            case = ad.apply_adaptation(user=request.user, person=p, **form.cleaned_data)
            return redirect("eldercare:adaptation", pk=case.pk)
        except DomainError as exc:
            form.add_error(None, str(exc))
    return no_store(render(request, "eldercare/adaptation_new.html", {"p": p, "form": form}))


@staff
def adaptation(request: HttpRequest, pk: int) -> HttpResponse:
    case = sel.get_adaptation(request.user, pk)
    step = NEXT_STEP.get(AdaptationStatus(case.status))
    if step and step[0] == "pay" and not has_role(request.user, SETTLES):
        step = None
    return no_store(render(request, "eldercare/adaptation.html", {
        "case": case, "lines": case.lines.select_related("item"), "events": case.events.select_related("actor"),
        "step": step, "form": AdaptationStepForm(), "items": AdaptationItem.objects.filter(active=True),
        "can_write": has_role(request.user, CASEWORKERS)}))


def _plan_lines(request: HttpRequest) -> list[tuple[str, int, Decimal]]:
    lines = []
    for item in AdaptationItem.objects.filter(active=True):
        qty = request.POST.get(f"qty_{item.code}", "").strip()
        if not qty or qty == "0":
            continue
        try:
            lines.append((item.code, int(qty), Decimal(request.POST.get(f"cost_{item.code}", "0") or "0")))
        except (ValueError, InvalidOperation):
            raise DomainError(f"{item.name}：数量或单价无效") from None
    return lines


@require_POST
@staff
def adaptation_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    case = sel.get_adaptation(request.user, pk)
    form = AdaptationStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写日期")
        return redirect("eldercare:adaptation", pk=case.pk)
    day, text = form.cleaned_data["day"], form.cleaned_data["text"]
    try:
        if step == "assess":
            ad.assess_adaptation(user=request.user, case=case, needs=text, assessed_on=day)
        elif step == "plan":
            ad.plan_adaptation(user=request.user, case=case, lines=_plan_lines(request))
        elif step == "works":
            ad.start_works(user=request.user, case=case, contractor=text, started_on=day)
        elif step == "accept":
            ad.accept_works(user=request.user, case=case, accepted_on=day, note=text)
        elif step == "pay":
            ad.pay_subsidy(user=request.user, case=case, paid_on=day)
        elif step == "reject":
            ad.reject_adaptation(user=request.user, case=case, reason=text)
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("eldercare:adaptation", pk=case.pk)


@staff
def meal_points(request: HttpRequest) -> HttpResponse:
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    points = list(sel.visible_meal_points(request.user))
    try:
        rows = [(p, sel.meal_summary(p, month)) for p in points]
    except ValueError:
        raise NotFound("月份无效") from None
    form = MealPointForm(request.POST or None)
    if request.method == "POST" and has_role(request.user, CASEWORKERS) and form.is_valid():
        try:
            point = save_meal_point(user=request.user, **form.cleaned_data)
            return redirect("eldercare:meal_point", pk=point.pk)
        except DomainError as exc:
            form.add_error(None, str(exc))
    return no_store(render(request, "eldercare/meal_points.html", {
        "rows": rows, "month": month, "form": form, "can_write": has_role(request.user, CASEWORKERS),
        "totals": {"meals": sum(r[1]["meals"] for r in rows),
                   "subsidy": sum((r[1]["subsidy"] for r in rows), Decimal(0))}}))


@staff
def meal_point(request: HttpRequest, pk: int) -> HttpResponse:
    point = sel.get_meal_point(request.user, pk)
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    form = MealForm(request.POST or None)
    if request.method == "POST" and has_role(request.user, CASEWORKERS) and form.is_valid():
        d = form.cleaned_data
        person = Person.objects.filter(id_number=d["id_number"]).first()
        if person is None:
            form.add_error("id_number", "档案中没有此人，请先在社区登记")
        else:
            try:
                meal = record_meal(user=request.user, point=point, person=person, served_on=d["served_on"],
                                   meal=d["meal"], price=d["price"])
                messages.success(request, f"已登记：{person.name}，补贴 {meal.subsidy} 元。")
                return redirect("eldercare:meal_point", pk=point.pk)
            except DomainError as exc:
                form.add_error(None, str(exc))
    try:
        summary = sel.meal_summary(point, month)
    except ValueError:
        raise NotFound("月份无效") from None
    recent = point.meals.select_related("person").order_by("-served_on", "-id")[:20]
    return no_store(render(request, "eldercare/meal_point.html", {
        "point": point, "summary": summary, "month": month, "form": form, "recent": recent,
        "can_write": has_role(request.user, CASEWORKERS)}))


@staff
def insurance(request: HttpRequest) -> HttpResponse:
    policy = InsurancePolicy.objects.first()
    prefix = jurisdiction_prefix(request)
    rows = sel.coverage(policy, timezone.localdate(), prefix) if policy else []
    return no_store(render(request, "eldercare/insurance.html", {
        "policy": policy, "rows": rows, "can_enrol": has_role(request.user, SETTLES)}))


@require_POST
@role_required(SETTLES)
def insurance_enrol(request: HttpRequest) -> HttpResponse:
    policy = InsurancePolicy.objects.first()
    if policy is None:
        raise NotFound("尚无保险年度")
    try:
        n = enrol_uncovered(user=request.user, policy=policy, day=timezone.localdate(),
                            prefix=jurisdiction_prefix(request))
        messages.success(request, f"已补录 {n} 人。")
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("eldercare:insurance")
