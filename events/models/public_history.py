"""The story's public history: each change (a revision, with its summary and whether it
corrects an error) and how it touched each crisis, as readers may see it."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .content import Crisis


class RevisionQuerySet(models.QuerySet):
    def public_for(self, crisis: Crisis) -> "RevisionQuerySet":
        return self.filter(crisis_links__crisis=crisis, crisis_links__public=True)

    def seen_by_readers(self) -> "RevisionQuerySet":
        """Revisions readers may know of: public in a crisis, touching no crisis at all (an
        actor or a source on its own, which readers see whole, or a crisis deleted since), or
        taking a crisis away from them (its withdrawal is not public, but readers see it go)."""
        links = CrisisRevision.objects.filter(revision=OuterRef("pk"))
        withdrawn = links.filter(changes__icontains=CrisisRevision.Action.WITHDRAWN)
        return self.filter(Exists(links.filter(public=True)) | Exists(withdrawn) | ~Exists(links))

    def last_seen_by_readers(self):
        """When readers last had something new to see, or None."""
        latest = self.seen_by_readers().order_by("-created_at")
        return latest.values_list("created_at", flat=True).first()


class CrisisRevisionQuerySet(models.QuerySet):
    def public_in(self, language: str) -> "CrisisRevisionQuerySet":
        """Public revisions readers of ``language`` see: the original's and, in an edition's
        language, that edition's."""
        return self.filter(models.Q(language="") | models.Q(language=language), public=True)


class Revision(models.Model):
    """One change to the story: an admin save, an import or an action, with its summary."""

    key = models.UUIDField(unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), db_index=True)
    summary = models.CharField(_("edit summary"), max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("editor"),
    )
    is_correction = models.BooleanField(
        _("correction"),
        default=False,
        help_text=_("Marks a change that corrects an error readers may have relied on."),
    )
    correction_note = models.TextField(
        _("correction note"),
        blank=True,
        help_text=_("Shown to readers, e.g. “An earlier version gave the wrong date of the raid.”"),
    )
    crises = models.ManyToManyField(
        Crisis, through="CrisisRevision", related_name="revisions", verbose_name=_("crises")
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.summary}"


class CrisisRevision(models.Model):
    """How one revision touched one crisis, and whether readers may see it."""

    class Kind(models.TextChoices):
        CRISIS = "crisis", _("Article")
        SECTION = "section", _("Section")
        EVENT = "event", _("Event")
        PARTICIPATION = "participation", _("Infobox entry")
        SOURCE = "source", _("Source")
        ACTOR = "actor", _("Actor")
        PLACE = "place", _("Place")
        EDITION = "edition", _("Edition")
        TRANSLATION = "translation", _("Translation")

    class Action(models.TextChoices):
        ADDED = "added", _("added")
        EDITED = "edited", _("edited")
        REMOVED = "removed", _("removed")
        CORRECTED = "corrected", _("corrected")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="revision_links")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="crisis_links")
    public = models.BooleanField(default=False)
    changes = models.JSONField(default=list)
    # Empty when the revision changed the original; an edition's language when it changed
    # only that edition (its readers' history lists it, the original's does not).
    language = models.CharField(max_length=10, blank=True, default="")

    objects = CrisisRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-revision__created_at", "-revision__pk"]
        verbose_name = _("crisis revision")
        verbose_name_plural = _("crisis revisions")
        constraints = [
            models.UniqueConstraint(fields=["crisis", "revision"], name="crisis_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.crisis} – {self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("events:revision", args=[self.crisis.slug, self.revision_id])
