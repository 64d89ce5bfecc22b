"""Cached reader pages answered before the middleware they do not need.

An anonymous reader's article, timeline or history is a finished document in the page cache;
most of the middleware stack (sessions, authentication, messages, CSRF, history, axes) has
nothing to do for it, yet costs more than serving it. Like Django's per-site cache, which
fetches from the cache at the *end* of the request phase but places ``UpdateCacheMiddleware``
first, this middleware sits early (after security, CORS, static files and the conditional GET
that answers ``304``) and, for a request that needs nothing more — GET or HEAD, no session
cookie, a reader page listed in ``VIEWS`` — calls the view itself in the address's language and
adds the headers the skipped middleware would have added. Anything else, and any error, goes
down the full stack, which answers exactly as before (``tests/events/test_early_answer.py``
compares the two).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils import translation

from crisis_tracker import replicas

from .views import history, pages

# Reader pages served from the page cache, the same for every anonymous reader.
VIEWS = frozenset({pages.crisis_detail, pages.crisis_timeline, history.crisis_history})


class EarlyAnswerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.answer(request) if self.may_answer(request) else None
        return response if response is not None else self.get_response(request)

    @staticmethod
    def may_answer(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and request.path_info.startswith(("/crises/", "/en/crises/"))
            and not settings.DISALLOWED_USER_AGENTS
        )

    def answer(self, request):
        language = translation.get_language_from_path(request.path_info)
        language = language or settings.LANGUAGE_CODE
        with translation.override(language):  # the language prefix resolves in its language
            try:
                request.get_host()  # a host not allowed: the full stack answers 400
            except DisallowedHost:
                return None
            match = reader_view(get_resolver(get_urlconf()), language, request.path_info)
            if match is None:
                return None
            request.LANGUAGE_CODE = language
            try:
                response = replicas.read_from_replica(
                    lambda: match.func(request, *match.args, **match.kwargs)
                )
            except Exception:  # noqa: BLE001 - the full stack answers, with its error handling
                return None
        if response.status_code != 200:
            return None  # a 404 or a redirect: the full stack says it as it always does
        return with_skipped_headers(response, language)


@functools.lru_cache(maxsize=1024)
def reader_view(resolver, language: str, path: str):
    """The match of ``path`` in ``language`` if it is a reader page in ``VIEWS``, else None.

    Kept per address (resolving takes longer than serving a cached page, and readers ask for
    the same few addresses); keyed by the resolver, which changes with the URL configuration.
    """
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    return match if match.func in VIEWS else None


def with_skipped_headers(response, language: str):
    """The headers the middleware after this one adds to a reader page (language, length,
    content security policy, framing): nothing else of theirs applies to an anonymous GET."""
    response.headers.setdefault("Content-Language", language)
    response.headers.setdefault("Content-Length", str(len(response.content)))
    response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
    response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
    return response
