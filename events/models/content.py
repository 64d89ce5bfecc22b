from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from crisis_tracker.choices import ChoiceLabels
from crisis_tracker.citations import may_cite
from crisis_tracker.dates import Precision, chronological_order, date_span, iso_date
from crisis_tracker.history import history_with_revisions, revision
from crisis_tracker.narrative import NarrativeField, RemembersCrisis
from crisis_tracker.publication import DRAFT, REVIEW, Publishable, VisibilityQuerySet

MAX_MAP_BYTES = 5 * 1024 * 1024


MAP_FORMATS = {"PNG", "JPEG", "WEBP"}


def validate_map_image(image) -> None:
    """Only real PNG, JPEG or WebP files of at most 5 MB, checked by decoding, not by name."""
    if image.size > MAX_MAP_BYTES:
        raise ValidationError(
            _("The map image is larger than 5 MB; please upload a smaller PNG, JPEG or WebP."),
            code="too_large",
        )
    try:
        image.seek(0)
        with Image.open(image) as picture:
            detected = picture.format
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        detected = None
    finally:
        image.seek(0)
    if detected not in MAP_FORMATS:
        raise ValidationError(_("The map must be a PNG, JPEG or WebP image."), code="not_an_image")


class CrisisQuerySet(VisibilityQuerySet):
    def delete(self):
        with revision(summary="Deleted"):
            return super().delete()

    def ongoing_first(self) -> "CrisisQuerySet":
        return self.order_by(
            models.Case(models.When(status="ongoing", then=0), default=1), "-start_date"
        )


class CrisisManager(models.Manager.from_queryset(CrisisQuerySet)):
    def get_by_natural_key(self, slug: str) -> "Crisis":
        return self.get(slug=slug)


CrisisDates = date_span(
    start="start_date",
    precision="start_precision",
    start_label=_("start date"),
    precision_label=_("start date precision"),
    start_help=_("For a month, give its first day, e.g. 2025-06-01."),
    end_help=_("Empty while the crisis goes on."),
    end_before_start=_("The end date cannot be before the start date."),
)


class Crisis(Publishable, CrisisDates):
    crisis_field = "pk"

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("ongoing")
        ENDED = "ended", _("ended")

    class Language(models.TextChoices):
        CHINESE = "zh-hans", "简体中文"
        ENGLISH = "en", "English"

    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Used in the address, e.g. azerbaijan-russia-2025."),
    )
    title = models.CharField(
        _("title"), max_length=200, help_text=_("e.g. 2025年阿塞拜疆—俄罗斯外交危机")
    )
    lead = NarrativeField(
        _("lead"),
        blank=True,
        help_text=_("The opening paragraphs, in Markdown with citations such as [@dw-2025-07-03]."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ONGOING)
    part_of = models.TextField(
        _("part of"),
        blank=True,
        help_text=_("One larger story per line, e.g. 阿塞拜疆—俄罗斯关系."),
    )
    language = models.CharField(
        _("content language"), max_length=10, choices=Language, default=Language.CHINESE
    )
    map_image = models.ImageField(
        _("map"),
        upload_to="maps/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"]), validate_map_image],
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
    )
    map_caption = models.CharField(
        _("map caption"), max_length=200, blank=True, help_text=_("e.g. 两国地理位置示意图")
    )
    map_place = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place on the world map"),
        help_text=_(
            "Where the front page's map puts the crisis; empty for the centre of its placed events."
        ),
    )

    history = history_with_revisions()
    objects = CrisisManager()

    class Meta(CrisisDates.Meta):
        ordering = ["-start_date", "slug"]
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        permissions = [("publish_crisis", _("Can publish and unpublish crises"))]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so a renamed crisis also clears the pages cached under its old address.
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    def get_absolute_url(self) -> str:
        return reverse("events:crisis", args=[self.slug])

    def delete(self, *args, **kwargs):
        # One revision for the whole cascade, saved once the crisis is gone, so no revision
        # is linked to a crisis that no longer exists.
        with revision(summary="Deleted"):
            return super().delete(*args, **kwargs)

    def citing_label(self) -> str:
        return _("Lead")

    def part_of_list(self) -> list[str]:
        return [line.strip() for line in self.part_of.splitlines() if line.strip()]


class SectionManager(models.Manager.from_queryset(VisibilityQuerySet)):
    def get_by_natural_key(self, crisis_slug: str, key: str) -> "Section":
        return self.get(crisis__slug=crisis_slug, key=key)


class Section(RemembersCrisis, models.Model):
    crisis_field = "crisis"
    published_with = ("crisis",)

    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="sections", verbose_name=_("crisis")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subsections",
        verbose_name=_("parent section"),
        help_text=_("Empty for a top-level section; set for a subsection."),
    )
    key = models.SlugField(
        _("anchor"),
        max_length=100,
        allow_unicode=True,
        help_text=_("The section's address in the page, e.g. 背景 for #背景."),
    )
    heading = models.CharField(_("heading"), max_length=200, help_text=_("e.g. 背景"))
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Reading order within the article: 1, 2, 3…")
    )
    body = NarrativeField(
        _("body"),
        blank=True,
        help_text=_("Markdown with citations, e.g. …关系恶化[@dw-2025-07-03]。"),
    )

    history = history_with_revisions()
    objects = SectionManager()

    class Meta:
        ordering = ["crisis", "order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["crisis", "key"], name="section_unique_key"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="section_not_own_parent",
                violation_error_message=_("A section cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return self.heading

    def natural_key(self) -> tuple[str, str]:
        return (*self.crisis.natural_key(), self.key)

    natural_key.dependencies = ["events.crisis"]

    def get_absolute_url(self) -> str:
        return f"{self.crisis.get_absolute_url()}#{self.key}"

    def clean(self) -> None:
        if self.parent_id is not None:
            if self.parent.crisis_id != self.crisis_id:
                message = _("The parent section belongs to another crisis.")
                raise ValidationError({"parent": ValidationError(message, code="other_crisis")})
            if self.parent.parent_id is not None:
                message = _("Sections nest two levels deep at most.")
                raise ValidationError({"parent": ValidationError(message, code="too_deep")})

    def citing_label(self) -> str:
        return self.heading


def event_order(prefix: str = "") -> list:
    """Chronological, then the editors' order within a day; the slug breaks the last ties."""
    dates = chronological_order("date", "date_precision", prefix)
    return [*dates, f"{prefix}day_order", f"{prefix}slug"]


EVENT_ORDER = event_order()


class EventQuerySet(VisibilityQuerySet):
    def for_crisis(self, crisis: Crisis) -> "EventQuerySet":
        return self.filter(crisis=crisis)

    def chronological(self) -> "EventQuerySet":
        return self.order_by(*EVENT_ORDER)

    def dates(self, field_name, kind, order="ASC"):
        """As Django's, but on PostgreSQL the years of all events (the admin's date hierarchy
        over the whole list) are found by stepping through the date index, one year's first
        event at a time, in one query, instead of truncating the date of every event (165-198
        ms for a million). A filtered list keeps Django's way: a step that must skip events
        the filter refuses could walk much of the index."""
        stepped = (field_name, kind) == ("date", "year") and not self.query.where
        if not stepped or connections[self.db].vendor != "postgresql":
            return super().dates(field_name, kind, order)
        with connections[self.db].cursor() as cursor:
            cursor.execute(YEARS_BY_INDEX)
            years = [day for (day,) in cursor.fetchall()]
        return years if order == "ASC" else years[::-1]

    def with_point(self) -> "EventQuerySet":
        """Each event's map point as ``point_lat`` and ``point_lon``, in SQL: its exact spot,
        else its place's (the rule of ``Event.point``)."""
        return self.annotate(
            point_lat=Coalesce(F("latitude"), F("location__latitude")),
            point_lon=Coalesce(F("longitude"), F("location__longitude")),
        )


# A loose index scan: the first date of the events, then the first on or after the next 1
# January, and so on; each step is one probe of the date index (``event_date``).
YEARS_BY_INDEX = """
WITH RECURSIVE found(day) AS (
    (SELECT date FROM events_event WHERE date IS NOT NULL ORDER BY date LIMIT 1)
    UNION ALL
    SELECT (
        SELECT date FROM events_event
        WHERE date >= make_date(extract(year FROM found.day)::int + 1, 1, 1) ORDER BY date LIMIT 1
    ) FROM found WHERE found.day IS NOT NULL AND extract(year FROM found.day) < 9999
)
SELECT make_date(extract(year FROM day)::int, 1, 1) FROM found WHERE day IS NOT NULL
"""


class EventManager(models.Manager.from_queryset(EventQuerySet)):
    def get_by_natural_key(self, crisis_slug: str, slug: str) -> "Event":
        return self.get(crisis__slug=crisis_slug, slug=slug)


EventDates = date_span(
    start="date",
    precision="date_precision",
    start_label=_("date"),
    precision_label=_("date precision"),
    start_help=_("For a month or a year, give its first day, e.g. 2024-12-01."),
    precision_help=_("Only as precise as the sources: never guess a day."),
    end_before_start=_("The end date cannot be before the date."),
)


class Event(RemembersCrisis, Publishable, EventDates):
    crisis_field = "crisis"
    published_with = ("crisis",)

    class Kind(models.TextChoices):
        KILLING = "killing", _("killing")
        OFFENSIVE = "offensive", _("military offensive")
        SHOOT_DOWN = "shoot-down", _("shoot-down")
        ARREST = "arrest", _("arrest")
        RAID = "raid", _("raid")
        DETENTION = "detention", _("detention")
        DEATH_IN_CUSTODY = "custody-death", _("death in custody")
        PROSECUTION = "prosecution", _("prosecution")
        STATEMENT = "statement", _("statement")
        MEETING = "meeting", _("meeting")
        CALL = "call", _("phone call")
        SUMMONS = "summons", _("diplomatic summons")
        SANCTION = "sanction", _("sanction")
        CANCELLATION = "cancellation", _("cancellation")
        BOYCOTT = "boycott", _("boycott")
        POLICY = "policy", _("policy shift")
        OTHER = "other", _("other")

    class Verification(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        REPORTED = "reported", _("reported")
        DISPUTED = "disputed", _("disputed")

    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="events", verbose_name=_("crisis")
    )
    slug = models.SlugField(
        _("slug"), max_length=100, help_text=_("Unique within the crisis, e.g. agalarov-case.")
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("A short label, e.g. 俄罗斯对阿加拉罗夫提起刑事诉讼"),
    )
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("As readers see it, e.g. 叶卡捷琳堡 or 哈萨克斯坦阿克套附近"),
    )
    location = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("gazetteer place"),
        help_text=_("Puts the event on the map at the place's point."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("Only for an exact spot: overrides the gazetteer place's point."),
    )
    no_place_reason = models.CharField(
        _("no single place"),
        max_length=200,
        blank=True,
        help_text=_(
            "Only for an event that truly has no single place: why, e.g. 两国首都之间的电话通话. "
            "Readers see it where the event is missing from the map."
        ),
    )
    day_order = models.PositiveSmallIntegerField(
        _("order within the day"),
        default=0,
        help_text=_("Events of the same day are listed by this number, lowest first."),
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind, default=Kind.OTHER)
    summary = NarrativeField(
        _("summary"),
        help_text=_("What happened, in Markdown, each claim cited: …被捕[@ap-2025-07-02]。"),
    )
    killed = models.PositiveIntegerField(_("killed"), null=True, blank=True)
    injured = models.PositiveIntegerField(_("injured"), null=True, blank=True)
    detained = models.PositiveIntegerField(_("detained"), null=True, blank=True)
    displaced = models.PositiveIntegerField(_("displaced"), null=True, blank=True)
    figures_note = models.CharField(
        _("figures note"),
        max_length=200,
        blank=True,
        help_text=_("Qualifies the figures, e.g. 超过10万 or 机上67人."),
    )
    verification = models.CharField(
        _("verification"), max_length=10, choices=Verification, default=Verification.REPORTED
    )

    history = history_with_revisions()
    objects = EventManager()

    class Meta(EventDates.Meta):
        # Plain fields: related models order by this too. Pages use chronological().
        ordering = ["crisis", "date", "day_order", "slug"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        permissions = [("publish_event", _("Can publish and unpublish events"))]
        # A crisis's events by date: the timeline's pages and counts, the API's date filters
        # and the duplicate flags of an update read ranges of it.
        indexes = [
            models.Index(fields=["crisis", "date"], name="event_crisis_date"),
            models.Index(fields=["date", "day_order"], name="event_date"),  # the latest, anywhere
            # The desk's panels and checks: the few events not yet published, and those without
            # a place, found without reading every event.
            models.Index(
                fields=["state"],
                include=["id"],  # the drafts' ids without reading the table
                condition=models.Q(state__in=[DRAFT, REVIEW]),
                name="event_unpublished",
            ),
            models.Index(
                fields=["crisis"],
                condition=models.Q(
                    latitude__isnull=True, location__isnull=True, no_place_reason=""
                ),
                name="event_unplaced",
            ),
            models.Index(fields=["crisis"], condition=~may_cite("summary"), name="event_uncited"),
        ]
        constraints = [
            *EventDates.Meta.constraints,
            models.UniqueConstraint(fields=["crisis", "slug"], name="event_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="event_spot_has_both_coordinates",
                violation_error_message=_("An exact spot needs both latitude and longitude."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str, str]:
        return (*self.crisis.natural_key(), self.slug)

    natural_key.dependencies = ["events.crisis"]

    def clean(self) -> None:
        super().clean()
        if self.no_place_reason and (self.location_id or self.latitude is not None):
            message = _("An event with a place has one: clear the place or this reason.")
            raise ValidationError({"no_place_reason": ValidationError(message, code="placed")})

    def get_absolute_url(self) -> str:
        timeline = reverse("events:timeline", args=[self.crisis.slug])
        return event_url(timeline, self.slug, self.date, self.date_precision)

    def citing_label(self) -> str:
        return self.title

    def period(self) -> tuple[int, int | None]:
        """(year, month) for grouping a timeline; month is None for a year-precision date."""
        if self.date_precision == Precision.YEAR:
            return (self.date.year, None)
        return (self.date.year, self.date.month)

    def point(self) -> tuple[object, object, str] | None:
        """Where the event goes on a map, as (latitude, longitude, geo precision): its exact
        spot if it has one, else its place's point (``EventQuerySet.with_point`` in SQL)."""
        if self.latitude is not None:
            return self.latitude, self.longitude, "exact"
        if self.location_id is not None:
            place = self.location
            return place.latitude, place.longitude, place.precision
        return None

    def figures(self) -> list[tuple[str, int]]:
        names = ("killed", "injured", "detained", "displaced")
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in names
            if getattr(self, name) is not None
        ]


def event_url(timeline: str, slug: str, date, precision: str) -> str:
    """An event's place on its crisis's timeline: the page for its date (a long timeline lists
    a month, or a run of a busy month's days, at a time; a short one ignores the page) and its
    anchor. The date at its precision finds the page however the pages fall."""
    return f"{timeline}?page={iso_date(date, precision)}#event-{slug}"


class EventActorManager(models.Manager.from_queryset(VisibilityQuerySet)):
    def get_by_natural_key(
        self, crisis_slug: str, event_slug: str, actor_slug: str, role: str
    ) -> "EventActor":
        return self.get(
            event__crisis__slug=crisis_slug,
            event__slug=event_slug,
            actor__slug=actor_slug,
            role=role,
        )


class EventActor(ChoiceLabels, models.Model):
    published_with = ("event",)

    class Role(models.TextChoices):
        INITIATOR = "initiator", _("initiator")
        TARGET = "target", _("target")
        PARTICIPANT = "participant", _("participant")
        SPEAKER = "speaker", _("speaker")
        AFFECTED = "affected", _("affected")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="event_actors", verbose_name=_("event")
    )
    actor = models.ForeignKey(
        "actors.Actor",
        on_delete=models.PROTECT,
        related_name="event_roles",
        verbose_name=_("actor"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.PARTICIPANT)

    history = history_with_revisions()
    objects = EventActorManager()

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = _("event actor")
        verbose_name_plural = _("event actors")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "actor", "role"], name="event_actor_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display()})"

    def natural_key(self) -> tuple[str, str, str, str]:
        return (*self.event.natural_key(), self.actor.slug, self.role)

    natural_key.dependencies = ["events.event", "actors.actor"]
