"""A user's desk as an Atom feed, for those who prefer a reader to e-mail: what was submitted
that they may publish, what became of their submissions, and what was published in the crises
they watch. Its address carries a signed secret (``NotificationSettings.feed_key``) instead of a
login; a new key retires the old address."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.syndication.views import Feed
from django.core import signing
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from crisis_tracker.editorial.admin import change_path
from crisis_tracker.publication import may_preview, may_review
from events.models import ENTRY_MODELS, Crisis, CrisisRevision

from .models import CrisisWatch, NotificationSettings, ReviewComment
from .notifications import news_in

SALT = "desk.panels-feed"
ITEMS = 50
Step = ReviewComment.Step


@dataclass
class Item:
    title: str
    body: str
    link: str
    when: datetime.datetime


def feed_path(user) -> str:
    row, _created = NotificationSettings.objects.get_or_create(user=user)
    token = signing.Signer(salt=SALT).sign(f"{user.pk}:{row.feed_key}")
    return reverse("admin:desk_feed", args=[token])


def user_of(token: str):
    try:
        user_id, _colon, key = signing.Signer(salt=SALT).unsign(token).partition(":")
    except signing.BadSignature:
        return None
    row = NotificationSettings.objects.filter(user_id=user_id, feed_key=key).first()
    user = row and get_user_model().objects.filter(pk=row.user_id, is_active=True).first()
    return user if user and user.is_staff else None


def types_for(user, allowed) -> list[ContentType]:
    """The content types of the reviewed models ``allowed(user, model)`` lets the user see now:
    rights are checked on every read of the feed, so a user who lost them receives nothing."""
    models = [model for model in ENTRY_MODELS if allowed(user, model)]
    return list(ContentType.objects.get_for_models(*models).values()) if models else []


def submissions_to_review(user) -> list[ReviewComment]:
    types = types_for(user, may_review)
    if not types:
        return []
    comments = ReviewComment.objects.filter(step=Step.SUBMITTED, content_type__in=types)
    return list(with_entries(comments.exclude(user=user)))


def answers_to_me(user) -> list[ReviewComment]:
    """Approvals and sendings back of entries this user submitted: the entry is matched as a
    pair (content type, id), never by each half on its own."""
    types = types_for(user, may_preview)
    if not types:
        return []
    mine = ReviewComment.objects.filter(
        user=user,
        step=Step.SUBMITTED,
        content_type=OuterRef("content_type"),
        object_id=OuterRef("object_id"),
    )
    answers = ReviewComment.objects.filter(
        Exists(mine), step__in=[Step.PUBLISHED, Step.SENT_BACK], content_type__in=types
    )
    return list(with_entries(answers.exclude(user=user)))


def with_entries(comments):
    """The latest comments, each with its entry and author, in a query per kind of entry."""
    latest = comments.order_by("-created_at")[:ITEMS]
    return latest.select_related("user").prefetch_related("entry")


def comment_item(comment: ReviewComment) -> Item:
    entry = comment.entry
    by = comment.user.get_username() if comment.user else "—"
    return Item(
        title=f"{comment.get_step_display().capitalize()}: {entry}",
        body=f"{by}: {comment.text}" if comment.text else by,
        link=change_path(entry) if entry is not None else reverse("admin:index"),
        when=comment.created_at,
    )


def published_in_watched(user) -> list[Item]:
    if not may_preview(user, Crisis):
        return []
    watched = CrisisWatch.objects.filter(user=user).values("crisis_id")
    links = (
        CrisisRevision.objects.filter(crisis_id__in=watched, public=True)
        .select_related("crisis", "revision")
        .order_by("-revision__created_at")[:ITEMS]
    )
    news = ((link, news_in(link)) for link in links)
    return [
        Item(f"Published in {link.crisis.title}", "; ".join(lines), link.get_absolute_url(),
             link.revision.created_at)
        for link, lines in news
        if lines
    ]  # fmt: skip


def items_for(user) -> list[Item]:
    comments = [*submissions_to_review(user), *answers_to_me(user)]
    items = [comment_item(comment) for comment in comments] + published_in_watched(user)
    return sorted(items, key=lambda item: item.when, reverse=True)[:ITEMS]


class DeskFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_object(self, request, token: str):
        user = user_of(token)
        if user is None:
            raise Http404
        return user

    def title(self, user) -> str:
        return f"Crisis Tracker desk: {user.get_username()}"

    def link(self, user) -> str:
        return reverse("admin:index")

    def subtitle(self, user) -> str:
        return "Submissions to review, answers to yours, news in the crises you watch."

    def items(self, user) -> list[Item]:
        return items_for(user)

    def item_title(self, item: Item) -> str:
        return item.title

    def item_description(self, item: Item) -> str:
        # Atom's summary is HTML to a feed reader: comments and titles are text, so escaped.
        return escape(item.body)

    def item_link(self, item: Item) -> str:
        return item.link

    def item_guid(self, item: Item) -> str:
        return f"{settings.SITE_URL}{item.link}#{item.when.isoformat()}"

    def item_pubdate(self, item: Item) -> datetime.datetime:
        return item.when
