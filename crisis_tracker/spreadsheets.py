"""What spreadsheet imports and exports (django-import-export) share: the resources' rules,
formula escaping and the import's signal (the admin's mixin is
``crisis_tracker.editorial.spreadsheets``).

Rows are matched by natural keys, never ids; a file is one revision, so every created or changed
object gets one history row with ``Imported from <file>`` and the importing user; unchanged rows
are skipped and write nothing;
any error, validation included, rolls the whole file back. Exports escape cells a spreadsheet would
run as a formula, and imports undo that escaping, so text, numbers and dates round-trip.
"""

import csv

from django.core.exceptions import ValidationError
from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext as _
from import_export import resources

from . import transitions
from .history import revision
from .publication import PublicationState, Publishable, WaitsFor, waits_for_publisher

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(file, rows) -> None:
    """Rows to ``file`` as CSV, each cell a spreadsheet would read as a formula escaped."""
    writer = csv.writer(file)
    for row in rows:
        writer.writerow([escape_formula(cell) for cell in row])


def unescape_formula(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class EditorialResource(resources.ModelResource):
    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        if isinstance(django_field, models.IntegerField | models.DecimalField):
            kwargs.setdefault("coerce_to_string", False)  # numbers stay numbers in XLSX
        return kwargs

    def import_data(self, dataset, *args, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        summary = f"Imported from {kwargs.get('file_name') or 'a spreadsheet'}"
        with revision(summary=summary, user=kwargs.get("user")):
            return super().import_data(dataset, *args, **kwargs)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs) -> None:
        for key in list(row.keys()):
            row[key] = unescape_formula(row[key])

    def import_instance(self, instance, row, **kwargs) -> None:
        super().import_instance(instance, row, **kwargs)
        self.check_publishing(instance, kwargs.get("user"))

    def check_publishing(self, instance, user) -> None:
        """A row an editor marks published arrives in review (a publisher publishes it from the
        desk); unpublishing, or changing a published entry, is refused: it needs a publisher
        (``publication.waits_for_publisher``)."""
        if not isinstance(instance, Publishable):
            return
        model = type(instance)
        before = model.objects.filter(pk=instance.pk).values().first() if instance.pk else None
        instance.state_before = before and before["state"]  # for after_save_instance
        waits = waits_for_publisher(user, model, before and before["state"], instance.state)
        if waits == WaitsFor.PUBLISHING:
            instance.state = PublicationState.REVIEW
        elif waits == WaitsFor.UNPUBLISHING:
            raise ValidationError(
                {"state": _("You may not publish or unpublish; ask a publisher.")},
                code="publish_permission",
            )
        elif waits and changed(model, before, instance):
            message = _(
                "This entry is published: a change to it needs a publisher. Import it as a "
                "fixture, which submits it for review."
            )
            raise ValidationError({"state": message}, code="publish_permission")

    def after_save_instance(self, instance, row, **kwargs) -> None:
        """A row that changed state moved like any other (``transitions.announce``)."""
        super().after_save_instance(instance, row, **kwargs)
        if isinstance(instance, Publishable) and not kwargs.get("dry_run"):
            change = transitions.StateChange(instance, instance.state_before, instance.state)
            transitions.announce([change], user=kwargs.get("user"))


def changed(model, before: dict, instance) -> bool:
    return any(
        before[f.attname] != getattr(instance, f.attname) for f in model._meta.concrete_fields
    )


# Sent after each spreadsheet import from the admin, with ``model``, ``user``, ``file_name``,
# ``counts`` ({"created", "changed", "unchanged"}) and ``refused`` (nothing was saved).
spreadsheet_imported = Signal()
