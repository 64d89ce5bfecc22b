from django.db import migrations

from events.roles import install


class Migration(migrations.Migration):
    """Editors and publishers get the gazetteer's permissions, as roles.py lists them."""

    dependencies = [
        ("events", "0007_event_place_and_day_order"),
        ("places", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
