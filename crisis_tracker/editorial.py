"""What every editorial admin shares.

- an edit summary on each save, kept as the history's change reason (required on published entries);
- optimistic locking on change forms, inlines, list edits and actions (see ``locking``);
- a field-by-field compare view between any two versions, and revert recorded as a new version;
- a citation helper beside narrative fields.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, JSON, XLSX
from simple_history.admin import SimpleHistoryAdmin

from events.models import PublicationState
from events.revisions import current as current_revision
from events.roles import can_publish

from .diffs import field_changes
from .locking import conflict_message, newer_changes, now_token, parse_token

PUBLISHED = "published"
EDITORIAL_FIELDS = ["edit_summary", "is_correction", "correction_note", "opened_at"]


class CitationTextarea(forms.Textarea):
    """A narrative field with a search box that inserts [@key] for a chosen source."""

    template_name = "admin/editorial/citation_textarea.html"

    class Media:
        js = ["editorial/citation-helper.js"]
        css = {"all": ["editorial/editorial.css"]}

    def __init__(self, attrs=None):
        super().__init__({"rows": 8, "class": "vLargeTextField", **(attrs or {})})


class EditSummaryForm(forms.ModelForm):
    edit_summary = forms.CharField(
        label=_("Edit summary"),
        required=False,
        max_length=100,
        help_text=_("Briefly say what you changed and why, e.g. “Corrected the date of the raid”."),
    )
    is_correction = forms.BooleanField(
        label=_("This change corrects an error"),
        required=False,
        help_text=_("Readers see corrections in a box at the end of the article."),
    )
    correction_note = forms.CharField(
        label=_("Public correction note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. “An earlier version gave the wrong date of the raid.”"),
    )
    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opened = getattr(self.instance, "_opened_at", None) or timezone.now()
        self.initial.setdefault("opened_at", opened.isoformat())
        self.conflict_changes = []

    def clean(self):
        cleaned = super().clean()
        was_published = (
            self.instance.pk is not None and getattr(self.instance, "state", None) == PUBLISHED
        )
        if was_published and self.has_changed() and not cleaned.get("edit_summary"):
            self.add_error(
                "edit_summary",
                ValidationError(
                    _("Say what you changed: this entry is published."), code="required"
                ),
            )
        if cleaned.get("is_correction") and not cleaned.get("correction_note"):
            self.add_error(
                "correction_note",
                ValidationError(_("Tell readers what was corrected."), code="required"),
            )
        if self.instance.pk is not None:
            self.refuse_stale_save(cleaned.get("opened_at"))
        return cleaned

    def refuse_stale_save(self, token) -> None:
        since = parse_token(token)
        if since is None:
            raise ValidationError(
                _("This form does not say when it was opened; reload the page and try again."),
                code="no_version",
            )
        model = type(self.instance)
        # Hold the row until this save commits, so two saves cannot both pass the check.
        list(model.objects.select_for_update().filter(pk=self.instance.pk).values("pk"))
        records = newer_changes(model, [self.instance.pk], since)
        if not records:
            return
        seen = model.history.filter(id=self.instance.pk, history_date__lte=since).first()
        self.conflict_changes = field_changes(model.history.model, seen, records[0])
        # Keep the editor's input; a second, informed save is no longer stale.
        data = self.data.copy()
        data[self.add_prefix("opened_at")] = now_token()
        self.data = data
        raise ValidationError(conflict_message(records[0]), code="stale")

    def has_changed(self) -> bool:
        return any(name not in EDITORIAL_FIELDS for name in self.changed_data)


class StaleCheckingFormSet(forms.BaseModelFormSet):
    """Refuses inline rows and list edits changed by someone else since the page was opened."""

    opened_at = None

    def clean(self):
        super().clean()
        since = parse_token(self.opened_at)
        touched = [
            form.instance.pk
            for form in self.forms
            if form.instance.pk and (form.has_changed() or self._should_delete_form(form))
        ]
        if since is None or not touched:
            return
        records = newer_changes(self.model, touched, since)
        if records:
            raise ValidationError([conflict_message(record) for record in records], code="stale")


# Automatic change reasons are records, stored the same whatever the editor's interface language.
def checking_staleness(formset_class, request):
    """The formset class, refusing rows changed since the page (its ``opened_at``) was loaded."""
    return type(
        formset_class.__name__,
        (StaleCheckingFormSet, formset_class),
        {"opened_at": request.POST.get("opened_at")},
    )


def default_reason(change: bool) -> str:
    return "Changed in the admin" if change else "Created in the admin"


class EditorialInline(admin.TabularInline):
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        return checking_staleness(super().get_formset(request, obj, **kwargs), request)


class EditorialAdmin(SimpleHistoryAdmin):
    form = EditSummaryForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_form_template = "admin/editorial/change_form.html"
    change_list_template = "admin/editorial/change_list.html"
    object_history_template = "admin/editorial/object_history.html"
    narrative_fields: tuple[str, ...] = ()
    history_list_display = ["diff"]

    # --- forms -----------------------------------------------------------------------------

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.narrative_fields:
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

    # --- saving with the edit summary --------------------------------------------------------

    def reason_for(self, request, form, change: bool) -> str:
        summary = form.cleaned_data.get("edit_summary", "")
        version = self.reverted_version(request)
        if version is not None:
            when = date_format(timezone.localtime(version.history_date), "Y-m-d H:i")
            reverted = f"Reverted to the version of {when}"
            return f"{reverted}: {summary}" if summary else reverted
        return summary or default_reason(change)

    def reverted_version(self, request):
        match = request.resolver_match
        if match is None or not match.url_name.endswith("_simple_history"):
            return None
        # simple-history's revert URL passes (object_id, version_id) positionally.
        version_id = match.kwargs.get("version_id") or (match.args[1:2] or [None])[0]
        return self.model.history.filter(history_id=version_id).first()

    def save_model(self, request, obj, form, change) -> None:
        obj._change_reason = self.reason_for(request, form, change)
        request._edit_summary = obj._change_reason
        draft = current_revision()
        if draft is not None:
            draft.summary = obj._change_reason
            if form.cleaned_data.get("is_correction"):
                draft.is_correction = True
                draft.correction_note = form.cleaned_data["correction_note"]
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        reason = getattr(request, "_edit_summary", default_reason(change))
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._change_reason = reason
            obj._history_user = request.user
            obj.delete()
        for instance in instances:
            instance._change_reason = reason
            instance._history_user = request.user
            instance.save()
        formset.save_m2m()

    # --- changelists: list edits and actions carry the time the page was opened ---------------

    def changelist_view(self, request, extra_context=None):
        extra_context = {"opened_at": now_token(), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_changelist_formset(self, request, **kwargs):
        return checking_staleness(super().get_changelist_formset(request, **kwargs), request)

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

    def save_with_reason(self, request, obj, reason: str) -> None:
        obj._change_reason = reason
        obj._history_user = request.user
        obj.save()

    # --- history: compare any two versions ------------------------------------------------

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            )
        ]
        return extra + super().get_urls()

    def history_view(self, request, object_id, extra_context=None):
        info = self.model._meta.app_label, self.model._meta.model_name
        compare_url = reverse("admin:{}_{}_compare".format(*info), args=[object_id])
        extra_context = {"compare_url": compare_url, **(extra_context or {})}
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's revert view has no transaction of its own; the stale-save check locks
        # the row until the save commits, which needs one (as the change view has).
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def compare_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = list(obj.history.select_related("history_user").order_by("-history_date"))
        by_id = {str(version.history_id): version for version in versions}
        new = by_id.get(request.GET.get("new", "")) or (versions[0] if versions else None)
        old = by_id.get(request.GET.get("old", ""))
        if old is None and new is not None:
            older = [v for v in versions if v.history_date < new.history_date]
            old = older[0] if older else None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Compare versions of %(object)s") % {"object": obj},
            "opts": self.model._meta,
            "object": obj,
            "versions": versions,
            "old": old,
            "new": new,
            "changes": field_changes(self.model.history.model, old, new) if new else [],
        }
        return TemplateResponse(request, "admin/editorial/compare.html", context)

    @admin.display(description=_("Compare"))
    def diff(self, record) -> str:
        info = self.model._meta.app_label, self.model._meta.model_name
        url = reverse("admin:{}_{}_compare".format(*info), args=[record.id])
        return format_html('<a href="{}?new={}">{}</a>', url, record.history_id, gettext("diff"))


class SpreadsheetMixin(ImportExportMixin):
    """CSV, XLSX and JSON import and export, with the resource's natural keys."""

    formats = [CSV, XLSX, JSON]


class PublishingAdmin(EditorialAdmin):
    """For entries with a publication state: editors draft and submit, publishers publish."""

    actions = ["submit_for_review", "publish", "unpublish"]

    def allowed_states(self, request, obj=None) -> list[str]:
        if can_publish(request.user, self.model):
            return list(PublicationState.values)
        if obj is not None and obj.state == PUBLISHED:
            return [PUBLISHED]
        return [PublicationState.DRAFT, PublicationState.REVIEW]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "state" in form.base_fields:
            allowed = self.allowed_states(request, obj)
            field = form.base_fields["state"]
            field.choices = [(value, label) for value, label in field.choices if value in allowed]
            if len(allowed) == 1:
                field.disabled = True
        return form

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.state == PUBLISHED and not can_publish(request.user, self.model):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        if queryset.filter(state=PUBLISHED).exists() and not can_publish(request.user, self.model):
            raise PermissionDenied
        for obj in queryset:
            obj._change_reason = "Deleted in the admin"
            obj._history_user = request.user
            obj.delete()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_publish(request.user, self.model):
            actions.pop("publish", None)
            actions.pop("unpublish", None)
        if not self.has_change_permission(request):
            actions.pop("submit_for_review", None)
        return actions

    def change_state(self, request, queryset, *, source: list[str], target: str, reason: str):
        changed = 0
        for obj in queryset.filter(state__in=source):
            obj.state = target
            self.save_with_reason(request, obj, reason)
            changed += 1
        skipped = queryset.count() - changed
        self.message_user(
            request,
            gettext("%(changed)d changed, %(skipped)d left as they were.")
            % {"changed": changed, "skipped": skipped},
            messages.SUCCESS if changed else messages.WARNING,
        )

    @admin.action(description=_("Submit for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        self.change_state(
            request, queryset, source=["draft"], target="review",
            reason="Submitted for review",
        )  # fmt: skip

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        self.change_state(
            request, queryset, source=["draft", "review"], target=PUBLISHED,
            reason="Published",
        )  # fmt: skip

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self.change_state(
            request, queryset, source=[PUBLISHED, "review"], target="draft",
            reason="Unpublished",
        )  # fmt: skip

    def has_publish_permission(self, request) -> bool:
        return can_publish(request.user, self.model)
