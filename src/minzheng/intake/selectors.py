"""Reads of import runs and their quality reports (data operators and city administrators)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from minzheng.authz.choices import RUNS_IMPORTS
from minzheng.authz.scope import has_role
from minzheng.core.errors import NotFound
from minzheng.intake.models import ImportRun


def visible_runs(user: Any) -> QuerySet[ImportRun]:
    if not has_role(user, RUNS_IMPORTS):
        return ImportRun.objects.none()
    return ImportRun.objects.order_by("-started_at", "-id")


def get_run(user: Any, pk: int | str) -> ImportRun:
    try:
        return visible_runs(user).prefetch_related("files").get(pk=int(pk))
    except (ImportRun.DoesNotExist, ValueError):
        raise NotFound("未找到该导入批次") from None


def report_details(run: ImportRun) -> dict[str, dict[str, Any]]:
    """Per file name, what the run's report.json says beyond the counters (reasons, extra counts)."""
    if not run.report_path:
        return {}
    path = Path(run.report_path)
    path = path / "report.json" if path.is_dir() else path.with_name("report.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {f.get("name", ""): f for f in data.get("files", [])}
