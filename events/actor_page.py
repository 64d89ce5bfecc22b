"""An actor's page: who they are, and the crises and events they take part in (the crisis
parts of an actor live with the crises, so the actors app needs nothing from this one)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from actors.models import Actor, Participation
from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.history import last_revision_at
from crisis_tracker.http_cache import last_modified, reader_page, tag, viewer

from . import editions
from .models import EventActor, event_order


def in_language(actor: Actor, participations: list, roles: list) -> None:
    """The crises' and events' titles in the reader's language where an edition has them."""
    language = get_language()
    crises = {id(p.crisis): p.crisis for p in participations}
    events = [link.event for link in roles]
    if any(crisis.language != language for crisis in crises.values()) or any(
        event.crisis.language != language for event in events
    ):
        editions.lay_over([*crises.values(), *events], language, mark=True)


@reader_page
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(
        Actor.objects.select_related("affiliation__affiliation__affiliation"), slug=slug
    )
    participations = (
        Participation.objects.visible_to(viewer(request))
        .filter(actor=actor)
        .select_related("crisis")
    )
    roles = (
        EventActor.objects.visible_to(viewer(request))
        .filter(actor=actor)
        .select_related("event__crisis")
        .order_by(*event_order("event__"))
    )
    members = actor.members.order_by("name")
    participations = list(participations.order_by("crisis__title"))
    roles = list(roles)
    in_language(actor, participations, roles)
    context = {
        "actor": actor,
        "chain": actor.affiliation_chain(),
        "participations": participations,
        "roles": roles,
        "members": list(members),
    }
    keys = [keys_of.actor(actor.pk)]
    keys += [keys_of.actor(a.pk) for a in [*context["chain"], *context["members"]]]
    keys += [keys_of.crisis(p.crisis_id) for p in context["participations"]]
    keys += [keys_of.event(link.event_id) for link in context["roles"]]
    response = render(request, "actors/actor_detail.html", context)
    return tag(last_modified(response, last_revision_at()), keys)
