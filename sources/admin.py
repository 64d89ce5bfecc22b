from django.contrib import admin

from crisis_tracker.editorial import EditorialAdmin

from .models import Source


@admin.register(Source)
class SourceAdmin(EditorialAdmin):
    list_display = ["key", "title", "work", "published", "accessed", "language"]
    list_filter = ["language", "published"]
    search_fields = ["key", "title", "authors", "work"]
    date_hierarchy = "published"
    fieldsets = [
        (None, {"fields": ["key", "authors", "title", "work", "url", "archive_url"]}),
        (None, {"fields": ["published", "accessed", "language", "issn", "reliability_note"]}),
        ("", {"fields": ["notes"], "classes": ["collapse"]}),
        (None, {"fields": ["edit_summary"]}),
    ]
