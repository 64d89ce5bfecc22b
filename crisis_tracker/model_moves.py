"""Moving a model to another app without touching its data: the app's migration creates the
model in the migration state only (its table keeps its name, ``Meta.db_table``), and its
content type follows it, so permissions granted on it and generic relations to it stay."""

from django.db import migrations


def move_content_types(old_app: str, new_app: str, models: list[str]):
    """A reversible data-migration operation renaming the content types of ``models``."""

    def rename(source: str, target: str):
        def run(apps, schema_editor) -> None:
            content_types = apps.get_model("contenttypes", "ContentType").objects
            for model in models:
                if not content_types.filter(app_label=target, model=model).exists():
                    content_types.filter(app_label=source, model=model).update(app_label=target)

        return run

    return migrations.RunPython(rename(old_app, new_app), rename(new_app, old_app))


def state_only(*operations) -> migrations.SeparateDatabaseAndState:
    """Operations on the migration state that leave the database as it is."""
    return migrations.SeparateDatabaseAndState(state_operations=list(operations))
