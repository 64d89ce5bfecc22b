"""Choice labels (``get_FOO_display``) read from a table built once per field and language.

Django builds that table from the field's choices on every call, hashing each lazy label, which
translates it: a timeline page of 300 events called it some 1,200 times (kind, verification and
each actor's role), a tenth of its render.
"""

import functools

from django.utils.encoding import force_str
from django.utils.translation import get_language


class ChoiceLabels:
    """For a model: its ``get_FOO_display`` methods read ``labels``."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            table = labels(field, get_language())
            if value in table:
                return table[value]
        except TypeError:  # a value that cannot be a key: Django's own way
            return super()._get_FIELD_display(field)
        return force_str(value, strings_only=True)


@functools.cache
def labels(field, language: str | None) -> dict:
    """The field's choices as {value: label in ``language``} (the active one when built)."""
    return {value: force_str(label, strings_only=True) for value, label in field.flatchoices}
