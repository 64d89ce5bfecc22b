from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from events.models import EventActor

from .models import Actor, Participation


def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(
        Actor.objects.select_related("affiliation__affiliation__affiliation"), slug=slug
    )
    participations = (
        Participation.objects.visible_to(request.user).filter(actor=actor).select_related("crisis")
    )
    roles = (
        EventActor.objects.visible_to(request.user)
        .filter(actor=actor)
        .select_related("event__crisis")
        .order_by("event__date", "-event__date_precision", "event__slug")
    )
    members = actor.members.order_by("name")
    context = {
        "actor": actor,
        "chain": actor.affiliation_chain(),
        "participations": list(participations.order_by("crisis__title")),
        "roles": list(roles),
        "members": list(members),
    }
    return render(request, "actors/actor_detail.html", context)
