from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from actors.models import Actor
from crisis_tracker.publication import waits_for_publisher
from crisis_tracker.spreadsheets import EditorialResource, changed
from places.models import Place

from .models import Crisis, Edition, Event, EventActor, Translation


def parse_actors(value) -> set[tuple[str, str]]:
    """``russia:initiator; azerbaijan:target`` → {("russia", "initiator"), ...}"""
    pairs = set()
    for item in str(value or "").split(";"):
        if item.strip():
            slug, _sep, role = item.strip().partition(":")
            pairs.add((slug.strip(), role.strip() or EventActor.Role.PARTICIPANT))
    return pairs


class EventResource(EditorialResource):
    crisis = fields.Field(
        attribute="crisis", column_name="crisis", widget=widgets.ForeignKeyWidget(Crisis, "slug")
    )
    location = fields.Field(
        attribute="location",
        column_name="location",
        widget=widgets.ForeignKeyWidget(Place, "slug"),
    )
    actors = fields.Field(column_name="actors", readonly=False)

    class Meta(EditorialResource.Meta):
        model = Event
        import_id_fields = ["crisis", "slug"]
        fields = [
            "crisis", "slug", "title", "date", "date_precision", "end_date", "end_precision",
            "day_order", "place", "location", "latitude", "longitude", "kind", "summary",
            "killed", "injured", "detained", "displaced", "figures_note", "verification",
            "state", "actors",
        ]  # fmt: skip
        export_order = fields

    def get_queryset(self):
        return (
            super().get_queryset().select_related("crisis").prefetch_related("event_actors__actor")
        )

    def dehydrate_actors(self, event: Event) -> str:
        links = sorted((link.actor.slug, link.role) for link in event.event_actors.all())
        return "; ".join(f"{slug}:{role}" for slug, role in links)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "actors":
            return  # written after the event is saved, see after_save_instance
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs) -> None:
        super().import_instance(instance, row, **kwargs)
        if "actors" not in row:
            return
        wanted = parse_actors(row["actors"])
        known = set(
            Actor.objects.filter(slug__in={s for s, _r in wanted}).values_list("slug", flat=True)
        )
        problems = [f"'{slug}'" for slug, _role in sorted(wanted) if slug not in known]
        problems += [f"'{role}'" for _s, role in wanted if role not in EventActor.Role.values]
        if problems:
            raise ValidationError(
                {"actors": _("Unknown actor or role: %(names)s") % {"names": ", ".join(problems)}}
            )

    def current_links(self, event: Event) -> set[tuple[str, str]]:
        if event.pk is None:
            return set()
        return set(event.event_actors.values_list("actor__slug", "role"))

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        skip = super().skip_row(instance, original, row, import_validation_errors)
        if skip and "actors" in row:
            return parse_actors(row["actors"]) == self.current_links(original)
        return skip

    def after_save_instance(self, instance, row, **kwargs) -> None:
        super().after_save_instance(instance, row, **kwargs)
        if "actors" not in row:
            return
        wanted = parse_actors(row["actors"])
        current = self.current_links(instance)
        for link in instance.event_actors.select_related("actor"):
            if (link.actor.slug, link.role) not in wanted:
                link.delete()
        actors = Actor.objects.in_bulk({slug for slug, _r in wanted}, field_name="slug")
        for slug, role in sorted(wanted - current):
            link = EventActor(event=instance, actor=actors[slug], role=role)
            link.save()


class EditionWidget(widgets.ForeignKeyWidget):
    """An edition named by its row's ``crisis`` and ``language`` columns (its natural key)."""

    def __init__(self):
        super().__init__(Edition)

    def clean(self, value, row=None, **kwargs):
        crisis = (row or {}).get("crisis") or ""
        try:
            return Edition.objects.select_related("crisis").get(crisis__slug=crisis, language=value)
        except Edition.DoesNotExist:
            message = _("No %(language)s edition of the crisis “%(crisis)s”.")
            raise ValueError(message % {"language": value, "crisis": crisis}) from None

    def render(self, value, obj=None, **kwargs):
        return value.language if value is not None else ""


class TranslationResource(EditorialResource):
    """An edition's texts, one row each by natural key (crisis, language, item, field), with
    the original each translates: what translators fill in a spreadsheet."""

    crisis = fields.Field(attribute="edition__crisis__slug", column_name="crisis", readonly=True)
    edition = fields.Field(attribute="edition", column_name="language", widget=EditionWidget())

    class Meta(EditorialResource.Meta):
        model = Translation
        import_id_fields = ["edition", "item", "field"]
        fields = ["crisis", "edition", "item", "field", "original", "text", "machine"]
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("edition__crisis")

    def import_instance(self, instance, row, **kwargs) -> None:
        before = Translation.objects.filter(pk=instance.pk).values().first()
        super().import_instance(instance, row, **kwargs)
        if before is not None and before["text"] != instance.text:
            instance.machine = False  # a person wrote it
        edition = instance.edition
        waits = waits_for_publisher(kwargs.get("user"), Edition, edition.state, edition.state)
        if waits and (before is None or changed(Translation, before, instance)):
            message = _(
                "This edition is published: a change to its texts by spreadsheet needs a "
                "publisher. Edit the text on the edition's page instead."
            )
            raise ValidationError({"text": message}, code="publish_permission")
