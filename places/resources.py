from crisis_tracker.spreadsheets import EditorialResource

from .models import Place


class PlaceResource(EditorialResource):
    class Meta(EditorialResource.Meta):
        model = Place
        import_id_fields = ["slug"]
        fields = [
            "slug", "name", "name_en", "country", "admin1", "latitude", "longitude", "precision",
            "geonames_id", "coordinates_source",
        ]  # fmt: skip
        export_order = fields
