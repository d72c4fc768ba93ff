"""Household and person pages: search, export, detail, reveal of a masked number, and household changes.

Reads go through the scoped selectors (out of scope → 404); writes go through ``core.actions`` (a role that
may not write → 403 before anything is looked up); masked values by default, a full value only after a
logged reveal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.audit.selectors import object_events
from minzheng.authz.choices import READS_PERSONAL_DATA, WRITES_REGISTRY
from minzheng.authz.scope import has_role
from minzheng.core import forms as f
from minzheng.core.actions import households as hh
from minzheng.core.actions.people import checked_identity, register_person, reveal_person_field
from minzheng.core.choices import HouseholdStatus, Relation
from minzheng.core.errors import DomainError, Forbidden, InvalidChange, NotFound
from minzheng.core.masking import mask_id, mask_phone
from minzheng.core.models import Household, HouseholdMember, Person
from minzheng.core.selectors import (
    current_members,
    get_household,
    get_person,
    search_households,
    visible_households,
)
from minzheng.registry.choices import CATEGORY_PROGRAMMES, Programme
from minzheng.registry.selectors import active_enrollments, household_categories, household_enrollments
from minzheng.web.excel import xlsx_response
from minzheng.web.http import acting_user, client_ip, no_store, role_required

PAGE_SIZE = 20
EXPORT_BATCH = 500
reads = role_required(READS_PERSONAL_DATA)
writes = role_required(WRITES_REGISTRY)


# --- list and export -------------------------------------------------------------------------------------

def categories_for(households: Sequence[Household]) -> dict[int, list[str]]:
    """The low-income categories today of households that carry ``current_memberships`` (one query)."""
    ids = {h.pk for h in households}
    person_home = {m.person_id: h.pk for h in households for m in getattr(h, "current_memberships", [])}
    found: dict[int, set[str]] = defaultdict(set)
    rows = (
        active_enrollments(timezone.localdate())
        .filter(programme__in=CATEGORY_PROGRAMMES)
        .filter(Q(household_id__in=ids) | Q(person_id__in=list(person_home)))
        .values_list("household_id", "person_id", "programme")
    )
    for household_id, person_id, programme in rows:
        if household_id in ids:
            found[household_id].add(programme)
        if person_id in person_home:
            found[person_home[person_id]].add(programme)
    return {pk: [p.value for p in CATEGORY_PROGRAMMES if p in found[pk]] for pk in ids}


def household_rows(households: Sequence[Household]) -> list[dict[str, Any]]:
    """What a list row or an export line shows of a household: masked numbers only."""
    categories = categories_for(households)
    rows = []
    for h in households:
        members = getattr(h, "current_memberships", [])
        head = next((m.person for m in members if m.relation == Relation.HEAD), None)
        rows.append({
            "household": h,
            "head_name": head.name if head else "",
            "head_id": mask_id(head.id_number) if head else "",
            "member_count": len(members),
            "member_names": "、".join(m.person.name for m in members),
            "others": "、".join(m.person.name for m in members if m.relation != Relation.HEAD),
            "phone": mask_phone(h.phone),
            "area": h.area.name,
            "street": h.area.parent.name if h.area.parent else "",
            "categories": categories.get(h.pk, []),
        })
    return rows


def _search(request: HttpRequest) -> tuple[f.HouseholdFilter, Any]:
    flt = f.HouseholdFilter.from_query(request.user, request.GET)
    qs = search_households(request.user, q=flt.q, area_code=flt.area_code, status=flt.status,
                           programme=flt.programme).select_related("area__parent")
    return flt, qs


@reads
def household_list(request: HttpRequest) -> HttpResponse:
    flt, qs = _search(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": flt,
        "page": page,
        "rows": household_rows(list(page.object_list)),
        "can_write": has_role(request.user, WRITES_REGISTRY),
    }
    return no_store(render(request, "core/household_list.html", context))


def _batches(qs: Any, size: int = EXPORT_BATCH) -> Iterator[list[Household]]:
    start = 0
    while True:
        batch = list(qs[start:start + size])
        if not batch:
            return
        yield batch
        start += size


EXPORT_HEADERS = (
    gettext_noop("档案编号"),
    gettext_noop("户主姓名"),
    gettext_noop("户主公民身份号码"),
    gettext_noop("家庭人数"),
    gettext_noop("成员"),
    gettext_noop("街道/乡镇"),
    gettext_noop("社区/村"),
    gettext_noop("住址"),
    gettext_noop("联系电话"),
    gettext_noop("救助类别"),
    gettext_noop("状态"),
    gettext_noop("建档日期"),
)


@reads
def household_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx (ID numbers and phones masked); the export and its filter are audited."""
    flt, qs = _search(request)
    lines: list[list[Any]] = []
    for batch in _batches(qs):
        for r in household_rows(batch):
            h = r["household"]
            lines.append([
                h.household_no, r["head_name"], r["head_id"], r["member_count"], r["member_names"], r["street"],
                r["area"], h.address, r["phone"], "、".join(Programme(c).label for c in r["categories"]),
                h.get_status_display(), h.registered_date,
            ])
    with transaction.atomic():
        record(request.user, AuditAction.EXPORT, object_type="core.household",
               area_code=flt.area_code or acting_user(request).jurisdiction_id or "",
               summary=f"导出家庭名单 {len(lines)} 户", after={"filter": flt.as_dict(), "rows": len(lines)},
               ip=client_ip(request))
    return xlsx_response(filename=f"家庭名单-{timezone.localdate():%Y%m%d}.xlsx", title="家庭名单",
                         headers=[_(h) for h in EXPORT_HEADERS], rows=lines,
                         widths=(16, 10, 22, 8, 30, 14, 14, 30, 14, 20, 8, 12))


# --- detail pages and reveal -----------------------------------------------------------------------------

def _member_view(m: HouseholdMember, revealed: dict[str, str]) -> dict[str, Any]:
    p = m.person
    return {
        "m": m,
        "person": p,
        "id_number": revealed.get(f"{p.pk}:id_number") or mask_id(p.id_number),
        "id_revealed": f"{p.pk}:id_number" in revealed,
        "phone": revealed.get(f"{p.pk}:phone") or mask_phone(p.phone),
        "phone_revealed": f"{p.pk}:phone" in revealed,
    }


def _household_page(request: HttpRequest, household: Household, revealed: dict[str, str] | None = None
                    ) -> HttpResponse:
    revealed = revealed or {}
    today = timezone.localdate()
    members = [_member_view(m, revealed) for m in current_members(household)]
    context = {
        "household": household,
        "area_path": [a for a in household.area.path() if a.level != "city"],
        "members": members,
        "former": household.memberships.filter(end_date__isnull=False).select_related("person")
        .order_by("-end_date", "-id"),
        "categories": household_categories(household, today),
        "enrollments": household_enrollments(household),
        "changes": household.changes.select_related("actor", "other_household").order_by("-at", "-id"),
        "events": object_events("core.household", household.pk).order_by("-at", "-id")[:200],
        "phone": mask_phone(household.phone),
        "can_write": has_role(request.user, WRITES_REGISTRY) and household.status == HouseholdStatus.ACTIVE,
        "today": today,
    }
    return no_store(render(request, "core/household_detail.html", context))


@reads
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _household_page(request, get_household(request.user, pk))


def _person_page(request: HttpRequest, person: Person, revealed: dict[str, str] | None = None) -> HttpResponse:
    revealed = revealed or {}
    memberships = list(person.memberships.select_related("household").order_by("-start_date", "-id"))
    current = next((m for m in memberships if m.end_date is None), None)
    context = {
        "person": person,
        "id_number": revealed.get("id_number") or mask_id(person.id_number),
        "id_revealed": "id_number" in revealed,
        "phone": revealed.get("phone") or mask_phone(person.phone),
        "phone_revealed": "phone" in revealed,
        "memberships": memberships,
        "current": current,
        "enrollments": person.enrollments.select_related("household").order_by("-start_date"),
        "events": object_events("core.person", person.pk).order_by("-at", "-id")[:200],
    }
    return no_store(render(request, "core/person_detail.html", context))


@reads
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, get_person(request.user, pk))


@require_POST
@reads
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number or phone of a person in scope; the view is logged (``view_sensitive``).

    A script asks for JSON and puts the value in place; without a script the page comes back with it.
    """
    person = get_person(request.user, pk)
    field = request.POST.get("field", "")
    value = reveal_person_field(user=request.user, person=person, field=field,
                                reason=request.POST.get("reason", "")[:200], ip=client_ip(request))
    if "application/json" in request.headers.get("Accept", ""):
        return no_store(JsonResponse({"field": field, "value": value}))
    household_pk = request.POST.get("household", "")
    if household_pk:
        return _household_page(request, get_household(request.user, household_pk), {f"{person.pk}:{field}": value})
    return _person_page(request, person, {field: value})


# --- household changes -----------------------------------------------------------------------------------

def _change_page(
    request: HttpRequest,
    household: Household,
    *,
    title: str,
    form: Any,
    apply: Callable[[Any], Any],
    done: str,
    template: str = "core/household_change.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET shows the form; a valid POST calls the action; a refusal of the domain is shown on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            apply(form)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("web:core:household_detail", pk=household.pk)
    context = {"household": household, "form": form, "title": title, **(extra or {})}
    return no_store(render(request, template, context))


def _active_household(request: HttpRequest, pk: int) -> Household:
    household = get_household(request.user, pk)
    if household.status != HouseholdStatus.ACTIVE:
        raise NotFound("该家庭已注销")
    return household


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _member_person(household: Household, person_id: Any) -> Person:
    m = household.memberships.filter(person_id=int(person_id), end_date__isnull=True).select_related("person").first()
    if m is None:
        raise InvalidChange(_("所选人员不是该户当前成员"))
    return m.person


@writes
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    h = _active_household(request, pk)
    form = f.HouseholdEditForm(_data(request), initial={"address": h.address})

    def apply(form: f.HouseholdEditForm) -> None:
        d = form.cleaned_data
        changes = {"address": d["address"]}
        if d["phone"]:
            changes["phone"] = d["phone"]
        hh.update_household(user=request.user, household=h, reason=d["reason"], **changes)

    return _change_page(request, h, title=_("修改联系方式与住址"), form=form, apply=apply,
                        done=_("家庭信息已修改。"), extra={"masked_phone": mask_phone(h.phone)})


@writes
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    h = _active_household(request, pk)

    @transaction.atomic
    def apply(form: f.AddMemberForm) -> None:
        d = form.cleaned_data
        idn, _sex, _born = checked_identity(d["id_number"])
        person = Person.objects.filter(id_number=idn).first()
        if person is None:
            if not d["name"].strip():
                raise InvalidChange(_("该身份证号尚未登记，请填写姓名以登记新人员"))
            person = register_person(user=request.user, id_number=idn, name=d["name"], area_code=h.area_id,
                                     phone=d["phone"], reason=d["reason"])
        elif d["name"].strip() and d["name"].strip() != person.name:
            raise InvalidChange(_("姓名与该身份证号的登记信息不符"))
        hh.add_member(user=request.user, household=h, person=person, relation=d["relation"],
                      start_date=d["start_date"], reason=d["reason"])

    return _change_page(request, h, title=_("增加成员"), form=f.AddMemberForm(_data(request)), apply=apply,
                        done=_("已增加成员。"))


@writes
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    h = _active_household(request, pk)

    def apply(form: f.RemoveMemberForm) -> None:
        d = form.cleaned_data
        hh.remove_member(user=request.user, household=h, person=_member_person(h, d["person"]),
                         end_date=d["end_date"], reason=d["reason"])

    return _change_page(request, h, title=_("减少成员"), form=f.RemoveMemberForm(_data(request), members=_members(h)),
                        apply=apply, done=_("已减少成员。"))


def _members(household: Household) -> list[HouseholdMember]:
    return list(current_members(household))


@writes
def head_change(request: HttpRequest, pk: int) -> HttpResponse:
    h = _active_household(request, pk)

    def apply(form: f.ChangeHeadForm) -> None:
        d = form.cleaned_data
        new_head = _member_person(h, d["new_head"])
        hh.change_head(user=request.user, household=h, new_head=new_head,
                       former_head_relation=d["former_head_relation"], effective_date=d["effective_date"],
                       reason=d["reason"], relations=form.relations(new_head.pk))

    return _change_page(request, h, title=_("变更户主"), form=f.ChangeHeadForm(_data(request), members=_members(h)),
                        apply=apply, done=_("户主已变更。"))


@writes
def household_split(request: HttpRequest, pk: int) -> HttpResponse:
    h = _active_household(request, pk)

    def apply(form: f.SplitForm) -> None:
        d = form.cleaned_data
        new_head = _member_person(h, d["new_head"])
        hh.split_household(
            user=request.user, household=h, new_household_no=d["new_household_no"].strip(), new_head=new_head,
            others=form.others_moving(new_head.pk), effective_date=d["effective_date"], reason=d["reason"],
            address=d["address"], phone=d["phone"],
        )

    return _change_page(request, h, title=_("分户"), form=f.SplitForm(_data(request), members=_members(h)),
                        apply=apply, done=_("已分户。"))


@writes
def household_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Step one finds the household to merge in (by archive number, in scope); step two sets relations."""
    h = _active_household(request, pk)
    source_no = (request.POST.get("source_no") or request.GET.get("source_no") or "").strip()
    source = None
    if source_no:
        source = (visible_households(request.user).filter(household_no=source_no, status=HouseholdStatus.ACTIVE)
                  .exclude(pk=h.pk).select_related("area").first())
    if source is None:
        lookup = f.MergeSourceForm(request.GET if source_no else None)
        if source_no:
            lookup.add_error("source_no", _("未找到可合并的在册家庭"))
        return no_store(render(request, "core/household_merge.html",
                               {"household": h, "lookup": lookup, "title": _("合户")}))
    source_members = _members(source)
    form = f.MergeForm(_data(request), source_members=source_members, initial={"source_no": source.household_no})

    def apply(form: f.MergeForm) -> None:
        d = form.cleaned_data
        hh.merge_households(user=request.user, target=h, source=source, relations=form.relations(),
                            effective_date=d["effective_date"], reason=d["reason"])

    return _change_page(request, h, title=_("合户"), form=form, apply=apply, done=_("已合户。"),
                        template="core/household_merge.html",
                        extra={"source": source, "source_members": source_members})
