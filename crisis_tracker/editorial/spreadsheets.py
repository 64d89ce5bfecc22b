"""Spreadsheet import and export in the admin (django-import-export), with the rules of
``crisis_tracker.spreadsheets``. Kept apart from them: django-import-export's admin loads every
format tablib knows (openpyxl and PyYAML among them), a tenth of a second that a command, which
loads no admin module (``desk.admin_config``), does not pay."""

from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, JSON, XLSX

from crisis_tracker.spreadsheets import spreadsheet_imported


class SpreadsheetMixin(ImportExportMixin):
    """CSV, XLSX and JSON import and export in the admin, with the resource's natural keys."""

    formats = [CSV, XLSX, JSON]

    def process_result(self, result, request):
        totals = result.totals
        spreadsheet_imported.send(
            sender=self.model,
            model=self.model,
            user=request.user,
            file_name=request.POST.get("original_file_name", ""),
            counts={
                "created": totals["new"],
                "changed": totals["update"],
                "unchanged": totals["skip"],
            },  # fmt: skip
            refused=result.has_errors() or result.has_validation_errors(),
        )
        return super().process_result(result, request)
