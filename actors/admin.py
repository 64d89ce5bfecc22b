from django.contrib import admin

from crisis_tracker.editorial.admin import EditorialAdmin
from crisis_tracker.editorial.spreadsheets import SpreadsheetMixin

from .models import Actor, Participation
from .resources import ActorResource, ParticipationResource


@admin.register(Actor)
class ActorAdmin(SpreadsheetMixin, EditorialAdmin):
    resource_classes = [ActorResource]
    list_display = ["name", "name_en", "slug", "kind", "title", "affiliation", "country_code"]
    list_filter = ["kind"]
    list_select_related = ["affiliation"]
    search_fields = ["name", "name_en", "slug", "title"]
    autocomplete_fields = ["affiliation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Participation)
class ParticipationAdmin(SpreadsheetMixin, EditorialAdmin):
    resource_classes = [ParticipationResource]
    list_display = ["actor", "crisis", "role", "side", "order"]
    list_filter = ["role", "crisis"]
    list_select_related = ["actor", "crisis"]
    search_fields = ["actor__name", "crisis__title", "note"]
    autocomplete_fields = ["crisis", "actor"]
