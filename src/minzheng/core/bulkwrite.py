"""Writing many rows at once, below the ORM but with its values: plain tuples inserted by COPY (PostgreSQL)
or one prepared statement (SQLite), and columns of many rows updated by primary key. Used by the archive
import and by monitoring runs, inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

# Django's bulk_create prepares every field of every instance through the ORM (about 10 µs a value):
# a million rows of an archive spend most of their time there. Imports and runs write plain tuples
# instead: executemany of one prepared INSERT on SQLite, COPY on PostgreSQL (other backends: multi-row
# VALUES). Values are adapted per column by the backend's own adapters, so what lands is what
# bulk_create would write.


def _converter(field: Any, conn: Any) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    if kind == "DateField":
        return conn.ops.adapt_datefield_value
    if kind == "DateTimeField":
        return conn.ops.adapt_datetimefield_value
    if kind == "DecimalField":
        return lambda v: conn.ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    if kind == "JSONField":
        # The text Django's adapt_json_value writes (COPY parses it into jsonb on PostgreSQL); NULL stays NULL.
        encoder = field.encoder
        return lambda v: None if v is None else json.dumps(v, cls=encoder)
    return None


def _once(conv: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``conv`` remembering its last answer: a column often repeats one value (an import's timestamp)."""
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, conv(value)
        return last[1]

    return convert


def insert_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT ``rows`` (tuples in the order of ``fields``; a foreign key takes the related pk) into
    ``model``'s table in the current transaction; returns the number of rows. Columns not listed get
    their model default (``auto_now``/``auto_now_add``: now)."""
    conn = connections[router.db_for_write(model)]
    opts = model._meta
    cols: list[Any] = [opts.get_field(name) for name in fields]
    # Every other concrete column gets what the ORM would give it: its default, now for
    # auto_now(_add), else NULL (a NOT NULL column without a default must be listed).
    constants: list[Any] = []
    now = timezone.now()
    for f in opts.concrete_fields:
        if f in cols or f.primary_key:
            continue
        cols.append(f)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants.append(now)
        else:
            constants.append(f.get_default())  # "" for a blank CharField, None when nullable
    width = len(fields)
    for k, f in enumerate(cols[width:]):
        if (conv := _converter(f, conn)) is not None and constants[k] is not None:
            constants[k] = conv(constants[k])
    converters = [(i, _once(c)) for i, f in enumerate(cols[:width]) if (c := _converter(f, conn)) is not None]
    table = conn.ops.quote_name(opts.db_table)
    names = ", ".join(conn.ops.quote_name(f.column) for f in cols)
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    sqlite = conn.vendor == "sqlite"
    per = 5000 if sqlite else max(1, min(1000, 65535 // len(cols)))
    count = 0

    def adapt(row: Sequence[Any]) -> list[Any]:
        if len(row) != width:
            raise ValueError(f"{opts.label}: {len(row)} values for {width} columns")
        values = [*row, *constants]
        for i, conv in converters:
            values[i] = conv(values[i])
        return values

    with conn.cursor() as cur:
        if conn.vendor == "postgresql":  # COPY: psycopg adapts each value in C
            with cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(adapt(row))
                    count += 1
            return count
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(adapt(row))
            if len(batch) == per:
                count += _flush(cur, table, names, one, batch, sqlite)
                batch = []
        if batch:
            count += _flush(cur, table, names, one, batch, sqlite)
    return count


def _flush(cur: Any, table: str, names: str, one: str, batch: list[list[Any]], sqlite: bool) -> int:
    if sqlite:
        cur.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", batch)  # noqa: S608 - names from _meta
    else:
        cur.execute(f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * len(batch)),  # noqa: S608
                    [v for row in batch for v in row])
    return len(batch)


def update_rows(model: type[Model], objs: Sequence[Model], fields: Sequence[str], *, batch: int = 2000) -> None:
    """UPDATE ``fields`` of ``objs`` by pk, with the values ``save()`` would write (``get_db_prep_save``; an
    ``auto_now`` field listed is written as it stands on the object: set it first). On PostgreSQL: COPY into
    a temporary table of the same columns, then one UPDATE joined to it; elsewhere one prepared statement
    run for every object (``executemany``)."""
    if not objs:
        return
    conn = connections[router.db_for_write(model)]
    qn = conn.ops.quote_name
    opts = model._meta
    concrete = {f.name: f for f in opts.concrete_fields}
    columns = [concrete[name] for name in fields]
    table, pk = qn(opts.db_table), qn(next(f.column for f in opts.concrete_fields if f.primary_key))
    names = [qn(c.column) for c in columns]

    def values(obj: Model) -> list[Any]:
        return [*(c.get_db_prep_save(getattr(obj, c.attname), conn) for c in columns), obj.pk]

    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            temp = qn(f"{opts.db_table}_update_rows")
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "  # noqa: S608 - names from _meta
                           f"SELECT {', '.join(names)}, {pk} FROM {table} WITH NO DATA")
            with cursor.cursor.copy(f"COPY {temp} ({', '.join(names)}, {pk}) FROM STDIN") as copy:
                for obj in objs:
                    copy.write_row(values(obj))
            cursor.execute(f"UPDATE {table} AS t SET {', '.join(f'{n} = u.{n}' for n in names)} "  # noqa: S608
                           f"FROM {temp} AS u WHERE t.{pk} = u.{pk}")
            cursor.execute(f"DROP TABLE {temp}")
            return
        sql = f"UPDATE {table} SET {', '.join(f'{n} = %s' for n in names)} WHERE {pk} = %s"  # noqa: S608
        for start in range(0, len(objs), batch):
            cursor.executemany(sql, [values(obj) for obj in objs[start:start + batch]])
