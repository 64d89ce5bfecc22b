"""Differences between two versions of an entry, for editors and readers.

Narrative text is compared token by token: each CJK character is a token (Chinese has no spaces
between words) and each run of Latin letters or digits is a word, so both languages diff sensibly.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
TOKEN = re.compile(rf"[{CJK}]|[^\W{CJK}]+|\s+|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text or "")


def diff_parts(old: str, new: str) -> list[tuple[str, str]]:
    """("span" | "del" | "ins", text) runs that turn ``old`` into ``new``."""
    before, after = tokens(old), tokens(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("span", "".join(before[a1:a2])))
            continue
        if a2 > a1:
            parts.append(("del", "".join(before[a1:a2])))
        if b2 > b1:
            parts.append(("ins", "".join(after[b1:b2])))
    return parts


def inline_diff(old: str, new: str) -> SafeString:
    """HTML with <del> for removed and <ins> for added text; everything escaped."""
    return format_html_join("", "<{0}>{1}</{0}>", diff_parts(old, new))


TEXT_MARKS = {"span": "{}", "del": "[-{}-]", "ins": "{{+{}+}}"}


def text_diff(old: str, new: str) -> str:
    """The same for a terminal: [-removed-]{+added+}, the rest as it was."""
    return "".join(TEXT_MARKS[op].format(text) for op, text in diff_parts(old, new))


@dataclass
class FieldChange:
    name: str
    label: str
    old: object
    new: object
    narrative: bool

    @property
    def html(self) -> SafeString:
        if self.narrative:
            return inline_diff(str(self.old or ""), str(self.new or ""))
        return format_html("<del>{}</del> → <ins>{}</ins>", display(self.old), display(self.new))


def display(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


IGNORED = {"id", "history_id", "history_date", "history_change_reason", "history_type",
           "history_user", "history_user_id", "revision_key"}  # fmt: skip


def field_changes(model, old, new) -> list[FieldChange]:
    """Field-by-field changes between two historical records (or None for 'nothing yet')."""
    from django.db import models as django_models

    changes = []
    for field in model._meta.concrete_fields:
        if field.attname in IGNORED or field.primary_key:
            continue
        before = getattr(old, field.attname, None) if old is not None else None
        after = getattr(new, field.attname, None) if new is not None else None
        if before == after:
            continue
        changes.append(
            FieldChange(
                name=field.name,
                label=str(field.verbose_name),
                old=before,
                new=after,
                narrative=isinstance(field, django_models.TextField),
            )
        )
    return changes
