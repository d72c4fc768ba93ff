"""The audit log for auditors and administrators: scoped, filterable, exportable, ID numbers masked."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from minzheng.audit.choices import AuditAction
from minzheng.audit.forms import OBJECT_TYPES, AuditFilterForm
from minzheng.audit.log import record
from minzheng.audit.models import AuditEvent
from minzheng.audit.selectors import visible_events
from minzheng.authz.choices import READS_AUDIT, Role
from minzheng.web.excel import xlsx_response
from minzheng.web.http import acting_user, client_ip, no_store, role_required
from minzheng.web.masking import describe, mask_text

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
LINKS = {"core.household": "web:core:household_detail", "core.person": "web:core:person_detail",
         "authz.user": "web:authz:user_detail"}


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, Any]:
    form = AuditFilterForm(request.GET or None)
    return form, form.apply(visible_events(request.user))


def event_row(ev: AuditEvent) -> dict[str, Any]:
    """One event as shown on screen or exported: values that look like ID or mobile numbers are masked."""
    link = ""
    if ev.object_type in LINKS and ev.object_id.isdigit():
        link = reverse(LINKS[ev.object_type], args=[int(ev.object_id)])
    return {
        "ev": ev,
        "summary": mask_text(ev.summary),
        "reason": mask_text(ev.reason),
        "before": describe(ev.before),
        "after": describe(ev.after),
        "object_id": mask_text(ev.object_id),
        "link": link,
        "role": role_label(ev.actor_role),
    }


def role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code


@role_required(READS_AUDIT)
def event_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [event_row(ev) for ev in page.object_list],
        "object_types": OBJECT_TYPES,
    }
    return no_store(render(request, "audit/event_list.html", context))


EXPORT_HEADERS = (
    gettext_noop("时间"),
    gettext_noop("操作人"),
    gettext_noop("角色"),
    gettext_noop("动作"),
    gettext_noop("对象类型"),
    gettext_noop("对象编号"),
    gettext_noop("所属区划"),
    gettext_noop("摘要"),
    gettext_noop("变更前"),
    gettext_noop("变更后"),
    gettext_noop("原因"),
    gettext_noop("IP"),
)


@role_required(READS_AUDIT)
def event_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as .xlsx (at most ``EXPORT_LIMIT`` rows, newest first); the export is itself audited."""
    form, qs = _filtered(request)
    lines = []
    for ev in qs.order_by("-at", "-id")[:EXPORT_LIMIT].iterator(chunk_size=2000):
        r = event_row(ev)
        lines.append([ev.at, ev.actor_username, r["role"], ev.get_action_display(), ev.object_type,
                      r["object_id"], ev.area_code, r["summary"], r["before"], r["after"], r["reason"], ev.ip or ""])
    with transaction.atomic():
        record(request.user, AuditAction.EXPORT, object_type="audit.auditevent",
               area_code=acting_user(request).jurisdiction_id or "", summary=f"导出审计日志 {len(lines)} 条",
               after={"filter": form.as_dict(), "rows": len(lines)}, ip=client_ip(request))
    return xlsx_response(filename=f"审计日志-{timezone.localdate():%Y%m%d}.xlsx", title="审计日志",
                         headers=[_(h) for h in EXPORT_HEADERS], rows=lines,
                         widths=(20, 14, 16, 12, 16, 12, 14, 40, 40, 40, 20, 16))
