"""Pages of the payroll: the list (and starting a run), a payroll with its totals at each step and the
buttons its state and the user's role allow, a ledger entry with its explanation, reversal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.core.errors import DomainError, Forbidden, NotFound
from minzheng.payments import actions as a
from minzheng.payments import selectors as sel
from minzheng.payments.choices import PROGRAMME_LABELS, PayrollAction, PayrollState
from minzheng.payments.explain import explain_entry
from minzheng.payments.forms import NoteForm, ReasonForm, StartPayrollForm
from minzheng.payments.models import Payroll
from minzheng.payments.workflow import PREPARERS, actions_from, acts_on_district
from minzheng.web.http import acting_user, no_store, role_required

reads = role_required(READS_PERSONAL_DATA)
PAGE_SIZE = 50
REASONS = {"died": "已死亡（死亡次月起停发）", "rules_zero": "按规则本月应发为 0，请核查", "no_basis": "缺少核定依据",
           "no_certificate": "档案中无残疾证信息（请补录后重新采集依据）"}


@reads
def payroll_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = StartPayrollForm(request.POST or None)
    if request.method == "POST":
        if user.role not in PREPARERS:
            raise NotFound("未找到该页面")
        if form.is_valid():
            try:
                payroll, token = a.claim_payroll(user=user, month=form.cleaned_data["month"],
                                                 district=form.cleaned_data["district"])
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                if token:
                    from minzheng.payments.tasks import run_payroll_task

                    run_payroll_task.enqueue(payroll.pk, token, user.pk)
                    messages.success(request, f"已开始编制 {payroll.month_text} 工资单，完成后刷新本页查看")
                else:
                    messages.info(request, "该月工资单已在编制或已编制，本次未作改动")
                return redirect("payments:payroll_detail", payroll.pk)
    payrolls = sel.visible_payrolls(user).order_by("-month", "district")
    page = Paginator(payrolls, PAGE_SIZE).get_page(request.GET.get("page"))
    return no_store(render(request, "payments/payroll_list.html", {
        "page": page, "form": form, "can_prepare": user.role in PREPARERS,
        "running": any(p.state == PayrollState.DRAFT or p.run_token for p in page.object_list),
    }, status=400 if request.method == "POST" else 200))


def _buttons(user: Any, payroll: Payroll) -> list[dict[str, Any]]:
    if payroll.run_token or not acts_on_district(user, payroll.district):
        return []
    out = []
    for row in actions_from("payroll", payroll.state):
        if user.role not in row.roles or row.action == PayrollAction.COMPUTE:
            continue
        out.append({"action": row.action, "label": PayrollAction(row.action).label,
                    "reason": row.action == PayrollAction.RETURN})
    return out


@reads
def payroll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    payroll = sel.get_payroll(user, pk)
    entries = sel.visible_entries(user).filter(payroll=payroll)
    mine = entries.values("programme", "kind").annotate(total=Sum("amount"), n=Count("id")).order_by("programme")
    page = Paginator(entries.select_related("household", "person").order_by("area_code", "beneficiary_type",
                                                                            "beneficiary_id", "id"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return no_store(render(request, "payments/payroll_detail.html", {
        "payroll": payroll, "steps": payroll.steps.select_related("actor").order_by("at", "id"),
        "totals": _totals_rows(payroll.totals), "mine": list(mine), "page": page,
        "buttons": _buttons(user, payroll), "exceptions": [{**e, "label": REASONS.get(e["reason"], e["reason"])}
                                                          for e in payroll.exceptions[:200]],
        "exceptions_total": len(payroll.exceptions), "disbursements": payroll.disbursements.order_by("sequence"),
        "recoveries": sel.visible_recoveries(user).filter(payroll=payroll), "programmes": PROGRAMME_LABELS,
        "scoped": not acts_on_district(user, payroll.district), "note_form": NoteForm(), "reason_form": ReasonForm(),
        "can_rebase": user.role in PREPARERS and acts_on_district(user, payroll.district),
    }))


def _totals_rows(totals: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"programme": PROGRAMME_LABELS.get(code, code), **slot}
            for code, slot in totals.get("by_programme", {}).items()]


_STEPS = {
    PayrollAction.CHECK: a.check_payroll,
    PayrollAction.APPROVE: a.approve_payroll,
    PayrollAction.RELEASE: a.release_payroll,
}


@require_POST
@reads
def payroll_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = acting_user(request)
    payroll = sel.get_payroll(user, pk)
    note = request.POST.get("note", "").strip()[:500]
    try:
        if action == PayrollAction.RETURN:
            a.return_payroll(payroll, user=user, reason=request.POST.get("reason", ""))
        elif action == PayrollAction.RECOMPUTE:
            result = a.prepare_payroll(user=user, month=payroll.month_text, district=payroll.district)
            messages.info(request, f"重新编制：新增 {result.created} 条明细" if result.won else result.message)
        elif action in _STEPS:
            _STEPS[PayrollAction(action)](payroll, user=user, note=note)
        else:
            raise NotFound("未找到该操作")
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("payments:payroll_detail", payroll.pk)
    else:
        if action != PayrollAction.RECOMPUTE:
            messages.success(request, f"已{PayrollAction(action).label}")
    return redirect("payments:payroll_detail", payroll.pk)


@reads
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    entry = sel.get_entry(user, pk)
    return no_store(render(request, "payments/entry_detail.html", {
        "entry": entry, "explanation": explain_entry(entry), "related": sel.key_entries(user, entry),
        "programme": PROGRAMME_LABELS.get(entry.programme, entry.programme),
        "can_reverse": (entry.payroll is not None and entry.payroll.state == PayrollState.PREPARED
                        and entry.kind in ("payment", "arrears") and user.role in PREPARERS
                        and acts_on_district(user, entry.district)),
        "form": ReasonForm(),
    }))


@require_POST
@reads
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    entry = sel.get_entry(user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写冲正原因")
        return redirect("payments:entry_detail", entry.pk)
    try:
        reversal = a.reverse_entry(entry, user=user, reason=form.cleaned_data["reason"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("payments:entry_detail", entry.pk)
    messages.success(request, "已冲正")
    return redirect("payments:entry_detail", reversal.pk)
