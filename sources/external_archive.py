"""An external archive's copy of a cited page: the Internet Archive's Save Page Now (SPN2 API),
or any service that speaks it, fills the source's *archive URL*. Off unless
``EXTERNAL_ARCHIVE_URL`` is set (e.g. ``https://web.archive.org``) with its keys in
``EXTERNAL_ARCHIVE_KEYS`` ("access:secret"). The service is the operator's choice, not an address
an editor typed, so it is reached directly; its answers are read with the same caps.

The exchange: ``POST {base}/save`` with the page's address answers a job id; ``GET
{base}/save/status/{job}`` answers its status until it is "success" with a timestamp; the copy
is then at ``{base}/web/{timestamp}/{original address}``.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import urllib3
from django.conf import settings

from crisis_tracker.history import revision

from .models import Source

POLLS = 30
POLL_EVERY = 5.0  # seconds between two status requests


class ArchiveFailed(Exception):
    """The external archive did not make a copy; one line saying why."""


def enabled() -> bool:
    return bool(settings.EXTERNAL_ARCHIVE_URL)


def call(method: str, url: str, form: dict | None = None) -> dict:
    headers = {"Accept": "application/json", "User-Agent": "CrisisTracker/1.0"}
    body = None
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(form)
    if settings.EXTERNAL_ARCHIVE_KEYS:
        headers["Authorization"] = f"LOW {settings.EXTERNAL_ARCHIVE_KEYS}"
    try:
        answer = urllib3.request(method, url, body=body, headers=headers, timeout=20.0,
                                 retries=False, redirect=False, preload_content=False)  # fmt: skip
        body = answer.read(1024 * 1024, decode_content=True)
    except urllib3.exceptions.HTTPError as error:
        raise ArchiveFailed(f"the archive could not be reached: {error}") from None
    if answer.status >= 400:
        raise ArchiveFailed(f"the archive answered {answer.status}")
    try:
        return json.loads(body)
    except ValueError:
        raise ArchiveFailed("the archive's answer is not JSON") from None


def save(address: str, *, poll_every: float | None = None) -> str:
    """Ask the archive for a copy of ``address`` and wait for it; its address."""
    base = settings.EXTERNAL_ARCHIVE_URL.rstrip("/")
    job = call("POST", f"{base}/save", form={"url": address}).get("job_id")
    if not job:
        raise ArchiveFailed("the archive gave no job")
    for _poll in range(POLLS):
        status = call("GET", f"{base}/save/status/{job}")
        if status.get("status") == "success" and status.get("timestamp"):
            original = status.get("original_url") or address
            return f"{base}/web/{status['timestamp']}/{original}"
        if status.get("status") == "error":
            raise ArchiveFailed(status.get("message") or "the archive refused the page")
        time.sleep(POLL_EVERY if poll_every is None else poll_every)
    raise ArchiveFailed("the archive did not finish in time")


def archive(source: Source, *, poll_every: float | None = None) -> str:
    """Fill the source's archive URL from the external archive (one edit in its history)."""
    address = save(source.url, poll_every=poll_every)
    with revision(summary="Archive URL from the external archive"):
        source.archive_url = address[:1000]
        source.save(update_fields=["archive_url"])
    return address
