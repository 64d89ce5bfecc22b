from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from events.models import EventActor, PublicationState
from events.views import can_preview

from .models import Actor, Participation


def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(
        Actor.objects.select_related("affiliation__affiliation__affiliation"), slug=slug
    )
    participations = Participation.objects.filter(actor=actor).select_related("crisis")
    roles = EventActor.objects.filter(actor=actor).select_related("event__crisis")
    if not can_preview(request.user):
        published = PublicationState.PUBLISHED
        participations = participations.filter(crisis__state=published)
        roles = roles.filter(event__state=published, event__crisis__state=published)
    roles = roles.order_by("event__date", "-event__date_precision", "event__slug")
    members = actor.members.order_by("name")
    context = {
        "actor": actor,
        "chain": actor.affiliation_chain(),
        "participations": list(participations.order_by("crisis__title")),
        "roles": list(roles),
        "members": list(members),
    }
    return render(request, "actors/actor_detail.html", context)
