"""The two editorial groups and their permissions, set up by a data migration. What a
permission allows is decided in ``crisis_tracker.publication``."""

from django.contrib.auth.management import create_permissions

from . import registry

EDITORS = "Editors"
PUBLISHERS = "Publishers"

CONTENT_MODELS = [tuple(label.split(".")) for label in registry.CONTENT_MODELS]  # (app, model)
# Editors may delete parts of an entry and unpublished crises and events (the admin refuses
# them published ones); shared records (sources, actors, places) and publishing are for
# publishers.
EDITOR_DELETES = {"crisis", "section", "event", "eventactor", "participation", "assessment",
                  "edition", "translation"}  # fmt: skip


def role_permissions() -> dict[str, list[tuple[str, str]]]:
    """(app_label, codename) pairs for each group."""
    editors = []
    for app_label, model in CONTENT_MODELS:
        editors += [(app_label, f"{action}_{model}") for action in ("add", "change", "view")]
        if model in EDITOR_DELETES:
            editors.append((app_label, f"delete_{model}"))
    publishers = [(app, f"{action}_{model}") for app, model in CONTENT_MODELS
                  for action in ("add", "change", "view", "delete")]  # fmt: skip
    published = ("crisis", "event", "assessment", "edition")
    publishers += [("events", f"publish_{model}") for model in published]
    desk_tools = [("events", f"{action}_previewlink") for action in ("add", "change", "view")]
    return {EDITORS: editors + desk_tools, PUBLISHERS: publishers + desk_tools}


def ensure_roles(group_model, permission_model) -> None:
    """Create or complete the two groups; used by the data migrations and by test set-up.
    A permission of an app not migrated yet is left for that app's own role migration."""
    for name, pairs in role_permissions().items():
        group, _created = group_model.objects.get_or_create(name=name)
        for app_label, codename in pairs:
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)


def install(apps, schema_editor) -> None:
    """A data migration's step: the permissions of every model migrated so far, then the
    groups with all of theirs that exist."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
