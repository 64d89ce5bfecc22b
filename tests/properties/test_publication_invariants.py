"""Random sequences of editorial work never show readers a word that was never published.

A state machine creates, edits, publishes, withdraws, reverts, imports and deletes crises,
sections, events, participations and sources. Every text it writes carries a marker of its own.
After every step it reads everything an anonymous reader can reach (home, article, timeline,
history, revision permalinks and comparisons, feeds, data exports, actor and source pages) and
checks that

- every marker found there was public at some step (an oracle much simpler than the code under
  test: an entry is public when it and its crisis are published; sources and actors always are);
- every marker public now is on the page that should show it.
"""

import datetime
import itertools
import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from actors.models import Actor, Participation
from crisis_tracker.history import revision
from events import pages
from events.fixture_import import import_fixtures
from events.models import Crisis, CrisisRevision, Event, EventActor, Revision, Section
from sources.models import Source

MARKER = re.compile(r"qz\d{5}q")
# Published twice as often as the others, so withdrawals of published entries are frequent.
STATES = ["published", "draft", "published", "review"]
CONTENT = [EventActor, Event, Section, Participation, Crisis, Actor, Source]
EXAMPLES = 25
STEPS = 10

pytestmark = pytest.mark.django_db


class Editorial(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        for model in CONTENT:
            model.objects.all().delete()
            model.history.all().delete()
        Revision.objects.all().delete()
        cache.clear()
        pages._held.clear()
        self.counter = itertools.count(1)
        self.ever_public: set[str] = set()
        self.reader = Client()
        self.step = 0

    # --- helpers --------------------------------------------------------------------------

    def marker(self) -> str:
        return f"qz{next(self.counter):05d}q"

    def text(self, data) -> str:
        """A narrative text with a new marker, sometimes citing an existing source."""
        words = self.marker()
        keys = list(Source.objects.values_list("key", flat=True))
        if keys and data.draw(st.booleans(), label="cite"):
            words += f"[@{data.draw(st.sampled_from(keys), label='key')}]"
        return words + "。"

    def pick(self, data, queryset):
        return data.draw(st.sampled_from(list(queryset.order_by("pk"))), label="entry")

    def edit(self):
        self.step += 1
        return revision(summary=f"Step {self.step}")

    # --- creating -------------------------------------------------------------------------

    @initialize(data=st.data())
    def start_with_a_published_story(self, data):
        self.create_source()
        self.create_crisis(data, "published")
        self.create_event(data, "published", with_actor=True)

    @precondition(lambda self: Crisis.objects.count() < 2)
    @rule(data=st.data(), state=st.sampled_from(STATES))
    def create_crisis(self, data, state):
        with self.edit():
            Crisis.objects.create(
                slug=f"c{next(self.counter)}",
                title=self.marker(),
                lead=self.text(data),
                start_date=datetime.date(2025, 6, 1),
                state=state,
            )

    @rule()
    def create_source(self):
        with self.edit():
            Source.objects.create(key=f"s{next(self.counter)}", title=self.marker())

    @precondition(lambda self: Crisis.objects.exists())
    @rule(data=st.data())
    def create_section(self, data):
        crisis = self.pick(data, Crisis.objects.all())
        with self.edit():
            Section.objects.create(
                crisis=crisis,
                key=f"k{next(self.counter)}",
                heading=self.marker(),
                order=next(self.counter),
                body=self.text(data),
            )

    @precondition(lambda self: Crisis.objects.exists())
    @rule(data=st.data(), state=st.sampled_from(STATES), with_actor=st.booleans())
    def create_event(self, data, state, with_actor):
        crisis = self.pick(data, Crisis.objects.all())
        with self.edit():
            event = Event.objects.create(
                crisis=crisis,
                slug=f"e{next(self.counter)}",
                title=self.marker(),
                summary=self.text(data),
                date=datetime.date(2025, 6, data.draw(st.integers(1, 28), label="day")),
                state=state,
            )
            if with_actor:
                actor = Actor.objects.create(slug=f"a{next(self.counter)}", name=self.marker())
                EventActor.objects.create(event=event, actor=actor, role="participant")

    @precondition(lambda self: Crisis.objects.exists())
    @rule(data=st.data())
    def create_participation(self, data):
        crisis = self.pick(data, Crisis.objects.all())
        with self.edit():
            actor = Actor.objects.create(slug=f"a{next(self.counter)}", name=self.marker())
            Participation.objects.create(crisis=crisis, actor=actor, note=self.text(data))

    # --- changing -------------------------------------------------------------------------

    @precondition(lambda self: Event.objects.exists())
    @rule(data=st.data(), state=st.sampled_from(STATES))
    def edit_event(self, data, state):
        """Title, summary and state in one save, as a publisher can in one form."""
        event = self.pick(data, Event.objects.all())
        event.title, event.summary, event.state = self.marker(), self.text(data), state
        with self.edit():
            event.save()

    @precondition(lambda self: Crisis.objects.exists())
    @rule(data=st.data(), state=st.sampled_from(STATES))
    def edit_crisis(self, data, state):
        crisis = self.pick(data, Crisis.objects.all())
        crisis.title, crisis.lead, crisis.state = self.marker(), self.text(data), state
        with self.edit():
            crisis.save()

    @precondition(lambda self: Section.objects.exists() or Participation.objects.exists())
    @rule(data=st.data())
    def edit_part(self, data):
        if Section.objects.exists() and data.draw(st.booleans(), label="section"):
            part = self.pick(data, Section.objects.all())
            part.heading, part.body = self.marker(), self.text(data)
        elif Participation.objects.exists():
            part = self.pick(data, Participation.objects.all())
            part.note = self.text(data)
        else:
            return
        with self.edit():
            part.save()

    @precondition(lambda self: Source.objects.exists())
    @rule(data=st.data())
    def correct_source(self, data):
        source = self.pick(data, Source.objects.all())
        source.title = self.marker()
        with self.edit():
            source.save()

    @precondition(lambda self: Crisis.objects.exists() or Event.objects.exists())
    @rule(data=st.data(), state=st.sampled_from(STATES))
    def set_state(self, data, state):
        model = Event if Event.objects.exists() and data.draw(st.booleans()) else Crisis
        if not model.objects.exists():
            return
        entry = self.pick(data, model.objects.all())
        entry.state = state
        with self.edit():
            entry.save()

    @precondition(lambda self: Event.history.exists() or Section.history.exists())
    @rule(data=st.data())
    def revert(self, data):
        """Restore an earlier version of an entry that still exists."""
        model = data.draw(st.sampled_from([Event, Section, Crisis]), label="model")
        alive = set(model.objects.values_list("pk", flat=True))
        versions = list(model.history.filter(id__in=alive).exclude(history_type="-"))
        if not versions:
            return
        version = data.draw(st.sampled_from(versions), label="version")
        with self.edit():
            version.instance.save()

    @precondition(lambda self: Event.objects.exists())
    @rule(data=st.data(), state=st.sampled_from(STATES))
    def import_update(self, data, state):
        """A desk's fixture retitles and rewrites an event and sets its state."""
        event = self.pick(data, Event.objects.select_related("crisis"))
        fields = {
            "crisis": [event.crisis.slug],
            "slug": event.slug,
            "title": self.marker(),
            "summary": self.text(data),
            "state": state,
        }
        update = [{"model": "events.event", "fields": fields}]
        self.step += 1
        import_fixtures(files=[("desk.json", json.dumps(update))], reason=f"Step {self.step}")

    @precondition(lambda self: Event.objects.exists() or Section.objects.exists())
    @rule(data=st.data())
    def delete_entry(self, data):
        model = data.draw(st.sampled_from([Event, Section, Participation]), label="model")
        if not model.objects.exists():
            return
        entry = self.pick(data, model.objects.all())
        with self.edit():
            entry.delete()

    # --- what readers may see -------------------------------------------------------------

    def public_now(self) -> dict[str, set[str]]:
        """Markers readers should find now, by the page that shows them (the oracle)."""
        shown: dict[str, set[str]] = {}

        def add(url: str, *texts: str) -> None:
            shown.setdefault(url, set()).update(m for t in texts for m in MARKER.findall(t))

        for crisis in Crisis.objects.filter(state="published"):
            article = reverse("events:crisis", args=[crisis.slug])
            add(article, crisis.title, crisis.lead)
            for section in Section.objects.filter(crisis=crisis):
                add(article, section.heading, section.body)
            for participation in Participation.objects.filter(crisis=crisis):
                add(article, participation.note, participation.actor.name)
            timeline = reverse("events:timeline", args=[crisis.slug])
            for event in Event.objects.filter(crisis=crisis, state="published"):
                add(timeline, event.title, event.summary)
        for source in Source.objects.all():
            add(reverse("sources:detail", args=[source.key]), source.title)
        for actor in Actor.objects.all():
            add(reverse("actors:detail", args=[actor.slug]), actor.name)
        return shown

    def reader_urls(self) -> list[str]:
        urls = [reverse("events:crisis_list"), reverse("events:site_feed")]
        for slug in Crisis.objects.values_list("slug", flat=True):
            for name in ("crisis", "timeline", "history", "feed", "events_json", "events_csv"):
                urls.append(reverse(f"events:{name}", args=[slug]))
            # Older permalinks were read when they were the newest: their content never changes.
            for revision_id in CrisisRevision.objects.filter(
                crisis__slug=slug, public=True
            ).values_list("revision_id", flat=True)[:2]:
                urls.append(reverse("events:revision", args=[slug, revision_id]))
                urls.append(reverse("events:compare", args=[slug, revision_id]))
        urls += [
            reverse("sources:detail", args=[k])
            for k in Source.objects.values_list("key", flat=True)
        ]
        urls += [
            reverse("actors:detail", args=[s]) for s in Actor.objects.values_list("slug", flat=True)
        ]
        return urls

    @invariant()
    def readers_see_only_what_was_published(self):
        shown = self.public_now()
        self.ever_public |= {marker for found in shown.values() for marker in found}
        for url in self.reader_urls():
            response = self.reader.get(url)
            if response.status_code == 404:
                continue
            assert response.status_code == 200, url
            body = response.content.decode()
            leaked = set(MARKER.findall(body)) - self.ever_public
            assert not leaked, f"{url} shows never-published {sorted(leaked)}"
            missing = shown.get(url, set()) - set(MARKER.findall(body))
            assert not missing, f"{url} lacks published {sorted(missing)}"


BUDGET = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=True,
    database=None,
    # Without shrinking: a failure prints its (at most STEPS) steps at once instead of minutes
    # of re-reading every page while it minimises them.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_readers_never_see_unpublished_words(db):
    run_state_machine_as_test(Editorial, settings=BUDGET)
