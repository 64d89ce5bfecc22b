"""What the front page and the desk need of each crisis, counted when it changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .content import Crisis


class CrisisTally(models.Model):
    """A crisis's published events counted: their centre, the countries they are placed in,
    how many there are per month (or per year, for those known only to a year) and kind, and
    the actors and places among them; the unfiltered timeline's counts, figures and map; and
    the keys of the sources its narrative texts cite, drafts included (the desk's checks).
    Derived, never edited: rewritten whenever a revision touches the crisis, so the front page
    and the desk read a row per crisis, not its events and texts."""

    crisis = models.OneToOneField(
        Crisis, on_delete=models.CASCADE, primary_key=True, related_name="tally"
    )
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    placed = models.PositiveIntegerField(default=0)
    countries = models.JSONField(default=list)
    counts = models.JSONField(default=list)  # [year, month or 13 (the year), kind, events]
    cited = models.JSONField(default=list)  # source keys, sorted
    # The actors and places of its published events (ids, sorted): the timeline's filters.
    actors = models.JSONField(default=list)
    places = models.JSONField(default=list)
    # What the reader's timeline draws when nothing is filtered: its events per date,
    # precision and kind; its figures per month; its map's points per kind and place.
    # {"days": [ISO date, …], "precisions": […], "kinds": […], "events": [count, …]}
    dated = models.JSONField(default=dict)
    figures = models.JSONField(default=list)  # [year, month, figure, total, events, sources]
    points = models.JSONField(default=list)  # [kind, place id, latitude, longitude, events]

    class Meta:
        verbose_name = _("crisis tally")
        verbose_name_plural = _("crisis tallies")

    def __str__(self) -> str:
        return str(self.crisis)
