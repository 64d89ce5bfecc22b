"""What every editorial admin shares: an edit summary on each save, kept as the history's reason."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

PUBLISHED = "published"


class EditSummaryForm(forms.ModelForm):
    edit_summary = forms.CharField(
        label=_("Edit summary"),
        required=False,
        max_length=100,
        help_text=_("Briefly say what you changed and why, e.g. “Corrected the date of the raid”."),
    )

    def clean(self):
        cleaned = super().clean()
        was_published = (
            self.instance.pk is not None and getattr(self.instance, "state", None) == PUBLISHED
        )
        if was_published and self.has_changed() and not cleaned.get("edit_summary"):
            self.add_error(
                "edit_summary",
                forms.ValidationError(
                    _("Say what you changed: this entry is published."), code="required"
                ),
            )
        return cleaned

    def has_changed(self) -> bool:
        return any(name != "edit_summary" for name in self.changed_data)


def default_reason(change: bool) -> str:
    return str(_("Changed in the admin") if change else _("Created in the admin"))


class EditorialAdmin(SimpleHistoryAdmin):
    """Stores the edit summary as the change reason of the object and of its inline rows."""

    form = EditSummaryForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def reason_for(self, request, form, change: bool) -> str:
        return form.cleaned_data.get("edit_summary") or default_reason(change)

    def save_model(self, request, obj, form, change) -> None:
        obj._change_reason = self.reason_for(request, form, change)
        request._edit_summary = obj._change_reason
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        reason = getattr(request, "_edit_summary", default_reason(change))
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._change_reason = reason
            obj.delete()
        for instance in instances:
            instance._change_reason = reason
            instance.save()
        formset.save_m2m()


class EditorialInline(admin.TabularInline):
    extra = 0
    show_change_link = True
