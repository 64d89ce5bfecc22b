"""The crisis content (``content``, ``assessments``, ``editions``) and its public history
(``public_history``)."""

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
from .editions import MACHINE_SHARE_LIMIT, Edition, Translation
from .public_history import CrisisRevision, Revision, RevisionQuerySet
from .tallies import CrisisTally

# What is reviewed, scheduled and previewed as a whole (the rest is part of one of them).
ENTRY_MODELS = (Crisis, Event, Assessment, Edition)

__all__ = [
    "Assessment",
    "ENTRY_MODELS",
    "MACHINE_SHARE_LIMIT",
    "MAX_MAP_BYTES",
    "Crisis",
    "CrisisTally",
    "CrisisManager",
    "CrisisQuerySet",
    "CrisisRevision",
    "Edition",
    "Event",
    "EventActor",
    "EventManager",
    "EventQuerySet",
    "Revision",
    "RevisionQuerySet",
    "Section",
    "Translation",
    "event_order",
    "event_url",
    "validate_map_image",
]
