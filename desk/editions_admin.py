"""Editions in the admin: the original read-only beside each translation, field by field, with
what changed in the original since the translation was made; starting a translation copies the
original's structure; a machine may draft the empty texts when a backend is configured."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from crisis_tracker.diffs import inline_diff
from crisis_tracker.editorial.admin import EditorialInline
from crisis_tracker.editorial.publishing import PublishingAdmin
from crisis_tracker.editorial.spreadsheets import SpreadsheetMixin
from crisis_tracker.history import revision
from events import editions
from events.models import Edition, Translation
from events.resources import TranslationResource

from . import machine_translation
from .review_admin import ReviewAdmin


class TranslationForm(forms.ModelForm):
    in_step = forms.BooleanField(
        label=_("still right"),
        required=False,
        help_text=_("The original changed, but this translation needs no change."),
    )

    originals: dict = {}  # the original's texts now, set on each request's formset

    class Meta:
        model = Translation
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6, "cols": 70})}

    def clean(self):
        cleaned = super().clean()
        row = self.instance
        current = self.originals.get((row.item, row.field), row.original)
        if "text" in self.changed_data or cleaned.get("in_step"):
            # The translator worked from the original shown beside it: the one of now.
            row.original = current
        if "text" in self.changed_data:
            row.machine = False
        return cleaned


class TranslationInline(EditorialInline):
    model = Translation
    form = TranslationForm
    fields = ["original_now", "text", "since", "in_step"]
    readonly_fields = ["original_now", "since"]
    show_change_link = False
    can_delete = False
    max_num = 0  # rows come from the original's structure, not typed by hand
    verbose_name_plural = _("Translations, beside the original")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        self.originals = editions.originals(obj.crisis) if obj is not None else {}
        formset.form = type("TranslationForm", (TranslationForm,), {"originals": self.originals})
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("pk")

    @admin.display(description=_("original now"))
    def original_now(self, row: Translation) -> str:
        text = self.originals.get((row.item, row.field), "")
        if not text:
            return gettext("(no longer in the original)")
        return format_html('<div class="original-text" lang="{}">{}</div>',
                           row.edition.crisis.language, text)  # fmt: skip

    @admin.display(description=_("changed in the original since"))
    def since(self, row: Translation) -> str:
        current = self.originals.get((row.item, row.field))
        notes = []
        if row.machine:
            notes.append(format_html('<p class="machine-text">{}</p>',
                                     gettext("Machine translation, not reviewed")))  # fmt: skip
        if current is not None and row.text and current != row.original:
            notes.append(format_html('<div class="diff">{}</div>', inline_diff(
                row.original, current)))  # fmt: skip
        return format_html_join("", "{}", ((note,) for note in notes)) if notes else "–"


@admin.register(Edition)
class EditionAdmin(ReviewAdmin, PublishingAdmin):
    list_display = ["__str__", "language", "state", "behind", "untranslated"]
    list_filter = ["language", "state", "crisis"]
    list_select_related = ["crisis"]
    search_fields = ["crisis__title", "crisis__slug"]
    autocomplete_fields = ["crisis"]
    inlines = [TranslationInline]
    readonly_fields = ["progress"]
    fieldsets = [(None, {"fields": ["crisis", "language", "state", "progress"]})]
    actions = [*PublishingAdmin.actions, "start_translation", "draft_by_machine"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("crisis")

    @admin.display(description=_("progress"))
    def progress(self, edition: Edition) -> str:
        if edition.pk is None:
            return gettext("Saving the edition copies the original's structure to translate.")
        lines = [
            ngettext("%(count)d text behind the original", "%(count)d texts behind the original",
                     edition.behind) % {"count": edition.behind},
            ngettext("%(count)d text untranslated", "%(count)d texts untranslated",
                     edition.untranslated) % {"count": edition.untranslated},
            gettext("%(share)d%% of the narrative is unreviewed machine text")
            % {"share": round(edition.machine_share() * 100)},
        ]  # fmt: skip
        problem = edition.publishing_problem()
        return " · ".join([*lines, problem] if problem else lines)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        added = editions.start(form.instance, user=request.user)
        if added and change:
            message = ngettext(
                "%(count)d new text of the original added to translate.",
                "%(count)d new texts of the original added to translate.",
                added,
            ) % {"count": added}
            self.message_user(request, message, messages.INFO)

    @admin.action(description=_("Start or complete the translation (copy the original's texts)"))
    def start_translation(self, request, queryset) -> None:
        self.describe_edit(request, "Started the translation")
        added = sum(editions.start(edition, user=request.user) for edition in queryset)
        message = ngettext("%(count)d text added to translate.",
                           "%(count)d texts added to translate.", added)  # fmt: skip
        self.message_user(request, message % {"count": added}, messages.SUCCESS)

    @admin.action(description=_("Draft the empty texts by machine translation"))
    def draft_by_machine(self, request, queryset) -> None:
        if not machine_translation.enabled():
            message = gettext("No machine translation backend is configured "
                              "(MACHINE_TRANSLATION_URL).")  # fmt: skip
            self.message_user(request, message, messages.ERROR)
            return
        self.describe_edit(request, "Drafted by machine translation")
        try:
            drafted = sum(draft_by_machine(edition, request.user) for edition in queryset)
        except machine_translation.MachineTranslationError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        message = ngettext("%(count)d text drafted by machine; review it before publishing.",
                           "%(count)d texts drafted by machine; review them before publishing.",
                           drafted)  # fmt: skip
        self.message_user(request, message % {"count": drafted}, messages.SUCCESS)


def draft_by_machine(edition: Edition, user=None) -> int:
    """Fill the edition's empty texts from the machine, marked as unreviewed; nothing is saved
    if the machine fails."""
    editions.start(edition, user=user)
    current = editions.originals(edition.crisis)
    rows = [row for row in edition.translations.filter(text="") if (row.item, row.field) in current]
    if not rows:
        return 0
    originals = [current[(row.item, row.field)] for row in rows]
    texts = machine_translation.translate(originals, edition.crisis.language, edition.language)
    with revision(summary="Drafted by machine translation", user=user):
        for row, original, text in zip(rows, originals, texts, strict=True):
            row.text, row.original, row.machine = text, original, True
            row.save()
    return len(rows)


@admin.register(Translation)
class TranslationAdmin(SpreadsheetMixin, admin.ModelAdmin):
    """Every edition's texts in one list, to find a text and to hand them to translators as a
    spreadsheet (crisis, language, item, field, the original and the translation) and take them
    back; a text is edited beside its original on its edition's page."""

    resource_classes = [TranslationResource]
    list_display = ["__str__", "edition_link", "short_text", "machine"]
    list_filter = ["edition__language", "machine", "edition__crisis"]
    list_select_related = ["edition__crisis"]
    search_fields = ["text", "item"]

    def has_add_permission(self, request) -> bool:
        return False  # rows come from the original's structure

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # edited beside the original, on the edition's page

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("edition"), ordering="edition")
    def edition_link(self, row: Translation) -> str:
        url = reverse("admin:events_edition_change", args=[row.edition_id])
        return format_html('<a href="{}">{}</a>', url, row.edition)

    @admin.display(description=_("translation"))
    def short_text(self, row: Translation) -> str:
        return Truncator(row.text).chars(80) or "–"
