from django.db import migrations, models

COLUMNS = ("days", "precisions", "kinds", "events")


def to_columns(apps, schema_editor):
    """A tally's date-and-kind counts, kept as rows, kept as four columns instead."""
    tallies = apps.get_model("events", "CrisisTally").objects
    for tally in tallies.only("pk", "dated").iterator(chunk_size=1):
        if isinstance(tally.dated, list):
            rows = tally.dated
            tally.dated = {name: [row[n] for row in rows] for n, name in enumerate(COLUMNS)}
            tally.save(update_fields=["dated"])


def to_rows(apps, schema_editor):
    tallies = apps.get_model("events", "CrisisTally").objects
    for tally in tallies.only("pk", "dated").iterator(chunk_size=1):
        if isinstance(tally.dated, dict):
            columns = [tally.dated.get(name, []) for name in COLUMNS]
            tally.dated = [list(row) for row in zip(*columns, strict=True)]
            tally.save(update_fields=["dated"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0028_history_by_entry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="crisistally",
            name="dated",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(to_columns, to_rows),
    ]
