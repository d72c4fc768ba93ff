"""发放统计: paid by month, district, programme and category for a period, the cumulative figure, and
the same table as an Excel download (audited; the report holds totals, no personal data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.authz.choices import READS_PERSONAL_DATA
from minzheng.authz.scope import area_prefix
from minzheng.payments import reports as r
from minzheng.payments.forms import ReportForm
from minzheng.rules.model import Month
from minzheng.web.excel import xlsx_response
from minzheng.web.http import acting_user, client_ip, no_store, role_required

reads = role_required(READS_PERSONAL_DATA)


def _defaults() -> dict[str, object]:
    today = timezone.localdate()
    return {"start": f"{today.year}-01", "end": f"{today:%Y-%m}", "by": ["month", "programme"]}


@reads
def report(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ReportForm(request.GET or None, initial=_defaults())
    data = form.cleaned_data if form.is_bound and form.is_valid() else _defaults()
    if form.is_bound and not form.is_valid():
        return no_store(render(request, "payments/report.html", {"form": form, "rows": []}, status=400))
    start = Month.parse(data["start"]).first_day
    end = Month.parse(data["end"]).first_day
    chosen: Any = data.get("by") or ["month"]
    by = [str(d) for d in chosen]
    rows = r.paid_table(user, start, end, by)
    total = r.cumulative_paid(user, start, end)
    headers = r.column_labels(by)
    if request.GET.get("format") == "xlsx":
        record(user, AuditAction.EXPORT, object_type="payments.report", area_code=area_prefix(user) or "",
               summary=f"导出发放统计 {data['start']}—{data['end']}", after={"by": by, "rows": len(rows)},
               ip=client_ip(request))
        return xlsx_response(
            filename=f"发放统计_{data['start']}_{data['end']}.xlsx", title="发放统计",
            headers=[*headers, "发放金额（元）", "追回金额（元）", "明细条数"],
            rows=[[*row["labels"], row["paid"], row["recovered"], row["entries"]] for row in rows]
            + [["合计", *[""] * (len(headers) - 1), total, "", ""]],
            widths=[14] * len(headers) + [16, 16, 12],
        )
    return no_store(render(request, "payments/report.html", {
        "form": form, "rows": rows, "headers": headers, "total": total, "start": start, "end": end,
        "period": f"{data['start']} 至 {data['end']}", "query": request.GET.urlencode(),
        "today": dt.date.today(),
    }))
