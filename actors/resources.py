from import_export import fields, widgets

from crisis_tracker.spreadsheets import EditorialResource

from .models import Actor, Participation


class ActorResource(EditorialResource):
    affiliation = fields.Field(
        attribute="affiliation",
        column_name="affiliation",
        widget=widgets.ForeignKeyWidget(Actor, field="slug"),
    )

    class Meta(EditorialResource.Meta):
        model = Actor
        import_id_fields = ["slug"]
        fields = ["slug", "name", "name_en", "kind", "title", "affiliation", "country_code",
                  "description"]  # fmt: skip
        export_order = fields


CRISIS_MODEL = Participation._meta.get_field("crisis").related_model  # by its foreign key


class ParticipationResource(EditorialResource):
    crisis = fields.Field(
        attribute="crisis",
        column_name="crisis",
        widget=widgets.ForeignKeyWidget(CRISIS_MODEL, "slug"),
    )
    actor = fields.Field(
        attribute="actor", column_name="actor", widget=widgets.ForeignKeyWidget(Actor, "slug")
    )

    class Meta(EditorialResource.Meta):
        model = Participation
        import_id_fields = ["crisis", "actor", "role"]
        fields = ["crisis", "actor", "role", "side", "note", "order"]
        export_order = fields
