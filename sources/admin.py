from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path

from crisis_tracker.editorial.admin import EditorialAdmin
from crisis_tracker.spreadsheets import SpreadsheetMixin

from .models import Source
from .resources import SourceResource


@admin.register(Source)
class SourceAdmin(SpreadsheetMixin, EditorialAdmin):
    resource_classes = [SourceResource]
    list_display = ["key", "title", "work", "published", "accessed", "language"]
    list_filter = ["language", "published"]
    search_fields = ["key", "title", "authors", "work"]
    date_hierarchy = "published"
    fieldsets = [
        (None, {"fields": ["key", "authors", "title", "work", "url", "archive_url"]}),
        (
            None,
            {
                "fields": [
                    "published",
                    "published_precision",
                    "accessed",
                    "language",
                    "issn",
                    "reliability_note",
                ]
            },
        ),
        ("", {"fields": ["notes"], "classes": ["collapse"]}),
    ]

    def get_urls(self):
        search = path(
            "cite-search/",
            self.admin_site.admin_view(self.cite_search),
            name="sources_source_cite_search",
        )
        return [search, *super().get_urls()]

    def cite_search(self, request):
        """Sources matching a key or title, for the citation helper beside narrative fields."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        term = request.GET.get("q", "").strip()[:100]
        sources = Source.objects.search(term).only("key", "title")[:20] if term else []
        return JsonResponse({"results": [{"key": s.key, "title": s.title} for s in sources]})
