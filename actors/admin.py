from django.contrib import admin

from crisis_tracker.editorial import EditorialAdmin

from .models import Actor, Participation


@admin.register(Actor)
class ActorAdmin(EditorialAdmin):
    list_display = ["name", "slug", "kind", "title", "affiliation", "country_code"]
    list_filter = ["kind"]
    list_select_related = ["affiliation"]
    search_fields = ["name", "slug", "title"]
    autocomplete_fields = ["affiliation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Participation)
class ParticipationAdmin(EditorialAdmin):
    list_display = ["actor", "crisis", "role", "side", "order"]
    list_filter = ["role", "crisis"]
    list_select_related = ["actor", "crisis"]
    search_fields = ["actor__name", "crisis__title", "note"]
    autocomplete_fields = ["crisis", "actor"]
