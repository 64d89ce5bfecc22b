"""The desk's monthly assessment of a crisis, as CrisisWatch gives one: which way the month went,
the flags for the next, a one-line reason and a short text citing its sources."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crisis_tracker.history import history_with_revisions
from crisis_tracker.narrative import NarrativeField, RemembersCrisis
from crisis_tracker.publication import Publishable, VisibilityQuerySet

from .content import Crisis


class AssessmentManager(models.Manager.from_queryset(VisibilityQuerySet)):
    def get_by_natural_key(self, crisis_slug: str, month: str) -> "Assessment":
        return self.get(crisis__slug=crisis_slug, month=month)


class Assessment(RemembersCrisis, Publishable, models.Model):
    crisis_field = "crisis"
    published_with = ("crisis",)

    class Trend(models.TextChoices):
        DETERIORATED = "deteriorated", _("deteriorated")
        IMPROVED = "improved", _("improved")
        UNCHANGED = "unchanged", _("unchanged")

    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("crisis")
    )
    month = models.DateField(
        _("month"), help_text=_("The month assessed, as its first day, e.g. 2025-06-01.")
    )
    trend = models.CharField(_("trend"), max_length=12, choices=Trend)
    risk_alert = models.BooleanField(
        _("conflict risk alert"), default=False, help_text=_("Escalation is likely next month.")
    )
    resolution_opportunity = models.BooleanField(
        _("resolution opportunity"),
        default=False,
        help_text=_("A chance to ease the crisis next month."),
    )
    reason = models.CharField(
        _("why, in one line"),
        max_length=300,
        help_text=_("Shown in bold beside the arrow, e.g. “Arrests and deaths in custody…”."),
    )
    text = NarrativeField(
        _("assessment"),
        blank=True,
        help_text=_("A short text with citations, e.g. …两国关系恶化[@dw-2025-07-03]。"),
    )

    history = history_with_revisions()
    objects = AssessmentManager()

    class Meta:
        ordering = ["crisis", "-month"]
        verbose_name = _("monthly assessment")
        verbose_name_plural = _("monthly assessments")
        permissions = [("publish_assessment", _("Can publish and unpublish assessments"))]
        constraints = [
            models.UniqueConstraint(fields=["crisis", "month"], name="assessment_one_per_month"),
            models.CheckConstraint(
                condition=models.Q(month__day=1),
                name="assessment_month_first_day",
                violation_error_message=_("A month is given as its first day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.crisis} {self.month:%Y-%m}"

    def natural_key(self) -> tuple[str, str]:
        return (*self.crisis.natural_key(), self.month.isoformat())

    natural_key.dependencies = ["events.crisis"]

    def clean(self) -> None:
        super().clean()
        if isinstance(self.month, datetime.date) and self.month.day != 1:
            self.month = self.month.replace(day=1)
        if self.risk_alert and self.resolution_opportunity:
            message = _("Flag a risk or an opportunity for next month, not both.")
            raise ValidationError({"resolution_opportunity": message})

    def get_absolute_url(self) -> str:
        return f"{reverse('events:assessments', args=[self.crisis.slug])}#{self.month:%Y-%m}"

    def citing_label(self) -> str:
        return str(_("Assessment of %(month)s") % {"month": f"{self.month:%Y-%m}"})

    @property
    def arrow(self) -> str:
        return {"deteriorated": "↑", "improved": "↓", "unchanged": "→"}.get(self.trend, "")
