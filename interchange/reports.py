"""What an import did, or would do (a dry run): counts per model, the changes field by field up
to a limit, warnings, and what waits for a publisher."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.utils import translation

from events.registry import CONTENT_MODELS

from .problems import Problem


@dataclass
class Change:
    label: str
    natural_key: tuple
    action: str  # "created" or "changed"
    fields: list[tuple[str, object, object]] = field(default_factory=list)


@dataclass
class ImportReport:
    counts: dict[str, Counter] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    details: int | None = None  # how many changes to keep field by field (None: all)
    changes_not_kept: int = 0
    for_review: list[Problem] = field(default_factory=list)  # what waits for a publisher

    def count(self, label: str, outcome: str) -> None:
        self.counts.setdefault(label, Counter())[outcome] += 1

    def wants_details(self) -> bool:
        return self.details is None or len(self.changes) < self.details

    def keep(self, change: Change) -> None:
        if self.details is None or len(self.changes) < self.details:
            self.changes.append(change)
        else:
            self.changes_not_kept += 1

    def outcome(self, name: str) -> int:
        return sum(counter[name] for counter in self.counts.values())

    @property
    def total(self) -> int:
        return sum(sum(counter.values()) for counter in self.counts.values())

    def summary_lines(self) -> list[str]:
        lines = []
        for label in CONTENT_MODELS:
            if label in self.counts:
                c = self.counts[label]
                lines.append(
                    f"{label}: {c['created']} created, {c['changed']} changed, "
                    f"{c['unchanged']} unchanged"
                )
        return lines

    def as_json(self) -> dict:
        return {
            "counts": {label: dict(counter) for label, counter in self.counts.items()},
            "changes": [
                {
                    "label": c.label,
                    "natural_key": list(c.natural_key),
                    "action": c.action,
                    "fields": [[name, display(old), display(new)] for name, old, new in c.fields],
                }
                for c in self.changes
            ],
            "changes_not_kept": self.changes_not_kept,
            "warnings": [w.as_json() for w in self.warnings],
            "for_review": [item.as_json() for item in self.for_review],
            "review_lines": self.review_lines(),
        }

    def review_lines(self) -> list[str]:
        """'7 events.event will wait for review: marked published', one line per model and
        reason."""
        groups = Counter((item.label, item.message) for item in self.for_review)
        with translation.override("en"):
            return [
                f"{count} {plural(label, count)} will wait for review: {reason}"
                for (label, reason), count in groups.items()
            ]


def plural(label: str, count: int) -> str:
    """'events' for 7 events.event, 'event' for one."""
    opts = apps.get_model(label)._meta
    return str(opts.verbose_name if count == 1 else opts.verbose_name_plural)


def display(value) -> str:
    """A field value as an editor reads it: dates as dates, nothing as an empty string."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
