"""Capturing a cited page, as Perma.cc does when a work is cited: the HTTP exchange as WARC, the
page's main text, the final address, status, type, sizes and time, and a SHA-256 of the text.

A capture is made in the background when a source with an address is saved and has no copy of
that address yet (``SOURCE_CAPTURE_ON_SAVE``), on demand (``manage.py capture KEY``, the source's
admin page), and again by the link check when the page's text changed.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver
from django.utils import timezone
from django_tasks import task

from . import external_archive
from .fetching import Fetched, FetchFailed, FetchRefused, fetch
from .metadata import text_of
from .models import Capture, LinkHealth, Source
from .screenshots import screenshot

log = logging.getLogger(__name__)

# Sent when what references show of a source's address changes (a capture, a link's state).
archive_changed = Signal()  # source


RECOMPUTED = {"content-encoding", "transfer-encoding", "content-length"}  # of a decoded body


class CaptureFailed(Exception):
    """The page could not be captured; one line saying why."""


def main_text(fetched: Fetched) -> str:
    """The page's main text (trafilatura), or nothing for what is not an HTML page."""
    if fetched.content_type not in ("text/html", "application/xhtml+xml", ""):
        return ""
    import trafilatura  # loaded on first use: every process (a command's too) would pay for it

    html = text_of(fetched)
    found = trafilatura.extract(html, url=fetched.final_url, include_comments=False)
    return (found or "").strip()


def fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def warc_of(fetched: Fetched) -> bytes:
    """The exchanges (each redirect, then the page) as a gzipped WARC file. Bodies are stored
    decoded: a ``Content-Encoding`` the server used is dropped from the recorded headers."""
    from warcio.statusandheaders import StatusAndHeaders  # loaded on first use, as trafilatura
    from warcio.warcwriter import WARCWriter

    stream = io.BytesIO()
    writer = WARCWriter(stream, gzip=True)
    info = {"software": "Crisis Tracker", "format": "WARC File Format 1.1",
            "description": "Payloads are stored decoded (no Content-Encoding)."}  # fmt: skip
    writer.write_record(writer.create_warcinfo_record("capture.warc.gz", info))
    for exchange in fetched.exchanges:
        parts = urlsplit(exchange.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = StatusAndHeaders(
            f"GET {target} HTTP/1.1", exchange.request_headers, is_http_request=True
        )
        kept = [(k, v) for k, v in exchange.headers if k.lower() not in RECOMPUTED]
        kept.append(("Content-Length", str(len(exchange.body))))
        response = StatusAndHeaders(
            f"{exchange.status} {exchange.reason}".strip(), kept, protocol="HTTP/1.1"
        )
        ip = {"WARC-IP-Address": exchange.address}
        writer.write_record(
            writer.create_warc_record(exchange.url, "request", http_headers=request)
        )
        writer.write_record(
            writer.create_warc_record(
                exchange.url,
                "response",
                payload=io.BytesIO(exchange.body),
                http_headers=response,
                warc_headers_dict=ip,
            )
        )
    return stream.getvalue()


def capture(source: Source, *, user=None) -> Capture:
    """Fetch the source's address and keep the copy (CaptureFailed when it cannot)."""
    if not source.url:
        raise CaptureFailed(f"{source.key} has no address to capture")
    try:
        fetched = fetch(source.url)
    except (FetchRefused, FetchFailed) as error:
        raise CaptureFailed(str(error)) from None
    if fetched.status >= 400:
        raise CaptureFailed(f"the page answered {fetched.status} {fetched.last.reason}".strip())
    text = main_text(fetched)
    archive = warc_of(fetched)
    made = Capture(
        source=source,
        requested_url=source.url,
        final_url=fetched.final_url,
        status=fetched.status,
        content_type=fetched.content_type[:100],
        captured_at=fetched.started_at,
        body_size=len(fetched.body),
        text=text,
        text_sha256=fingerprint(text),
        warc_size=len(archive),
        requested_by=user,
    )
    made.warc.save("capture.warc.gz", ContentFile(archive), save=False)
    if fetched.content_type in ("text/html", "application/xhtml+xml"):
        picture = screenshot(fetched.body)
        if picture:
            made.screenshot.save("screenshot.png", ContentFile(picture), save=False)
    with transaction.atomic():
        made.save()
        health, _created = LinkHealth.objects.get_or_create(source=source)
        health.capture, health.changed = made, False
        health.save(update_fields=["capture", "changed"])
    transaction.on_commit(lambda: archive_changed.send(Source, source=source), robust=True)
    return made


@task()
def capture_later(source_id: int) -> None:
    source = Source.objects.filter(pk=source_id).first()
    if source is None or not source.url:
        return
    try:
        capture(source)
    except CaptureFailed as error:
        log.warning("No capture of %s: %s", source.key, error)
        return
    if external_archive.enabled() and not source.archive_url:
        try:
            external_archive.archive(source)
        except external_archive.ArchiveFailed as error:
            log.warning("No external archive of %s: %s", source.key, error)


def due_again(older_than: datetime.timedelta):
    """Sources to capture again while their link lives: the page changed since its capture,
    the capture is older than ``older_than``, or there is none."""
    stale = timezone.now() - older_than
    live = Source.objects.exclude(url="").filter(link_health__state=LinkHealth.State.LIVE)
    return live.filter(
        Q(link_health__changed=True)
        | Q(link_health__capture__isnull=True)
        | Q(link_health__capture__captured_at__lt=stale)
    ).order_by("key")


def needs_capture(source: Source) -> bool:
    return bool(source.url) and not source.captures.filter(requested_url=source.url).exists()


@receiver(post_save, sender=Source)
def capture_when_saved(sender, instance: Source, raw=False, **kwargs) -> None:
    """A source saved with an address it has no copy of is captured once the save commits."""
    if raw or not settings.SOURCE_CAPTURE_ON_SAVE or not needs_capture(instance):
        return
    transaction.on_commit(lambda: capture_later.enqueue(instance.pk), robust=True)
