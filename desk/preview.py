"""A crisis's article and timeline through a signed preview link (``PreviewLink``): what staff
preview, shown to a reviewer outside the admin."""

from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from crisis_tracker.http_cache import KEY_HEADER
from events.views.data import crisis_map_data
from events.views.pages import crisis_detail, crisis_timeline

from .models import PREVIEW_SALT, PreviewLink


class PreviewViewer(AnonymousUser):
    """Who a preview link's pages are built for: sees unpublished entries as staff preview
    them, and may do nothing else."""

    is_active = True
    is_staff = True

    def has_perm(self, perm, obj=None) -> bool:
        return perm.partition(".")[2].startswith("view_")


PAGES = {"article": crisis_detail, "timeline": crisis_timeline, "map": crisis_map_data}


def preview(request: HttpRequest, token: str, page: str = "article") -> HttpResponse:
    """A crisis's article or timeline through a signed preview link: read-only, never indexed,
    never kept by a cache, gone once the link expires or is revoked."""
    try:
        key = signing.Signer(salt=PREVIEW_SALT).unsign(token)
    except signing.BadSignature:
        key = None
    link = PreviewLink.objects.valid().filter(key=key).select_related("crisis").first()
    if link is None:
        response = render(request, "desk/preview_gone.html", status=410)
    else:
        request.preview_as = PreviewViewer()
        response = PAGES[page](request, link.crisis.slug)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"  # the link stays with the reviewer
    response.headers.pop(KEY_HEADER, None)
    return response
