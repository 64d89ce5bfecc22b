"""The source form: fill from a URL, cite a URL from the citation helper, capture now, and the
desk's lists of dead, changed and never-captured links."""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from desk import panels
from sources.captures import capture
from sources.models import Capture, LinkHealth, Source
from tests.support.local_web import Answer

pytestmark = pytest.mark.django_db

PAGE = """<html lang="en"><head><title>Baku recalls envoy | Wire</title>
<meta property="og:title" content="Baku recalls envoy">
<meta property="og:site_name" content="Wire">
<meta property="article:published_time" content="2025-07-02T09:00:00Z">
</head><body><article><p>Azerbaijan recalled its ambassador for consultations on Wednesday,
the foreign ministry in Baku said, after the deaths of two brothers in police custody.</p>
</article></body></html>"""


@pytest.fixture
def page(local_web):
    local_web.routes["/envoy"] = Answer(200, PAGE.encode(), {"Content-Type": "text/html"})
    return local_web.url("/envoy")


def test_fill_from_url_answers_the_proposal(client, publisher, page):
    client.force_login(publisher)
    url = reverse("admin:sources_source_fill")
    assert client.get(url).status_code == 405
    answer = client.post(url, {"url": page})
    data = json.loads(answer.content)
    assert data["source"]["title"] == "Baku recalls envoy"
    assert data["from"]["title"] == "og:title"
    assert data["source"]["published"] == "2025-07-02"
    refused = client.post(url, {"url": "http://169.254.169.254/latest/meta-data/"})
    assert refused.status_code == 400
    assert "link-local" in json.loads(refused.content)["error"]


def test_only_those_who_may_add_or_change_sources_may_fetch(client, django_user_model, page):
    reader = django_user_model.objects.create_user("reader", password="pw", is_staff=True)
    client.force_login(reader)
    assert client.post(reverse("admin:sources_source_fill"), {"url": page}).status_code == 403
    assert client.post(reverse("admin:sources_source_cite_url"), {"url": page}).status_code == 403


def test_the_source_form_offers_fill_from_url(client, publisher):
    client.force_login(publisher)
    form = BeautifulSoup(client.get("/admin/sources/source/add/").content, "html.parser")
    box = form.select_one(".fill-from-url")
    assert box["data-fill-url"] == reverse("admin:sources_source_fill")
    assert box.select_one("input#id_url") and box.select_one("button.fill-from-url-button")


def test_a_url_pasted_in_the_citation_helper_becomes_a_source(client, publisher, page):
    client.force_login(publisher)
    url = reverse("admin:sources_source_cite_url")
    data = json.loads(client.post(url, {"url": page}).content)
    assert data == {"key": "127-0-0-1-2025-07-02", "title": "Baku recalls envoy", "created": True}
    source = Source.objects.get(key=data["key"])
    assert (source.work, source.url) == ("Wire", page)
    assert source.history.get().history_change_reason == f"Cited from {page}"
    again = json.loads(client.post(url, {"url": page}).content)
    assert again == {**data, "created": False}  # the same address: the same source


def test_capture_now_from_the_source_form(client, publisher, page):
    source = Source.objects.create(key="wire-envoy", title="Baku recalls envoy", url=page)
    client.force_login(publisher)
    change = reverse("admin:sources_source_change", args=[source.pk])
    response = client.post(reverse("admin:sources_source_capture", args=[source.pk]))
    assert response["Location"] == change
    made = Capture.objects.get(source=source)
    panel = BeautifulSoup(client.get(change).content, "html.parser").select_one(".source-copies")
    assert panel.select_one(f'a[href="{made.get_absolute_url()}"]')
    assert panel.select_one("button[formaction]")["formaction"].endswith(f"/{source.pk}/capture/")


def test_the_desk_lists_dead_changed_and_never_captured_links(seed, page):
    cited = list(Source.objects.order_by("key")[:3])
    for source in cited:
        Source.objects.filter(pk=source.pk).update(url=page)
        source.refresh_from_db()
    made = capture(cited[0])
    LinkHealth.objects.filter(source=cited[0]).update(state="dead", checked_at=timezone.now())
    LinkHealth.objects.create(source=cited[1], state="live", changed=True, capture=made)
    facts = panels.Facts()
    assert [s.key for s in panels.dead_links(facts)] == [cited[0].key]
    assert [s.key for s in panels.changed_links(facts)] == [cited[1].key]
    assert {s.key for s in panels.never_captured(facts)} == {cited[1].key, cited[2].key}
    # Most candidates match: the database is sent the few that do not, not every match.
    uncaptured = Source.objects.filter(captures=None).exclude(url="")
    Source.objects.exclude(pk=cited[0].pk).update(url=page)
    matching = {key for key in uncaptured.values_list("key", flat=True) if key in facts.cited}
    found = panels.never_captured(facts)
    assert {s.key for s in found} == matching and len(matching) > 10
    _sql, params = found.query.sql_with_params()
    assert len(params) < len(matching) / 2
    assert {"dead-links", "changed-links", "never-captured"} <= set(panels.CHECKS_BY_SLUG)
