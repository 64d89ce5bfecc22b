"""The change form every editorial admin uses, and the formsets of its inlines and list edits.

- an edit summary on each save (required on published entries) and a correction note;
- optimistic locking (see ``crisis_tracker.locking``): a form, inline row or list edit based
  on an entry someone changed since the page was opened is refused, keeping the editor's input;
- list edits and actions take their summary from the box above the changelist.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..diffs import field_changes
from ..history import REASON_LENGTH
from ..locking import conflict_message, newer_changes, now_token, parse_token
from ..publication import PUBLISHED, Publishable

EDITORIAL_FIELDS = ["edit_summary", "is_correction", "correction_note", "opened_at"]


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
    """Refuses inline rows and list edits changed by someone else since the page was opened,
    and (``summary_required``, for list edits) changes to published rows without a summary."""

    opened_at = None
    edit_summary = ""
    summary_required = False

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
        if self.summary_required and not self.edit_summary and self.touches_published(touched):
            raise ValidationError(
                _("Say what you changed in the edit summary: a row you edited is published."),
                code="required",
            )

    def touches_published(self, pks) -> bool:
        if not issubclass(self.model, Publishable):
            return False
        return self.model.objects.filter(pk__in=pks, state=PUBLISHED).exists()


def checking_staleness(formset_class, request, *, summary_required: bool = False):
    """The formset class, refusing rows changed since the page (its ``opened_at``) was loaded."""
    return type(
        formset_class.__name__,
        (StaleCheckingFormSet, formset_class),
        {
            "opened_at": request.POST.get("opened_at"),
            "edit_summary": list_summary(request),
            "summary_required": summary_required,
        },
    )


def list_summary(request) -> str:
    """The edit summary typed above a changelist, for its list edits and actions."""
    return request.POST.get("edit_summary", "").strip()[:REASON_LENGTH]
