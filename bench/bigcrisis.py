"""Build a large synthetic crisis: many sources, events and citations, for cold-render timing."""

from __future__ import annotations

import datetime
import random

from actors.models import Actor
from events.models import Crisis, Event, Section
from sources.models import Source


def build(slug: str = "bench-crisis", *, events: int = 1000, sources: int = 2000,
          citations: int = 5000, sections: int = 50) -> Crisis:  # fmt: skip
    rng = random.Random(7)
    Crisis.objects.filter(slug=slug).delete()
    Source.objects.filter(key__startswith="bench-").delete()
    crisis = Crisis.objects.create(slug=slug, title="Benchmark crisis", state="published",
                                   start_date=datetime.date(2024, 1, 1), lead="Lead.")  # fmt: skip
    Source.objects.bulk_create(
        Source(key=f"bench-{n}", title=f"Source {n}", work="Wire", authors="Doe, Jane",
               published=datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 365))
        for n in range(sources)
    )  # fmt: skip
    actor, _ = Actor.objects.get_or_create(slug="bench-actor", defaults={"name": "Actor"})
    per_section = citations // sections
    Section.objects.bulk_create(
        Section(crisis=crisis, key=f"s{n}", heading=f"Section {n}", order=n,
                body="\n\n".join(f"Sentence {i}.[@bench-{rng.randrange(sources)}]"
                                 for i in range(per_section)))
        for n in range(sections)
    )  # fmt: skip
    Event.objects.bulk_create(
        Event(crisis=crisis, slug=f"e{n}", title=f"Event {n}", state="published",
              date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 700),
              summary=f"What happened.[@bench-{rng.randrange(sources)}]")
        for n in range(events)
    )  # fmt: skip
    return crisis
