"""Where a source is cited: each lead, infobox note, section and event naming its key."""

from django.utils.translation import gettext as _

from actors.models import Participation
from crisis_tracker.citations import cited_keys
from events.models import Crisis, Event, PublicationState, Section


def citing_places(key: str, *, include_unpublished: bool = False) -> list[dict]:
    """One query per kind of place; the text match is confirmed by parsing the citations."""
    needle = f"@{key}"
    published = PublicationState.PUBLISHED
    crises = Crisis.objects.filter(lead__contains=needle)
    participations = Participation.objects.filter(note__contains=needle)
    sections = Section.objects.filter(body__contains=needle)
    events = Event.objects.filter(summary__contains=needle)
    if not include_unpublished:
        crises = crises.filter(state=published)
        participations = participations.filter(crisis__state=published)
        sections = sections.filter(crisis__state=published)
        events = events.filter(state=published, crisis__state=published)
    places = []
    for crisis in crises:
        if key in cited_keys(crisis.lead):
            places.append(place(crisis, _("Lead"), crisis.get_absolute_url()))
    for participation in participations.select_related("crisis", "actor"):
        if key in cited_keys(participation.note):
            label = _("Infobox: %(actor)s") % {"actor": participation.actor.name}
            places.append(
                place(participation.crisis, label, participation.crisis.get_absolute_url())
            )
    for section in sections.select_related("crisis"):
        if key in cited_keys(section.body):
            places.append(place(section.crisis, section.heading, section.get_absolute_url()))
    for event in events.select_related("crisis"):
        if key in cited_keys(event.summary):
            places.append(place(event.crisis, event.title, event.get_absolute_url()))
    return places


def place(crisis: Crisis, label: str, url: str) -> dict:
    return {"crisis": crisis, "label": label, "url": url}
