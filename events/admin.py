from functools import partial

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from actors.models import Participation
from crisis_tracker.editorial.admin import EditorialAdmin, EditorialInline
from crisis_tracker.editorial.publishing import PublishingAdmin
from crisis_tracker.spreadsheets import SpreadsheetMixin

from .fixture_admin import import_fixture_view, import_job_view
from .models import Crisis, Event, EventActor, Section
from .resources import EventResource
from .review_admin import ReviewAdmin


class SectionInline(EditorialInline):
    model = Section
    fields = ["order", "heading", "key", "parent"]
    ordering = ["order"]


class ParticipationInline(EditorialInline):
    model = Participation
    fields = ["actor", "role", "side", "note", "order"]
    autocomplete_fields = ["actor"]


class EventActorInline(EditorialInline):
    model = EventActor
    fields = ["actor", "role"]
    autocomplete_fields = ["actor"]
    show_change_link = False


@admin.register(Crisis)
class CrisisAdmin(ReviewAdmin, PublishingAdmin):
    change_list_template = "admin/events/crisis/change_list.html"
    list_display = ["title", "slug", "status", "state", "start_date"]
    list_filter = ["status", "state", "language"]
    search_fields = ["title", "slug", "lead"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SectionInline, ParticipationInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "state", "status", "language"]}),
        (
            _("Dates"),
            {"fields": [("start_date", "start_precision"), ("end_date", "end_precision")]},
        ),
        (None, {"fields": ["part_of", "lead"]}),
        (_("Map"), {"fields": ["map_image", "map_caption"], "classes": ["collapse"]}),
    ]

    def get_urls(self):
        view = self.admin_site.admin_view(partial(import_fixture_view, self))
        job = self.admin_site.admin_view(partial(import_job_view, self))
        return [
            path("import-fixture/", view, name="events_crisis_import_fixture"),
            path("import-fixture/<uuid:job_id>/", job, name="events_crisis_import_job"),
            *super().get_urls(),
        ]


@admin.register(Section)
class SectionAdmin(EditorialAdmin):
    list_display = ["heading", "crisis", "parent", "order"]
    list_editable = ["order"]
    list_filter = ["crisis"]
    list_select_related = ["crisis", "parent"]
    search_fields = ["heading", "key", "body"]
    autocomplete_fields = ["crisis", "parent"]
    ordering = ["crisis", "order"]


@admin.register(Event)
class EventAdmin(ReviewAdmin, SpreadsheetMixin, PublishingAdmin):
    resource_classes = [EventResource]
    list_display = ["title", "crisis", "date_label", "kind", "verification", "state"]
    list_editable = ["verification"]
    list_filter = ["state", "verification", "kind", "date_precision", "crisis"]
    list_select_related = ["crisis"]
    search_fields = ["title", "slug", "summary", "place"]
    autocomplete_fields = ["crisis", "location"]
    inlines = [EventActorInline]
    fieldsets = [
        (None, {"fields": ["crisis", "title", "slug", "state", "kind", "verification"]}),
        (
            _("When and where"),
            {
                "fields": [
                    ("date", "date_precision", "day_order"),
                    ("end_date", "end_precision"),
                    ("place", "location"),
                ]
            },
        ),
        (None, {"fields": ["summary"]}),
        (
            _("Figures"),
            {"fields": [("killed", "injured", "detained", "displaced"), "figures_note"]},
        ),
        (_("Exact spot"), {"fields": [("latitude", "longitude")], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("date"), ordering="date")
    def date_label(self, event: Event) -> str:
        return event.start_display()


@admin.register(EventActor)
class EventActorAdmin(EditorialAdmin):
    list_display = ["actor", "event", "role"]
    list_filter = ["role"]
    list_select_related = ["actor", "event"]
    search_fields = ["actor__name", "event__title"]
    autocomplete_fields = ["event", "actor"]
