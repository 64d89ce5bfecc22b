"""Reader pages through a real Varnish (deploy/varnish/default.vcl) in front of the live server:
purged on commit, never showing drafts, never caching an editor's view.

Skipped, with the reason, where Varnish and varnish-modules are not installed.
"""

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from crisis_tracker.history import revision
from events.models import Crisis, Event
from sources.models import Source
from tests.http.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def varnish(live_server, tmp_path, settings):
    if not Path(VARNISHD).exists():
        pytest.skip("Varnish is not installed (apt-get install varnish varnish-modules)")
    backend_port = live_server.url.rsplit(":", 1)[1]
    vcl = tmp_path / "test.vcl"
    vcl.write_text(VCL.read_text().replace('"8001"', f'"{backend_port}"'))
    port = free_port()
    process = subprocess.Popen(
        [VARNISHD, "-F", "-j", "none", "-n", str(tmp_path / "work"), "-a", f"127.0.0.1:{port}",
         "-f", str(vcl), "-s", "malloc,64m"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(100):
        if process.poll() is not None:
            pytest.fail("varnishd did not start: " + process.stderr.read().decode()[-2000:])
        try:
            with urllib.request.urlopen(url + "/healthz/", timeout=1):
                break
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.1)
    settings.CACHE_PURGE_URLS = [url + "/"]
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    yield url
    process.terminate()
    process.wait(timeout=10)


def fetch(url: str, headers=None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def cached(varnish: str, path: str) -> str:
    """Read a page twice, so the second answer comes from the cache."""
    fetch(varnish + path)
    status, headers, body = fetch(varnish + path)
    assert (status, headers.get("X-Cache")) == (200, "HIT"), path
    return body


ARTICLE = reverse("events:crisis", args=["tiny"])
TIMELINE = reverse("events:timeline", args=["tiny"])


def test_a_published_edit_shows_on_the_first_request_after_the_save(varnish, tiny_crisis):
    assert "It began" in cached(varnish, ARTICLE)
    tiny_crisis.lead = "It began in June[@wire-1]."
    with revision(summary="Month"):
        tiny_crisis.save()
    status, headers, body = fetch(varnish + ARTICLE)
    assert status == 200 and "It began in June" in body
    assert headers["X-Cache"] == "MISS"


def test_a_draft_edit_never_shows(varnish, tiny_crisis):
    cached(varnish, TIMELINE)
    rumour = Event.objects.get(slug="rumour")
    rumour.title = "Draft words"
    with revision(summary="Draft"):
        rumour.save()
    assert "Draft words" not in fetch(varnish + TIMELINE)[2]


def test_unpublishing_removes_the_page(varnish, tiny_crisis):
    cached(varnish, ARTICLE)
    tiny_crisis.state = Crisis.State.DRAFT
    with revision(summary="Withdrawn"):
        tiny_crisis.save()
    assert fetch(varnish + ARTICLE)[0] == 404


def test_a_source_edit_purges_every_page_that_cites_it(varnish, tiny_crisis):
    pages = [ARTICLE, TIMELINE, reverse("sources:detail", args=["wire-2"])]
    for path in pages:
        assert "Wire report two" in cached(varnish, path)
    source = Source.objects.get(key="wire-2")
    source.title = "Wire dispatch two"
    with revision(summary="Title as published"):
        source.save()
    for path in pages:
        assert "Wire dispatch two" in fetch(varnish + path)[2], path


def test_readers_get_no_cookie_and_304s_through_the_cache(varnish, tiny_crisis):
    cached(varnish, ARTICLE)
    status, headers, _body = fetch(varnish + ARTICLE, {"Cookie": "_ga=GA1.2.3"})
    assert headers.get("X-Cache") == "HIT" and "Set-Cookie" not in headers
    assert "xkey" not in {name.lower() for name in headers}
    status, _headers, body = fetch(varnish + ARTICLE, {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == ""
    tracked = fetch(varnish + ARTICLE + "?utm_source=newsletter")[1]
    assert tracked.get("X-Cache") == "HIT"


def test_an_editor_is_never_served_from_the_cache_and_never_fills_it(varnish, tiny_crisis, editor):
    client = Client()
    client.force_login(editor)
    session = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    status, headers, body = fetch(varnish + TIMELINE, session)
    assert "Unconfirmed rumour" in body  # the editor's preview shows the draft
    assert headers.get("X-Cache") == "MISS" and "private" in headers["Cache-Control"]
    status, headers, body = fetch(varnish + TIMELINE)
    assert "Unconfirmed rumour" not in body
    assert "Unconfirmed rumour" not in fetch(varnish + TIMELINE)[2]


@pytest.fixture
def database_through_a_proxy(live_server):
    """The live server's database connections go through a proxy this test owns (PostgreSQL
    only: SQLite has no server to cut off). The machine's PostgreSQL is never stopped."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no database server to cut off; this runs on PostgreSQL")
    conf = connections.settings["default"]
    proxy = TcpProxy(conf["HOST"] or "127.0.0.1", int(conf["PORT"] or 5432))
    before = conf["HOST"], conf["PORT"]
    conf["HOST"], conf["PORT"] = "127.0.0.1", str(proxy.port)
    with connection.cursor() as cursor:  # the live server reconnects, through the proxy
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    for _attempt in range(20):
        if fetch(live_server.url + "/healthz/")[0] == 200:
            break
        time.sleep(0.1)
    yield proxy
    proxy.restore()
    conf["HOST"], conf["PORT"] = before
    proxy.close()


def test_with_the_database_gone_cached_pages_are_still_served(
    varnish, live_server, tiny_crisis, editor, database_through_a_proxy
):
    client = Client()
    client.force_login(editor)
    session = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    body = cached(varnish, ARTICLE)
    database_through_a_proxy.cut()
    # A change just before the outage: the page is no longer fresh, only in grace.
    urllib.request.urlopen(
        urllib.request.Request(
            varnish + "/", method="PURGE", headers={"xkey-purge": f"crisis-{tiny_crisis.pk}"}
        ),
        timeout=5,
    )
    for _request in range(5):
        status, headers, stale = fetch(varnish + ARTICLE)
        assert (status, stale) == (200, body)
    # The admin (never cached) says what is wrong instead of showing a trace.
    status, headers, page = fetch(live_server.url + "/admin/", session)
    assert (status, headers.get("Retry-After")) == (503, "30")
    assert "暂时无法连接数据库" in page
    database_through_a_proxy.restore()
