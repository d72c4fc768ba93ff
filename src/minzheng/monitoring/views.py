"""Pages of the monitoring app: the alert inbox (filters, Excel export), an alert with its evidence,
history and the steps the user may take, the key-monitoring list and the dashboard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.core.errors import DomainError, Forbidden, NotFound
from minzheng.core.masking import mask_id
from minzheng.core.models import Area
from minzheng.monitoring import actions as m
from minzheng.monitoring import forms as f
from minzheng.monitoring import selectors as sel
from minzheng.monitoring.choices import (
    ALLOWED_DISPOSITIONS,
    AlertAction,
    AlertState,
    DispositionKind,
    Finding,
    Level,
    Scenario,
)
from minzheng.monitoring.dashboard import dashboard as dashboard_numbers
from minzheng.monitoring.evidence import sections, summary
from minzheng.monitoring.models import Alert
from minzheng.monitoring.workflow import acting_level, available
from minzheng.web.excel import xlsx_response
from minzheng.web.http import client_ip, no_store, role_required

reads = role_required(READS_PERSONAL_DATA)
PER_PAGE = 20
STEP_FORMS: dict[str, type[forms.Form]] = {
    AlertAction.SIGN_FOR: f.StepForm, AlertAction.START_VERIFICATION: f.StepForm, AlertAction.JUDGE: f.JudgeForm,
    AlertAction.CLOSE: f.StepForm,
}


def _filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    street_or_district = acting_level(request.user) in (Level.STREET, Level.DISTRICT)
    fresh = not any(k in g for k in ("q", "state", "scenario", "area", "level", "overdue", "escalated"))
    return {
        "q": g.get("q", "").strip(),
        "state": g.get("state", "open"),
        "scenario": g.get("scenario", "") if g.get("scenario", "") in Scenario.values else "",
        "area_code": g.get("area", "").strip(),
        "level": g.get("level", ""),
        "overdue": g.get("overdue") == "1",
        "escalated": g.get("escalated") == "1" or (fresh and street_or_district),
    }


def _row(alert: Alert, today: Any) -> dict[str, Any]:
    kind, due = alert.deadline()
    return {"alert": alert, "id": mask_id(alert.person.id_number), "due": due, "due_kind": kind,
            "overdue": alert.overdue_on(today), "summary": summary(alert.evidence, limit=80)}


@reads
def inbox(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    flt = _filters(request)
    qs = sel.search_alerts(request.user, day=today, **flt)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    communities = Area.objects.filter(level="community", code__startswith=getattr(
        getattr(request.user, "jurisdiction", None), "prefix", "-")).order_by("code")[:300]
    context = {
        "page": page, "rows": [_row(a, today) for a in page.object_list], "filter": flt,
        "states": AlertState.choices, "scenarios": Scenario.choices, "levels": Level.choices,
        "communities": communities, "level": acting_level(request.user),
    }
    return no_store(render(request, "monitoring/inbox.html", context))


@reads
def export(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    flt = _filters(request)
    qs = sel.search_alerts(request.user, day=today, **flt)[:10000]
    rows = []
    for a in qs:
        _, due = a.deadline()
        rows.append([a.number, a.get_scenario_display(), a.person.name, mask_id(a.person.id_number),
                     a.household.household_no if a.household else "", a.area.name, a.get_state_display(),
                     a.get_level_display(), a.pushed_on, due, "是" if a.overdue_on(today) else "",
                     a.get_finding_display(), a.monthly_amount, summary(a.evidence)])
    record(request.user, AuditAction.EXPORT, object_type="monitoring.alert", summary=f"导出预警 {len(rows)} 条",
           after={"filter": {k: v for k, v in flt.items() if v}, "rows": len(rows)}, ip=client_ip(request))
    return xlsx_response(filename=f"监测预警_{today:%Y%m%d}.xlsx", title="监测预警",
                         headers=["预警编号", "场景", "姓名", "身份证号", "家庭档案编号", "社区", "状态", "督办层级",
                                  "推送日期", "期限", "逾期", "研判结论", "涉及月金额", "预警依据"],
                         rows=rows, widths=[20, 24, 10, 22, 16, 14, 16, 8, 12, 12, 6, 18, 12, 60])


def _measures(alert: Alert) -> list[str]:
    if not alert.finding:
        return []
    allowed = ALLOWED_DISPOSITIONS[Finding(alert.finding)]
    out = [k for k in DispositionKind.values if k in allowed]
    if alert.scenario != Scenario.MON_DECEASED:
        out = [k for k in out if k != DispositionKind.STOP_PAYMENTS]
    return out


def _detail(request: HttpRequest, alert: Alert, *, bound: tuple[str, forms.Form] | None = None, error: str = "",
            status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    steps, disposals = [], []
    for row in available(request.user, alert.state, alert.area_id, alert.level):
        if row.action == AlertAction.DISPOSE:
            for kind in _measures(alert):
                form = bound[1] if bound and bound[0] == kind else f.DISPOSITION_FORMS[kind](prefix=kind)
                disposals.append({"kind": kind, "label": DispositionKind(kind).label, "form": form})
            continue
        form = bound[1] if bound and bound[0] == row.action else STEP_FORMS[row.action](prefix=row.action)
        steps.append({"action": row.action, "label": row.label, "form": form})
    watch = sel.active_watch_for(alert)
    may_watch = (watch is None and acting_level(request.user) is not None and alert.person.death_date is None
                 and alert.state not in (AlertState.GENERATED, AlertState.PUSHED))
    context = {
        "alert": alert, "id": mask_id(alert.person.id_number), "evidence": sections(alert.evidence),
        "history": sel.alert_history(alert), "steps": steps, "disposals": disposals, "error": error,
        "overdue": alert.overdue_on(today), "deadline": alert.deadline(), "watch": watch,
        "watch_form": bound[1] if bound and bound[0] == "watch" else f.WatchForm(prefix="watch") if may_watch else None,
        "area_path": alert.area.path(),
    }
    return no_store(render(request, "monitoring/alert_detail.html", context, status=status))


@reads
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, sel.get_alert(request.user, pk))


def _failed(request: HttpRequest, alert: Alert, key: str, form: forms.Form, exc: DomainError | None) -> HttpResponse:
    if isinstance(exc, NotFound):
        raise exc
    status = 403 if isinstance(exc, Forbidden) else 400
    alert.refresh_from_db()
    return _detail(request, alert, bound=(key, form), error=str(exc) if exc else "请检查填写的内容", status=status)


@require_POST
@reads
def alert_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    alert = sel.get_alert(request.user, pk)
    if action not in STEP_FORMS:
        raise NotFound("未知的办理事项")
    form = STEP_FORMS[action](request.POST, prefix=action)
    if not form.is_valid():
        return _failed(request, alert, action, form, None)
    d, user = form.cleaned_data, request.user
    try:
        if action == AlertAction.SIGN_FOR:
            m.sign_for(alert, user=user, on=d["on"], note=d["note"])
        elif action == AlertAction.START_VERIFICATION:
            m.start_verification(alert, user=user, on=d["on"], note=d["note"])
        elif action == AlertAction.JUDGE:
            m.judge(alert, user=user, finding=d["finding"], method=d["method"], note=d["note"],
                    verified_on=d["verified_on"], on=d["on"])
        else:
            m.close(alert, user=user, on=d["on"], note=d["note"])
    except DomainError as exc:
        return _failed(request, alert, action, form, exc)
    messages.success(request, f"已{AlertAction(action).label}")
    return redirect("monitoring:alert_detail", alert.pk)


@require_POST
@reads
def alert_dispose(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    alert = sel.get_alert(request.user, pk)
    if kind not in f.DISPOSITION_FORMS:
        raise NotFound("未知的处置方式")
    form = f.DISPOSITION_FORMS[kind](request.POST, prefix=kind)
    if not form.is_valid():
        return _failed(request, alert, kind, form, None)
    details = dict(form.cleaned_data)
    on = details.pop("on", None)
    try:
        disposition = m.dispose(alert, user=request.user, kind=kind, on=on, **details)
    except DomainError as exc:
        return _failed(request, alert, kind, form, exc)
    messages.success(request, f"已处置：{disposition.get_kind_display()}。{disposition.note}")
    return redirect("monitoring:alert_detail", alert.pk)


@require_POST
@reads
def alert_watch(request: HttpRequest, pk: int) -> HttpResponse:
    alert = sel.get_alert(request.user, pk)
    form = f.WatchForm(request.POST, prefix="watch")
    if not form.is_valid():
        return _failed(request, alert, "watch", form, None)
    try:
        entry = m.add_to_key_monitoring(user=request.user, person=alert.person, area_code=alert.area_id, alert=alert,
                                        reason=form.cleaned_data["reason"],
                                        interval_months=form.cleaned_data["interval_months"])
    except DomainError as exc:
        return _failed(request, alert, "watch", form, exc)
    messages.success(request, f"已纳入重点监测，下次回访 {entry.next_revisit:%Y-%m-%d}")
    return redirect("monitoring:alert_detail", alert.pk)


@reads
def watch_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    due, ended, q = request.GET.get("due") == "1", request.GET.get("ended") == "1", request.GET.get("q", "")
    qs = sel.watch_list(request.user, day=today, due=due, ended=ended, q=q)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"entry": e, "id": mask_id(e.person.id_number), "due": e.due_on(today)} for e in page.object_list]
    return no_store(render(request, "monitoring/watch_list.html",
                           {"page": page, "rows": rows, "due": due, "ended": ended, "q": q}))


def _watch_page(request: HttpRequest, entry: Any, *, bound: tuple[str, forms.Form] | None = None, error: str = "",
                status: int = 200) -> HttpResponse:
    staff = acting_level(request.user) is not None and entry.active
    context = {
        "entry": entry, "id": mask_id(entry.person.id_number), "error": error,
        "revisits": entry.revisits.select_related("visited_by").order_by("-visited_on", "-id"),
        "due": entry.due_on(timezone.localdate()),
        "revisit_form": (bound[1] if bound and bound[0] == "revisit" else f.RevisitForm(prefix="revisit"))
        if staff else None,
        "end_form": (bound[1] if bound and bound[0] == "end" else f.EndWatchForm(prefix="end")) if staff else None,
    }
    return no_store(render(request, "monitoring/watch_detail.html", context, status=status))


@reads
def watch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _watch_page(request, sel.get_watch_entry(request.user, pk))


@require_POST
@reads
def watch_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = sel.get_watch_entry(request.user, pk)
    forms_by_action: dict[str, type[forms.Form]] = {"revisit": f.RevisitForm, "end": f.EndWatchForm}
    if action not in forms_by_action:
        raise NotFound("未知的办理事项")
    form = forms_by_action[action](request.POST, prefix=action)
    if not form.is_valid():
        return _watch_page(request, entry, bound=(action, form), error="请检查填写的内容", status=400)
    d = form.cleaned_data
    try:
        if action == "revisit":
            visit = m.record_revisit(entry, user=request.user, note=d["note"], visited_on=d["visited_on"],
                                     next_revisit=d["next_revisit"])
            messages.success(request, f"已记录回访，下次回访 {visit.next_revisit:%Y-%m-%d}")
        else:
            m.end_key_monitoring(entry, user=request.user, reason=d["reason"], on=d["on"])
            messages.success(request, "已移出重点监测名单")
    except NotFound:
        raise
    except DomainError as exc:
        return _watch_page(request, entry, bound=(action, form), error=str(exc),
                           status=403 if isinstance(exc, Forbidden) else 400)
    return redirect("monitoring:watch_detail", entry.pk)


@reads
def dashboard(request: HttpRequest) -> HttpResponse:
    form = f.PeriodForm(request.GET or None)
    start, end = form.period()
    if not form.is_bound:
        form = f.PeriodForm(initial={"start": start, "end": end})
    numbers = dashboard_numbers(request.user, start=start, end=end, today=timezone.localdate())
    return no_store(render(request, "monitoring/dashboard.html",
                           {"form": form, "start": start, "end": end, "d": numbers, "runs": sel.recent_runs(5)}))
