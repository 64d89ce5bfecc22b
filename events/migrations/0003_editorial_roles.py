from django.db import migrations

from events.roles import install, role_permissions


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=role_permissions()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("actors", "0002_initial"),
        ("sources", "0001_initial"),
        ("events", "0002_publish_permissions"),
    ]

    operations = [migrations.RunPython(install, remove_roles)]
