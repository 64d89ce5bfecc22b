from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext

from crisis_tracker.editorial.admin import EditorialAdmin
from crisis_tracker.editorial.spreadsheets import SpreadsheetMixin
from crisis_tracker.history import revision

from .captures import CaptureFailed, capture
from .fetching import FetchFailed, FetchRefused
from .metadata import NotCitable, Proposal, from_url
from .models import Source
from .resources import SourceResource

PROPOSED = ["key", "authors", "title", "work", "url", "published", "published_precision",
            "accessed", "language"]  # fmt: skip


class FillFromURLInput(forms.URLInput):
    """The source's address, with a button that fills the empty fields from the page."""

    template_name = "admin/sources/fill_from_url.html"

    class Media:
        js = ["editorial/fill-from-url.js"]


def proposal_or_error(url: str) -> tuple[Proposal | None, str]:
    try:
        return from_url(url), ""
    except FetchRefused as error:
        return None, gettext("This address is not fetched: %(reason)s") % {"reason": error}
    except (FetchFailed, NotCitable) as error:
        return None, gettext("The page could not be read: %(reason)s") % {"reason": error}


@admin.register(Source)
class SourceAdmin(SpreadsheetMixin, EditorialAdmin):
    resource_classes = [SourceResource]
    list_display = ["key", "title", "work", "published", "accessed", "language"]
    list_filter = ["language", "published", "link_health__state"]
    search_fields = ["key", "title", "authors", "work"]
    date_hierarchy = "published"
    readonly_fields = ["copies"]
    fieldsets = [
        (
            None,
            {"fields": ["url", "key", "authors", "title", "trans_title", "work", "archive_url"]},
        ),  # fmt: skip
        (
            None,
            {
                "fields": [
                    "published",
                    "published_precision",
                    "accessed",
                    "language",
                    "issn",
                    "reliability_note",
                ]
            },
        ),
        ("", {"fields": ["notes"], "classes": ["collapse"]}),
        ("", {"fields": ["copies"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["widget"] = FillFromURLInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=gettext("Link and captured copies"))
    def copies(self, source: Source) -> str:
        if source.pk is None:
            return "—"
        context = {
            "source": source,
            "health": getattr(source, "link_health", None) if source.url else None,
            "captures": source.captures.all()[:10],
            "checks": source.link_checks.all()[:5],
        }
        return render_to_string("admin/sources/copies.html", context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("cite-search/", view(self.cite_search), name="sources_source_cite_search"),
            path("fill-from-url/", view(self.fill_from_url), name="sources_source_fill"),
            path("cite-url/", view(self.cite_url), name="sources_source_cite_url"),
            path("<int:pk>/capture/", view(self.capture_now), name="sources_source_capture"),
            *super().get_urls(),
        ]

    def cite_search(self, request):
        """Sources matching a key or title, for the citation helper beside narrative fields."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        term = request.GET.get("q", "").strip()[:100]
        sources = Source.objects.search(term).only("key", "title")[:20] if term else []
        return JsonResponse({"results": [{"key": s.key, "title": s.title} for s in sources]})

    def fill_from_url(self, request):
        """The proposed source for an address, each value with where it came from."""
        if request.method != "POST":
            return JsonResponse({"error": gettext("Send the address with POST.")}, status=405)
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        proposal, error = proposal_or_error(request.POST.get("url", "").strip()[:1000])
        if proposal is None:
            return JsonResponse({"error": error}, status=400)
        return JsonResponse(proposal.as_json())

    def cite_url(self, request):
        """From the citation helper: a new source made from the page at an address (or the
        source that already has it), for its [@key]."""
        if request.method != "POST":
            return JsonResponse({"error": gettext("Send the address with POST.")}, status=405)
        if not self.has_add_permission(request):
            raise PermissionDenied
        url = request.POST.get("url", "").strip()[:1000]
        known = Source.objects.filter(url=url).first()
        if known:
            return JsonResponse({"key": known.key, "title": known.title, "created": False})
        proposal, error = proposal_or_error(url)
        if proposal is None:
            return JsonResponse({"error": error}, status=400)
        values = {name: proposal.values[name] for name in PROPOSED if name in proposal.values}
        if not values.get("title"):
            message = gettext("The page gives no title: add this source by hand.")
            return JsonResponse({"error": message}, status=400)
        source = Source(**values)
        try:
            source.full_clean()
        except forms.ValidationError as error:
            return JsonResponse({"error": "; ".join(error.messages)}, status=400)
        with revision(summary=f"Cited from {url}"[:300], user=request.user):
            source.save()
        return JsonResponse({"key": source.key, "title": source.title, "created": True})

    def capture_now(self, request, pk: int):
        source = get_object_or_404(Source, pk=pk)
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        if request.method == "POST":
            try:
                made = capture(source, user=request.user)
                messages.success(request, gettext("Captured: %(url)s") % {"url": made.final_url})
            except CaptureFailed as error:
                messages.error(request, gettext("Not captured: %(reason)s") % {"reason": error})
        return HttpResponseRedirect(reverse("admin:sources_source_change", args=[pk]))
