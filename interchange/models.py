import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """A fixture import from the admin, run in the background: first checked (a dry run),
    then, once an editor confirms, imported, or, when it holds what the editor may not publish,
    submitted for a publisher to approve (then imported in the publisher's name) or send back.
    What it found is kept here; its progress while it runs is in the shared cache
    (``interchange.import_jobs``). Spreadsheet imports, which run in the request, are recorded here
    too once done, so the desk lists every import."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked, awaiting confirmation")
        SUBMITTED = "submitted", _("submitted, awaiting a publisher")
        SENT_BACK = "sent-back", _("sent back")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("failed")

    class Kind(models.TextChoices):
        FIXTURE = "fixture", _("fixture")
        SPREADSHEET = "spreadsheet", _("spreadsheet")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.FIXTURE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("user")
    )
    reason = models.CharField(_("edit summary"), max_length=100, blank=True)
    files = models.JSONField(_("files"), default=list)  # [{"name", "path", "size"}]
    status = models.CharField(_("status"), max_length=10, choices=Status)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    total = models.PositiveIntegerField(_("objects"), default=0)
    preview = models.JSONField(_("dry run"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    problems = models.JSONField(_("problems"), default=list)
    error = models.TextField(_("error"), blank=True)
    # A submission (an editor's file with entries that wait for a publisher): who approved it
    # or sent it back, and what they said.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        db_table = "events_importjob"  # made before the desk's imports had their own app
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        names = ", ".join(f["name"] for f in self.files)
        return f"{names} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)

    def totals(self) -> dict[str, int]:
        """Objects created, changed and unchanged, over every model (imported or checked)."""
        report = self.result or self.preview
        found = {"created": 0, "changed": 0, "unchanged": 0}
        for counts in report.get("counts", {}).values():
            for name in found:
                found[name] += counts.get(name, 0)
        return found
