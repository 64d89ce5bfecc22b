"""The publishing workflow in the admin: editors draft and submit, publishers publish.

Which moves a user may make is ``crisis_tracker.publication.may_set_state``; this module only
offers the allowed ones (the state field's choices, the actions, deleting).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import transitions
from ..publication import DRAFT, PUBLISHED, REVIEW, allowed_states, may_set_state
from .admin import EditorialAdmin
from .forms import list_summary


class PublishingAdmin(EditorialAdmin):
    """For entries with a publication state."""

    actions = ["submit_for_review", "publish", "unpublish"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "state" in form.base_fields:
            allowed = allowed_states(request.user, self.model, obj.state if obj else None)
            field = form.base_fields["state"]
            field.choices = [(value, label) for value, label in field.choices if value in allowed]
            if len(allowed) == 1:
                field.disabled = True
        return form

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not may_set_state(request.user, self.model, obj.state, None):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        states = set(queryset.values_list("state", flat=True))
        if not all(may_set_state(request.user, self.model, state, None) for state in states):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_publish_permission(request):
            actions.pop("publish", None)
            actions.pop("unpublish", None)
        if not self.has_change_permission(request):
            actions.pop("submit_for_review", None)
        return actions

    def save_model(self, request, obj, form, change) -> None:
        """A change of state on the form is a move like any other (``transitions``)."""
        old = form.initial.get("state") if change else None
        super().save_model(request, obj, form, change)
        comment = form.cleaned_data.get("edit_summary", "")
        transitions.announce(
            [transitions.StateChange(obj, old, obj.state)], user=request.user, comment=comment
        )

    def change_state(self, request, queryset, *, source: list[str], target: str):
        summary = list_summary(request)
        reason = transitions.summary_of(source[0], target)
        self.describe_edit(request, f"{reason}: {summary}" if summary else reason)
        entries = list(queryset.filter(state__in=source))
        try:
            transitions.move(entries, target, user=request.user, comment=summary)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        changed = len(entries)
        skipped = queryset.count() - changed
        self.message_user(
            request,
            gettext("%(changed)d changed, %(skipped)d left as they were.")
            % {"changed": changed, "skipped": skipped},
            messages.SUCCESS if changed else messages.WARNING,
        )

    @admin.action(description=_("Submit for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        self.change_state(request, queryset, source=[DRAFT], target=REVIEW)

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        self.change_state(request, queryset, source=[DRAFT, REVIEW], target=PUBLISHED)

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self.change_state(request, queryset, source=[PUBLISHED, REVIEW], target=DRAFT)

    def has_publish_permission(self, request) -> bool:
        return may_set_state(request.user, self.model, DRAFT, PUBLISHED)
