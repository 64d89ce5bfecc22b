from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crisis_tracker.history import history_with_revisions
from crisis_tracker.narrative import NarrativeField, RemembersCrisis
from crisis_tracker.publication import VisibilityQuerySet


class ActorManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> "Actor":
        return self.get(slug=slug)


class Actor(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", _("state")
        PERSON = "person", _("person")
        ORGANISATION = "org", _("organisation")
        INTERNATIONAL = "intl", _("international organisation")
        MEDIA = "media", _("media outlet")

    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("Used in addresses, e.g. ilham-aliyev.")
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("As the article writes it, e.g. 伊利哈姆·阿利耶夫.")
    )
    name_en = models.CharField(
        _("name in English"),
        max_length=200,
        blank=True,
        help_text=_("The English or transliterated name readers search for, e.g. Ilham Aliyev."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.STATE)
    title = models.CharField(
        _("title or role"),
        max_length=200,
        blank=True,
        help_text=_("A person's office, e.g. 外交部发言人."),
    )
    affiliation = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("affiliation"),
        help_text=_("What the actor belongs to, e.g. a spokesperson → a ministry → a state."),
    )
    country_code = models.CharField(
        _("country code"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. AZ.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("One or two sentences for readers.")
    )

    history = history_with_revisions()
    objects = ActorManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(affiliation=models.F("pk")),
                name="actor_not_own_affiliation",
                violation_error_message=_("An actor cannot be its own affiliation."),
            ),
            models.CheckConstraint(
                condition=models.Q(country_code="") | models.Q(country_code__regex=r"^[A-Z]{2}$"),
                name="actor_country_code_format",
                violation_error_message=_("A country code is two capital letters, e.g. AZ."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("actors:detail", args=[self.slug])

    def clean(self) -> None:
        seen = {self.pk} if self.pk else set()
        parent = self.affiliation
        while parent is not None:
            if parent.pk in seen:
                message = _("This affiliation would make a loop.")
                raise ValidationError({"affiliation": ValidationError(message, code="loop")})
            seen.add(parent.pk)
            parent = parent.affiliation

    def affiliation_chain(self) -> list["Actor"]:
        """This actor's affiliations, nearest first (spokesperson → ministry → state)."""
        chain, seen, parent = [], {self.pk}, self.affiliation
        while parent is not None and parent.pk not in seen:
            chain.append(parent)
            seen.add(parent.pk)
            parent = parent.affiliation
        return chain


class ParticipationManager(models.Manager.from_queryset(VisibilityQuerySet)):
    def get_by_natural_key(self, crisis_slug: str, actor_slug: str, role: str) -> "Participation":
        return self.get(crisis__slug=crisis_slug, actor__slug=actor_slug, role=role)


class Participation(RemembersCrisis, models.Model):
    crisis_field = "crisis"
    published_with = ("crisis",)

    class Role(models.TextChoices):
        PARTY = "party", _("party")
        SUPPORTER = "supporter", _("supporter")
        MEDIATOR = "mediator", _("mediator")
        OBSERVER = "observer", _("observer")

    crisis = models.ForeignKey(
        "events.Crisis",
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("crisis"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="participations", verbose_name=_("actor")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.PARTY)
    side = models.CharField(
        _("side"),
        max_length=100,
        blank=True,
        help_text=_("Whose side a supporter is on, e.g. 阿塞拜疆."),
    )
    note = NarrativeField(
        _("note"),
        blank=True,
        help_text=_(
            "Shown beside the actor in the infobox, with citations, e.g. [@ap-2025-07-02]."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    history = history_with_revisions()
    objects = ParticipationManager()

    class Meta:
        ordering = ["crisis", "order", "pk"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["crisis", "actor", "role"], name="participation_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} – {self.get_role_display()}"

    def natural_key(self) -> tuple[str, str, str]:
        return (*self.crisis.natural_key(), self.actor.slug, self.role)

    natural_key.dependencies = ["events.crisis", "actors.actor"]

    def get_absolute_url(self) -> str:
        return self.crisis.get_absolute_url()

    def citing_label(self) -> str:
        return _("Infobox: %(actor)s") % {"actor": self.actor.name}
