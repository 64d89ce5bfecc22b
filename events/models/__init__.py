"""The crisis content (``content``, ``assessments``) and its public history (``public_history``)."""

from .assessments import Assessment
from .content import (
    MAX_MAP_BYTES,
    Crisis,
    CrisisManager,
    CrisisQuerySet,
    Event,
    EventActor,
    EventManager,
    EventQuerySet,
    Section,
    event_order,
    event_url,
    validate_map_image,
)
from .public_history import CrisisRevision, Revision, RevisionQuerySet

# What is reviewed, scheduled and previewed as a whole (the rest is part of one of them).
ENTRY_MODELS = (Crisis, Event, Assessment)

__all__ = [
    "Assessment",
    "ENTRY_MODELS",
    "MAX_MAP_BYTES",
    "Crisis",
    "CrisisManager",
    "CrisisQuerySet",
    "CrisisRevision",
    "Event",
    "EventActor",
    "EventManager",
    "EventQuerySet",
    "Revision",
    "RevisionQuerySet",
    "Section",
    "event_order",
    "event_url",
    "validate_map_image",
]
