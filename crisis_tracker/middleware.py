import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from .history import revision

log = logging.getLogger(__name__)


class InterfaceLanguageMiddleware:
    """Reader pages speak the language of their address: 简体中文 unprefixed, English under /en/.

    Neither the browser's Accept-Language nor a cookie changes a reader page, so every reader
    gets the same bytes for the same address and shared caches may keep them. The admin, which
    is never cached, follows the editor's choice (Django's language cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        language = translation.get_language_from_path(request.path_info)
        from_cookie = language is None and request.path_info.startswith(self.admin_prefix)
        if from_cookie:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = chosen if chosen in self.languages else None
        language = language or settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):  # and back afterwards: nothing else inherits it
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if from_cookie:
            patch_vary_headers(response, ["Cookie"])
        return response


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response: scripts only from this site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


def client_ip(request) -> str | None:
    """The reader's address: behind our proxy, the one it appended to X-Forwarded-For."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


class RevisionMiddleware:
    """Everything one request writes (an admin save with its inlines, an import, an action) is
    one revision, recorded with the signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        user = request.user if request.user.is_authenticated else None
        with revision(user=user):
            return self.get_response(request)


class UncachedByDefaultMiddleware:
    """A response that does not say it may be cached (an error page, a 404 for a draft that may
    be published a moment later) is stored by no cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response


class DatabaseUnavailableMiddleware:
    """While the database is down, say so with a 503 and Retry-After, not a stack trace: caches
    in front keep serving the pages they hold, and editors learn to wait a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.error("Database unavailable: %s", exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        patch_cache_control(response, no_store=True)
        return response
