from crisis_tracker.spreadsheets import EditorialResource

from .models import Source


class SourceResource(EditorialResource):
    class Meta(EditorialResource.Meta):
        model = Source
        import_id_fields = ["key"]
        fields = [
            "key", "authors", "title", "work", "url", "archive_url", "published",
            "published_precision", "accessed",
            "language", "issn", "notes", "reliability_note",
        ]  # fmt: skip
        export_order = fields
