from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .history import revision


class InterfaceLanguageMiddleware:
    """The interface speaks 简体中文 unless the reader chose another language with the switcher.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is not consulted: the
    content is Chinese, and a reader's explicit choice (kept in a cookie) is the only input.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
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
