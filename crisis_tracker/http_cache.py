"""Reader responses any HTTP cache may keep, and the purge that keeps those caches honest.

- A reader page is the same for every anonymous reader: it sets no cookie and never looks at
  the session unless the request carries one (``viewer``), so it does not vary on cookies.
  ``reader_page`` marks it ``public`` with ``s-maxage`` (shared caches) and stale-serving
  windows, or ``private, no-store`` when a signed-in editor asked (their view may hold drafts).
- Each reader response names what it shows in an ``xkey`` header (surrogate keys such as
  ``crisis-3 event-41 source-dw-2025-07-03``, named by ``crisis_tracker.surrogate_keys``). A
  change purges the keys of what changed, once the transaction commits, from every cache in
  ``settings.CACHE_PURGE_URLS``; a failed purge is retried, then logged, and never fails the
  save.
- ETags (a hash of the body) and 304 answers come from Django's ConditionalGetMiddleware;
  ``Last-Modified`` is when the cached page was built.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

log = logging.getLogger(__name__)

KEY_HEADER = "xkey"
PURGE_HEADER = "xkey-purge"
KEYS_PER_PURGE = 200  # keeps each purge request's header well under Varnish's 8 kB limit
PURGE_ATTEMPTS = 3


def viewer(request):
    """The user a reader page is built for: anonymous unless the request carries a session, so
    anonymous requests never touch the session (which would make the response vary on cookies).
    A preview link's request is built for the link's stand-in viewer (``request.preview_as``)."""
    if getattr(request, "preview_as", None) is not None:
        return request.preview_as
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return AnonymousUser()
    return request.user


def reader_page(view):
    """Cache headers for a reader page: public for anonymous readers, private for editors."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(viewer(request), "is_staff", False):
            patch_cache_control(response, private=True, no_store=True)
            response.headers.pop(KEY_HEADER, None)
        elif response.status_code == 200:
            patch_cache_control(
                response,
                public=True,
                max_age=settings.READER_MAX_AGE,
                s_maxage=settings.READER_SHARED_MAX_AGE,
                stale_while_revalidate=settings.READER_STALE_WHILE_REVALIDATE,
                stale_if_error=settings.READER_STALE_IF_ERROR,
            )
        else:  # a page that is not there now may be published a moment later
            patch_cache_control(response, no_store=True)
        return response

    return wrapped


def last_modified(response, when):
    """``Last-Modified`` at ``when`` (None: not known, no header)."""
    if when is not None:
        response["Last-Modified"] = http_date(when.timestamp())
    return response


def tag(response, keys: Iterable[str]):
    """Name what the response shows, for purging."""
    response[KEY_HEADER] = " ".join(sorted(set(keys)))
    return response


class _Pending(threading.local):
    def __init__(self):
        self.keys: set[str] = set()


_pending = _Pending()


def purge(keys: Iterable[str]) -> None:
    """Purge pages showing any of ``keys`` from the shared caches once this transaction commits."""
    if not settings.CACHE_PURGE_URLS:
        return
    _pending.keys.update(keys)
    transaction.on_commit(_flush)


def _flush() -> None:
    keys, _pending.keys = _pending.keys, set()
    if not keys:
        return
    ordered = sorted(keys)
    for start in range(0, len(ordered), KEYS_PER_PURGE):
        batch = " ".join(ordered[start : start + KEYS_PER_PURGE])
        for url in settings.CACHE_PURGE_URLS:
            send_purge(url, batch)


def send_purge(url: str, keys: str) -> bool:
    for attempt in range(1, PURGE_ATTEMPTS + 1):
        request = urllib.request.Request(url, method="PURGE", headers={PURGE_HEADER: keys})
        try:
            with urllib.request.urlopen(request, timeout=settings.CACHE_PURGE_TIMEOUT) as answer:
                if answer.status < 400:
                    return True
        except OSError as error:
            reason = error
        else:
            reason = f"HTTP {answer.status}"
        if attempt < PURGE_ATTEMPTS:
            time.sleep(0.05 * 2**attempt)
    shown = keys if len(keys) <= 200 else keys[:200] + " …"
    log.error("Purging %s from %s failed after %d attempts: %s", shown, url, attempt, reason)
    return False
