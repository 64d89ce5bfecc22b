from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crisis_tracker.editorial.admin import EditorialAdmin
from crisis_tracker.editorial.spreadsheets import SpreadsheetMixin

from . import gazetteer
from .maps import Marker, static_map
from .models import Place
from .resources import PlaceResource

MARKER_COLOUR = "#b3261e"


@admin.register(Place)
class PlaceAdmin(SpreadsheetMixin, EditorialAdmin):
    resource_classes = [PlaceResource]
    change_list_template = "admin/places/place/change_list.html"
    list_display = ["name", "name_en", "country", "admin1", "precision", "geonames_id"]
    list_filter = ["precision", "country"]
    search_fields = ["name", "name_en", "slug", "admin1"]
    prepopulated_fields = {"slug": ["name_en"]}
    readonly_fields = ["map_preview"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "slug", ("country", "admin1")]}),
        (
            _("Point"),
            {
                "fields": [
                    ("latitude", "longitude", "precision"),
                    ("geonames_id", "coordinates_source"),
                    "map_preview",
                ],
                "description": _(
                    "Take a town's point from the gazetteer (“Suggest from gazetteer” above the "
                    "list); for a region or a country, say in the source which point stands for it."
                ),
            },
        ),
    ]

    @admin.display(description=_("map"))
    def map_preview(self, place: Place):
        if place.pk is None:
            return _("Save to see the point on a map.")
        marker = Marker(*place.point(), MARKER_COLOUR, str(place))
        return static_map([marker], str(place), width=360)

    def get_urls(self):
        view = self.admin_site.admin_view(self.gazetteer_view)
        return [path("gazetteer/", view, name="places_place_gazetteer"), *super().get_urls()]

    def gazetteer_view(self, request: HttpRequest) -> TemplateResponse:
        """Towns (and countries) matching a name, each with a link that opens the add form
        filled in from the gazetteer."""
        query = request.GET.get("q", "")[:100]
        add_url = reverse("admin:places_place_add")
        towns = [
            {"town": town, "add": f"{add_url}?{urlencode(town.initial(query))}"}
            for town in gazetteer.search(query)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Suggest a place from the gazetteer"),
            "query": query,
            "towns": towns,
            "countries": gazetteer.countries(query, get_language()),
            "may_add": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/places/gazetteer.html", context)
