"""Publication state, and who may see or change it: the one definition every app reads.

- A row is *public* when it is published and so is everything it belongs to: an event and its
  crisis, a section and its crisis, an event's actor and its event. Models say what they belong
  to in ``published_with``; ``published_q`` turns that into one filter.
- Staff who may view a model in the admin see its unpublished rows too (the preview); everyone
  else sees public rows only. Every public view, feed and export asks ``visible_to(user)``.
- Moving a row into or out of the published state needs the model's ``publish_<model>``
  permission (so does scheduling that move with ``publish_at`` / ``unpublish_at``, carried out
  by ``publish_scheduled`` in the name of the publisher who scheduled it); moving between draft
  and review needs only the right to change it (``may_set_state``). Without a user (a system
  job such as a command run by an operator), every move is allowed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .choices import ChoiceLabels


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("draft")
    REVIEW = "review", _("in review")
    PUBLISHED = "published", _("published")


DRAFT = PublicationState.DRAFT
REVIEW = PublicationState.REVIEW
PUBLISHED = PublicationState.PUBLISHED
# When a publisher scheduled an entry to go live or come down: desk state, not content, so
# fixtures neither carry nor set it.
SCHEDULE_FIELDS = ("publish_at", "unpublish_at", "scheduled_by")


def permission(model, action: str) -> str:
    """The full name of ``model``'s ``action`` permission (view, change, publish, …)."""
    return f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}"


def may_preview(user, model) -> bool:
    """Whether ``user`` sees unpublished rows of ``model`` on public pages (with a banner)."""
    return bool(
        user is not None
        and user.is_active
        and user.is_staff
        and user.has_perm(permission(model, "view"))
    )


def may_publish(user, model) -> bool:
    return user.has_perm(permission(model, "publish"))


def may_review(user, model) -> bool:
    """Approving or sending back an entry in review is a publisher's decision."""
    return may_publish(user, model)


def may_schedule(user, model) -> bool:
    """Scheduling a move into or out of the published state needs the right to make it."""
    return may_publish(user, model)


def may_set_state(user, model, old: str | None, new: str | None) -> bool:
    """Whether ``user`` may move a ``model`` row from state ``old`` to ``new``.

    ``old`` is None for a new row and ``new`` is None for a deletion. Entering or leaving
    the published state needs the publish permission; ``user`` None is a system job.
    """
    if old == new or PUBLISHED not in (old, new):
        return True
    return user is None or may_publish(user, model)


class WaitsFor(models.TextChoices):
    """Why an imported entry waits for a publisher (see ``waits_for_publisher``)."""

    PUBLISHING = "publishing", _("marked published")
    UNPUBLISHING = "unpublishing", _("taken out of the published state")
    PUBLISHED_CHANGE = "published-change", _("changes a published entry")


def waits_for_publisher(user, model, old: str | None, new: str) -> str | None:
    """Why an import by ``user`` that gives a ``model`` row (now in ``old``, None if new) the
    state ``new`` and changes it must wait for a publisher's approval, or None.

    Nothing an editor imports reaches readers before a publisher approves it: entering or
    leaving the published state (``may_set_state``), and any change to a published entry, wait.
    """
    if user is None or may_publish(user, model):
        return None
    if not may_set_state(user, model, old, new):
        return WaitsFor.PUBLISHING if new == PUBLISHED else WaitsFor.UNPUBLISHING
    if old == PUBLISHED:
        return WaitsFor.PUBLISHED_CHANGE
    return None


def may_move(user, model, state: str) -> bool:
    """Whether ``user`` may change what a ``model`` row in ``state`` belongs to (its
    ``published_with`` relations, e.g. an event's crisis). Moving a published row changes which
    readers see it, in both places: a publication change, so it needs the publish permission."""
    return may_set_state(user, model, state, None if state == PUBLISHED else state)


def allowed_states(user, model, current: str | None) -> list[str]:
    """The states ``user`` may give a row that is now in ``current`` (None: a new row)."""
    return [
        state for state in PublicationState.values if may_set_state(user, model, current, state)
    ]


def published_q(model, prefix: str = "") -> Q:
    """The filter for rows of ``model`` that readers may see."""
    condition = Q()
    if issubclass(model, Publishable):
        condition &= Q(**{f"{prefix}state": PUBLISHED})
    for name in getattr(model, "published_with", ()):
        related = model._meta.get_field(name).related_model
        condition &= published_q(related, f"{prefix}{name}__")
    return condition


# Who a page is built for: the public sees public rows only; the preview, staff who may view a
# model in the admin (and a preview link's stand-in), sees unpublished rows too, marked.
PUBLIC = "public"
PREVIEW = "preview"


def audience(user, model) -> str:
    """The one rule of who sees what: PREVIEW for those who may preview ``model``, else
    PUBLIC (``None``, a feed or an export that is the same for everyone, is the public)."""
    return PREVIEW if may_preview(user, model) else PUBLIC


class VisibilityQuerySet(models.QuerySet):
    def published(self):
        """What the public sees."""
        return self.filter(published_q(self.model))

    def for_audience(self, seen_by: str):
        return self if seen_by == PREVIEW else self.published()

    def visible_to(self, user):
        """What ``user`` may see: the queryset method every public view asks."""
        return self.for_audience(audience(user, self.model))


def get_visible_or_404(user, queryset, **lookup):
    """The access-checked lookup every public page goes through: 404 for what the user may
    not see, exactly as for what does not exist."""
    found = queryset.visible_to(user).filter(**lookup).first()
    if found is None:
        raise Http404
    return found


def may_read(user, model, state: str) -> bool:
    """For a page already built (and cached) from a row in ``state``: the same rule."""
    return state == PUBLISHED or audience(user, model) == PREVIEW


class Publishable(ChoiceLabels, models.Model):
    """An entry readers see only once a publisher has published it."""

    state = models.CharField(
        _("publication state"),
        max_length=10,
        choices=PublicationState,
        default=PublicationState.DRAFT,
    )

    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("Goes live at this time (a publisher schedules it)."),
    )
    unpublish_at = models.DateTimeField(
        _("unpublish at"),
        null=True,
        blank=True,
        help_text=_("Taken down (back to draft) at this time."),
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("scheduled by"),
    )

    State = PublicationState
    published_with: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.state == PUBLISHED
