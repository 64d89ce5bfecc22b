"""The external archive's client, against a local server speaking Save Page Now's API."""

import json
import urllib.parse

import pytest

from sources import external_archive
from sources.captures import capture_later
from sources.external_archive import ArchiveFailed, archive
from sources.models import Source
from tests.support.local_web import Answer

pytestmark = pytest.mark.django_db

PAGE = (
    b"<html><head><title>Statement</title></head><body><p>Text of the statement.</p></body></html>"
)


def as_json(data) -> Answer:
    return Answer(200, json.dumps(data).encode(), {"Content-Type": "application/json"})


@pytest.fixture
def spn(local_web, settings):
    """The archive and the cited page on the same local server."""
    settings.EXTERNAL_ARCHIVE_URL = local_web.url("")
    settings.EXTERNAL_ARCHIVE_KEYS = "access:secret"
    polls = iter([{"status": "pending"}, {"status": "success", "timestamp": "20250703101500",
                                          "original_url": local_web.url("/statement")}])  # fmt: skip
    local_web.routes["/save"] = as_json({"url": local_web.url("/statement"), "job_id": "spn2-1"})
    local_web.routes["/save/status/spn2-1"] = lambda request: as_json(next(polls))
    local_web.routes["/statement"] = Answer(200, PAGE, {"Content-Type": "text/html"})
    return local_web


def test_save_page_now_fills_the_archive_url(spn):
    source = Source.objects.create(key="wire-1", title="Statement", url=spn.url("/statement"))
    address = archive(source, poll_every=0)
    assert address == f"{spn.url('')}/web/20250703101500/{spn.url('/statement')}"
    source.refresh_from_db()
    assert source.archive_url == address
    assert source.history.first().history_change_reason == "Archive URL from the external archive"
    asked = spn.requests[0]
    assert (asked.method, asked.path) == ("POST", "/save")
    assert urllib.parse.parse_qs(asked.body.decode()) == {"url": [spn.url("/statement")]}
    assert asked.headers["Authorization"] == "LOW access:secret"


def test_an_archive_error_is_said(spn):
    spn.routes["/save/status/spn2-1"] = as_json({"status": "error", "message": "blocked by robots"})
    source = Source.objects.create(key="wire-2", title="Statement", url=spn.url("/statement"))
    with pytest.raises(ArchiveFailed, match="blocked by robots"):
        archive(source, poll_every=0)
    spn.routes["/save"] = Answer(503, b"busy")
    with pytest.raises(ArchiveFailed, match="503"):
        archive(source, poll_every=0)


def test_a_capture_asks_the_external_archive_when_it_is_set(spn, monkeypatch):
    monkeypatch.setattr(external_archive, "POLL_EVERY", 0)
    source = Source.objects.create(key="wire-3", title="Statement", url=spn.url("/statement"))
    capture_later.call(source.pk)
    source.refresh_from_db()
    assert source.captures.count() == 1 and source.archive_url.endswith(spn.url("/statement"))


def test_it_is_off_by_default(settings):
    settings.EXTERNAL_ARCHIVE_URL = ""
    assert not external_archive.enabled()
