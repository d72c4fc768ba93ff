"""Bulk import of the low-income archive (areas, households, members, enrollments) into the ORM.

The entry point for the intake: :func:`import_archive` takes the rows of whichever archive files a
delivery holds and lands them in dependency order, each file in its own transaction (valid rows land
together, rejected rows are returned with their reason). Re-importing the same rows changes nothing:
every file is matched on its natural key (area code, household number, ID number, enrollment
``source_key``) and unchanged rows are not written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection

from minzheng.registry.actions.archive_areas import AREA_COLUMNS, import_areas
from minzheng.registry.actions.archive_enrollments import ENROLLMENT_COLUMNS, Lookup, import_enrollments
from minzheng.registry.actions.archive_households import (
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    apply_households,
    apply_members,
    plan_households,
)
from minzheng.registry.actions.archive_rows import FileOutcome, Row

ARCHIVE_FILES: dict[str, tuple[str, ...]] = {
    "areas": AREA_COLUMNS,
    "registry_households": HOUSEHOLD_COLUMNS,
    "registry_members": MEMBER_COLUMNS,
    "registry_enrollments": ENROLLMENT_COLUMNS,
}


def import_archive(
    files: dict[str, list[Row] | None],
    *,
    user: Any,
    today: dt.date | None = None,
    lookup: Lookup | None = None,
    labels: dict[str, str] | None = None,
    reason: str = "",
    on_file: Callable[[str, FileOutcome], None] | None = None,
) -> dict[str, FileOutcome]:
    """Import the archive files present in ``files`` (kind → rows; a kind whose file was rejected as a
    whole maps to ``None``: rows depending on it are then checked against the database only).

    ``lookup`` finds people outside the archive in the population data (see ``archive_enrollments``);
    ``labels`` names each file in the audit trail; ``on_file`` is called as each file is done.
    """
    today = today or dt.date.today()
    labels = labels or {}
    if connection.vendor == "sqlite":
        # A bigger page cache for this connection: the index inserts of a 100k-household archive
        # otherwise thrash the default 2 MB (about a third of the import time).
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size = -262144")
    done: dict[str, FileOutcome] = {}

    def finish(kind: str, outcome: FileOutcome) -> None:
        done[kind] = outcome
        if on_file:
            on_file(kind, outcome)

    if files.get("areas") is not None:
        finish("areas", import_areas(files["areas"] or [], user=user, file_label=labels.get("areas", "areas"),
                                     reason=reason))
    households, members = files.get("registry_households"), files.get("registry_members")
    if households is not None or members is not None:
        plan = plan_households(households, members, today=today)
        if households is not None:
            finish("registry_households", apply_households(
                plan, user=user, today=today, reason=reason,
                file_label=labels.get("registry_households", "registry_households")))
        if members is not None:
            finish("registry_members", apply_members(
                plan, user=user, today=today, reason=reason,
                file_label=labels.get("registry_members", "registry_members")))
    if files.get("registry_enrollments") is not None:
        finish("registry_enrollments", import_enrollments(
            files["registry_enrollments"] or [], user=user, today=today, lookup=lookup, reason=reason,
            file_label=labels.get("registry_enrollments", "registry_enrollments")))
    return done
