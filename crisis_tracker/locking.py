"""Optimistic locking: a save based on what an editor saw is refused if the entry changed since.

Every form, list edit and action carries the moment its page was loaded ("opened at"). Every
save writes a history row, so "changed since" is "has a history row newer than that moment".
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def now_token() -> str:
    return timezone.now().isoformat()


def parse_token(value) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    try:
        parsed = parse_datetime(value or "")
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def newer_changes(model, pks, since: datetime.datetime):
    """History rows of these objects written after ``since``, newest first."""
    return list(
        model.history.filter(id__in=list(pks), history_date__gt=since)
        .select_related("history_user")
        .order_by("-history_date")
    )


def conflict_message(record) -> str:
    user = record.history_user.get_username() if record.history_user else _("an import or script")
    when = date_format(timezone.localtime(record.history_date), "Y-m-d H:i:s")
    message = _(
        "“%(object)s” was changed by %(user)s at %(time)s after you opened it; "
        "your changes were not saved."
    )
    return message % {"object": record.instance, "user": user, "time": when}


def exclusive(name: str) -> None:
    """Hold the lock ``name`` until the current transaction ends; another holder waits.

    On PostgreSQL this is a transaction-level advisory lock. SQLite lets one writer in at a
    time anyway: a second writer waits for the busy timeout, then fails with "database is
    locked", which the caller reports.
    """
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
