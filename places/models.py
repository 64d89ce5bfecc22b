from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis_tracker.countries import validate_country_code
from crisis_tracker.history import history_with_revisions


class PlaceManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> "Place":
        return self.get(slug=slug)


def coordinate(label, limit: int) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-limit), MaxValueValidator(limit)],
    )


class Place(models.Model):
    """A named place in the gazetteer, with a point at the precision its name supports."""

    class Precision(models.TextChoices):
        EXACT = "exact", _("exact spot")
        TOWN = "town", _("town")
        REGION = "region", _("region")
        COUNTRY = "country", _("country")

    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("e.g. yekaterinburg.")
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("In the content language, e.g. 叶卡捷琳堡.")
    )
    name_en = models.CharField(
        _("English name"), max_length=200, help_text=_("e.g. Yekaterinburg.")
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[validate_country_code],
        help_text=_("ISO 3166-1 code, e.g. RU."),
    )
    admin1 = models.CharField(
        _("first administrative division"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Sverdlovsk Oblast."),
    )
    latitude = coordinate(_("latitude"), 90)
    longitude = coordinate(_("longitude"), 180)
    precision = models.CharField(
        _("geo precision"),
        max_length=7,
        choices=Precision,
        default=Precision.TOWN,
        help_text=_("What the point stands for: the spot itself, a town, a region or a country."),
    )
    geonames_id = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True)
    coordinates_source = models.CharField(
        _("where the coordinates come from"),
        max_length=300,
        help_text=_("e.g. GeoNames 1486209 (Yekaterinburg), from the offline gazetteer."),
    )

    history = history_with_revisions()
    objects = PlaceManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90),
                name="place_latitude_range",
                violation_error_message=_("Latitude is between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_range",
                violation_error_message=_("Longitude is between -180 and 180."),
            ),
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^[A-Z]{2}$"),
                name="place_country_code_format",
                violation_error_message=_("A country code is two capital letters, e.g. AZ."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.name_en}, {self.country})"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def point(self) -> tuple[float, float]:
        return float(self.latitude), float(self.longitude)
