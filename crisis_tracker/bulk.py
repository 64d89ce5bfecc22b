"""Many rows written at once with PostgreSQL's COPY: an import's entries and their history
rows, the review steps of the entries it published. Rows go in as a save would write them,
with primary keys drawn from the table's sequence first, so the objects can be used after.
"""

from __future__ import annotations

import datetime
import functools
import uuid

from django.db import models, transaction

PLAIN = (str, int, float, bool, datetime.date, uuid.UUID, type(None))


def create(model, objects: list, batch_size: int = 1000) -> list:
    """Insert ``objects``: COPY on PostgreSQL, ``bulk_create`` elsewhere."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or not objects:
        return model._default_manager.bulk_create(objects, batch_size=batch_size)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        copy_new(cursor, model, objects)
    return objects


def copy_new(cursor, model, objects: list) -> list[dict]:
    """COPY new ``objects`` into their table (PostgreSQL), giving each its primary key: the
    column values written, by attribute name."""
    connection = cursor.db
    table, pk = model._meta.db_table, model._meta.pk.column
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [connection.ops.quote_name(table), pk, len(objects)],
    )
    for obj, (pk_value,) in zip(objects, cursor.fetchall(), strict=True):
        obj.pk = pk_value
        obj._state.adding, obj._state.db = False, connection.alias
    rows = [db_values(model, obj, connection) for obj in objects]
    copy(cursor, table, model._meta.concrete_fields, rows)
    return rows


def db_values(model, obj, connection) -> dict:
    """Column values of ``obj`` as a save would write them, by attribute name (values the
    driver adapts as they are skip the field's conversion)."""
    values = {}
    for attname, f, stamped in _columns(model):
        value = getattr(obj, attname)
        if stamped or type(value) not in PLAIN:
            value = f.get_db_prep_save(f.pre_save(obj, obj._state.adding), connection)
        values[attname] = value
    return values


@functools.cache
def _columns(model) -> list[tuple[str, models.Field, bool]]:
    """Each concrete field: its attribute name, itself, and whether a save stamps it."""
    return [
        (f.attname, f, bool(getattr(f, "auto_now", 0) or getattr(f, "auto_now_add", 0)))
        for f in model._meta.concrete_fields
    ]


def copy(cursor, table: str, fields: list, rows: list[dict]) -> None:
    """COPY ``rows`` (values by attribute name) into ``fields`` of ``table``."""
    quote = cursor.db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    names = [f.attname for f in fields]
    with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as writing:
        for row in rows:
            writing.write_row([row[name] for name in names])
