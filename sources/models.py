import functools

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crisis_tracker.dates import Precision, format_date, iso_date, truncate
from crisis_tracker.history import history_with_revisions

WEB_ONLY = URLValidator(
    schemes=["http", "https"], message=_("Enter an http:// or https:// address.")
)


@functools.cache
def _language_name(code: str, interface_language: str) -> str:
    return str(dict(Source.Language.choices).get(code, code))


def language_name(code: str) -> str:
    """A source language's name in the interface language (cached: references run long)."""
    return _language_name(code, get_language())


def is_web_address(url: str) -> bool:
    """Only http(s) addresses become links, whatever reached the database."""
    return url.lower().startswith(("http://", "https://"))


class SourceQuerySet(models.QuerySet):
    def with_archive(self) -> "SourceQuerySet":
        """With what references show of the address (its health, its latest capture)."""
        return self.select_related("link_health__capture").defer("link_health__capture__text")

    def search(self, term: str) -> "SourceQuerySet":
        return self.filter(models.Q(key__icontains=term) | models.Q(title__icontains=term))


class SourceManager(models.Manager.from_queryset(SourceQuerySet)):
    def get_by_natural_key(self, key: str) -> "Source":
        return self.get(key=key)


class Source(models.Model):
    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        BRITISH_ENGLISH = "en-GB", _("British English")
        AMERICAN_ENGLISH = "en-US", _("American English")
        CHINESE_MAINLAND = "zh-CN", _("Chinese (Mainland China)")
        CHINESE = "zh", _("Chinese")
        RUSSIAN = "ru", _("Russian")
        UKRAINIAN = "uk", _("Ukrainian")
        AZERBAIJANI = "az", _("Azerbaijani")
        ARMENIAN = "hy", _("Armenian")
        PERSIAN = "fa", _("Persian")
        FRENCH = "fr", _("French")
        GERMAN = "de", _("German")
        OTHER = "other", _("Other")

    key = models.SlugField(
        _("key"),
        max_length=100,
        unique=True,
        help_text=_(
            "Short stable name used in citations, e.g. dw-2025-07-03 for [@dw-2025-07-03]."
        ),
    )
    authors = models.TextField(
        _("authors"),
        blank=True,
        help_text=_(
            "In the order the source gives them, separated by semicolons, "
            "e.g. “Bagirova, Nailia; Stolyarov, Gleb”."
        ),
    )
    title = models.CharField(
        _("title"),
        max_length=500,
        help_text=_("As published, e.g. “Russian air-defense system downed Azerbaijan plane”."),
    )
    trans_title = models.CharField(
        _("title in English"),
        max_length=500,
        blank=True,
        help_text=_(
            "For a source in another language: its title translated, shown in brackets after "
            "the title to readers of English pages, as Wikipedia's trans-title."
        ),
    )
    work = models.CharField(
        _("work"),
        max_length=200,
        blank=True,
        help_text=_("The newspaper, site or publisher, e.g. Reuters or dw.com."),
    )
    url = models.URLField(
        _("URL"),
        max_length=1000,
        blank=True,
        validators=[WEB_ONLY],
        help_text=_("The article's address, e.g. https://www.dw.com/…"),
    )
    archive_url = models.URLField(
        _("archive URL"),
        max_length=1000,
        blank=True,
        validators=[WEB_ONLY],
        help_text=_("A saved copy, e.g. https://web.archive.org/…"),
    )
    published = models.DateField(
        _("publication date"), null=True, blank=True, help_text=_("e.g. 2025-07-03")
    )
    published_precision = models.CharField(
        _("publication date precision"),
        max_length=5,
        choices=Precision,
        default=Precision.DAY,
        help_text=_("How much of the publication date is known: day, month or year."),
    )
    accessed = models.DateField(
        _("access date"),
        null=True,
        blank=True,
        help_text=_("When an editor read it, e.g. 2025-07-07."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=Language,
        default=Language.ENGLISH,
        help_text=_("Language the source is written in, e.g. English."),
    )
    issn = models.CharField(
        _("ISSN"), max_length=9, blank=True, help_text=_("For periodicals, e.g. 0261-3077.")
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Internal notes for editors."))
    reliability_note = models.TextField(
        _("reliability note"),
        blank=True,
        help_text=_("Shown to readers, e.g. “State-owned outlet; claims unverified.”"),
    )

    history = history_with_revisions()
    objects = SourceManager()

    class Meta:
        ordering = ["key"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(issn="") | models.Q(issn__regex=r"^\d{4}-\d{3}[\dXx]$"),
                name="source_issn_format",
                violation_error_message=_("An ISSN reads like 0261-3077."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"

    DATE_PRECISIONS = {"published": "published_precision"}

    def normalise(self) -> None:
        """Store the publication date as the first day of the period its precision names."""
        if self.published:
            self.published = truncate(self.published, self.published_precision)

    def save(self, *args, **kwargs) -> None:
        self.normalise()
        super().save(*args, **kwargs)

    def published_display(self) -> str:
        return iso_date(self.published, self.published_precision)

    def natural_key(self) -> tuple[str]:
        return (self.key,)

    def get_absolute_url(self) -> str:
        return reverse("sources:detail", args=[self.key])

    def author_list(self) -> list[str]:
        return [name.strip() for name in self.authors.split(";") if name.strip()]

    def citation_html(self) -> SafeString:
        """The reference as readers see it.

        Authors. Title. Work. Date [accessed]. ISSN (language). Built with plain escaping
        rather than format_html: an article can list thousands of references.
        """
        parts = []
        authors = self.author_list()
        if authors:
            parts.append(f"{escape('; '.join(authors))}. ")
        title = escape(self.title)
        if self.trans_title and get_language() == "en":
            title = f"{title} [{escape(self.trans_title)}]"
        address = self.reader_address()
        if address:
            parts.append(f'<a class="external" href="{escape(address)}">{title}</a>. ')
        else:
            parts.append(f"{title}. ")
        if self.work:
            parts.append(f"<i>{escape(self.work)}</i>. ")
        dates = []
        if self.published:
            dates.append(self.published_display())
        if self.accessed:
            dates.append(f"[{self.accessed.isoformat()}]")
        tail = " ".join(dates)
        if self.issn:
            tail = f"{tail}. ISSN {escape(self.issn)}" if tail else f"ISSN {escape(self.issn)}"
        language = escape(language_name(self.language))
        parts.append(f"{tail} ({language})." if tail else f"({language}).")
        parts.append(self.archive_html())
        return mark_safe("".join(parts))  # noqa: S308  (every piece escaped above)

    def loaded_health(self) -> "LinkHealth | None":
        """The link's health if it was read with the source (``with_archive``), else None:
        a reference list never reads it source by source."""
        if not Source.link_health.is_cached(self):
            return None
        try:
            return self.link_health
        except LinkHealth.DoesNotExist:
            return None

    def archived_copy(self) -> tuple[str, object] | None:
        """(address, captured) of the copy readers may open: this site's latest capture when
        copies are public, else the external archive address (its time unknown)."""
        health = self.loaded_health()
        if health and health.capture_id and settings.SOURCE_CAPTURES_PUBLIC:
            return health.capture.get_absolute_url(), health.capture.captured_at
        if is_web_address(self.archive_url):
            return self.archive_url, None
        return None

    def link_is_dead(self) -> bool:
        health = self.loaded_health()
        return health is not None and health.state == LinkHealth.State.DEAD

    def reader_address(self) -> str:
        """Where the title leads: the original, or its archived copy once the original is
        dead (as Wikipedia does with url-status=dead)."""
        copy = self.archived_copy()
        if copy and self.link_is_dead():
            return copy[0]
        return self.url if is_web_address(self.url) else ""

    def archive_html(self) -> str:
        """ "Archived copy, captured 3 July 2025" after the reference, as Wikipedia shows its
        archive-url; a dead original is said to be dead."""
        dead, copy, parts = self.link_is_dead(), self.archived_copy(), []
        if copy:
            address, captured = copy
            label = (
                _("archived copy, captured %(date)s")
                % {"date": format_date(captured.date(), Precision.DAY)}
                if captured
                else _("archived copy")
            )
            parts.append(f' <a class="archived" href="{escape(address)}">{escape(label)}</a>')
        if dead and is_web_address(self.url):
            label = escape(_("original link"))
            original = f'<a href="{escape(self.url)}">{label}</a>'
            said = escape(_("(%(original_link)s dead)")) % {"original_link": original}
            parts.append(f' <span class="dead-link">{said}</span>')
        return "".join(parts)


def capture_storage():
    """Where captured copies are kept (``STORAGES["captures"]``: local files unless set)."""
    return storages["captures"]


def capture_path(capture, filename: str) -> str:
    return f"{capture.source.key}/{capture.captured_at:%Y%m%dT%H%M%S}-{filename}"


class Capture(models.Model):
    """A copy of a cited page as it was fetched: evidence, never changed once made."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="captures", verbose_name=_("source")
    )
    requested_url = models.URLField(_("address asked for"), max_length=1000)
    final_url = models.URLField(_("address after redirects"), max_length=1000)
    status = models.PositiveSmallIntegerField(_("HTTP status"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    captured_at = models.DateTimeField(_("captured"), default=timezone.now, db_index=True)
    body_size = models.PositiveIntegerField(_("page size (bytes)"))
    text = models.TextField(_("main text"), blank=True)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    warc = models.FileField(_("WARC"), storage=capture_storage, upload_to=capture_path)
    warc_size = models.PositiveIntegerField(_("WARC size (bytes)"))
    screenshot = models.FileField(
        _("screenshot"), storage=capture_storage, upload_to=capture_path, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked for by"),
    )

    class Meta:
        ordering = ["-captured_at", "-pk"]
        verbose_name = _("capture")
        verbose_name_plural = _("captures")

    def __str__(self) -> str:
        return f"{self.source.key} {self.captured_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("A capture is evidence: it is kept as it was made.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("sources:copy", args=[self.source.key, self.pk])


class LinkCheck(models.Model):
    """One check of a cited address, as link health reads it."""

    class Outcome(models.TextChoices):
        OK = "ok", _("ok")
        REDIRECTED = "redirected", _("redirected")
        BLOCKED = "blocked", _("blocked (not dead)")
        SOFT_404 = "soft-404", _("not found, though it answers as a page")
        FAILED = "failed", _("failed")

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="link_checks", verbose_name=_("source")
    )
    checked_at = models.DateTimeField(_("checked"), default=timezone.now, db_index=True)
    url = models.URLField(_("address"), max_length=1000)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome)
    status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("link check")
        verbose_name_plural = _("link checks")

    def __str__(self) -> str:
        return f"{self.url} {self.get_outcome_display()}"


class LinkHealth(models.Model):
    """What the checks and captures of a source's address add up to, kept with the source so
    references can show it without reading every check."""

    class State(models.TextChoices):
        UNCHECKED = "unchecked", _("not checked yet")
        LIVE = "live", _("live")
        BLOCKED = "blocked", _("blocked (not dead)")
        FAILING = "failing", _("failing (not dead yet)")
        DEAD = "dead", _("dead")

    source = models.OneToOneField(
        Source, on_delete=models.CASCADE, primary_key=True, related_name="link_health"
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.UNCHECKED)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    changed = models.BooleanField(_("changed since captured"), default=False)
    capture = models.ForeignKey(
        Capture,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest capture"),
    )

    class Meta:
        verbose_name = _("link health")
        verbose_name_plural = _("link health")

    def __str__(self) -> str:
        return f"{self.source.key}: {self.get_state_display()}"
