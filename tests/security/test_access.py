import pytest
from django.test import Client
from django.urls import reverse

from actors.models import Actor
from events.models import Crisis, Revision
from sources.models import Source

pytestmark = pytest.mark.django_db

SLUG = "azerbaijan-russia-2025"
PERSONAS = ["anonymous", "outsider", "editor", "publisher"]
STATES = ["draft", "review", "published", "deleted"]


def crisis_routes(revision_id: int) -> list[str]:
    return [
        reverse("events:crisis", args=[SLUG]),
        reverse("events:timeline", args=[SLUG]),
        reverse("events:history", args=[SLUG]),
        reverse("events:revision", args=[SLUG, revision_id]),
        reverse("events:compare", args=[SLUG, revision_id]),
        reverse("events:feed", args=[SLUG]),
        reverse("events:events_json", args=[SLUG]),
        reverse("events:events_csv", args=[SLUG]),
    ]


LISTING_ROUTES = [
    reverse("events:crisis_list"),
    reverse("events:site_feed"),
    reverse("actors:detail", args=["ukraine"]),
    reverse("sources:detail", args=["eurointegration-2025-07-01"]),
]


@pytest.fixture
def as_persona(request, django_user_model):
    from tests.conftest import staff_user

    client = Client()
    users = {
        "outsider": lambda: staff_user(django_user_model, "outsider"),
        "editor": lambda: staff_user(django_user_model, "editor", group="Editors"),
        "publisher": lambda: staff_user(django_user_model, "publisher", group="Publishers"),
    }
    if request.param in users:
        client.force_login(users[request.param]())
    return request.param, client


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("as_persona", PERSONAS, indirect=True)
def test_readers_never_see_unpublished_content_and_get_404(seed, state, as_persona):
    persona, client = as_persona
    revision_id = Revision.objects.earliest("created_at").pk
    routes = crisis_routes(revision_id)
    if state == "deleted":
        seed.delete()
    elif state != "published":
        Crisis.objects.filter(pk=seed.pk).update(state=state)
    staff = persona in ("editor", "publisher")
    for url in routes:
        status = client.get(url).status_code
        if state == "published":
            assert status == 200, (url, persona)
        elif state == "deleted" or not staff:
            assert status == 404, (url, persona, state)
    for url in LISTING_ROUTES:
        response = client.get(url)
        assert response.status_code == 200
        shown = seed.title in response.content.decode()
        if state == "published":
            assert shown, url
        elif not staff or state == "deleted" or url.endswith("/feed/"):
            assert not shown, (url, persona, state)


@pytest.mark.parametrize("as_persona", ["anonymous", "outsider"], indirect=True)
def test_staff_without_rights_are_readers(seed, as_persona):
    _persona, client = as_persona
    Crisis.objects.update(state="draft")
    assert client.get(reverse("events:crisis", args=[SLUG])).status_code == 404
    assert client.get(reverse("admin:events_crisis_changelist")).status_code in (302, 403)


def test_actor_and_source_pages_do_not_exist_for_unknown_slugs(seed, client):
    assert client.get(reverse("actors:detail", args=["nobody"])).status_code == 404
    assert client.get(reverse("sources:detail", args=["nothing"])).status_code == 404
    assert Actor.objects.exists() and Source.objects.exists()
