from django.db import migrations, models


def recount(apps, schema_editor):
    """Tallies made before they held actors and places are counted again when first read."""
    apps.get_model("events", "CrisisTally").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0024_revision_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="crisistally",
            name="actors",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="crisistally",
            name="places",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
