"""Pages of service assistance for staff: the need register, a household's services and its chain of
assistance, the assessment form (made for a phone on a home visit), match runs, the catalogue and figures.

Reads go through ``selectors`` (out of scope → 404), writes through ``actions``. Provider users have their
own pages (``referral_views``): the inbox and the referral they serve.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.authz.scope import has_role
from minzheng.core.errors import DomainError
from minzheng.core.selectors import current_members, get_household
from minzheng.services import selectors as sel
from minzheng.services.actions.assessments import prefill, record_assessment
from minzheng.services.actions.catalogue import change_capacity
from minzheng.services.actions.matching import new_key, start_run
from minzheng.services.choices import (
    ASSESSES,
    MANAGES_CATALOGUE,
    PROVIDER_ROLES,
    RUNS_MATCHING,
    Dimension,
    NeedLevel,
    NeedStatus,
    RunStatus,
    weekday_text,
)
from minzheng.services.forms import AssessmentForm, CapacityForm
from minzheng.services.models import ServiceItem
from minzheng.web.http import no_store, role_required

PAGE_SIZE = 30
reads = role_required(READS_PERSONAL_DATA)
STAFF_OR_PROVIDER = READS_PERSONAL_DATA | PROVIDER_ROLES


@role_required(STAFF_OR_PROVIDER)
def home(request: HttpRequest) -> HttpResponse:
    """Staff: the figures of their jurisdiction; provider users: straight to their inbox."""
    if sel.provider_of(request.user) is not None or has_role(request.user, PROVIDER_ROLES):
        return redirect("services:inbox")
    needs = sel.visible_needs(request.user)
    referrals = sel.visible_referrals(request.user)
    context = {
        "open_needs": needs.filter(status=NeedStatus.OPEN).count(),
        "referred": needs.filter(status=NeedStatus.REFERRED).count(),
        "in_service": needs.filter(status=NeedStatus.IN_SERVICE).count(),
        "overdue": referrals.filter(status="pending", respond_by__lt=timezone.now()).count(),
        "runs": sel.visible_runs(request.user)[:5],
        "can_run": has_role(request.user, RUNS_MATCHING),
        "run_key": new_key(getattr(request.user, "jurisdiction", None)),
    }
    return render(request, "services/home.html", context)


@reads
def need_list(request: HttpRequest) -> HttpResponse:
    """The need register (需求台账)."""
    filters = {k: request.GET.get(k, "") for k in ("status", "item", "level")}
    qs = sel.need_register(request.user, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "statuses": NeedStatus.choices, "levels": NeedLevel.choices,
               "items": ServiceItem.objects.all(), "query": request.GET.urlencode()}
    return no_store(render(request, "services/need_list.html", context))


@reads
def household(request: HttpRequest, pk: int) -> HttpResponse:
    """A household's services: assessments, the need register, referrals."""
    h = get_household(request.user, pk)
    context = {
        "household": h,
        "members": current_members(h),
        "assessments": sel.household_assessments(h)[:10],
        "needs": h.service_needs.select_related("item", "person").order_by("status", "-opened_at"),
        "referrals": sel.visible_referrals(request.user).filter(need__household=h),
        "can_assess": has_role(request.user, ASSESSES),
    }
    return no_store(render(request, "services/household.html", context))


@role_required(ASSESSES)
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment form: answers pre-filled from the archive where possible, one tap per indicator."""
    h = get_household(request.user, pk)
    version = sel.active_version()
    day = timezone.localdate()
    prefilled = prefill(h, version, day)
    form = AssessmentForm(request.POST or None, version=version, prefilled=prefilled)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = record_assessment(
                user=request.user, household=h, version=version, answers=form.answers(), day=day,
                weekdays=form.cleaned_data["weekdays"], lat=form.cleaned_data.get("lat"),
                lng=form.cleaned_data.get("lng"), note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"评估已保存：需求等级{assessment.get_level_display()}，"
                                      f"{assessment.needs.count()} 项新需求进入需求台账。")
            return redirect("services:assessment", pk=assessment.pk)
    context = {"household": h, "form": form, "version": version, "members": current_members(h)}
    return no_store(render(request, "services/assess.html", context))


@reads
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    a = sel.get_assessment(request.user, pk)
    answers = a.answers.select_related("item").order_by("item__order")
    labels = {str(k): str(v) for k, v in NeedLevel.choices}
    items = {i.code: i.name for i in ServiceItem.objects.filter(code__in=a.tags)}
    dims = [(Dimension(k).label, v) for k, v in a.dimension_scores.items() if k in Dimension.values]
    context = {"a": a, "answers": answers, "level_label": labels.get(a.level, a.level), "dims": dims,
               "tags": [items.get(t, t) for t in a.tags], "needs": a.needs.select_related("item")}
    return no_store(render(request, "services/assessment.html", context))


@reads
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """一户一条救助链: money and services received, one timeline, newest first."""
    h, entries = sel.household_timeline(request.user, pk)
    return no_store(render(request, "services/timeline.html", {"household": h, "entries": entries}))


# --- match runs --------------------------------------------------------------------------------------------

@reads
def run_list(request: HttpRequest) -> HttpResponse:
    runs = Paginator(sel.visible_runs(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": runs, "can_run": has_role(request.user, RUNS_MATCHING),
               "run_key": new_key(getattr(request.user, "jurisdiction", None))}
    return render(request, "services/run_list.html", context)


@require_POST
@role_required(RUNS_MATCHING)
def run_start(request: HttpRequest) -> HttpResponse:
    """Queue a match run over the user's jurisdiction; a repeated click (same form token) is the same run."""
    key = request.POST.get("key", "").strip()[:64]
    try:
        run = start_run(user=request.user, key=key)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("services:runs")
    messages.info(request, "匹配已提交后台运行。")
    return redirect("services:run", pk=run.pk)


@reads
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = sel.get_run(request.user, pk)
    matches = (
        run.matches.filter(need__in=sel.visible_needs(request.user))
        .select_related("need__household", "need__item", "need__area", "offering__provider")
        .prefetch_related("referrals")
        .order_by(F("offering").asc(nulls_last=True), "need__item__order", "id")
    )
    page = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
    busy = run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": run.status, "stats": run.stats, "error": run.error})
    context = {"run": run, "page": page, "busy": busy, "by_item": sorted(run.stats.get("by_item", {}).items())}
    return no_store(render(request, "services/run_detail.html", context))


# --- catalogue and figures ---------------------------------------------------------------------------------

@role_required(STAFF_OR_PROVIDER)
def catalogue(request: HttpRequest) -> HttpResponse:
    item = request.GET.get("item", "")
    providers = sel.catalogue(item=item, q=request.GET.get("q", "").strip())
    load = sel.offering_load()
    rows = []
    for p in providers:
        offerings = [(o, load.get(o.pk, 0), weekday_text(o.weekdays)) for o in p.offerings.all()
                     if not item or o.item.code == item]
        rows.append({"provider": p, "offerings": offerings, "areas": [pa.area for pa in p.areas.all()]})
    context = {"rows": rows, "items": ServiceItem.objects.all(), "item": item, "q": request.GET.get("q", ""),
               "can_manage": has_role(request.user, MANAGES_CATALOGUE)}
    return render(request, "services/catalogue.html", context)


@role_required(STAFF_OR_PROVIDER)
def catalogue_hsds(request: HttpRequest, name: str) -> HttpResponse:
    """The catalogue as HSDS 3.0 JSON (services.json or organizations.json), like ``export-hsds``."""
    from minzheng.services.hsds import export_catalogue

    if name not in {"services", "organizations"}:
        raise Http404
    services, organizations = export_catalogue()
    data = services if name == "services" else organizations
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@require_POST
@role_required(MANAGES_CATALOGUE)
def offering_capacity(request: HttpRequest, pk: int) -> HttpResponse:
    offering = sel.get_offering(pk)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "名额应为不小于 0 的整数")
        return redirect("services:catalogue")
    try:
        out = change_capacity(user=request.user, offering=offering, capacity=form.cleaned_data["capacity"],
                              reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        extra = f"，撤回 {out['withdrawn']} 个待接收转介并重新匹配" if out["withdrawn"] else ""
        messages.success(request, f"{offering.name} 名额 {out['before']} → {out['after']}{extra}。")
    return redirect("services:catalogue")


@reads
def stats(request: HttpRequest) -> HttpResponse:
    return render(request, "services/stats.html", {"stats": sel.stats(request.user)})


@reads
def instrument(request: HttpRequest) -> HttpResponse:
    version = sel.active_version()
    items = version.items.all()
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(item.get_dimension_display(), []).append(item)
    weights = [(label, version.dimension_weights.get(code, "1")) for code, label in Dimension.choices]
    return render(request, "services/instrument.html", {"version": version, "groups": groups, "weights": weights})
