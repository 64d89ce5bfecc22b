"""Atom feeds of revisions: one per crisis and one for the whole site. Editors are never named.

Feeds are the same for everyone (readers' feed programs sign in as nobody): published crises
and public revisions only, whoever asks.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.http_cache import tag
from crisis_tracker.publication import get_visible_or_404, published_q

from . import editions
from .models import Assessment, Crisis, CrisisRevision
from .templatetags.crisis_tags import describe_changes

FEED_SIZE = 50


class CrisisFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        return tag(response, self.keys(*args, **kwargs))

    def keys(self, slug):
        crisis = Crisis.objects.filter(slug=slug).values_list("pk", flat=True).first()
        return [keys_of.crisis(crisis)]

    def get_object(self, request, slug):
        crisis = get_visible_or_404(None, Crisis.objects.all(), slug=slug)
        editions.lay_over([crisis], get_language())  # its title in the reader's edition
        return crisis

    def title(self, crisis):
        return _("Changes to %(title)s") % {"title": crisis.title}

    def link(self, crisis):
        return reverse("events:history", args=[crisis.slug])

    def subtitle(self, crisis):
        return _("Every public revision of the article, newest first.")

    def items(self, crisis):
        return (
            CrisisRevision.objects.public_in(get_language())
            .filter(crisis=crisis)
            .select_related("revision", "crisis")
            .order_by("-revision__created_at")[:FEED_SIZE]
        )

    def item_title(self, link):
        prefix = _("Correction: ") if link.revision.is_correction else ""
        return prefix + describe_changes(link.changes)

    def item_description(self, link):
        # Atom carries this as HTML, so the editor's text is escaped before it goes in.
        parts = [link.revision.summary]
        if link.revision.is_correction:
            parts.append(link.revision.correction_note)
        return format_html_join("", "<p>{}</p>", ((part,) for part in parts if part))

    def item_link(self, link):
        return reverse("events:compare", args=[link.crisis.slug, link.revision_id])

    def item_guid(self, link):
        return f"urn:uuid:{link.revision.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, link):
        return link.revision.created_at

    def item_updateddate(self, link):
        return link.revision.created_at


class SiteFeed(CrisisFeed):
    def get_object(self, request):
        return None

    def keys(self):
        return ["crises"]

    def title(self, obj):
        return _("Crisis Tracker: all changes")

    def link(self, obj):
        return reverse("events:crisis_list")

    def items(self, obj):
        links = list(
            CrisisRevision.objects.public_in(get_language())
            .filter(published_q(Crisis, "crisis__"))
            .select_related("revision", "crisis")
            .order_by("-revision__created_at")[:FEED_SIZE]
        )
        editions.lay_over([link.crisis for link in links], get_language())
        return links

    def item_title(self, link):
        return f"{link.crisis.title}: {super().item_title(link)}"


class AssessmentFeed(Feed):
    """A crisis's monthly assessments, newest month first (``slug``), or every crisis's
    (the tracker's feed, without one). Published ones only, whoever asks."""

    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        return tag(response, [keys_of.ASSESSMENTS, keys_of.CRISES])

    def get_object(self, request, slug=None):
        if not slug:
            return None
        crisis = get_visible_or_404(None, Crisis.objects.all(), slug=slug)
        editions.lay_over([crisis], get_language())
        return crisis

    def title(self, crisis):
        if crisis is None:
            return _("Crisis Tracker: monthly assessments")
        return _("Monthly assessments: %(title)s") % {"title": crisis.title}

    def link(self, crisis):
        if crisis is None:
            return reverse("events:crisis_list")
        return reverse("events:assessments", args=[crisis.slug])

    def items(self, crisis):
        found = Assessment.objects.published().select_related("crisis")
        if crisis is not None:
            found = found.filter(crisis=crisis)
        found = list(found.order_by("-month", "crisis__title")[:FEED_SIZE])
        # In the reader's edition: the reasons, and the crises' titles (two queries each).
        editions.lay_over(found, get_language())
        editions.lay_over([assessment.crisis for assessment in found], get_language())
        return found

    def item_title(self, assessment):
        return (
            f"{assessment.crisis.title} {assessment.month:%Y-%m}: {assessment.get_trend_display()}"
        )

    def item_description(self, assessment):
        return format_html_join("", "<p>{}</p>", [(assessment.reason,)])

    def item_link(self, assessment):
        return assessment.get_absolute_url()

    def item_guid(self, assessment):
        return f"assessment:{assessment.crisis.slug}:{assessment.month:%Y-%m}"

    item_guid_is_permalink = False

    def item_pubdate(self, assessment):
        return datetime.datetime.combine(assessment.month, datetime.time(), tzinfo=datetime.UTC)
