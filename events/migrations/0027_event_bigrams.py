"""A bigram index for site search on PostgreSQL: a trigram index cannot hold a word of two
characters, so ``events.search`` finds two characters with no case (such as 领事) in an event's
title, summary or place through the pairs of characters of the three texts (joined by a line
break, so that no pair spans two of them), kept in a GIN index. The function is declared
costly (working out the pairs of a row takes some 30 µs): the planner then reads a rare word's
few rows from the index, and walks the date index only for a frequent word, whose newest
matches are found in the first rows it reads. Nothing on SQLite."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION event_text_bigrams(title text, summary text, place text)
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(array_agg(DISTINCT substr(joined, n, 2)), '{}')
    FROM (SELECT coalesce(title, '') || E'\\n' || coalesce(summary, '') || E'\\n'
                 || coalesce(place, '') AS joined) AS texts,
         generate_series(1, length(joined) - 1) AS n
$$
"""
INDEX = (
    "CREATE INDEX IF NOT EXISTS event_text_bigrams ON events_event "
    "USING gin (event_text_bigrams(title, summary, place))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS event_text_bigrams")
        schema_editor.execute("DROP FUNCTION IF EXISTS event_text_bigrams(text, text, text)")


class Migration(migrations.Migration):
    dependencies = [("events", "0026_tally_timeline")]
    operations = [migrations.RunPython(create, drop)]
