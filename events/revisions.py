"""The public history of crises: each closed edit (``crisis_tracker.history``) becomes a
``Revision`` and one ``CrisisRevision`` per crisis it touched, saying in words what changed for
readers and whether they may see it.

What readers are told about one entry compares it as it was before the edit with how the edit
left it, so an entry created and then changed in one edit is one "added" line, and a withdrawn
or deleted entry is named as readers last saw it: words that were never published never reach
the public history. When the revision is saved, ``revision_recorded`` is sent with the crises
it touched (the page cache listens).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.dispatch import Signal, receiver

from actors.models import Actor, Participation
from crisis_tracker.citations import cited_keys
from crisis_tracker.history import RevisionDraft, RevisionRows, revision_closed
from crisis_tracker.narrative import crises_citing, narrative_fields, narrative_models
from crisis_tracker.publication import PUBLISHED, Publishable
from places.models import Place
from sources.models import Source

from .models import (
    Assessment,
    Crisis,
    CrisisRevision,
    Edition,
    Event,
    EventActor,
    Revision,
    Section,
    Translation,
)
from .models.editions import item_name_part, kind_of

LINES_KEPT = 200  # change lines of one kind and action per crisis in one revision

Kind = CrisisRevision.Kind
Action = CrisisRevision.Action

# Sent with ``revision`` (a Revision) and ``crisis_ids`` (the crises it touched).
revision_recorded = Signal()


@dataclass(frozen=True)
class ChangeLine:
    kind: str
    action: str
    label: str
    language: str = ""  # an edition's line: its language

    def as_json(self) -> dict:
        found = {"kind": self.kind, "action": self.action, "label": self.label}
        return {**found, "language": self.language} if self.language else found


@dataclass
class EntryEdit:
    """One entry across one edit: as it was before (None: new), after (None: deleted), and
    its last history row (which still says where it belonged, deleted or not)."""

    before: object
    after: object
    latest: object

    @classmethod
    def from_rows(cls, rows: list, before) -> EntryEdit:
        last = rows[-1]
        after = None if last.history_type == "-" else last
        return cls(before, after, last)

    def seen(self, row) -> bool:
        if row is None:
            return False
        return not issubclass(row.instance_type, Publishable) or row.state == PUBLISHED

    def line(self, kind: str, label) -> ChangeLine | None:
        """What readers were shown change, or None when they saw it neither before nor after."""
        was, now = self.seen(self.before), self.seen(self.after)
        if was and now:
            action = Action.CORRECTED if kind == Kind.SOURCE else Action.EDITED
            return ChangeLine(kind, action, label(self.after))
        if now:
            action = Action.ADDED if self.before is None else Action.PUBLISHED
            return ChangeLine(kind, action, label(self.after))
        if was:
            action = Action.REMOVED if self.after is None else Action.WITHDRAWN
            return ChangeLine(kind, action, label(self.before))
        return None


def by_entry(rows: list) -> dict[int, EntryEdit]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.id, []).append(row)
    existed = [found[0] for found in grouped.values() if found[0].history_type != "+"]
    before = rows_before(existed)
    return {pk: EntryEdit.from_rows(found, before.get(pk)) for pk, found in grouped.items()}


def rows_before(firsts: list, chunk: int = 500) -> dict[int, object]:
    """For each entry's first row in an edit, the row before it (one query per 500 entries):
    the latest row of that entry written by another edit."""
    found = {}
    for start in range(0, len(firsts), chunk):
        part = firsts[start : start + chunk]
        history = part[0].instance_type.history
        earlier = history.filter(id__in=[row.id for row in part]).exclude(
            revision_key=part[0].revision_key
        )
        found.update((row.id, row) for row in earlier.latest_of_each())
    return found


@receiver(revision_closed)
def record_revision(sender, draft: RevisionDraft, rows: RevisionRows, **kwargs) -> None:
    lines = changes(rows)
    if rows.first is None:
        return  # the edit wrote nothing
    reason = rows.first_reason.history_change_reason if rows.first_reason else ""
    user_id = draft.user.pk if getattr(draft.user, "pk", None) else rows.first.history_user_id
    revision, _created = Revision.objects.update_or_create(
        key=draft.key,
        defaults={
            "created_at": rows.last.history_date,
            "summary": (draft.summary or reason)[:300],
            "user_id": user_id,
            "is_correction": draft.is_correction,
            "correction_note": draft.correction_note,
        },
    )
    states = crisis_states_at(list(lines), revision.created_at)
    for crisis_id, found in lines.items():
        public = bool(found) and states.get(crisis_id) == PUBLISHED
        CrisisRevision.objects.update_or_create(
            crisis_id=crisis_id,
            revision=revision,
            defaults={"public": public, "changes": found, "language": language_of(found)},
        )
    revision_recorded.send(sender=Revision, revision=revision, crisis_ids=set(lines))


class Touched:
    """The crises an edit touched, each with its change lines in order, without repeats: at
    most ``LINES_KEPT`` of one kind and action per crisis, the others counted (an import that
    adds 100,000 events says so in one line, not 100,000)."""

    def __init__(self):
        self.lines: dict[int, dict[ChangeLine, None]] = {}  # an ordered set per crisis
        self.kept: dict[int, Counter] = {}
        self.more: dict[int, Counter] = {}

    def note(self, crisis_ids, line: ChangeLine | None) -> None:
        for crisis_id in crisis_ids:
            found = self.lines.setdefault(crisis_id, {})
            if line is None or line in found:
                continue
            kept = self.kept.setdefault(crisis_id, Counter())
            group = (line.kind, line.action, line.language)
            if kept[group] < LINES_KEPT:
                kept[group] += 1
                found[line] = None
            else:
                self.more.setdefault(crisis_id, Counter())[group] += 1

    def changes(self, crisis_id: int) -> list[dict]:
        """The crisis's change lines as stored; ``more`` says how many a line stands for."""
        lines = [line.as_json() for line in self.lines[crisis_id]]
        for (kind, action, language), count in self.more.get(crisis_id, Counter()).items():
            line = ChangeLine(kind, action, "", language).as_json()
            lines.append({**line, "more": count})
        return lines


def language_of(changes: list[dict]) -> str:
    """An edition's language when every line is that edition's, else "" (the original)."""
    languages = {line.get("language", "") for line in changes}
    return languages.pop() if len(languages) == 1 else ""


def edits(rows: RevisionRows, model) -> Iterator[dict[int, EntryEdit]]:
    """The entries of ``model`` the edit touched, a chunk at a time."""
    for chunk in rows.chunks(model):
        yield by_entry(chunk)


def cited_in(rows: RevisionRows, keys: set[str]) -> dict[str, set[int]]:
    """For sources new in this revision, the crises whose texts cite them: only texts written
    in the same revision can (a text may cite only a source that exists), so these are read,
    not every narrative text of the database — an import of a new crisis with its sources
    costs the same however many crises there already are."""
    found: dict[str, set[int]] = {}
    for model in narrative_models():
        names = narrative_fields(model)
        written = model.history.filter(revision_key=rows.key).values("id")
        texts = model._default_manager.filter(pk__in=written).order_by()
        for crisis_id, *values in texts.values_list(model.crisis_field, *names).iterator(2000):
            for text in values:
                for key in keys.intersection(cited_keys(text)):
                    found.setdefault(key, set()).add(crisis_id)
    return found


def actor_name(names: dict[int, str], row) -> str:
    return names.get(row.actor_id, "")


def changes(rows: RevisionRows) -> dict[int, list[dict]]:
    """For each crisis touched (and still there), the changes readers are told of, in words."""
    touched = Touched()
    for found in edits(rows, Crisis):
        for pk, edit in found.items():
            crisis_line = edit.line(Kind.CRISIS, lambda row: row.title)
            if crisis_line is None:  # a draft crisis: recorded, shown once it is published
                action = Action.ADDED if edit.before is None else Action.EDITED
                crisis_line = ChangeLine(Kind.CRISIS, action, edit.latest.title)
            touched.note([pk], crisis_line)
    for found in edits(rows, Section):
        for edit in found.values():
            line = edit.line(Kind.SECTION, lambda row: row.heading)
            touched.note([edit.latest.crisis_id], line)
            note_move(touched, edit)
    for found in edits(rows, Participation):
        names = dict(
            Actor.objects.filter(pk__in={e.latest.actor_id for e in found.values()}).values_list(
                "pk", "name"
            )
        )
        label = functools.partial(actor_name, names)
        for edit in found.values():
            line = edit.line(Kind.PARTICIPATION, label)
            touched.note([edit.latest.crisis_id], line)
            note_move(touched, edit)
    events_in_edit: set[int] = set()
    for found in edits(rows, Event):
        events_in_edit.update(found)
        for edit in found.values():
            touched.note([edit.latest.crisis_id], edit.line(Kind.EVENT, lambda row: row.title))
            note_move(touched, edit)
    for chunk in rows.chunks(EventActor):
        note_event_actors(touched, chunk, events_in_edit)
    sources = [  # which crises cite them is read once
        (edit.latest.key, edit.line(Kind.SOURCE, lambda row: row.title), edit.before is None)
        for found in edits(rows, Source)
        for edit in found.values()
    ]
    new = {key for key, _line, added in sources if added}
    earlier = {key for key, _line, added in sources if not added}
    citing = crises_citing(earlier) if earlier else {}  # it reads every narrative text
    if new:
        citing.update(cited_in(rows, new))
    for key, line, _added in sources:
        touched.note(citing.get(key, set()), line)
    for found in edits(rows, Actor):
        involving = crises_involving(set(found))
        for pk, edit in found.items():
            touched.note(involving.get(pk, set()), edit.line(Kind.ACTOR, lambda row: row.name))
    for found in edits(rows, Place):
        located = crises_located(set(found))
        for pk, edit in found.items():
            touched.note(located.get(pk, set()), edit.line(Kind.PLACE, lambda row: row.name))
    note_editions(touched, rows)
    existing = set(Crisis.objects.filter(pk__in=list(touched.lines)).values_list("pk", flat=True))
    return {pk: touched.changes(pk) for pk in touched.lines if pk in existing}


def note_editions(touched: Touched, rows: RevisionRows) -> None:
    """An edition published or withdrawn, and its texts changed while readers see it: lines in
    the edition's language, for its readers' history."""
    for found in edits(rows, Edition):
        for edit in found.values():
            line = edit.line(Kind.EDITION, language_name)
            line = line and dataclasses.replace(line, language=edit.latest.language)
            touched.note([edit.latest.crisis_id], line)
    for found in edits(rows, Translation):
        editions = Edition.objects.in_bulk({edit.latest.edition_id for edit in found.values()})
        names = translated_names(found.values())
        texts = texts_of_rows(
            [e.before for e in found.values()] + [e.after for e in found.values()]
        )
        unseen = unseen_items(editions.values(), found.values())
        for edit in found.values():
            edition = editions.get(edit.latest.edition_id)
            if edition is None:
                continue
            seen = (edition.crisis_id, edit.latest.item) not in unseen
            line = translation_line(edit, edition, names, texts) if seen else None
            touched.note([edition.crisis_id], line)


def unseen_items(
    found_editions: Iterable[Edition], edits_: Iterable[EntryEdit]
) -> set[tuple[int, str]]:
    """The changed translations' items whose original readers do not see (an event or an
    assessment not published), by crisis: their translations are not read, and their
    translated names must not reach the public history (two queries at most)."""
    crisis_of = {edition.pk: edition.crisis_id for edition in found_editions}
    asked = {(crisis_of.get(edit.latest.edition_id), edit.latest.item) for edit in edits_}
    unseen = set()
    for kind, model, name, value_of in ITEMS_PUBLISHED_ALONE:
        wanted = {(crisis, item) for crisis, item in asked if kind_of(item) == kind}
        if not wanted:
            continue
        public = model.objects.published().filter(
            crisis_id__in={crisis for crisis, _item in wanted},
            **{f"{name}__in": {value_of(item.split("/", 1)[1]) for _crisis, item in wanted}},
        )
        seen = {(crisis, f"{kind}/{item_name_part(value)}")
                for crisis, value in public.values_list("crisis_id", name)}  # fmt: skip
        unseen |= wanted - seen
    return unseen


def first_of_month(name: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(f"{name}-01")
    except ValueError:  # names no month: no assessment of it is public
        return None


# Items of an edition whose originals are published on their own: the field that names them
# (``editions.item_of``) and how its value is read from an item's name.
ITEMS_PUBLISHED_ALONE = [
    ("event", Event, "slug", str),
    ("assessment", Assessment, "month", first_of_month),
]


def language_name(row) -> str:
    return str(Crisis.Language(row.language).label)


def texts_of_rows(rows: list) -> dict[int, str]:
    """The translations' texts (left out of the rows a revision hands out) by history row."""
    ids = [row.history_id for row in rows if row is not None]
    return dict(Translation.history.filter(history_id__in=ids).values_list("history_id", "text"))


def translation_line(edit: EntryEdit, edition: Edition, names: dict, texts: dict):
    """What readers of a published edition are told of a changed translation: the item's name
    in the edition (or the original's), as a line of that edition."""
    before = texts.get(edit.before.history_id, "") if edit.before is not None else ""
    after = texts.get(edit.after.history_id, "") if edit.after is not None else ""
    if edition.state != PUBLISHED or before == after:
        return None
    action = Action.ADDED if not before else Action.REMOVED if not after else Action.EDITED
    item = edit.latest.item
    label = names.get((edition.pk, item), item.split("/", 1)[-1])
    return ChangeLine(Kind.TRANSLATION, action, label, edition.language)


NAMING_FIELDS = ("title", "heading")  # the translated text that names an item


def translated_names(edits_: Iterable[EntryEdit]) -> dict[tuple[int, str], str]:
    """Each changed translation's item as its edition names it now (one query)."""
    latest = [edit.latest for edit in edits_]
    found = Translation.objects.filter(
        edition_id__in={row.edition_id for row in latest},
        item__in={row.item for row in latest},
        field__in=NAMING_FIELDS,
    ).exclude(text="")
    return {(edition_id, item): text for edition_id, item, text in found.values_list(
        "edition_id", "item", "text")}  # fmt: skip


def note_move(touched: Touched, edit: EntryEdit) -> None:
    """A row moved to another crisis touches the one it left too, with no line of its own: that
    crisis's tally is counted again."""
    if edit.before is not None and edit.before.crisis_id != edit.latest.crisis_id:
        touched.note([edit.before.crisis_id], None)


def note_event_actors(touched: Touched, rows: list, events_in_edit: set[int]) -> None:
    """A changed actor of an event is an edit of that event, if readers see the event."""
    event_ids = {row.event_id for row in rows} - events_in_edit
    if not event_ids:
        return
    for event in Event.history.filter(id__in=event_ids).latest_of_each():
        if event.history_type == "-":
            continue
        line = ChangeLine(Kind.EVENT, Action.EDITED, event.title)
        touched.note([event.crisis_id], line if event.state == PUBLISHED else None)


def crises_involving(actor_ids: set[int]) -> dict[int, set[int]]:
    """The crises each actor takes part in or appears in an event of (two queries)."""
    found: dict[int, set[int]] = {}
    if not actor_ids:
        return found
    direct = Participation.objects.filter(actor_id__in=actor_ids).values_list(
        "actor_id", "crisis_id"
    )
    through_events = EventActor.objects.filter(actor_id__in=actor_ids).values_list(
        "actor_id", "event__crisis_id"
    )
    for actor_id, crisis_id in [*direct, *through_events]:
        found.setdefault(actor_id, set()).add(crisis_id)
    return found


def crises_located(place_ids: set[int]) -> dict[int, set[int]]:
    """The crises with a published event at each place (one query): a place that only drafts
    use is not something readers see, so its changes are not in their history."""
    found: dict[int, set[int]] = {}
    if place_ids:
        pairs = (
            Event.objects.published()
            .filter(location_id__in=place_ids)
            .values_list("location_id", "crisis_id")
        )
        for place_id, crisis_id in pairs.distinct():
            found.setdefault(place_id, set()).add(crisis_id)
    return found


def crisis_states_at(crisis_ids: list[int], moment) -> dict[int, str]:
    if not crisis_ids:
        return {}
    latest = (
        Crisis.history.filter(id__in=crisis_ids, history_date__lte=moment)
        .latest_of_each()
        .values_list("id", "state", "history_type")
    )
    return {crisis_id: state for crisis_id, state, kind in latest if kind != "-"}
