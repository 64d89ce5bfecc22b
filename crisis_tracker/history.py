"""History rows that know which revision they belong to.

Every historical model gets a ``revision_key``; all rows written by one admin save, one import or
one action share it, so readers can see a crisis's history as revisions rather than rows.
"""

from django.db import models
from simple_history.models import HistoricalRecords


class RevisionedHistory(models.Model):
    revision_key = models.UUIDField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True


def history_with_revisions() -> HistoricalRecords:  # noqa: N802  (reads like the field it returns)
    return HistoricalRecords(bases=[RevisionedHistory])
