"""Whether a cited address still leads to its page, judged as InternetArchiveBot judges it.

Each check records an outcome: ok; redirected; blocked (401, 403, 429 and the like: a site
refusing robots, not a dead page); not found though it answers as a page (a random address on
the same host answers the same way: a "soft 404"); or failed (404 or 410, any other error
status, a name that does not resolve, a TLS error, a timeout, a redirect to the site's front
page). A link is **dead** only after ``FAILURES_FOR_DEAD`` failures at least ``DAYS_APART`` days
apart with no success in between; before that it is failing. A page whose main text no longer
matches its latest capture is marked changed (and captured again).

The checks are polite: one request at a time per host, ``LINK_CHECK_DELAY`` seconds between two
requests to the same host, a user agent naming the site, and the time and size caps of
``sources.fetching``.
"""

from __future__ import annotations

import datetime
import queue
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from . import captures
from .fetching import Fetched, FetchFailed, FetchRefused, fetch
from .metadata import Page, text_of
from .models import LinkCheck, LinkHealth, Source

Outcome = LinkCheck.Outcome
State = LinkHealth.State
FAILURES_FOR_DEAD = 3
DAYS_APART = 3
BLOCKING = {401, 402, 403, 407, 429, 451}
FAILING = {Outcome.FAILED, Outcome.SOFT_404}
SUCCEEDING = {Outcome.OK, Outcome.REDIRECTED}
RECORDED_TOGETHER = 200  # checks written in one transaction when they arrive together
RECENT_CHECKS = 50  # enough for the dead-link rule, however a link's checks went


@dataclass
class Judged:
    outcome: str
    status: int | None = None
    detail: str = ""
    text_sha256: str = ""  # of the page's main text, when it answered


def judge(url: str, probe: Callable[[str], tuple | None] | None = None) -> Judged:
    """Fetch ``url`` and say what its answer means for the link."""
    try:
        fetched = fetch(url)
    except FetchRefused as error:
        return Judged(Outcome.FAILED, detail=f"refused: {error}")
    except FetchFailed as error:
        return Judged(Outcome.FAILED, detail=f"{error.kind}: {error}")
    status = fetched.status
    if status in BLOCKING or (status == 503 and b"captcha" in fetched.body[:20000].lower()):
        return Judged(Outcome.BLOCKED, status, f"the site refused the check ({status})")
    if status >= 400:
        return Judged(Outcome.FAILED, status, f"the page answered {status}")
    if front_page(url, fetched.final_url):
        return Judged(Outcome.FAILED, status, "redirected to the site's front page")
    signature = signature_of(fetched)
    if probe is not None and signature and probe(url) == signature:
        detail = "a made-up address on the same host answers the same page"
        return Judged(Outcome.SOFT_404, status, detail)
    text_hash = signature[1] if signature else ""
    if fetched.redirected:
        return Judged(Outcome.REDIRECTED, status, f"now at {fetched.final_url}"[:300], text_hash)
    return Judged(Outcome.OK, status, "", text_hash)


def front_page(asked: str, final: str) -> bool:
    return urlsplit(asked).path.strip("/") != "" and urlsplit(final).path.strip("/") == ""


def signature_of(fetched: Fetched) -> tuple[str, str] | None:
    """What a page looks like, to tell a site's "not found" page: its title and main text."""
    if fetched.content_type not in ("text/html", "application/xhtml+xml"):
        return None
    try:
        title = Page(text_of(fetched)).title_tag
    except ValueError:  # an empty or unparsable document
        return None
    return title, captures.fingerprint(captures.main_text(fetched))


class SoftNotFoundProbe:
    """What a made-up address on a host answers (``signature_of``), asked once per host."""

    def __init__(self):
        self.answers: dict[str, tuple | None] = {}
        self.lock = threading.Lock()

    def __call__(self, url: str) -> tuple | None:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        with self.lock:
            if host in self.answers:
                return self.answers[host]
        made_up = urlunsplit((parts.scheme, parts.netloc, f"/{uuid.uuid4().hex}", "", ""))
        try:
            fetched = fetch(made_up)
            answer = signature_of(fetched) if fetched.status < 300 else None
        except (FetchRefused, FetchFailed):
            answer = None
        with self.lock:
            self.answers[host] = answer
        return answer


def state_after(checks: Iterable[LinkCheck]) -> str:
    """The link's state from its checks, newest first: dead after FAILURES_FOR_DEAD failures
    at least DAYS_APART days apart since the last success."""
    failures: list[datetime.datetime] = []
    latest = None
    for check in checks:
        latest = latest or check.outcome
        if check.outcome in SUCCEEDING:
            break
        if check.outcome in FAILING:
            failures.append(check.checked_at)
    if latest is None:
        return State.UNCHECKED
    if latest in SUCCEEDING:
        return State.LIVE
    counted, last = 0, None
    for when in reversed(failures):  # oldest first
        if last is None or when - last >= datetime.timedelta(days=DAYS_APART):
            counted, last = counted + 1, when
    if counted >= FAILURES_FOR_DEAD:
        return State.DEAD
    return State.BLOCKED if latest == Outcome.BLOCKED and not failures else State.FAILING


def check(source: Source, *, now=None, probe=None) -> LinkCheck:
    """Check one source's address and bring its health up to date."""
    return record(source, judge(source.url, probe), now=now)


def record(source: Source, judged: Judged, *, now=None) -> LinkCheck:
    """Keep a check's outcome and work out the link's state from its recent checks."""
    return record_many([(source, judged)], now=now)[0]


def record_many(found: list[tuple[Source, Judged]], *, now=None) -> list[LinkCheck]:
    """Keep the outcomes of checks that arrived together and bring each link's health up to
    date from its recent checks, in one transaction and a fixed number of queries."""
    when = now or timezone.now()
    made = [
        LinkCheck(source=source, checked_at=when, url=source.url, outcome=judged.outcome,
                  status=judged.status, detail=judged.detail[:300],
                  text_sha256=judged.text_sha256)
        for source, judged in found
    ]  # fmt: skip
    sources = {source.pk: source for source, _judged in found}
    newest = {made_check.source_id: made_check for made_check in made}
    with transaction.atomic():
        LinkCheck.objects.bulk_create(made)
        LinkHealth.objects.bulk_create([LinkHealth(source_id=pk) for pk in sources],
                                       ignore_conflicts=True)  # fmt: skip
        healths = list(
            LinkHealth.objects.select_for_update(of=("self",))
            .filter(source_id__in=sources)
            .annotate(capture_sha256=F("capture__text_sha256"))
        )
        recent = recent_checks(sources)
        moved = []
        for health in healths:
            before = (health.state, health.changed)
            health.state, health.checked_at = state_after(recent[health.source_id]), when
            text_hash = newest[health.source_id].text_sha256
            if text_hash and health.capture_sha256 not in (None, text_hash):
                health.changed = True
            if (health.state, health.changed) != before:
                moved.append(sources[health.source_id])
        LinkHealth.objects.bulk_update(healths, ["state", "checked_at", "changed"])
    for source in moved:
        transaction.on_commit(
            partial(captures.archive_changed.send, Source, source=source), robust=True
        )
    return made


def recent_checks(source_ids: Iterable[int]) -> dict[int, list[LinkCheck]]:
    """Each source's latest RECENT_CHECKS checks, newest first."""
    newest_first = Window(
        RowNumber(), partition_by=F("source_id"), order_by=[F("checked_at").desc(), F("pk").desc()]
    )
    checks = (
        LinkCheck.objects.filter(source_id__in=source_ids)
        .annotate(rank=newest_first)
        .filter(rank__lte=RECENT_CHECKS)
        .only("source_id", "checked_at", "outcome")
        .order_by("source_id", "rank")
    )
    found = defaultdict(list)
    for one in checks:
        found[one.source_id].append(one)
    return found


def due(older_than: datetime.timedelta, now=None):
    """Sources with an address whose last check is older than ``older_than`` (or none)."""
    since = (now or timezone.now()) - older_than
    unchecked = Q(link_health__isnull=True) | Q(link_health__checked_at__isnull=True)
    return (
        Source.objects.exclude(url="")
        .filter(unchecked | Q(link_health__checked_at__lt=since))
        .order_by("key")
    )


def check_many(sources: Iterable[Source], *, hosts: int = 4, progress=None) -> dict[str, int]:
    """Check every source, one request at a time per host, two requests to the same host
    starting at least LINK_CHECK_DELAY apart, up to ``hosts`` hosts at once. The requests run
    in threads (one per host); what they found is recorded here, in this thread. Returns
    counts by outcome."""
    by_host: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_host[(urlsplit(source.url).hostname or "").lower()].append(source)
    total = sum(len(group) for group in by_host.values())
    probe, found, counts = SoftNotFoundProbe(), queue.Queue(), defaultdict(int)

    def one_host(group: list[Source]) -> None:
        started = None
        for source in group:
            if started is not None:  # requests start LINK_CHECK_DELAY apart, as Scrapy's do
                time.sleep(max(0.0, settings.LINK_CHECK_DELAY - (time.monotonic() - started)))
            started = time.monotonic()
            found.put((source, judge(source.url, probe)))

    with ThreadPoolExecutor(max_workers=max(1, hosts)) as pool:
        running = [pool.submit(one_host, group) for group in by_host.values()]
        done = 0
        while done < total:
            try:
                batch = [found.get(timeout=0.5)]
            except queue.Empty:
                if all(task.done() for task in running):
                    break  # a thread failed: its error is raised below
                continue
            while len(batch) < RECORDED_TOGETHER and not found.empty():
                batch.append(found.get_nowait())
            for made in record_many(batch):  # one commit for what arrived together
                counts[made.outcome] += 1
            done += len(batch)
            if progress:
                progress(done, total)
        for task in running:
            task.result()
    return dict(counts)
