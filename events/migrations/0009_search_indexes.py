"""Trigram indexes for site search on PostgreSQL: the substring matches of ``events.search``
(``UPPER(column) LIKE UPPER('%term%')``) use them for words of three characters or more.
Skipped, with a warning, where the pg_trgm extension cannot be created (no rights); search
still works, by scanning."""

import logging

from django.db import migrations, transaction

log = logging.getLogger(__name__)
INDEXES = {
    "event_title_trgm": ("events_event", "title"),
    "event_summary_trgm": ("events_event", "summary"),
    "event_place_trgm": ("events_event", "place"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # noqa: BLE001 - any refusal means: no trigram indexes here
        log.warning("Search indexes skipped: pg_trgm is not available (%s)", error)
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("events", "0008_place_roles")]
    operations = [migrations.RunPython(create, drop)]
