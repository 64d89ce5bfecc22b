"""What changed between two snapshots of a crisis, for the public compare view."""

from __future__ import annotations

from dataclasses import dataclass, field

from actors.models import Participation
from crisis_tracker.diffs import FieldChange, field_changes, inline_diff
from sources.models import Source

from .models import Crisis, CrisisRevision, Event, Section
from .snapshots import Snapshot, cited_in, cited_sources_at, published_events_at

Kind = CrisisRevision.Kind
Action = CrisisRevision.Action


@dataclass
class EntryChange:
    kind: Kind
    label: str
    action: Action  # added, removed or edited
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class Comparison:
    lead: object = None
    entries: list[EntryChange] = field(default_factory=list)


# Internal or structural fields readers never see as changes.
HIDDEN = {"crisis", "state", "order", "key", "parent", "actor", "affiliation", "notes", "map_image"}


def compare(old: Snapshot | None, new: Snapshot, old_moment, new_moment) -> Comparison:
    result = Comparison()
    if old is None or old.crisis.lead != new.crisis.lead:
        result.lead = inline_diff(old.crisis.lead if old else "", new.crisis.lead)
    result.entries += crisis_fields(old, new)
    result.entries += matched(
        Kind.SECTION, Section, by_pk(old.sections if old else []), by_pk(new.sections),
        label=lambda s: s.heading,
    )  # fmt: skip
    result.entries += matched(
        Kind.PARTICIPATION, Participation,
        by_pk(old.participations if old else []), by_pk(new.participations),
        label=lambda p: f"{p.actor.name} ({p.get_role_display()})",
    )  # fmt: skip
    crisis_id = new.crisis.pk
    old_events = published_events_at(crisis_id, old_moment) if old else {}
    new_events = published_events_at(crisis_id, new_moment)
    for snapshot, events in ((old, old_events), (new, new_events)):
        if snapshot is not None and snapshot.reading is not None:
            snapshot.reading.apply_all(events.values())  # the edition's titles and summaries
    result.entries += matched(Kind.EVENT, Event, old_events, new_events, label=lambda e: e.title)
    texts = new.texts() + [e.summary for e in new_events.values()]
    old_texts = (old.texts() if old else []) + [e.summary for e in old_events.values()]
    keys = cited_in(texts) | cited_in(old_texts)
    old_sources = cited_sources_at(old_texts + texts, old_moment) if old else {}
    new_sources = cited_sources_at(old_texts + texts, new_moment)
    result.entries += matched(
        Kind.SOURCE, Source,
        {k: v for k, v in old_sources.items() if k in keys},
        {k: v for k, v in new_sources.items() if k in keys},
        label=lambda s: s.title,
    )  # fmt: skip
    return result


def by_pk(objects) -> dict:
    return {obj.pk: obj for obj in objects}


def crisis_fields(old: Snapshot | None, new: Snapshot) -> list[EntryChange]:
    if old is None:
        return []
    changes = [
        change
        for change in field_changes(Crisis, old.crisis, new.crisis)
        if change.name not in HIDDEN | {"lead"}
    ]
    return [EntryChange(Kind.CRISIS, new.crisis.title, Action.EDITED, changes)] if changes else []


def matched(kind: Kind, model, old: dict, new: dict, *, label) -> list[EntryChange]:
    entries = []
    for key, obj in new.items():
        if key not in old:
            entries.append(EntryChange(kind, label(obj), Action.ADDED, visible(model, None, obj)))
            continue
        changes = visible(model, old[key], obj)
        if changes:
            entries.append(EntryChange(kind, label(obj), Action.EDITED, changes))
    for key, obj in old.items():
        if key not in new:
            entries.append(EntryChange(kind, label(obj), Action.REMOVED))
    return entries


def visible(model, old, new) -> list[FieldChange]:
    return [change for change in field_changes(model, old, new) if change.name not in HIDDEN]
