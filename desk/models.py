import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Crisis

# The tables keep the names they were made with, when these models were part of the crisis
# content app (the move changed no data).


class ReviewComment(models.Model):
    """One step in an entry's review, with what the reviewer or author said: the entry's thread.
    The step's edit (if it moved the entry) has the same revision key, so the thread is kept
    with the history."""

    class Step(models.TextChoices):
        SUBMITTED = "submitted", _("submitted for review")
        PUBLISHED = "published", _("approved and published")
        SENT_BACK = "sent_back", _("sent back")
        WITHDRAWN = "withdrawn", _("taken down")
        COMMENTED = "commented", _("commented")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    entry = GenericForeignKey("content_type", "object_id")
    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="review_comments", verbose_name=_("crisis")
    )
    step = models.CharField(_("step"), max_length=10, choices=Step)
    text = models.TextField(_("comment"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    revision_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "events_reviewcomment"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.text[:60]}"


class NotificationSettings(models.Model):
    """Which e-mails a user wants (each kind is on until switched off), and their feed's key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    submitted = models.BooleanField(
        _("something I may publish is submitted for review"), default=True
    )
    reviewed = models.BooleanField(_("my submission is approved or sent back"), default=True)
    published = models.BooleanField(_("something is published in a crisis I watch"), default=True)
    # The secret in the address of the user's desk feed; a new one retires the old address.
    feed_key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        db_table = "events_notificationsettings"
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class CrisisWatch(models.Model):
    """A user who wants to hear when something is published in a crisis."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crisis_watches"
    )
    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="watches")

    class Meta:
        db_table = "events_crisiswatch"
        verbose_name = _("watched crisis")
        verbose_name_plural = _("watched crises")
        constraints = [
            models.UniqueConstraint(fields=["user", "crisis"], name="crisis_watch_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.crisis}"


class PreviewLinkQuerySet(models.QuerySet):
    def valid(self, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class PreviewLink(models.Model):
    """A signed address that shows a crisis's article and timeline with everything unpublished
    in it, as staff preview them, to a reviewer outside the admin: read-only, until it expires
    or is revoked, never indexed or cached."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="preview_links", verbose_name=_("crisis")
    )
    note = models.CharField(
        _("for whom"), max_length=200, blank=True, help_text=_("e.g. the legal desk")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        db_table = "events_previewlink"
        ordering = ["-created_at"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self) -> str:
        return f"{self.crisis} ({self.note or self.created_at.date()})"

    def token(self) -> str:
        return signing.Signer(salt=PREVIEW_SALT).sign(str(self.key))

    def get_absolute_url(self) -> str:
        return reverse("desk:preview", args=[self.token()])


PREVIEW_SALT = "events.preview-link"
