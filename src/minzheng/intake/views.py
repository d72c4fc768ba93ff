"""The import runs and each file's quality report (rows read, taken, rejected by reason, IDs repaired)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minzheng.authz.choices import RUNS_IMPORTS
from minzheng.intake import selectors
from minzheng.web.http import no_store, role_required

COUNTERS = {"rows_read", "rows_taken", "created", "changed", "unchanged", "rows_rejected", "ids_repaired",
            "name", "kind", "status", "message", "reasons", "rejects", "seconds"}


@role_required(RUNS_IMPORTS)
def run_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.visible_runs(request.user).prefetch_related("files"), 20).get_page(
        request.GET.get("page"))
    return no_store(render(request, "intake/run_list.html", {"page": page, "runs": page.object_list}))


@role_required(RUNS_IMPORTS)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run(request.user, pk)
    details = selectors.report_details(run)
    files: list[dict[str, Any]] = []
    for f in run.files.all():
        extra = details.get(f.name, {})
        files.append({
            "file": f,
            "reasons": sorted((extra.get("reasons") or {}).items(), key=lambda kv: -kv[1]),
            "extra": {k: v for k, v in extra.items() if k not in COUNTERS and isinstance(v, int) and v},
        })
    return no_store(render(request, "intake/run_detail.html", {"run": run, "files": files}))
