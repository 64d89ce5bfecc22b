"""A cached reader page answered early is the page the full middleware stack answers."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

SLUG = "azerbaijan-russia-2025"
EARLY = "events.early_answer.EarlyAnswerMiddleware"
PAGES = [
    reverse("events:crisis", args=[SLUG]),
    reverse("events:timeline", args=[SLUG]),
    reverse("events:history", args=[SLUG]),
    "/en" + reverse("events:crisis", args=[SLUG]),
    "/en" + reverse("events:timeline", args=[SLUG]),
]


@pytest.fixture
def full_stack(settings):
    configured = list(settings.MIDDLEWARE)

    def use(early: bool) -> Client:
        """A client whose handler loads the middleware as configured now."""
        settings.MIDDLEWARE = [m for m in configured if early or m != EARLY]
        return Client()

    return use


def answered_early(response) -> bool:
    """The authentication middleware, which comes later, gives every request it sees a user."""
    return not hasattr(response.wsgi_request, "user")


@pytest.mark.parametrize("url", PAGES)
def test_the_early_answer_is_the_full_stacks_answer(seed, full_stack, url):
    client = full_stack(early=False)
    client.get(url)  # built and cached
    full = client.get(url)
    assert not answered_early(full)
    client = full_stack(early=True)
    early = client.get(url)
    assert answered_early(early)
    assert early.content == full.content
    assert dict(early.headers) == dict(full.headers)
    head = client.head(url)
    assert answered_early(head) and head["Content-Length"] == full["Content-Length"]
    again = client.get(url, HTTP_IF_NONE_MATCH=early["ETag"])
    assert again.status_code == 304 and answered_early(again)


def test_what_the_early_answer_leaves_to_the_full_stack(seed, editor, full_stack):
    client = full_stack(early=True)
    article = reverse("events:crisis", args=[SLUG])
    assert not answered_early(client.get(reverse("events:crisis", args=["nowhere"])))
    assert client.get(article, HTTP_HOST="evil.example").status_code == 400
    assert not answered_early(client.get(reverse("events:feed", args=[SLUG])))
    client.force_login(editor)  # a session: staff may see drafts, so the full stack decides
    response = client.get(article)
    assert not answered_early(response) and "no-store" in response["Cache-Control"]


def test_a_failing_early_answer_falls_back_to_the_full_stack(seed, full_stack, monkeypatch):
    from events import rendering

    client = full_stack(early=True)
    calls = []

    def broken(slug):
        calls.append(slug)
        if len(calls) == 1:
            raise RuntimeError("cache backend hiccup")
        return original(slug)

    original = rendering.build_article
    monkeypatch.setattr(rendering, "build_article", broken)
    response = client.get(reverse("events:crisis", args=[SLUG]))
    assert response.status_code == 200 and not answered_early(response) and len(calls) == 2
