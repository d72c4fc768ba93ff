"""Import of ``areas`` (code, name, level, parent_code): the streets and communities below the seeded
city and districts. New nodes are created, a renamed node is updated; a node whose level or parent
differs from the tree already stored is rejected (moving a node is not an import's business)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from minzheng.core.choices import LEVEL_PREFIX, AreaLevel
from minzheng.core.models import Area
from minzheng.registry.actions.archive_rows import AuditRows, FileOutcome, Row, RowError, code12, text

AREA_COLUMNS = ("code", "name", "level", "parent_code")
PARENT_LEVEL = {AreaLevel.STREET: AreaLevel.DISTRICT, AreaLevel.COMMUNITY: AreaLevel.STREET}


def import_areas(rows: list[Row], *, user: Any, file_label: str = "areas", reason: str = "") -> FileOutcome:
    """Validate every row, then create/rename the valid ones in one transaction (audited)."""
    out = FileOutcome(kind="areas", rows_read=len(rows))
    existing = {code: (name, level, parent) for code, name, level, parent in
                Area.objects.values_list("code", "name", "level", "parent_id")}
    levels = {code: level for code, (_, level, _) in existing.items()}
    seen: set[str] = set()
    parsed: list[tuple[Row, str, str, str, str]] = []
    # Parents before children, whatever the file's order.
    order = {AreaLevel.CITY.value: 0, AreaLevel.DISTRICT.value: 1, AreaLevel.STREET.value: 2}
    for row in sorted(rows, key=lambda r: (order.get(r[1].get("level", "").strip(), 3), r[0])):
        values = row[1]
        try:
            code = code12(values, "code")
            name = text(values, "name", required=True, max_length=64)
            level = text(values, "level", required=True)
            old = existing.get(code)
            if level not in PARENT_LEVEL:
                # The city and its districts are fixed (seeded); restating them is fine, adding is not.
                if code in seen or not old or old[1] != level:
                    raise RowError("area_level_invalid", f"{level} {code}")
                seen.add(code)
                out.unchanged += 1
                continue
            parent = code12(values, "parent_code")
        except RowError as exc:
            out.reject(row, exc.code, exc.detail)
            continue
        if code in seen:
            out.reject(row, "area_duplicate", code)
            continue
        seen.add(code)
        if levels.get(parent) != PARENT_LEVEL[AreaLevel(level)]:
            out.reject(row, "area_parent_unknown", parent)
            continue
        parent_prefix = parent[: LEVEL_PREFIX[PARENT_LEVEL[AreaLevel(level)]]]
        if not code.startswith(parent_prefix) or code == parent or code[LEVEL_PREFIX[AreaLevel(level)]:].strip("0"):
            out.reject(row, "area_parent_mismatch", f"{code} / {parent}")
            continue
        if old and (old[1] != level or old[2] != parent):
            out.reject(row, "area_conflict", f"已有 {old[1]}，上级 {old[2]}")
            continue
        levels[code] = level
        parsed.append((row, code, name, level, parent))
    created: list[Area] = []
    renamed: list[tuple[Area, str]] = []
    for _, code, name, level, parent in parsed:
        old = existing.get(code)
        if old is None:
            created.append(Area(code=code, name=name, level=level, parent_id=parent))
        elif old[0] != name:
            renamed.append((Area(code=code, name=name, level=level, parent_id=parent), old[0]))
        else:
            out.unchanged += 1
    audit = AuditRows(user, reason)
    try:
        with transaction.atomic():
            Area.objects.bulk_create(created, batch_size=2000)
            Area.objects.bulk_update([a for a, _ in renamed], ["name"], batch_size=2000)
            for a in created:
                audit.add(object_type="core.area", object_id=a.code, area_code=a.code, summary=f"导入区划 {a.name}",
                          after={"name": a.name, "level": a.level, "parent": a.parent_id})
            for a, old_name in renamed:
                audit.add(object_type="core.area", object_id=a.code, area_code=a.code,
                          summary=f"导入区划（更名） {a.name}", before={"name": old_name}, after={"name": a.name})
            out.created, out.changed = len(created), len(renamed)
            audit.file(file_label, out)
            audit.write()
    except Exception as exc:  # the file lands whole or not at all
        out.fail(exc)
    return out
