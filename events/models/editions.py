"""A crisis in another language: an edition, reviewed and published on its own, whose
translations each remember the original text they were made from (so an edition knows when its
original has moved on, as wagtail-localize's translations know their source version)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from crisis_tracker.citations import citation_errors, cited_keys
from crisis_tracker.history import history_with_revisions
from crisis_tracker.narrative import RemembersCrisis
from crisis_tracker.publication import Publishable, VisibilityQuerySet

from .content import Crisis

# Above this share of its narrative's characters still as a machine wrote them, an edition
# cannot be published (zh.wikipedia's ContentTranslation refuses above 70% unmodified).
MACHINE_SHARE_LIMIT = 0.5

# The fields of narrative text among the translatable ones: cited like the original.
NARRATIVE_FIELDS = {"lead", "body", "summary", "note", "text"}


class EditionManager(models.Manager.from_queryset(VisibilityQuerySet)):
    def get_by_natural_key(self, crisis_slug: str, language: str) -> "Edition":
        return self.get(crisis__slug=crisis_slug, language=language)


class Edition(RemembersCrisis, Publishable, models.Model):
    crisis_field = "crisis"
    published_with = ("crisis",)

    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="editions", verbose_name=_("crisis")
    )
    language = models.CharField(_("language"), max_length=10, choices=Crisis.Language)
    # Kept by ``events.editions.refresh``: how many of the original's texts changed (or
    # appeared) since the translation was made, and how many are still untranslated.
    behind = models.PositiveIntegerField(_("texts behind the original"), default=0, editable=False)
    untranslated = models.PositiveIntegerField(_("texts untranslated"), default=0, editable=False)

    history = history_with_revisions(excluded_fields=["behind", "untranslated"])
    objects = EditionManager()

    class Meta:
        ordering = ["crisis", "language"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        permissions = [("publish_edition", _("Can publish and unpublish editions"))]
        constraints = [
            models.UniqueConstraint(fields=["crisis", "language"], name="edition_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.crisis} ({self.get_language_display()})"

    def natural_key(self) -> tuple[str, str]:
        return (*self.crisis.natural_key(), self.language)

    natural_key.dependencies = ["events.crisis"]

    def clean(self) -> None:
        super().clean()
        if self.crisis_id is not None and self.language == self.crisis.language:
            message = _("The crisis is written in this language: an edition is another one.")
            raise ValidationError({"language": ValidationError(message, code="original")})
        if self.state == self.State.PUBLISHED and self.pk is not None:
            problem = self.publishing_problem()
            if problem:
                raise ValidationError({"state": ValidationError(problem, code="machine_text")})

    def get_absolute_url(self) -> str:
        with override(self.language):
            return reverse("events:crisis", args=[self.crisis.slug])

    def citing_label(self) -> str:
        return str(self)

    def machine_share(self) -> float:
        """The share of the narrative's translated characters a machine wrote and nobody
        edited since."""
        total = machine = 0
        rows = self.translations.filter(field__in=NARRATIVE_FIELDS).values_list("text", "machine")
        for text, by_machine in rows:
            total += len(text)
            machine += len(text) if by_machine else 0
        return machine / total if total else 0.0

    def publishing_problem(self) -> str:
        """Why this edition may not be published, or ""."""
        share = self.machine_share()
        if share > MACHINE_SHARE_LIMIT:
            return _(
                "%(share)d%% of this edition's narrative is machine translation nobody has "
                "edited; review it before publishing (at most %(limit)d%%)."
            ) % {"share": round(share * 100), "limit": round(MACHINE_SHARE_LIMIT * 100)}
        return ""


class TranslationManager(models.Manager.from_queryset(VisibilityQuerySet)):
    def get_by_natural_key(
        self, crisis_slug: str, language: str, item: str, field: str
    ) -> "Translation":
        return self.get(
            edition__crisis__slug=crisis_slug, edition__language=language, item=item, field=field
        )


def kind_of(item: str) -> str:
    """The kind of an item's row: ``event`` of ``event/agalarov-case``."""
    return item.split("/", 1)[0]


def item_name_part(value) -> str:
    """A part of an item's name as the row's value writes it (a month as ``2025-06``)."""
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)


class Translation(models.Model):
    """One text of the original in the edition's language, with the original text it was
    made from. ``item`` names the original's row the way fixtures do: ``crisis``,
    ``section/<anchor>``, ``event/<slug>``, ``participation/<actor>/<role>``,
    ``assessment/<YYYY-MM>``."""

    published_with = ("edition",)

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="translations", verbose_name=_("edition")
    )
    item = models.CharField(_("item"), max_length=220)
    field = models.CharField(_("field"), max_length=30)
    text = models.TextField(_("translation"), blank=True)
    original = models.TextField(
        _("original"), blank=True, help_text=_("The original text this translation was made from.")
    )
    machine = models.BooleanField(
        _("machine translation, unreviewed"),
        default=False,
        help_text=_("Filled by machine translation and not edited since."),
    )

    history = history_with_revisions()
    objects = TranslationManager()

    class Meta:
        ordering = ["edition", "pk"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "item", "field"], name="translation_one_per_field"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.field}"

    def natural_key(self) -> tuple[str, str, str, str]:
        return (*self.edition.natural_key(), self.item, self.field)

    natural_key.dependencies = ["events.edition"]

    def clean(self) -> None:
        super().clean()
        if self.field not in NARRATIVE_FIELDS or not self.text:
            return
        errors = citation_errors(self.text)
        if errors:
            raise ValidationError({"text": errors})
        wanted, given = set(cited_keys(self.original)), set(cited_keys(self.text))
        if wanted != given:
            missing = ", ".join(f"[@{key}]" for key in sorted(wanted - given))
            extra = ", ".join(f"[@{key}]" for key in sorted(given - wanted))
            message = _(
                "A translation cites what its original cites. Missing: %(missing)s. "
                "Not in the original: %(extra)s."
            ) % {  # fmt: skip
                "missing": missing or "–",
                "extra": extra or "–",
            }
            raise ValidationError({"text": ValidationError(message, code="citations")})

    @property
    def is_behind(self) -> bool:
        return getattr(self, "current_original", self.original) != self.original
