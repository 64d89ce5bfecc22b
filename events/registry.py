"""The crisis content: every model editors write, once, in the order that lets each refer only
to those before it. Fixtures import in this order, the roles grant these models, and the page
cache listens to each (``events.signals.HANDLERS``, checked against this list by the tests).
Labels only: the roles' data migrations read it with historical models."""

CONTENT_MODELS = [
    "sources.source",
    "actors.actor",
    "places.place",
    "events.crisis",
    "events.assessment",
    "actors.participation",
    "events.section",
    "events.event",
    "events.eventactor",
    "events.edition",
    "events.translation",
]
