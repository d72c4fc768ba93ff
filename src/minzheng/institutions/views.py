"""Pages of the institutions app: the registry (list, export, detail, edit, staff accounts), star rating,
inspections with the checklist, findings and their rectification, campaigns and their coverage.

Reads go through the scoped selectors (out of scope → 404); writes go through ``actions`` (a role that may not
act → 403; a refused change → the form again with the reason). Contact phones are masked in lists and exports.
"""

from __future__ import annotations

import mimetypes
from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.authz.models import User
from minzheng.authz.scope import area_prefix, has_role
from minzheng.core.errors import InvalidChange
from minzheng.core.masking import mask_phone
from minzheng.core.models import Area
from minzheng.institutions import actions as act
from minzheng.institutions import forms as f
from minzheng.institutions import selectors as sel
from minzheng.institutions.choices import (
    APPLIES_FOR_RATING,
    INSPECTS,
    MANAGES_INSTITUTIONS,
    RATES,
    READS_INSTITUTIONS,
    RUNS_CAMPAIGNS,
    ChecklistCategory,
    FindingAction,
    InstitutionKind,
    InstitutionStatus,
    RatingState,
)
from minzheng.institutions.workflow import actions_from
from minzheng.web.excel import xlsx_response
from minzheng.web.http import acting_user, client_ip, no_store, role_required

PAGE_SIZE = 20
reads = role_required(READS_INSTITUTIONS)
staff = role_required(READS_PERSONAL_DATA)
manages = role_required(MANAGES_INSTITUTIONS)


def _prefix(request: HttpRequest) -> str:
    return area_prefix(acting_user(request)) or "-"


# --- registry ----------------------------------------------------------------------------------------------

def _district_names() -> dict[str, str]:
    return dict(Area.objects.filter(level="district").values_list("code", "name"))


def _rows(institutions: list[Any]) -> list[dict[str, Any]]:
    districts = _district_names()
    rows = []
    for i in institutions:
        street = i.area if i.area.level == "street" else i.area.parent if i.area.level == "community" else None
        rows.append({"i": i, "district": districts.get(i.district_code, ""), "street": street.name if street else "",
                     "area": i.area.name if i.area.level == "community" else "",
                     "phone": mask_phone(i.contact_phone)})
    return rows


def _search(request: HttpRequest) -> tuple[f.InstitutionFilter, Any]:
    flt = f.InstitutionFilter.from_query(request.user, request.GET)
    qs = sel.search_institutions(request.user, q=flt.q, area_code=flt.district, kind=flt.kind, status=flt.status,
                                 stars=flt.stars, hazard=flt.hazard)
    return flt, qs


@reads
def institution_list(request: HttpRequest) -> HttpResponse:
    flt, qs = _search(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": flt, "page": page, "rows": _rows(list(page.object_list)),
               "can_manage": has_role(request.user, MANAGES_INSTITUTIONS),
               "is_staff": has_role(request.user, READS_PERSONAL_DATA)}
    return no_store(render(request, "institutions/institution_list.html", context))


EXPORT_HEADERS = ("机构名称", "性质", "区县", "街道/乡镇", "社区/村", "地址", "床位数", "许可证/备案号", "运营方",
                  "联系人", "联系电话", "状态", "当前等级（星）", "等级有效期至", "未销号重大隐患")


@reads
def institution_export(request: HttpRequest) -> HttpResponse:
    """The filtered registry as .xlsx (contact phones masked); the export and its filter are audited."""
    flt, qs = _search(request)
    lines = []
    for r in _rows(list(qs)):
        i = r["i"]
        lines.append([i.name, InstitutionKind(i.kind).label, r["district"], r["street"], r["area"], i.address, i.beds,
                      i.filing_no, i.operator, i.contact_name, r["phone"], InstitutionStatus(i.status).label,
                      i.current_stars or "", i.current_valid_to, "是" if i.open_major else ""])
    with transaction.atomic():
        record(request.user, AuditAction.EXPORT, object_type="institutions.institution",
               area_code=flt.district or acting_user(request).jurisdiction_id or "",
               summary=f"导出养老机构名单 {len(lines)} 家", after={"filter": flt.as_dict(), "rows": len(lines)},
               ip=client_ip(request))
    return xlsx_response(filename=f"养老机构名单-{timezone.localdate():%Y%m%d}.xlsx", title="养老机构名单",
                         headers=EXPORT_HEADERS, rows=lines,
                         widths=(28, 8, 10, 14, 14, 30, 8, 20, 20, 10, 14, 10, 12, 12, 12))


def _form_page(request: HttpRequest, form: Any, *, title: str, back: str, extra: dict[str, Any] | None = None,
               template: str = "institutions/form.html") -> HttpResponse:
    context = {"form": form, "title": title, "back": back, **(extra or {})}
    return no_store(render(request, template, context))


@manages
def institution_create(request: HttpRequest) -> HttpResponse:
    form = f.InstitutionForm(request.POST or None, prefix_code=_prefix(request))
    if request.method == "POST" and form.is_valid():
        data = form.fields_for_action()
        try:
            institution = act.register_institution(user=request.user, name=data.pop("name"), kind=data.pop("kind"),
                                                   area_code=data.pop("area_id"), beds=data.pop("beds"), **data)
        except InvalidChange as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记 {institution.name}")
            return redirect("institutions:institution_detail", institution.pk)
    return _form_page(request, form, title="登记养老机构", back="")


@manages
def institution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    institution = sel.get_institution(request.user, pk)
    initial = {name: getattr(institution, name) for name in f.InstitutionForm.base_fields if name != "area"}
    initial["area"] = institution.area_id
    form = f.InstitutionForm(request.POST or None, initial=initial, prefix_code=_prefix(request))
    if request.method == "POST" and form.is_valid():
        try:
            act.update_institution(user=request.user, institution=institution, **form.fields_for_action())
        except InvalidChange as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存")
            return redirect("institutions:institution_detail", institution.pk)
    return _form_page(request, form, title=f"修改 {institution.name}", back=str(institution.pk))


@reads
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    institution = sel.get_institution(user, pk)
    today = timezone.localdate()
    current = sel.current_ratings(today).filter(institution=institution).first()
    findings = institution.findings.select_related("item").prefetch_related("escalations").order_by(
        "state", "deadline")
    open_app = institution.rating_applications.filter(state=RatingState.APPLIED).first()
    context = {
        "i": institution,
        "path": [a for a in institution.area.path() if a.level != "city"],
        "phone": mask_phone(institution.contact_phone),
        "current": current,
        "ratings": institution.ratings.select_related("standard", "decided_by").prefetch_related("scores__part"),
        "open_app": open_app,
        "inspections": institution.inspections.select_related("checklist", "campaign").order_by("-inspected_on"),
        "findings": findings,
        "members": institution.memberships.filter(ended_at__isnull=True).select_related("user")
        if has_role(user, MANAGES_INSTITUTIONS) else [],
        "member_form": f.MemberForm() if has_role(user, MANAGES_INSTITUTIONS) else None,
        "can_manage": has_role(user, MANAGES_INSTITUTIONS),
        "can_rate": has_role(user, RATES) and institution.status != InstitutionStatus.CLOSED,
        "can_apply": has_role(user, APPLIES_FOR_RATING) and open_app is None
        and institution.status != InstitutionStatus.CLOSED,
        "can_inspect": has_role(user, INSPECTS) and institution.status != InstitutionStatus.CLOSED,
        "today": today,
    }
    return no_store(render(request, "institutions/institution_detail.html", context))


@manages
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    institution = sel.get_institution(request.user, pk)
    form = f.MemberForm(request.POST)
    if form.is_valid():
        member = User.objects.filter(username=form.cleaned_data["username"].strip()).first()
        try:
            if member is None:
                raise InvalidChange("没有这个账号")
            act.link_member(user=request.user, institution=institution, member=member,
                            title=form.cleaned_data["title"])
        except InvalidChange as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已关联账号 {member.username}")
    return redirect("institutions:institution_detail", institution.pk)


@manages
@require_POST
def member_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = sel.get_membership(request.user, pk)
    try:
        act.end_membership(user=request.user, membership=membership, reason=request.POST.get("reason", ""))
    except InvalidChange as exc:
        messages.error(request, str(exc))
    return redirect("institutions:institution_detail", membership.institution_id)


# --- rating ------------------------------------------------------------------------------------------------

@role_required(APPLIES_FOR_RATING)
@require_POST
def rating_apply(request: HttpRequest, pk: int) -> HttpResponse:
    institution = sel.get_institution(request.user, pk)
    stars = request.POST.get("requested_stars", "")
    try:
        act.apply_for_rating(user=request.user, institution=institution, note=request.POST.get("note", ""),
                             requested_stars=int(stars) if stars.isdigit() else None)
    except InvalidChange as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已提交等级评定申请")
    return redirect("institutions:institution_detail", institution.pk)


@role_required(RATES)
def rating_form(request: HttpRequest, pk: int) -> HttpResponse:
    institution = sel.get_institution(request.user, pk)
    open_app = institution.rating_applications.filter(state=RatingState.APPLIED).select_related("standard").first()
    standard = open_app.standard if open_app else sel.standard_on(timezone.localdate())
    form = f.RatingForm(request.POST or None, standard=standard)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rating = act.rate_institution(user=request.user, institution=institution, scores=form.scores(),
                                          assessors=d["assessors"], assessed_on=d["assessed_on"],
                                          veto_reason=d["veto_reason"], application=open_app, note=d["note"])
        except InvalidChange as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, rating.rule)
            return redirect("institutions:rating_detail", rating.pk)
    return _form_page(request, form, title=f"等级评定：{institution.name}", back=str(institution.pk),
                      template="institutions/rating_form.html",
                      extra={"i": institution, "standard": standard, "application": open_app})


@reads
def rating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rating = sel.get_rating(request.user, pk)
    context = {"r": rating, "scores": rating.scores.select_related("part"),
               "items": rating.item_scores.select_related("part"), "levels": rating.explanation}
    return no_store(render(request, "institutions/rating_detail.html", context))


@reads
def standards(request: HttpRequest) -> HttpResponse:
    """The rating standard and the checklist in force, with every assumed value marked."""
    today = timezone.localdate()
    standard = sel.standard_on(today)
    checklist = sel.checklist_on(today)
    context = {"standard": standard, "levels": standard.levels.prefetch_related("minimums__part"),
               "parts": standard.parts.all(), "checklist": checklist, "groups": _grouped(checklist.items.all())}
    return render(request, "institutions/standards.html", context)


def _grouped(items: Any) -> list[tuple[str, list[Any]]]:
    groups: OrderedDict[str, list[Any]] = OrderedDict()
    for item in items:
        groups.setdefault(ChecklistCategory(item.category).label, []).append(item)
    return list(groups.items())


# --- inspections -------------------------------------------------------------------------------------------

@role_required(INSPECTS)
def inspection_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The checklist on a phone (持单检查): every item answered; failed items become findings."""
    institution = sel.get_institution(request.user, pk)
    today = timezone.localdate()
    campaigns = list(sel.campaigns_for(institution, today).select_related("checklist", "area"))
    checklist = campaigns[0].checklist if campaigns and campaigns[0].checklist else sel.checklist_on(today)
    form = f.InspectionForm(request.POST or None, request.FILES or None, checklist=checklist, campaigns=campaigns,
                            owner=institution.contact_name)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        campaign = next((c for c in campaigns if c.pk == d["campaign"]), None)
        try:
            inspection = act.record_inspection(
                user=request.user, institution=institution, inspected_on=d["inspected_on"],
                inspectors=d["inspectors"], results=form.results(), campaign=campaign, checklist=checklist,
                summary=d["summary"], photos=form.photos(), owner_name=d["owner_name"],
                owner_phone=d["owner_phone"], deadlines=form.deadlines())
        except InvalidChange as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"检查已记录，发现隐患 {inspection.findings.count()} 处")
            return redirect("institutions:inspection_detail", inspection.pk)
    groups: OrderedDict[str, list[Any]] = OrderedDict()
    for row in form.rows():
        groups.setdefault(ChecklistCategory(row["item"].category).label, []).append(row)
    context = {"form": form, "i": institution, "checklist": checklist, "groups": list(groups.items())}
    return no_store(render(request, "institutions/inspection_form.html", context))


def _inspection_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    inspection = sel.get_inspection(request.user, pk)
    today = timezone.localdate()
    findings = list(inspection.findings.select_related("item").prefetch_related("escalations").order_by(
        "-severity", "id"))
    return {
        "x": inspection,
        "i": inspection.institution,
        "results": inspection.results.select_related("item"),
        "findings": findings,
        "has_major": any(x.severity == "major" for x in findings),
        "today": today,
    }


@reads
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return no_store(render(request, "institutions/inspection_detail.html", _inspection_context(request, pk)))


@reads
def inspection_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The inspection record (检查记录) for signatures."""
    return no_store(render(request, "institutions/inspection_print.html", _inspection_context(request, pk)))


@reads
def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The rectification notice (隐患整改通知书) listing each finding with its owner and deadline."""
    return no_store(render(request, "institutions/notice_print.html", _inspection_context(request, pk)))


# --- findings ----------------------------------------------------------------------------------------------

@reads
def finding_list(request: HttpRequest) -> HttpResponse:
    flt = f.FindingFilter(request.GET or None)
    d = flt.cleaned_data if flt.is_valid() else {}
    qs = sel.search_findings(request.user, state=d.get("state", ""), severity=d.get("severity", ""),
                             overdue=bool(d.get("overdue")), escalated=bool(d.get("escalated")),
                             open_only=bool(d.get("open_only")))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return no_store(render(request, "institutions/finding_list.html",
                           {"filter": flt, "page": page, "today": timezone.localdate()}))


ACTION_FORMS: dict[str, type] = {
    FindingAction.ASSIGN: f.AssignForm, FindingAction.SUBMIT: f.SubmitForm, FindingAction.VERIFY: f.NoteForm,
    FindingAction.REJECT: f.NoteForm, FindingAction.CLOSE: f.NoteForm, FindingAction.REOPEN: f.NoteForm,
}


@reads
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    finding = sel.get_finding(user, pk)
    today = timezone.localdate()
    offered = []
    for row in actions_from("finding", finding.state, user):
        if row.action == FindingAction.VERIFY and finding.submitted_by_id == user.pk:
            continue  # the person who reported it done does not verify it
        initial = {"owner_name": finding.owner_name, "owner_phone": finding.owner_phone,
                   "deadline": finding.deadline} if row.action == FindingAction.ASSIGN else None
        offered.append({"action": row.action, "label": FindingAction(row.action).label,
                        "form": ACTION_FORMS[row.action](initial=initial, prefix=row.action)})
    context = {
        "x": finding, "i": finding.institution, "steps": finding.steps.select_related("actor"),
        "escalations": finding.escalations.all(), "overdue": sel.is_overdue(finding, today),
        "overdue_days": sel.overdue_days(finding, today), "offered": offered,
        "self_submitted": finding.submitted_by_id == user.pk,
    }
    return no_store(render(request, "institutions/finding_detail.html", context))


@reads
@require_POST
def finding_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    finding = sel.get_finding(request.user, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form = ACTION_FORMS[action](request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("institutions:finding_detail", finding.pk)
    d = form.cleaned_data
    user = request.user
    try:
        if action == FindingAction.ASSIGN:
            act.assign_rectification(user=user, finding=finding, owner_name=d["owner_name"],
                                     owner_phone=d["owner_phone"], deadline=d["deadline"], note=d["note"])
        elif action == FindingAction.SUBMIT:
            act.submit_rectification(user=user, finding=finding, note=d["note"], photo=d.get("photo"))
        elif action == FindingAction.VERIFY:
            act.verify_rectification(user=user, finding=finding, note=d["note"])
        elif action == FindingAction.REJECT:
            act.reject_rectification(user=user, finding=finding, note=d["note"])
        elif action == FindingAction.CLOSE:
            act.close_finding(user=user, finding=finding, note=d["note"])
        else:
            act.reopen_finding(user=user, finding=finding, note=d["note"])
    except InvalidChange as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已办理：{FindingAction(action).label}")
    return redirect("institutions:finding_detail", finding.pk)


@reads
def photo(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A finding's photo (``finding``) or a step's (``step``), for a user who may see the finding."""
    file = sel.get_photo(request.user, kind, pk)
    with file.open("rb") as handle:  # photos are small (≤ 10 MB, checked on upload)
        content = handle.read()
    kind_of = mimetypes.guess_type(file.name or "")[0] or "application/octet-stream"
    response = HttpResponse(content, content_type=kind_of)
    response["Cache-Control"] = "no-store, private"
    return response


# --- campaigns and coverage --------------------------------------------------------------------------------

@staff
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = f.CampaignForm(request.POST or None, prefix_code=_prefix(request)) if has_role(user, RUNS_CAMPAIGNS) \
        else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                campaign = act.start_campaign(user=user, name=d["name"], area_code=d["area"],
                                              starts_on=d["starts_on"], ends_on=d["ends_on"])
            except InvalidChange as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已发起 {campaign.name}")
                return redirect("institutions:campaign_detail", campaign.pk)
    rating_rows, rating_total = sel.rating_coverage(user)
    context = {"campaigns": sel.visible_campaigns(user).select_related("area"), "form": form,
               "rating_rows": rating_rows, "rating_total": rating_total}
    return no_store(render(request, "institutions/campaign_list.html", context))


@staff
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Coverage of the campaign by district (every institution in operation inspected → 100%)."""
    campaign = sel.get_campaign(request.user, pk)
    rows, total = sel.campaign_coverage(request.user, campaign)
    escalated = sel.search_findings(request.user, escalated=True, open_only=True).filter(
        inspection__campaign=campaign)[:50]
    context = {"c": campaign, "rows": rows, "total": total, "escalated": escalated,
               "can_close": has_role(request.user, RUNS_CAMPAIGNS) and campaign.status == "open"}
    return no_store(render(request, "institutions/campaign_detail.html", context))


@role_required(RUNS_CAMPAIGNS)
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = sel.get_campaign(request.user, pk)
    try:
        act.close_campaign(user=request.user, campaign=campaign)
    except InvalidChange as exc:
        messages.error(request, str(exc))
    return redirect("institutions:campaign_detail", campaign.pk)

