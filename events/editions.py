"""Editions in step with their original: which texts of a crisis are translated, starting a
translation, knowing when the original moved on, and showing readers an edition with every
text it lacks marked in the original's language.

An original's text is named by its row (``item``, as fixtures name rows) and its field. A
translation keeps the original text it was made from; when that differs from the original as it
is now, or the original has a text no translation covers, the edition is behind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from actors.models import Participation
from crisis_tracker import history
from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.diffs import inline_diff
from crisis_tracker.history import revision
from crisis_tracker.http_cache import purge
from crisis_tracker.publication import PUBLISHED

from . import snapshots
from .models import Assessment, Crisis, Edition, Event, Section, Translation
from .models.editions import item_name_part, kind_of
from .page_cache import bump_crisis_ids
from .revisions import revision_recorded

# What each kind of row has to translate, in reading order.
FIELDS = {
    "crisis": ("title", "part_of", "map_caption", "lead"),
    "section": ("heading", "body"),
    "participation": ("side", "note"),
    "assessment": ("reason", "text"),
    "event": ("title", "place", "summary", "figures_note", "no_place_reason"),
}
# Languages as readers of the interface name them ("in Chinese", "中文").
LANGUAGE_NAMES = {"zh-hans": gettext_lazy("Chinese"), "en": gettext_lazy("English")}


def item_of(obj) -> str:
    """The name of an original's row: ``crisis``, ``section/背景``, ``event/agalarov-case``,
    ``participation/russia/party``, ``assessment/2025-06``."""
    if isinstance(obj, Crisis):
        return "crisis"
    if isinstance(obj, Section):
        return f"section/{obj.key}"
    if isinstance(obj, Event):
        return f"event/{obj.slug}"
    if isinstance(obj, Participation):
        return f"participation/{obj.actor.slug}/{obj.role}"
    if isinstance(obj, Assessment):
        return f"assessment/{obj.month:%Y-%m}"
    raise TypeError(f"{type(obj).__name__} has no translatable texts")


def originals(crisis: Crisis) -> dict[tuple[str, str], str]:
    """Every non-empty translatable text of the original readers may see (its published
    events and assessments), by (item, field): four queries."""
    found = {("crisis", name): getattr(crisis, name) for name in FIELDS["crisis"]}
    # Entries readers do not see yet are not part of the original an edition follows: once
    # published, they put it behind.
    assessments = crisis.assessments.filter(state=PUBLISHED)
    rows = [
        ("section/{}", crisis.sections.values_list("key", *FIELDS["section"])),
        (
            "participation/{}",
            crisis.participations.values_list("actor__slug", "role", *FIELDS["participation"]),
        ),
        ("assessment/{}", assessments.values_list("month", *FIELDS["assessment"])),
        (
            "event/{}",
            crisis.events.filter(state=PUBLISHED).order_by().values_list("slug", *FIELDS["event"]),
        ),
    ]
    for pattern, values in rows:
        kind = kind_of(pattern)
        width = len(FIELDS[kind])
        for row in values:
            name = "/".join(item_name_part(part) for part in row[:-width])
            for field, text in zip(FIELDS[kind], row[-width:], strict=True):
                found[(pattern.format(name), field)] = text
    return {key: text for key, text in found.items() if text}


@dataclass
class Status:
    behind: list[Translation]  # made from an older original text
    missing: list[tuple[str, str]]  # original texts with no translation row
    untranslated: list[Translation]  # rows still empty

    @property
    def in_step(self) -> bool:
        return not self.behind and not self.missing


def status(edition: Edition, current: dict[tuple[str, str], str] | None = None) -> Status:
    current = originals(edition.crisis) if current is None else current
    rows = list(edition.translations.all())
    covered = {(row.item, row.field) for row in rows}
    behind, untranslated = [], []
    for row in rows:
        row.current_original = current.get((row.item, row.field), "")
        if (row.item, row.field) not in current:
            continue  # the original no longer has this text: nothing to translate
        if not row.text:
            untranslated.append(row)
        elif row.is_behind:
            behind.append(row)
    missing = [key for key in current if key not in covered]
    return Status(behind, missing, untranslated)


def refresh(editions: Iterable[Edition]) -> None:
    """Store how far each edition is behind its original (the desk lists them by it); pages
    of an edition whose standing changed are rendered afresh (their note changes)."""
    for edition in editions:
        found = status(edition)
        counts = {"behind": len(found.behind) + len(found.missing)}
        counts["untranslated"] = len(found.untranslated)
        if (edition.behind, edition.untranslated) == (counts["behind"], counts["untranslated"]):
            continue
        Edition.objects.filter(pk=edition.pk).update(**counts)
        purge([keys_of.crisis(edition.crisis_id)])
        bump_crisis_ids([edition.crisis_id])


_due = threading.local()  # crises and editions to refresh at the next commit, per thread


def refresh_after_commit(crisis_ids: set[int] = frozenset(), edition_id=None) -> None:
    """Refresh these crises' editions (or this edition) once the transaction commits: once,
    however many of their rows it saved (an edition's form saves every translation)."""
    crises, editions = due()
    crises.update(crisis_ids)
    editions.update([edition_id] if edition_id is not None else [])
    transaction.on_commit(refresh_due)  # the first to run takes them all; the rest find none


def due() -> tuple[set[int], set[int]]:
    if not hasattr(_due, "crises"):
        _due.crises, _due.editions = set(), set()
    return _due.crises, _due.editions


def refresh_due() -> None:
    crises, editions = due()
    if not crises and not editions:
        return
    wanted = Q(crisis_id__in=set(crises)) | Q(pk__in=set(editions))
    crises.clear()
    editions.clear()
    refresh(Edition.objects.select_related("crisis").filter(wanted))


@receiver(revision_recorded)
def original_revised(sender, revision, crisis_ids, **kwargs) -> None:
    """Any recorded change (admin, import, schedule, command) may move an edition's original."""
    refresh_after_commit(set(crisis_ids))


@receiver([post_save, post_delete], sender=Translation)
@receiver([post_save, post_delete], sender=Edition)
@receiver([post_save, post_delete], sender=Assessment)
def edition_part_changed(sender, instance, **kwargs) -> None:
    if sender is Translation:
        refresh_after_commit(edition_id=instance.edition_id)
    else:
        refresh_after_commit({instance.crisis_id})


def start(edition: Edition, *, user=None) -> int:
    """Copy the original's structure into the edition: an empty translation for every text it
    has none for, remembering the original text. Returns how many were added."""
    found = status(edition)
    current = originals(edition.crisis)
    rows = [
        Translation(edition=edition, item=item, field=field, original=current[(item, field)])
        for item, field in found.missing
    ]
    if rows:
        with revision(summary="Started the translation", user=user):
            history.bulk_create(Translation, rows)  # a crisis may have 100,000 events
        refresh_after_commit(edition_id=edition.pk)
    return len(rows)


@dataclass
class Change:
    translation: Translation
    diff: SafeString  # the original then and now, as the history shows a change


def changes_since(edition: Edition) -> tuple[list[Change], list[tuple[str, str, str]]]:
    """What changed in the original since each translation was made, and the original's new
    texts (item, field, text) with no translation yet."""
    current = originals(edition.crisis)
    found = status(edition, current)
    changed = [Change(row, inline_diff(row.original, row.current_original)) for row in found.behind]
    new = [(item, field, current[(item, field)]) for item, field in found.missing]
    return changed, new


# --- readers ---------------------------------------------------------------------------------


class Fallback(str):
    """A text shown in the original's language where the edition has none: marked for readers
    (a note after it) and for fonts and screen readers (its ``lang``)."""

    language = ""

    def __html__(self) -> str:
        return fallback_html(escape(self), self.language, inline=True)


def in_original(text: str, language: str) -> Fallback:
    marked = Fallback(text)
    marked.language = language
    return marked


def fallback_html(html: str, language: str, *, inline: bool = False) -> SafeString:
    note = _("in %(language)s") % {"language": LANGUAGE_NAMES.get(language, language)}
    tag = "span" if inline else "div"
    return mark_safe(  # noqa: S308  (``html`` is escaped or sanitised by the caller)
        f'<{tag} class="untranslated" lang="{language}">{html}'
        f'<span class="untranslated-mark" lang="{get_language()}"> ({escape(note)})</span>'
        f"</{tag}>"
    )


class Reading:
    """A published edition's texts, laid over the original's rows for one page (one query)."""

    def __init__(self, edition: Edition, original_language: str, rows=None):
        self.edition = edition
        self.original_language = original_language
        if rows is None:
            rows = edition.translations.exclude(text="").values_list("item", "field", "text")
        self.texts = {(item, field): text for item, field, text in rows if text}

    def text(self, item: str, field: str, value: str) -> str:
        """The edition's text for the original's ``value``, else that value marked."""
        text = self.texts.get((item, field))
        return text if text else in_original(value, self.original_language)

    def event_title(self, slug: str, title: str) -> str:
        return self.text(f"event/{slug}", "title", title)

    def apply(self, obj) -> None:
        item = item_of(obj)
        for field in FIELDS[kind_of(item)]:
            value = getattr(obj, field)
            if value:
                setattr(obj, field, self.text(item, field, value))

    def apply_all(self, objects: Iterable) -> None:
        for obj in objects:
            self.apply(obj)


def actor_names(actors: Iterable, language: str, original_language: str) -> None:
    """Actors' names in ``language`` where they have one (``name_en``), else marked."""
    if language != "en":
        return
    for actor in actors:
        if actor.name_en:
            actor.name = actor.name_en
        elif not isinstance(actor.name, Fallback):
            actor.name = in_original(actor.name, original_language)


def reading_for(crisis: Crisis, language: str, published=None) -> Reading | None:
    """The edition readers of ``language`` get, ready to lay over a page (None: the original,
    or no edition yet); ``published`` when the caller has read them."""
    if language == crisis.language:
        return None
    edition = (published_editions(crisis) if published is None else published).get(language)
    return Reading(edition, crisis.language) if edition else None


def reading_at(crisis: Crisis, language: str, moment) -> Reading | None:
    """The edition readers of ``language`` had at ``moment``, as its texts stood then (None:
    the original, or no edition published then): two queries of the history."""
    if language == crisis.language:
        return None
    found = snapshots.as_of(Edition, moment, crisis_id=crisis.pk, language=language)
    if not found or not found[0].is_published:
        return None
    rows = snapshots.as_of(Translation, moment, edition_id=found[0].pk)
    return Reading(found[0], crisis.language, [(r.item, r.field, r.text) for r in rows])


def published_editions(crisis: Crisis) -> dict[str, Edition]:
    """The crisis's published editions by language (one query)."""
    return {edition.language: edition for edition in crisis.editions.published()}


def languages_of(crisis: Crisis, published: dict[str, Edition]) -> list[str]:
    """The languages a crisis reads in: its own and its published editions'."""
    original = getattr(crisis, "original_language", crisis.language)
    return [original, *sorted(set(published) - {original})]


# --- the API: rows of several crises at once ---------------------------------------------------


def crisis_of(obj) -> Crisis:
    return obj if isinstance(obj, Crisis) else obj.crisis


def lay_over(objects: list, language: str, *, mark: bool = False) -> None:
    """Give crises, events and assessments (of any crises) their published editions' texts in
    ``language``, in memory; each says the language of each text in ``field_languages``, and
    with ``mark`` a text left in the original is marked for readers. Two queries at most (none
    when every crisis is written in ``language``), whatever the number of rows and crises."""
    crises = {crisis_of(obj).pk: crisis_of(obj) for obj in objects}
    wanted = [pk for pk, crisis in crises.items() if crisis.language != language]
    found = Edition.objects.published().filter(crisis_id__in=wanted, language=language)
    edition_ids = list(found.values_list("pk", flat=True)) if wanted else []
    rows = Translation.objects.filter(
        edition_id__in=edition_ids, item__in={item_of(obj) for obj in objects}
    ).exclude(text="")
    texts = {
        (crisis_id, item, field): text
        for crisis_id, item, field, text in rows.values_list(
            "edition__crisis_id", "item", "field", "text"
        )
    }
    for obj in objects:
        crisis_id, item = crisis_of(obj).pk, item_of(obj)
        shown = {}
        original = crisis_of(obj).language
        for field in FIELDS[kind_of(item)]:
            text, value = texts.get((crisis_id, item, field)), getattr(obj, field)
            if text and value:
                setattr(obj, field, text)
            elif mark and value and original != language:
                setattr(obj, field, in_original(value, original))
            shown[field] = language if text else None
        obj.field_languages = shown


def now_reading_in(crises, language: str) -> None:
    """Crises whose title ``lay_over`` gave in ``language`` now read in it (their ``lang``;
    in memory, for one page)."""
    for crisis in crises:
        if getattr(crisis, "field_languages", {}).get("title") == language:
            crisis.original_language, crisis.language = crisis.language, language


def field_languages(obj) -> dict[str, str]:
    """The language of each translatable text of ``obj`` that has one."""
    shown = getattr(obj, "field_languages", {})
    original = crisis_of(obj).language
    return {
        field: shown.get(field) or original
        for field in FIELDS[kind_of(item_of(obj))]
        if getattr(obj, field)
    }
