"""Captures of cited pages and the health of their links, against servers on 127.0.0.1."""

import datetime
import io
import socket
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator

from sources import fetching, link_health
from sources.captures import CaptureFailed, capture
from sources.link_health import check, check_many, state_after
from sources.models import Capture, LinkCheck, LinkHealth, Source
from tests.support.local_web import Answer, LocalWeb

pytestmark = pytest.mark.django_db

ARTICLE = """<html lang="en"><head><title>Moscow summons envoy</title></head><body>
<nav>Home | World</nav><article><h1>Moscow summons envoy</h1>
<p>Russia's foreign ministry summoned Azerbaijan's ambassador on Monday after the detention of
Russian citizens in Yekaterinburg and Baku, the ministry said in a statement.</p>
<p>The ambassador was handed a note of protest, according to the statement published on the
ministry's website.</p></article><footer>© Wire</footer></body></html>"""

NOT_FOUND_PAGE = """<html><head><title>Wire</title></head><body><p>Sorry, we could not find
that page. Try the search.</p></body></html>"""


def cited(local_web, path="/article", body=ARTICLE, key="wire-2025-07-01") -> Source:
    local_web.routes[path] = Answer(200, body.encode(), {"Content-Type": "text/html"})
    return Source.objects.create(key=key, title="Moscow summons envoy", url=local_web.url(path))


def test_a_capture_keeps_the_exchange_the_text_and_its_hash(local_web):
    local_web.routes["/old"] = Answer(301, b"", {"Location": "/article"})
    source = cited(local_web)
    source.url = local_web.url("/old")
    made = capture(source)
    assert (made.final_url, made.status, made.content_type) == (
        local_web.url("/article"), 200, "text/html")  # fmt: skip
    assert "summoned Azerbaijan's ambassador" in made.text and "Home | World" not in made.text
    assert len(made.text_sha256) == 64 and made.body_size == len(ARTICLE.encode())
    kinds, payloads = [], []
    for record in ArchiveIterator(io.BytesIO(made.warc.read())):
        kinds.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI")))
        payloads.append(record.content_stream().read())
    assert kinds == [("warcinfo", None),
                     ("request", local_web.url("/old")), ("response", local_web.url("/old")),
                     ("request", local_web.url("/article")),
                     ("response", local_web.url("/article"))]  # fmt: skip
    assert payloads[-1] == ARTICLE.encode()
    assert made.warc_size == made.warc.size
    assert LinkHealth.objects.get(source=source).capture == made


def test_a_capture_is_never_changed(local_web):
    made = capture(cited(local_web))
    made.text = "rewritten"
    with pytest.raises(ValueError, match="evidence"):
        made.save()


def test_what_cannot_be_captured_says_why_and_keeps_nothing(local_web):
    source = cited(local_web)
    local_web.routes["/article"] = Answer(404, b"gone")
    with pytest.raises(CaptureFailed, match="404"):
        capture(source)
    source.url = "http://10.0.0.8/internal"
    with pytest.raises(CaptureFailed, match="private address"):
        capture(source)
    assert not Capture.objects.exists()


def test_a_source_saved_with_an_address_is_captured_once_it_commits(
    local_web, settings, django_capture_on_commit_callbacks
):
    settings.SOURCE_CAPTURE_ON_SAVE = True
    with django_capture_on_commit_callbacks(execute=True):
        source = cited(local_web)
    assert source.captures.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        source.title = "Moscow summons Azerbaijan's envoy"
        source.save()  # the same address: no second copy
    assert source.captures.count() == 1


def test_the_capture_command(local_web):
    cited(local_web)
    out = io.StringIO()
    call_command("capture", "wire-2025-07-01", stdout=out)
    assert out.getvalue().startswith(f"Captured {local_web.url('/article')} (200, text/html")
    with pytest.raises(CommandError, match="no source has the key 'nope'"):
        call_command("capture", "nope")


START = timezone.now()


def at(days: float) -> datetime.datetime:
    return START + datetime.timedelta(days=days)


def test_a_link_is_dead_only_after_three_failures_three_days_apart(local_web):
    source = cited(local_web)
    assert check(source, now=at(0)).outcome == "ok"
    local_web.stop()  # the site goes away
    states = []
    for day in (1, 2, 4, 5, 7.5):
        check(source, now=at(day))
        states.append(LinkHealth.objects.get(source=source).state)
    # failures on days 1, 4 and 7.5 count (3 days apart); day 2 and 5 are too close
    assert states == ["failing", "failing", "failing", "failing", "dead"]
    assert LinkCheck.objects.filter(outcome="failed").count() == 5


def test_a_success_resets_the_count(local_web):
    source = cited(local_web)
    local_web.routes["/article"] = Answer(404, b"gone")
    for day in (0, 3, 6):
        check(source, now=at(day))
    assert LinkHealth.objects.get(source=source).state == "dead"
    local_web.routes["/article"] = Answer(200, ARTICLE.encode())
    check(source, now=at(7))
    assert LinkHealth.objects.get(source=source).state == "live"


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (Answer(403, b"Forbidden"), "blocked"),
        (Answer(429, b"Slow down"), "blocked"),
        (Answer(503, b"<form>captcha</form>"), "blocked"),
        (Answer(410, b"Gone"), "failed"),
        (Answer(500, b"Oops"), "failed"),
        (Answer(302, b"", {"Location": "/"}), "failed"),  # to the front page
        (Answer(302, b"", {"Location": "/moved"}), "redirected"),
    ],
)
def test_each_answer_is_judged(local_web, answer, outcome):
    source = cited(local_web)
    local_web.routes["/"] = Answer(200, b"<title>Front</title>")
    local_web.routes["/moved"] = Answer(200, ARTICLE.encode())
    local_web.routes["/article"] = answer
    made = check(source)
    assert made.outcome == outcome
    if outcome == "blocked":
        assert LinkHealth.objects.get(source=source).state == "blocked"  # not failing


def test_a_page_that_answers_like_the_sites_not_found_page_is_a_soft_404(local_web):
    local_web.fallback = Answer(200, NOT_FOUND_PAGE.encode())  # every address answers
    source = cited(local_web, body=NOT_FOUND_PAGE)
    real = cited(local_web, path="/real", key="wire-real")
    probe = link_health.SoftNotFoundProbe()
    assert check(source, probe=probe).outcome == "soft-404"
    assert check(real, probe=probe).outcome == "ok"  # a real article differs from it
    made_up = [r.path for r in local_web.requests if r.path not in ("/article", "/real")]
    assert len(made_up) == 1  # the host was asked once


def test_a_changed_text_marks_the_link_changed(local_web):
    source = cited(local_web)
    capture(source)
    check(source)
    assert LinkHealth.objects.get(source=source).changed is False
    rewritten = ARTICLE.replace("on Monday", "on Tuesday, then withdrew the note")
    local_web.routes["/article"] = Answer(200, rewritten.encode())
    check(source)
    assert LinkHealth.objects.get(source=source).changed is True


def test_the_state_rule_on_its_own():
    def checks(*pairs):
        return [LinkCheck(outcome=o, checked_at=at(d)) for d, o in reversed(pairs)]

    assert state_after([]) == "unchecked"
    assert state_after(checks((0, "failed"), (3, "failed"), (5.9, "failed"))) == "failing"
    assert state_after(checks((0, "failed"), (3, "soft-404"), (6, "failed"))) == "dead"
    assert state_after(checks((0, "failed"), (3, "blocked"), (6, "failed"))) == "failing"
    assert state_after(checks((0, "failed"), (3, "failed"), (4, "ok"), (6, "failed"))) == "failing"


def test_checks_arriving_together_are_recorded_in_a_fixed_number_of_queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def sources(prefix, n):
        return [Source.objects.create(key=f"{prefix}-{i}", title="T", url=f"http://x.test/{i}")
                for i in range(n)]  # fmt: skip

    def record_days(batch, outcomes):
        queries = []
        for day, outcome in outcomes:
            found = [(source, link_health.Judged(outcome)) for source in batch]
            with CaptureQueriesContext(connection) as seen:
                link_health.record_many(found, now=at(day))
            queries.append(len(seen))
        return queries

    failing = [(0, "failed"), (3, "failed"), (6, "failed")]
    assert record_days(sources("few", 2), failing) == record_days(sources("many", 7), failing)
    assert set(LinkHealth.objects.values_list("state", flat=True)) == {"dead"}
    back = sources("back", 3)
    record_days(back, failing[:2] + [(4, "ok"), (7, "failed")])
    assert {h.state for h in LinkHealth.objects.filter(source__in=back)} == {"failing"}
    assert LinkCheck.objects.filter(source=back[0]).count() == 4


def test_the_check_links_command_checks_what_is_due(local_web):
    cited(local_web)
    Source.objects.create(key="no-address", title="A book")
    out = io.StringIO()
    call_command("check_links", stdout=out)
    assert out.getvalue().startswith("Checked 1 addresses in ") and "1 ok" in out.getvalue()
    call_command("check_links", stdout=out)  # checked a moment ago: nothing due
    assert "Checked 0 addresses" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_many_hosts_are_checked_at_once_and_one_host_one_request_at_a_time(settings, monkeypatch):
    settings.DEBUG, settings.FETCH_ALLOW_LOOPBACK, settings.LINK_CHECK_DELAY = True, True, 0.05
    real = socket.getaddrinfo
    monkeypatch.setattr(  # three host names, all served on 127.0.0.1
        fetching, "resolver",
        lambda host, port, *rest, **kw: real("127.0.0.1", port, *rest, **kw))  # fmt: skip
    webs = [LocalWeb().start() for _ in range(3)]
    try:
        slow = {0: 0.1, 1: 0.1, 2: 0.0}  # seconds each host takes to answer
        for n, web in enumerate(webs):
            for page in range(4):
                web.routes[f"/p{page}"] = Answer(200, ARTICLE.encode(), delay=slow[n])
                Source.objects.create(key=f"h{n}-p{page}", title="t",
                                      url=f"http://host{n}.test:{web.port}/p{page}")  # fmt: skip
        counts = check_many(Source.objects.all(), hosts=3)
        assert counts == {"ok": 12}
        asked = [[r for r in web.requests if r.path.startswith("/p")] for web in webs]
        for n, requests in enumerate(asked):
            assert sorted(r.path for r in requests) == ["/p0", "/p1", "/p2", "/p3"]
            gaps = [b.at - a.at for a, b in zip(requests, requests[1:], strict=False)]
            # one at a time (a slow host's next request waits for its answer), and requests
            # to a host start the delay apart: measured at the server, where arrivals jitter by
            # the connection's set-up (the first request's alone took 6 ms on a busy machine),
            # so on average, and none much closer
            assert sum(gaps) >= 3 * max(slow[n], 0.05) - 0.015
            assert min(gaps) >= max(slow[n], 0.05) / 2
        # the hosts were checked side by side: each began before any other had finished
        assert max(r[0].at for r in asked) < min(r[-1].at for r in asked)
    finally:
        for web in webs:
            web.stop()


def test_check_links_captures_a_live_page_again_when_it_changed(local_web):
    source = cited(local_web)
    first = capture(source)
    rewritten = ARTICLE.replace("on Monday", "on Tuesday, then withdrew the note")
    local_web.routes["/article"] = Answer(200, rewritten.encode())
    out = io.StringIO()
    call_command("check_links", stdout=out)
    assert "Captured again: 1" in out.getvalue()
    latest = LinkHealth.objects.get(source=source)
    assert latest.capture != first and latest.changed is False
    assert "withdrew the note" in latest.capture.text
    call_command("check_links", "--days", "0", stdout=out)  # unchanged now: no new copy
    assert source.captures.count() == 2


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Chromium")
def test_a_screenshot_is_drawn_without_scripts_or_network(local_web, settings, client, editor):
    settings.CAPTURE_CHROMIUM = "/usr/bin/chromium"
    pixel = local_web.url("/pixel.png")
    page = ARTICLE.replace("<h1>", f'<img src="{pixel}"><script>fetch("{pixel}?js")</script><h1>')
    source = cited(local_web, body=page)
    made = capture(source)
    assert made.screenshot.read()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [r.path for r in local_web.requests] == ["/article"]  # nothing else was fetched
    client.force_login(editor)
    shown = client.get(made.get_absolute_url().rstrip("/") + ".png")
    assert (shown.status_code, shown["Content-Type"]) == (200, "image/png")
