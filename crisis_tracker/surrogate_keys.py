"""The names of what reader responses show, for purging (the ``xkey`` header): one place for
every name, read by the pages that tag responses and the listeners that purge them, so a
listener never imports a page to learn a name.
"""

from __future__ import annotations

CRISES = "crises"  # the list of crises (home page, site feed)
CITATIONS = "citations"  # every source page lists the texts citing it
ASSESSMENTS = "assessments"  # the monthly tracker across crises


def crisis(crisis_id) -> str:
    return f"crisis-{crisis_id}"


def event(event_id) -> str:
    return f"event-{event_id}"


def actor(actor_id) -> str:
    return f"actor-{actor_id}"


def source(key: str) -> str:
    return f"source-{key}"


def place(place_id) -> str:
    return f"place-{place_id}"
