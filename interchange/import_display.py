"""What an import will change, in words an editor reads: for the command line and the admin."""

from __future__ import annotations

import datetime
import enum

from crisis_tracker.diffs import text_diff

LONG_TEXT = 60


def shown(value) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value)
    return str(value)


def is_long_text(old, new) -> bool:
    texts = [value for value in (old, new) if isinstance(value, str)]
    return bool(texts) and any(len(text) > LONG_TEXT or "\n" in text for text in texts)


def field_line(name: str, old, new, action: str) -> str:
    if action == "created":
        return f"    {name}: {shown(new)}"
    if is_long_text(old, new):
        return f"    {name}: {text_diff(old or '', new or '')}"
    return f"    {name}: {shown(old)} → {shown(new)}"


def change_lines(report) -> list[str]:
    lines = []
    for change in report.changes:
        lines.append(f"{change.action}: {change.label} {list(change.natural_key)}")
        lines.extend(field_line(name, old, new, change.action) for name, old, new in change.fields)
    if report.changes_not_kept:
        lines.append(f"… and {report.changes_not_kept} more changes not listed.")
    lines.extend(f"warning: {warning}" for warning in report.warnings)
    return lines
