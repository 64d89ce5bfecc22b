"""The base of every editorial admin.

Each save, list edit, action or deletion is one revision (opened per request by
``RevisionMiddleware``); the admin only says why, with ``describe_edit``, and every history row
of the request records that summary and the signed-in user.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..history import RevisionDraft, current
from ..locking import conflict_message, newer_changes, now_token, parse_token
from ..narrative import NarrativeField
from .forms import EDITORIAL_FIELDS, EditSummaryForm, checking_staleness, list_summary
from .versions import VersionsMixin
from .widgets import CitationTextarea


def change_path(obj) -> str:
    """The address of ``obj``'s change form in the admin."""
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


# Automatic change reasons are records, stored the same whatever the editor's interface language.
def default_reason(change: bool) -> str:
    return "Changed in the admin" if change else "Created in the admin"


class EditorialInline(admin.TabularInline):
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        return checking_staleness(super().get_formset(request, obj, **kwargs), request)


class EditorialAdmin(VersionsMixin, SimpleHistoryAdmin):
    form = EditSummaryForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_form_template = "admin/editorial/change_form.html"
    change_list_template = "admin/editorial/change_list.html"
    object_history_template = "admin/editorial/object_history.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, NarrativeField):
            kwargs["widget"] = CitationTextarea
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        present = set(flatten_fieldsets(fieldsets))
        missing = [name for name in EDITORIAL_FIELDS if name not in present]
        if missing:
            fieldsets.append((_("Edit summary"), {"fields": missing}))
        return fieldsets

    def get_object(self, request, object_id, from_field=None):
        opened = timezone.now()
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._opened_at = opened
        return obj

    # --- why each write is made ------------------------------------------------------------

    def describe_edit(self, request, summary: str) -> RevisionDraft:
        """Give this request's revision its summary; returns it for a correction note."""
        draft = current()
        if draft is None:
            raise ImproperlyConfigured(
                "The admin needs crisis_tracker.middleware.RevisionMiddleware"
            )
        draft.summary = summary
        return draft

    def reason_for(self, request, form, change: bool) -> str:
        summary = form.cleaned_data.get("edit_summary") or list_summary(request)
        version = self.reverted_version(request)
        if version is not None:
            when = date_format(timezone.localtime(version.history_date), "Y-m-d H:i")
            reverted = f"Reverted to the version of {when}"
            return f"{reverted}: {summary}" if summary else reverted
        return summary or default_reason(change)

    def save_model(self, request, obj, form, change) -> None:
        draft = self.describe_edit(request, self.reason_for(request, form, change))
        if form.cleaned_data.get("is_correction"):
            draft.is_correction = True
            draft.correction_note = form.cleaned_data["correction_note"]
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj) -> None:
        self.describe_edit(request, "Deleted in the admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        self.describe_edit(request, "Deleted in the admin")
        super().delete_queryset(request, queryset)

    # --- changelists: list edits and actions carry the time the page was opened ---------------

    def changelist_view(self, request, extra_context=None):
        extra_context = {"opened_at": now_token(), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        return checking_staleness(formset, request, summary_required=True)

    def response_action(self, request, queryset):
        since = parse_token(request.POST.get("opened_at"))
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        if since is None and selected:
            self.message_user(
                request, gettext("Reload the page before running an action."), messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        if selected:
            records = newer_changes(self.model, selected, since)
            if records:
                for record in records:
                    self.message_user(request, conflict_message(record), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)
