"""Review and scheduling on the admin's change forms of crises and events: the comment thread,
the steps this user may take (``desk.review``), and "publish at" / "unpublish at" for those
who may publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crisis_tracker.editorial.admin import change_path
from crisis_tracker.editorial.forms import EditSummaryForm
from crisis_tracker.locking import conflict_message, newer_changes, now_token, parse_token
from crisis_tracker.narrative import crisis_of
from crisis_tracker.publication import SCHEDULE_FIELDS, may_move, may_schedule

from . import review
from .models import CrisisWatch

SCHEDULED_TIMES = SCHEDULE_FIELDS[:2]  # what the form sets; the publisher is recorded
STEP_BUTTONS = {
    review.Step.SUBMITTED: _("Submit for review"),
    review.Step.PUBLISHED: _("Approve and publish"),
    review.Step.SENT_BACK: _("Send back"),
    review.Step.COMMENTED: _("Comment"),
}


class ScheduleForm(EditSummaryForm):
    """The change form of a reviewed entry: a schedule only a publisher may set, and only ahead
    of now; what a published entry belongs to (an event's crisis) changed only by a publisher."""

    editor = None  # the signed-in user, set on each request's form class by ReviewAdmin

    def clean(self):
        cleaned = super().clean()
        model, entry = self._meta.model, self.instance  # as saved: the form is not applied yet
        if entry.pk is not None and not may_move(self.editor, model, entry.state):
            for name in getattr(model, "published_with", ()):
                if name in self.changed_data:
                    message = gettext(
                        "Moving a published entry changes what readers see in both places: only "
                        "a publisher may do it (or unpublish it first)."
                    )
                    self.add_error(name, message)
        for name in SCHEDULED_TIMES:
            if name not in self.changed_data:
                continue
            value = cleaned.get(name)
            if not may_schedule(self.editor, self._meta.model):
                self.add_error(name, gettext("Only a publisher may schedule this."))
            elif value is not None and value <= timezone.now():
                self.add_error(name, gettext("Choose a time in the future."))
        return cleaned


class ReviewAdmin:
    """For a PublishingAdmin whose model is a crisis or an event."""

    form = ScheduleForm
    schedule_fieldset = (_("Schedule"), {"fields": [SCHEDULED_TIMES], "classes": ["collapse"]})

    def get_fieldsets(self, request, obj=None):
        return [*super().get_fieldsets(request, obj), self.schedule_fieldset]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        form_class.editor = request.user
        if not may_schedule(request.user, self.model):
            for name in SCHEDULED_TIMES:
                if name in form_class.base_fields:
                    form_class.base_fields[name].disabled = True
        return form_class

    def save_model(self, request, obj, form, change) -> None:
        if any(name in form.changed_data for name in SCHEDULED_TIMES):
            obj.scheduled_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        def route(action: str, view):
            name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_{action}"
            return path(f"<path:object_id>/{action}/", self.admin_site.admin_view(view), name=name)

        return [route("review", self.review_view), route("watch", self.watch_view),
                *super().get_urls()]  # fmt: skip

    def entry_url(self, action: str, entry) -> str:
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=[entry.pk])

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["review"] = self.review_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_context(self, request, entry) -> dict:
        """The thread under the form, the steps this user may take, preview and watching."""
        crisis = crisis_of(entry)
        steps = review.steps_for(request.user, entry)
        return {
            "thread": review.thread(entry),
            "steps": [(step, STEP_BUTTONS[step]) for step in steps],
            "publishes": review.Step.PUBLISHED in steps,
            "action": self.entry_url("review", entry),
            "opened_at": now_token(),
            "limit": review.COMMENT_LIMIT,
            "preview": entry.get_absolute_url(),
            "watching": CrisisWatch.objects.filter(user=request.user, crisis=crisis).exists(),
            "watch": self.entry_url("watch", entry),
            "share": reverse("admin:desk_previewlink_add") + f"?crisis={crisis.pk}",
        }

    def entry_or_404(self, request, object_id):
        """The entry, for a user who may see it in the admin; 404 as for one that does not
        exist (nothing, not even its title, is told to anyone else)."""
        entry = self.get_object(request, unquote(object_id))
        if entry is None or not self.has_view_or_change_permission(request, entry):
            raise Http404
        return entry

    def review_view(self, request, object_id):
        entry = self.entry_or_404(request, object_id)
        back = HttpResponseRedirect(change_path(entry))
        if request.method != "POST":
            return back
        step = request.POST.get("step", "")
        since = parse_token(request.POST.get("opened_at"))
        if step not in review.MOVES or since is None:
            self.message_user(request, gettext("Reload the page and try again."), messages.ERROR)
            return back
        newer = newer_changes(self.model, [entry.pk], since)
        if newer and step != review.Step.COMMENTED:
            self.message_user(request, conflict_message(newer[0]), messages.ERROR)
            return back
        try:
            comment = review.take_step(
                entry,
                request.user,
                step,
                request.POST.get("comment", ""),
                summary=request.POST.get("summary", ""),
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        except PermissionDenied:
            message = gettext("You may not take this step on this entry in its present state.")
            self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(request, comment.get_step_display().capitalize(), messages.SUCCESS)
        return back

    def watch_view(self, request, object_id):
        """Start or stop watching the entry's crisis (mail when something in it is published)."""
        entry = self.entry_or_404(request, object_id)
        if request.method == "POST":
            crisis = crisis_of(entry)
            watch, created = CrisisWatch.objects.get_or_create(user=request.user, crisis=crisis)
            if not created:
                watch.delete()
            message = (
                gettext("You now watch %(crisis)s.")
                if created
                else gettext("You no longer watch %(crisis)s.")
            )
            self.message_user(request, message % {"crisis": crisis}, messages.SUCCESS)
        return HttpResponseRedirect(change_path(entry))
