from django.contrib.auth.management import create_permissions
from django.db import migrations

from events.roles import ensure_roles


def add_place_permissions(apps, schema_editor):
    """Editors and publishers get the gazetteer's permissions, as roles.py lists them."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_event_place_and_day_order"),
        ("places", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_place_permissions, migrations.RunPython.noop)]
