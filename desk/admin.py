import datetime
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from actors.models import Actor, Participation
from crisis_tracker.editorial.admin import EditorialAdmin, EditorialInline
from crisis_tracker.editorial.publishing import PublishingAdmin
from crisis_tracker.editorial.spreadsheets import SpreadsheetMixin
from events import search
from events.models import Assessment, Crisis, Event, EventActor, Section
from events.resources import EventResource
from interchange.views import import_fixture_view, import_job_view
from places.models import Place

from . import editions_admin  # noqa: F401  (editions and their translations)
from .models import PreviewLink
from .review_admin import ReviewAdmin


class SectionInline(EditorialInline):
    model = Section
    fields = ["order", "heading", "key", "parent"]
    ordering = ["order"]


class ParticipationInline(EditorialInline):
    model = Participation
    fields = ["actor", "role", "side", "note", "order"]
    autocomplete_fields = ["actor"]


class EventActorInline(EditorialInline):
    model = EventActor
    fields = ["actor", "role"]
    autocomplete_fields = ["actor"]
    show_change_link = False


@admin.register(Crisis)
class CrisisAdmin(ReviewAdmin, PublishingAdmin):
    change_list_template = "admin/events/crisis/change_list.html"
    list_display = ["title", "slug", "status", "state", "start_date"]
    list_filter = ["status", "state", "language"]
    search_fields = ["title", "slug", "lead"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["map_place"]
    inlines = [SectionInline, ParticipationInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "state", "status", "language"]}),
        (
            _("Dates"),
            {"fields": [("start_date", "start_precision"), ("end_date", "end_precision")]},
        ),
        (None, {"fields": ["part_of", "lead"]}),
        (_("Map"), {"fields": ["map_image", "map_caption", "map_place"], "classes": ["collapse"]}),
    ]

    def get_urls(self):
        upload = partial(import_fixture_view, self)
        upload.csrf_exempt = import_fixture_view.csrf_exempt
        view = self.admin_site.admin_view(upload)
        job = self.admin_site.admin_view(partial(import_job_view, self))
        return [
            path("import-fixture/", view, name="events_crisis_import_fixture"),
            path("import-fixture/<uuid:job_id>/", job, name="events_crisis_import_job"),
            *super().get_urls(),
        ]


@admin.register(Section)
class SectionAdmin(EditorialAdmin):
    list_display = ["heading", "crisis", "parent", "order"]
    list_editable = ["order"]
    list_filter = ["crisis"]
    list_select_related = ["crisis", "parent"]
    search_fields = ["heading", "key", "body"]
    autocomplete_fields = ["crisis", "parent"]
    ordering = ["crisis", "order"]


FILTER_CHOICES = 200  # a sidebar filter with more choices than this is narrowed first


class CountryFilter(admin.SimpleListFilter):
    """Events at a place in a country (the gazetteer's countries, not a scan of the events)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = Place.objects.order_by("country").values_list("country", flat=True).distinct()
        return [(code, code) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(location__country=self.value()) if self.value() else queryset


class PlaceFilter(admin.SimpleListFilter):
    """Events at a place of the gazetteer: every place while there are few, else the places of
    the chosen country and the chosen place (a sidebar of thousands of links costs more than
    the list)."""

    title = _("place")
    parameter_name = "place"

    def lookups(self, request, model_admin):
        places = Place.objects.order_by("name")
        if places.count() > FILTER_CHOICES:
            country = request.GET.get(CountryFilter.parameter_name, "")
            places = places.filter(Q(country=country) | Q(slug=self.value() or ""))
        return list(places.values_list("slug", "name"))

    def queryset(self, request, queryset):
        return queryset.filter(location__slug=self.value()) if self.value() else queryset


class ActorFilter(admin.SimpleListFilter):
    """Events an actor takes part in, in any role: every actor while there are few, else the
    parties to the chosen crisis and the chosen actor."""

    title = _("actor")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        actors = Actor.objects.order_by("name")
        if actors.count() > FILTER_CHOICES:
            crisis = request.GET.get("crisis__id__exact", "")
            taking_part = Participation.objects.filter(crisis_id=crisis if crisis.isdigit() else 0)
            actors = actors.filter(
                Q(pk__in=taking_part.values("actor_id")) | Q(slug=self.value() or "")
            )
        return list(actors.values_list("slug", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        links = EventActor.objects.filter(event=OuterRef("pk"), actor__slug=self.value())
        return queryset.filter(Exists(links))


@admin.register(Event)
class EventAdmin(ReviewAdmin, SpreadsheetMixin, PublishingAdmin):
    resource_classes = [EventResource]
    list_display = ["title", "crisis_short", "date_label", "kind", "verification", "state"]
    list_editable = ["verification"]
    list_filter = [
        "crisis", "kind", "state", "verification", "date_precision", CountryFilter,
        PlaceFilter, ActorFilter,
    ]  # fmt: skip
    list_select_related = ["crisis"]
    date_hierarchy = "date"
    show_full_result_count = False  # one count per page, however long the list
    # The latest first, read from the date index: not sorted by crisis, which would sort every
    # event of the database for each page.
    ordering = ["-date", "-day_order", "-pk"]
    search_fields = ["title", "slug", "summary", "place"]
    autocomplete_fields = ["crisis", "location"]
    inlines = [EventActorInline]
    fieldsets = [
        (None, {"fields": ["crisis", "title", "slug", "state", "kind", "verification"]}),
        (
            _("When and where"),
            {
                "fields": [
                    ("date", "date_precision", "day_order"),
                    ("end_date", "end_precision"),
                    ("place", "location"),
                    "no_place_reason",
                ]
            },
        ),
        (None, {"fields": ["summary"]}),
        (
            _("Figures"),
            {"fields": [("killed", "injured", "detained", "displaced"), "figures_note"]},
        ),
        (_("Exact spot"), {"fields": [("latitude", "longitude")], "classes": ["collapse"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        """Django's search (every word, a quoted phrase kept whole), each word matched as the
        site search matches it (``events.search.lookup_for``: two characters with no case
        without case-mapping every text scanned)."""
        for word in smart_split(search_term):
            if word[:1] in "\"'" and word[:1] == word[-1:]:
                word = unescape_string_literal(word)
            if word:
                queryset = queryset.filter(search.anywhere(tuple(self.search_fields), word))
        return queryset, False

    @admin.display(description=_("date"), ordering="date")
    def date_label(self, event: Event) -> str:
        return event.start_display()

    @admin.display(description=_("crisis"), ordering="crisis__title")
    def crisis_short(self, event: Event) -> str:
        title = event.crisis.title
        return format_html('<span title="{}">{}</span>', title, Truncator(title).chars(16))


@admin.register(Assessment)
class AssessmentAdmin(ReviewAdmin, PublishingAdmin):
    list_display = ["month_label", "crisis", "trend", "risk_alert", "resolution_opportunity",
                    "state"]  # fmt: skip
    list_filter = ["crisis", "trend", "state", "risk_alert", "resolution_opportunity"]
    list_select_related = ["crisis"]
    date_hierarchy = "month"
    search_fields = ["reason", "text", "crisis__title"]
    autocomplete_fields = ["crisis"]
    fieldsets = [
        (None, {"fields": ["crisis", "month", "state"]}),
        (None, {"fields": ["trend", "reason", ("risk_alert", "resolution_opportunity")]}),
        (None, {"fields": ["text"]}),
    ]

    @admin.display(description=_("month"), ordering="month")
    def month_label(self, assessment: Assessment) -> str:
        return f"{assessment.month:%Y-%m}"


@admin.register(EventActor)
class EventActorAdmin(EditorialAdmin):
    list_display = ["actor", "event", "role"]
    list_filter = ["role"]
    list_select_related = ["actor", "event"]
    search_fields = ["actor__name", "event__title"]
    autocomplete_fields = ["event", "actor"]


class PreviewLinkForm(forms.ModelForm):
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=90, initial=7,
        help_text=_("The link stops working after this many days, or when revoked."),
    )  # fmt: skip

    class Meta:
        model = PreviewLink
        fields = ["crisis", "note"]


@admin.register(PreviewLink)
class PreviewLinkAdmin(admin.ModelAdmin):
    """Signed links to a crisis's preview for reviewers outside the admin."""

    form = PreviewLinkForm
    list_display = ["crisis", "note", "created_by", "created_at", "expires_at", "status", "links"]
    list_filter = ["crisis"]
    list_select_related = ["crisis", "created_by"]
    autocomplete_fields = ["crisis"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request)  # links are not edited

    def save_model(self, request, obj, form, change) -> None:
        obj.created_by = request.user
        obj.expires_at = timezone.now() + datetime.timedelta(days=form.cleaned_data["days"])
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        url = request.build_absolute_uri(obj.get_absolute_url())
        message = _("Preview link created; send it to the reviewer: %(url)s") % {"url": url}
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:desk_previewlink_changelist"))

    @admin.display(description=_("status"))
    def status(self, link: PreviewLink) -> str:
        if link.revoked_at:
            return gettext("revoked")
        return gettext("expired") if link.expires_at <= timezone.now() else gettext("valid")

    @admin.display(description=_("addresses"))
    def links(self, link: PreviewLink) -> str:
        article = link.get_absolute_url()
        timeline = reverse("desk:preview_timeline", args=[link.token()])
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>', article,
                           gettext("article"), timeline, gettext("timeline"))  # fmt: skip

    @admin.action(description=_("Revoke the selected links"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, gettext("%(count)d revoked.") % {"count": revoked})
