import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import serializers
from django.core.cache import cache

from crisis_tracker.history import revision

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "azerbaijan-russia-2025.json"
SEED_ARTICLE = ROOT / "tests" / "data" / "seed-article.txt"


@pytest.fixture(scope="session", autouse=True)
def admin_discovered():
    """The URLconf loaded, and with it the admin's modules (``desk.admin_config``), as a
    serving process has them before its first request; tests may read the admin's registry."""
    from crisis_tracker import preload

    preload.urls()


@pytest.fixture(autouse=True)
def empty_cache():
    from events import page_cache as pages

    cache.clear()
    pages._held.clear()
    yield
    cache.clear()
    pages._held.clear()


def load_seed():
    """The seed crisis, saved object by object in one revision through Django's own fixture
    reader, so tests of pages and history do not depend on ``import_fixtures`` (whose own tests
    import the seed with it)."""
    from events.models import Crisis

    text = SEED.read_text(encoding="utf-8")
    with revision(summary=f"Imported from {SEED.name}"):
        for item in serializers.deserialize("json", text):
            item.object.save()
    return Crisis.objects.get(slug="azerbaijan-russia-2025")


@pytest.fixture(autouse=True)
def import_root(settings, tmp_path):
    """Each test keeps its uploads in a folder of its own (what one leaves, another never counts)."""
    from django.utils.functional import empty

    from interchange import import_jobs

    settings.IMPORT_ROOT = tmp_path / "imports"
    import_jobs.storage._wrapped = empty  # built again for this folder
    yield settings.IMPORT_ROOT
    import_jobs.storage._wrapped = empty


@pytest.fixture
def shared_cache(settings, worker_id):
    """The page cache production uses (Redis), in a Redis database of this test worker's own,
    so pages one audience caches are the pages the next audience is served."""
    from events import page_cache as pages

    number = 3 + (int(worker_id[2:]) + 1 if worker_id.startswith("gw") else 0)
    settings.CACHES = {
        "default": {
            "BACKEND": "crisis_tracker.cache.SharedRedisCache",
            "LOCATION": f"redis://127.0.0.1:6379/{number}",
            "KEY_PREFIX": "crisis-tracker-tests",
        }
    }
    cache.clear()
    pages._held.clear()
    yield cache
    cache.clear()
    pages._held.clear()


@pytest.fixture
def seed(db):
    return load_seed()


@pytest.fixture
def tiny_crisis(db):
    """A published crisis with one of everything: two sources, an actor taking part (its note
    cited), one section, a published event and a draft one."""
    from actors.models import Actor, Participation
    from events.models import Crisis, Event, EventActor, Section
    from sources.models import Source

    with revision(summary="Tiny crisis"):
        Source.objects.create(key="wire-1", title="Wire report one", work="Wire")
        Source.objects.create(key="wire-2", title="Wire report two", work="Wire")
        crisis = Crisis.objects.create(
            slug="tiny",
            title="Tiny crisis",
            lead="It began[@wire-1].",
            start_date=datetime.date(2025, 6, 1),
            start_precision="month",
            state="published",
        )
        actor = Actor.objects.create(slug="land", name="Land", kind="state")
        Participation.objects.create(
            crisis=crisis, actor=actor, role="party", note="A party[@wire-2]."
        )
        Section.objects.create(
            crisis=crisis, key="background", heading="Background", order=1, body="Old[@wire-1]."
        )
        shown = Event.objects.create(
            crisis=crisis,
            slug="talks",
            title="Talks held",
            summary="They talked[@wire-2].",
            date=datetime.date(2025, 6, 2),
            kind="meeting",
            state="published",
        )
        EventActor.objects.create(event=shown, actor=actor, role="participant")
        Event.objects.create(
            crisis=crisis,
            slug="rumour",
            title="Unconfirmed rumour",
            summary="Unchecked.",
            date=datetime.date(2025, 6, 3),
            state="draft",
        )
    return crisis


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")


def staff_user(django_user_model, username: str, group: str | None = None, perms=()):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    if group:
        from events.roles import ensure_roles

        ensure_roles(Group, Permission)  # a flushed (transactional) database lost them
        user.groups.add(Group.objects.get(name=group))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def outsider(django_user_model):
    """A staff account with no rights at all."""
    return staff_user(django_user_model, "outsider")


PERSONAS = ("anonymous", "outsider", "editor", "publisher")


@pytest.fixture
def as_persona(request, client, editor, publisher, outsider):
    """(name, client) of the persona a test names by indirect parametrisation: anonymous, an
    outsider (staff, no rights), an editor or a publisher, signed in on the test's client."""
    user = {"anonymous": None, "outsider": outsider, "editor": editor, "publisher": publisher}
    if user[request.param] is not None:
        client.force_login(user[request.param])
    return request.param, client


def form_data(client, url: str, form_id: str | None = None) -> dict:
    """The fields of an admin form as the browser would post them, read from its page."""
    from bs4 import BeautifulSoup

    response = client.get(url)
    assert response.status_code == 200, response.status_code
    soup = BeautifulSoup(response.content, "html.parser")
    form = soup.find("form", id=form_id) if form_id else soup.select_one("#content-main form")
    data = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name = field["name"]
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]")
            data[name] = chosen["value"] if chosen else ""
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "button", "file", "search"):
            data[name] = field.get("value", "")
    return data


@pytest.fixture
def editor(django_user_model):
    return staff_user(django_user_model, "editor", group="Editors")


@pytest.fixture
def publisher(django_user_model):
    return staff_user(django_user_model, "publisher", group="Publishers")


@pytest.fixture
def english(client):
    """The interface switched to English, as the language switcher leaves it."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def no_packet_leaves_the_machine(monkeypatch):
    """Whatever a test saves (a source with an address, say), the code that fetches URLs
    resolves nothing but the loopback names: no test sends a packet to another address."""
    import socket

    from sources import fetching

    real = socket.getaddrinfo

    def loopback_only(host, port, *args, **kwargs):
        if host in ("127.0.0.1", "localhost", "::1"):
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"{host}: tests resolve loopback names only")

    monkeypatch.setattr(fetching, "resolver", loopback_only)


@pytest.fixture(autouse=True)
def no_capture_on_save(settings):
    """Saving a source does not capture it unless a test asks; link checks do not wait."""
    settings.SOURCE_CAPTURE_ON_SAVE = False
    settings.LINK_CHECK_DELAY = 0
    settings.CAPTURE_CHROMIUM = ""  # screenshots only where a test asks for them


@pytest.fixture
def local_web(settings):
    """A web server on 127.0.0.1, and fetching allowed to reach it (debug and loopback)."""
    from tests.support.local_web import LocalWeb

    settings.DEBUG = True
    settings.FETCH_ALLOW_LOOPBACK = True
    web = LocalWeb().start()
    yield web
    web.stop()
