from django.db import migrations, models


def recount(apps, schema_editor):
    """Tallies made before they held the timeline's counts are counted again when first read."""
    apps.get_model("events", "CrisisTally").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0025_tally_actors_places"),
    ]

    operations = [
        migrations.AddField(
            model_name="crisistally",
            name="dated",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="crisistally",
            name="figures",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="crisistally",
            name="points",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
