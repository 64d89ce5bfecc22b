"""The crisis content (``content``) and its public history (``public_history``)."""

from .content import (
    ENTRY_MODELS,
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

__all__ = [
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
