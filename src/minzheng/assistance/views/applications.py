"""Pages of an application: the workbench, the list, a new application, the case with its steps, the home
visit (phone-friendly), the printable public notice and rejection notice, supporting documents."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.assistance import actions as a
from minzheng.assistance import forms as f
from minzheng.assistance import selectors as sel
from minzheng.assistance.actions.evaluation import latest_evaluation, plan
from minzheng.assistance.choices import AppAction, AppState, DecisionKind, Outcome
from minzheng.assistance.models import Application, SupportingDocument, TekunAssessment
from minzheng.assistance.views.present import (
    MERGED,
    available_steps,
    deadline,
    evaluation_view,
    form_for,
)
from minzheng.assistance.workflow import acting_level
from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.core.errors import DomainError, Forbidden, InvalidChange, NotFound
from minzheng.core.models import Household
from minzheng.core.selectors import current_members, get_person, visible_households
from minzheng.web.http import client_ip, no_store, role_required

reads = role_required(READS_PERSONAL_DATA)
PAGE_SIZE = 20


@reads
def index(request: HttpRequest) -> HttpResponse:
    """工作台: the cases waiting for my level, overdue cases, reviews due, temporary cases pending."""
    today = timezone.localdate()
    tasks = list(sel.my_tasks(request.user)[:50])
    context = {
        "tasks": [(app, deadline(app, today)) for app in tasks],
        "overdue": [(app, deadline(app, today)) for app in sel.overdue(request.user, today)[:50]],
        "reviews": list(sel.open_reviews(request.user)[:20]),
        "temporary": list(sel.pending_temporary(request.user)[:20]),
        "level": acting_level(request.user),
        "today": today,
    }
    return no_store(render(request, "assistance/index.html", context))


@reads
def application_list(request: HttpRequest) -> HttpResponse:
    qs = sel.visible_applications(request.user).select_related("household", "applicant", "area")
    state, q = request.GET.get("state", ""), request.GET.get("q", "").strip()
    today = timezone.localdate()
    if state in AppState.values:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(number__iexact=q) | Q(household__household_no__iexact=q) | Q(applicant__name__contains=q))
    if request.GET.get("overdue"):
        qs = sel.overdue(request.user, today).filter(pk__in=qs.values("pk"))
    page = Paginator(qs.order_by("-submitted_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(app, deadline(app, today)) for app in page.object_list]
    return no_store(render(request, "assistance/application_list.html", {
        "page": page, "rows": rows, "states": AppState.choices, "state": state, "q": q,
        "overdue_only": bool(request.GET.get("overdue")),
    }))


def _household_by_no(user: Any, number: str) -> Household:
    try:
        return visible_households(user).get(household_no__iexact=number.strip())
    except Household.DoesNotExist:
        raise NotFound("未找到该家庭档案") from None


@reads
def application_new(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("household"):
        initial["household_no"] = visible_households(request.user).filter(
            pk=request.GET["household"]).values_list("household_no", flat=True).first() or ""
    form = f.SubmitForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            household = _household_by_no(request.user, d["household_no"])
            application = a.submit_application(
                user=request.user, household=household, channel=d["channel"], programmes=d["programmes"],
                reason=d["reason"], on=d["on"], authorisation_signed=d["authorisation_signed"],
                authorisation_file=d["authorisation_file"],
            )
        except NotFound as exc:
            form.add_error("household_no", str(exc))
            status = 400
        except InvalidChange as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            messages.success(request, f"已提交申请 {application.number}")
            return redirect("assistance:application_detail", application.pk)
    elif request.method == "POST":
        status = 400
    return no_store(render(request, "assistance/application_form.html", {"form": form}, status=status))


def _detail(request: HttpRequest, application: Application, *, bound: tuple[str, Any] | None = None,
            error: str = "", status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    evaluation = latest_evaluation(application)
    investigations = list(application.investigations.select_related("investigator_1", "investigator_2")
                          .prefetch_related("members__person").order_by("-id"))
    context = {
        "app": application,
        "deadline": deadline(application, today),
        "steps": available_steps(request.user, application, bound),
        "history": application.steps.select_related("actor").order_by("at", "id"),
        "decisions": application.decisions.select_related("decided_by", "exception").order_by("at", "id"),
        "investigations": investigations,
        "documents": application.documents.order_by("id"),
        "ev": evaluation_view(evaluation),
        "evaluations_count": application.evaluations.count(),
        "plan": plan(application) if application.state not in (AppState.SUBMITTED, AppState.ACCEPTED) else [],
        "notices": application.notices.order_by("-id"),
        "exceptions": application.exceptions.select_related("requested_person").order_by("-id"),
        "members": current_members(application.household),
        "assessments": TekunAssessment.objects.filter(application=application).select_related("person"),
        "error": error,
        "today": today,
        "rejected": application.decisions.filter(outcome=Outcome.REJECT, kind__in=[
            DecisionKind.STREET_REVIEW, DecisionKind.DISTRICT]).exists(),
    }
    return no_store(render(request, "assistance/application_detail.html", context, status=status))


@reads
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, sel.get_application(request.user, pk))


def _run(action: str, app: Application, d: dict[str, Any], user: Any) -> str:
    """Call the action for a step form's cleaned data; returns the message shown afterwards."""
    on = d.get("on")
    if action == AppAction.RECORD_AUTHORISATION:
        a.record_authorisation(app, user=user, signed=d["signed"], file=d["file"], on=on)
        return "已登记核对授权，申请已受理"
    if action == AppAction.ASSIGN_INVESTIGATORS:
        a.assign_investigators(app, user=user, investigator_1=d["investigator_1"], investigator_2=d["investigator_2"],
                               on=on)
        return "已指派调查人员"
    if action == AppAction.EVALUATE:
        a.evaluate_application(app, user=user, on=on)
        return "已完成规则评估"
    if action == AppAction.STREET_APPROVE:
        a.street_approve(app, user=user, opinion=d["opinion"], on=on)
        return "街道审核通过，请发布公示"
    if action == AppAction.STREET_REJECT:
        a.street_reject(app, user=user, reasons=d["reasons"], on=on)
        return "已作出不予批准决定，请在 3 个工作日内书面告知"
    if action == AppAction.PROPOSE_EXCEPTION:
        person = get_person(user, d["person"]) if d.get("person") else None
        a.propose_exception(app, user=user, circumstances=d["circumstances"], programme=d["programme"],
                            amount=d["amount"], months=d["months"], person=person, on=on)
        return "已提请一事一议"
    if action == AppAction.APPROVE_EXCEPTION:
        a.decide_exception(app, user=user, approve=d["approve"], committee_members=d["committee_members"],
                           reasons=d["reasons"], amount=d.get("amount"), months=d.get("months"), on=on)
        return "已记录一事一议研究结果"
    if action == AppAction.PUBLISH_NOTICE:
        a.publish_notice(app, user=user, phone=d["phone"], on=on)
        return "已发布公示"
    if action == AppAction.CLOSE_NOTICE:
        a.close_notice(app, user=user, objections=d["objections"], on=on)
        return "公示期满，已报区县审批"
    if action == AppAction.UPHOLD_OBJECTION:
        a.uphold_objection(app, user=user, objections=d["objections"], on=on)
        return "异议成立，已退回重新调查"
    if action == AppAction.DISTRICT_APPROVE:
        created = a.district_approve(app, user=user, opinion=d["opinion"], supersede_reason=d["supersede_reason"],
                                     on=on)
        return f"已批准，自 {created[0].start_date:%Y年%m月} 起发放" if created else "已批准"
    if action == AppAction.DISTRICT_REJECT:
        a.district_reject(app, user=user, reasons=d["reasons"], on=on)
        return "已作出不予批准决定，请在 3 个工作日内书面告知"
    if action == AppAction.NOTIFY_REJECTION:
        a.notify_rejection(app, user=user, on=on)
        return "已登记书面告知"
    if action == AppAction.EXTEND_DEADLINE:
        a.extend_deadline(app, user=user, reason=d["reason"], on=on)
        return "已延长办理时限"
    if action == AppAction.WITHDRAW:
        a.withdraw_application(app, user=user, reason=d["reason"], on=on)
        return "申请已撤回"
    raise NotFound("未知的办理事项")


@require_POST
@reads
def application_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = sel.get_application(request.user, pk)
    action = MERGED.get(action, action)
    try:
        form = form_for(action, application, request.POST, request.FILES)
    except KeyError:
        raise NotFound("未知的办理事项") from None
    if not form.is_valid():
        return _detail(request, application, bound=(action, form), error="请检查填写的内容", status=400)
    try:
        message = _run(action, application, form.cleaned_data, request.user)
    except NotFound:
        raise
    except DomainError as exc:
        return _detail(request, sel.get_application(request.user, pk), bound=(action, form), error=str(exc),
                       status=403 if isinstance(exc, Forbidden) else 400)
    messages.success(request, message)
    return redirect("assistance:application_detail", application.pk)


@reads
def investigation(request: HttpRequest, pk: int) -> HttpResponse:
    """入户调查 on a phone: the visit, each member's declaration, the household's assets, photos."""
    application = sel.get_application(request.user, pk)
    if application.state != AppState.INVESTIGATING:
        messages.info(request, "当前不在入户调查阶段")
        return redirect("assistance:application_detail", application.pk)
    members = list(current_members(application.household))
    post = request.POST if request.method == "POST" else None
    form = f.InvestigationForm(post, request.FILES or None, initial={"visit_date": timezone.localdate()})
    member_forms = []
    for m in members:
        initial = {"monthly_income": m.person.monthly_income, "disability_type": m.person.disability_type,
                   "disability_grade": m.person.disability_grade, "serious_illness": m.person.serious_illness,
                   "self_care": m.person.self_care}
        member_forms.append((m, f.MemberForm(post, prefix=f"m{m.person_id}", initial=initial)))
    status, error = 200, ""
    if post is not None:
        if form.is_valid() and all(mf.is_valid() for _, mf in member_forms):
            d = form.cleaned_data
            docs = [(d["doc_kind"], upload) for upload in request.FILES.getlist("documents")]
            try:
                a.record_investigation(
                    application, user=request.user, visit_date=d["visit_date"], visit_record=d["visit_record"],
                    neighbour_visits=d["neighbour_visits"], irregular_income=d["irregular_income"], documents=docs,
                    members={m.person_id: mf.cleaned_data for m, mf in member_forms}, on=d["on"],
                    household_data={k: d[k] for k in ("vehicles", "residential_properties", "commercial_properties",
                                                      "business_roles", "rigid_expenses_12m", "income_12m")},
                )
                if request.POST.get("and_evaluate"):
                    a.evaluate_application(application, user=request.user, on=d["on"])
            except NotFound:
                raise
            except DomainError as exc:
                status, error = (403 if isinstance(exc, Forbidden) else 400), str(exc)
            else:
                done = "已保存入户调查" + ("并完成规则评估" if request.POST.get("and_evaluate") else "")
                messages.success(request, done)
                return redirect("assistance:application_detail", application.pk)
        else:
            status, error = 400, "请检查填写的内容"
    return no_store(render(request, "assistance/investigation_form.html", {
        "app": application, "form": form, "member_forms": member_forms, "error": error,
    }, status=status))


@reads
def tekun_assessment(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """特困人员生活自理能力评估 (six items) for a member of the case's household."""
    application = sel.get_application(request.user, pk)
    membership = current_members(application.household).filter(person_id=person_pk).first()
    if membership is None:
        raise NotFound("未找到该成员")
    form = f.TekunAssessmentForm(request.POST or None)
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                done = a.record_tekun_assessment(user=request.user, person=membership.person, items=form.items(),
                                                 support_mode=d["support_mode"], institution=d["institution"],
                                                 assessors=d["assessors"], on=d["on"], application=application)
            except NotFound:
                raise
            except DomainError as exc:
                status, error = (403 if isinstance(exc, Forbidden) else 400), str(exc)
            else:
                messages.success(request, f"评估结果：{done.level}（{done.unable_count} 项不能达到）")
                return redirect("assistance:application_detail", application.pk)
        else:
            status, error = 400, "请检查填写的内容"
    return no_store(render(request, "assistance/tekun_form.html", {
        "app": application, "person": membership.person, "form": form, "error": error,
        "items": [form[key] for key in form.fields if key not in ("on", "support_mode", "institution", "assessors")],
    }, status=status))


@reads
def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable 公示: only the fields stored on the notice (name, people, amount, phone, date)."""
    application = sel.get_application(request.user, pk)
    notice = application.notices.order_by("-id").first()
    if notice is None:
        raise NotFound("尚未发布公示")
    return no_store(render(request, "assistance/notice_print.html", {"notice": notice}))


@reads
def rejection_print(request: HttpRequest, pk: int) -> HttpResponse:
    """不予批准书面告知: the decision, its written reasons and the applicant's remedies."""
    application = sel.get_application(request.user, pk)
    decision = application.decisions.filter(outcome=Outcome.REJECT, kind__in=[
        DecisionKind.STREET_REVIEW, DecisionKind.DISTRICT]).order_by("-id").first()
    if decision is None:
        raise NotFound("该申请没有不予批准决定")
    street = application.area.parent
    district = street.parent if street else None
    by_district = decision.kind == DecisionKind.DISTRICT
    issuer = f"{district.name}民政局" if by_district and district else f"{street.name}办事处" if street else ""
    return no_store(render(request, "assistance/rejection_print.html", {
        "app": application, "decision": decision, "issuer": issuer, "district_decision": by_district,
    }))


@reads
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    application = sel.get_application(request.user, pk)
    try:
        doc = application.documents.get(pk=doc_pk)
    except SupportingDocument.DoesNotExist:
        raise NotFound("未找到该材料") from None
    record(request.user, AuditAction.VIEW_SENSITIVE, doc, area_code=application.area_id,
           summary=f"查看证明材料 {application.number}", ip=client_ip(request))
    return _private(FileResponse(doc.file.open("rb"), as_attachment=False, filename=doc.original_name))


@reads
def authorisation_download(request: HttpRequest, pk: int) -> HttpResponse:
    application = sel.get_application(request.user, pk)
    if not application.authorisation_file:
        raise NotFound("没有授权书扫描件")
    record(request.user, AuditAction.VIEW_SENSITIVE, application, area_code=application.area_id,
           summary=f"查看授权书 {application.number}", ip=client_ip(request))
    return _private(FileResponse(application.authorisation_file.open("rb"), as_attachment=False))


def _private(response: FileResponse) -> HttpResponse:
    """A file carrying personal data, never cached (typed as the views' response for the role decorator)."""
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    return cast(HttpResponse, response)
