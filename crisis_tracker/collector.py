"""Python's garbage collector, set for serving pages.

A cold page builds tens of thousands of short-lived containers: the timeline of a 100,000-event
crisis tens of thousands (its slots, 300 events with their actors, the template's context).
At Python's default threshold (a young collection every 700 new containers) that was about 130
collections a request, and the full collections they set off walked every object the process
keeps (compiled templates, parsed Markdown, map outlines): a third of a cold render on the
million-event benchmark. Collecting the young generation every 50,000 containers instead makes
that one or two collections a request; what a cycle holds is freed a little later, and objects
without cycles are freed at once as before. So a page should leave few cycles behind: each one
waits for a collection of the middle generation, which frees the cycles of ten or so requests
at once, inside whichever request sets it off (the timeline's events, prefetched with their
actors, left 12,000 objects a page: a 150-200 ms collection every few requests).

``freeze`` is for a process that forks workers: what it has loaded (Django, the URLconf, the
templates) moves out of the collector's sight, so no worker's full collection walks it again
nor writes to its pages (which fork shares until written).
"""

import gc
from contextlib import contextmanager

YOUNG_EVERY = 50_000  # new containers between young collections (Python's default: 700)


def tune() -> None:
    gc.set_threshold(YOUNG_EVERY, *gc.get_threshold()[1:])


def freeze() -> None:
    gc.collect()
    gc.freeze()


@contextmanager
def paused():
    """No collection meanwhile: for building many objects that hold no reference cycles (the
    100,000 rows and readings of a crisis that a dry run compares with), which the collector
    would walk several times without freeing any. They are freed as before, when the last
    reference to them goes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
