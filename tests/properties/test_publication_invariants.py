"""Random sequences of editorial work never show readers a word that is not theirs to see now.

A state machine creates, edits, publishes, withdraws, reverts, moves, reviews, schedules, imports
(as the system, an editor and a publisher) and deletes crises, sections, events, participations
and sources. Every text it writes carries a marker of its own. Staff and preview links visit the
same pages between the anonymous reader's reads, through the shared cache production uses
(Redis), so what one audience caches is what the next is served. After every step the reader
reads every surface: home, article, timeline, map data, history, revision permalinks and
comparisons, feeds, data exports, the API (events as JSON and GeoJSON, crises, actors, sources,
revisions), search, actor and source pages. The oracle is much simpler than the code under test
(an entry is public when it and its crisis are published; sources and actors always are):

- pages of the present (everything but the history) show only markers public *now*;
- the history (history page, permalinks, comparisons, feeds, the API's revisions) shows only
  markers that were public at some step, never a review comment;
- every marker public now is on the page that should show it;
- no reader page carries a preview link's address;
- an editor's step never puts an entry before readers (moving one included), and a scheduled
  publication never publishes what an editor changed after the publisher scheduled it;
- an event readers could see and no longer can has a tombstone in the API.

CI runs the profile "ci": a seed that changes every run (Hypothesis prints it, and the failing
steps, on failure) after the examples kept in ``examples/`` (sequences that caught the bugs listed
below, replayed first on every run). ``HYPOTHESIS_PROFILE=nightly`` runs four times as many
sequences, twice as long; ``HYPOTHESIS_PROFILE=record`` keeps what fails in ``examples/``.

Mutations tried (each bug put back on purpose; each made this test fail, and the sequence that
caught it is kept in ``examples/``, so the CI profile catches each again on its first run — checked
on 2026-11-30 for all six):

1. Cached pages built from ``request.path`` (``events/views/pages.py``): a preview visit wrote the link's
   address into the public article — "carries a preview link's address".
2. No page-cache refresh when an event is withdrawn (``part_changed`` skipping unpublished events
   and ``revision_changed`` not bumping, in ``events/signals.py``): the timeline kept the withdrawn
   text — "shows markers not public now". (With the revision's bump left in, the withdrawal is
   still refreshed, so nothing leaks and the test rightly passes.)
3. The move check removed from ``ScheduleForm.clean`` (``events/review_admin.py``): an editor's
   move through the admin put an event before readers — "an editor's step made public".
4. ``changed_without_approval`` always None (``events/scheduling.py``): the scheduler published an
   editor's later text — "the scheduler published an editor's change".
5. The review comment appended to the edit summary (``events/review.py``): the history showed a
   comment — "shows never-public markers".
6. The earlier tombstone rule (``api/tombstones.py``, judged on the event's own state and latest
   crisis): a withdrawn event moved to a draft crisis had none — "no tombstone".
"""

import datetime
import itertools
import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    InMemoryExampleDatabase,
    MultiplexedDatabase,
    ReadOnlyDatabase,
)
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from rest_framework.throttling import AnonRateThrottle

from actors.models import Actor, Participation
from crisis_tracker.history import revision
from desk import review
from desk.models import PreviewLink, ReviewComment
from desk.scheduling import publish_scheduled
from events import page_cache as pages
from events.models import (
    Crisis,
    CrisisRevision,
    Edition,
    Event,
    EventActor,
    Revision,
    Section,
    Translation,
)
from events.roles import ensure_roles
from interchange import import_jobs
from interchange.fixture_import import FixtureError, import_fixtures
from sources.models import Source
from tests.conftest import form_data

MARKER = re.compile(r"qz\d{5}q")
# Published twice as often as the others, so withdrawals of published entries are frequent.
STATES = ["published", "draft", "published", "review"]
CONTENT = [Translation, Edition, EventActor, Event, Section, Participation, Crisis, Actor, Source]
EXAMPLES = Path(__file__).parent / "examples"

pytestmark = pytest.mark.django_db


def markers(*texts) -> set[str]:
    return {marker for text in texts for marker in MARKER.findall(text or "")}


class Editorial(RuleBasedStateMachine):
    editor = publisher = None  # set by the test, once per run

    def __init__(self):
        super().__init__()
        for model in [*CONTENT, PreviewLink, ReviewComment]:
            model.objects.all().delete()
            if hasattr(model, "history"):
                model.history.all().delete()
        Revision.objects.all().delete()
        cache.clear()
        pages._held.clear()
        self.counter = itertools.count(1)
        self.ever_public: set[str] = set()
        self.editor_wrote: dict[int, set[str]] = {}  # scheduled event → an editor's later text
        self.reader = Client()
        self.staff = Client()
        self.staff.force_login(self.publisher)
        self.desk = Client()
        self.desk.force_login(self.editor)
        self.step = 0
        self.checked_at = timezone.now()
        self.visible_before: set[tuple] = set()

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

    def edit(self, user=None):
        self.step += 1
        return revision(summary=f"Step {self.step}", user=user)

    # --- writing: one rule draws what is written, so each write is as likely as the next ---

    @rule(data=st.data(), write=st.sampled_from(
        ["crisis", "source", "section", "event", "participation", "edit event", "edit crisis",
         "edit part", "correct source", "state", "revert", "import", "delete",
         "translate"]))  # fmt: skip
    def write(self, data, write):
        state = lambda: data.draw(st.sampled_from(STATES), label="state")  # noqa: E731
        {
            "crisis": lambda: self.create_crisis(data, state()),
            "source": self.create_source,
            "section": lambda: self.create_section(data),
            "event": lambda: self.create_event(data, state(), data.draw(st.booleans())),
            "participation": lambda: self.create_participation(data),
            "edit event": lambda: self.edit_event(data, state()),
            "edit crisis": lambda: self.edit_crisis(data, state()),
            "edit part": lambda: self.edit_part(data),
            "correct source": lambda: self.correct_source(data),
            "state": lambda: self.set_state(data, state()),
            "revert": lambda: self.revert(data),
            "import": lambda: self.import_update(data, state()),
            "delete": lambda: self.delete_entry(data),
            "translate": lambda: self.translate(data, state()),
        }[write]()

    # --- creating -------------------------------------------------------------------------

    @initialize(data=st.data(), second=st.sampled_from(STATES))
    def start_with_a_published_story_and_another(self, data, second):
        self.create_source()
        self.create_crisis(data, "published")
        self.create_event(data, "published", with_actor=True)
        self.create_crisis(data, second)  # so that events can move from the first step

    def create_crisis(self, data, state):
        if Crisis.objects.count() >= 3:
            return
        with self.edit():
            Crisis.objects.create(
                slug=f"c{next(self.counter)}",
                title=self.marker(),
                lead=self.text(data),
                start_date=datetime.date(2025, 6, 1),
                state=state,
            )

    def create_source(self):
        with self.edit():
            Source.objects.create(key=f"s{next(self.counter)}", title=self.marker())

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

    def create_participation(self, data):
        crisis = self.pick(data, Crisis.objects.all())
        with self.edit():
            actor = Actor.objects.create(slug=f"a{next(self.counter)}", name=self.marker())
            Participation.objects.create(crisis=crisis, actor=actor, note=self.text(data))

    # --- changing -------------------------------------------------------------------------

    def edit_event(self, data, state):
        """Title, summary and state in one save, as a publisher can in one form."""
        if not Event.objects.exists():
            return
        event = self.pick(data, Event.objects.all())
        event.title, event.summary, event.state = self.marker(), self.text(data), state
        with self.edit(self.publisher):
            event.save()

    def edit_crisis(self, data, state):
        crisis = self.pick(data, Crisis.objects.all())
        crisis.title, crisis.lead, crisis.state = self.marker(), self.text(data), state
        with self.edit():
            crisis.save()

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

    def correct_source(self, data):
        source = self.pick(data, Source.objects.all())
        source.title = self.marker()
        with self.edit():
            source.save()

    def set_state(self, data, state):
        model = Event if Event.objects.exists() and data.draw(st.booleans()) else Crisis
        if not model.objects.exists():
            return
        entry = self.pick(data, model.objects.all())
        entry.state = state
        with self.edit():
            entry.save()

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

    def publisher_moves_event(self, data):
        if Crisis.objects.count() < 2 or not Event.objects.exists():
            return
        event = self.pick(data, Event.objects.all())
        event.crisis = self.pick(data, Crisis.objects.exclude(pk=event.crisis_id))
        with self.edit(self.publisher):
            event.save()

    def editor_moves_event_in_the_admin(self, data):
        """Most often the move that would matter: a published event out of sight into a
        published crisis."""
        if Crisis.objects.count() < 2 or not Event.objects.exists():
            return
        hidden = Event.objects.filter(state="published").exclude(crisis__state="published")
        tempting = hidden.exists() and data.draw(st.booleans(), label="tempting")
        event = self.pick(data, hidden if tempting else Event.objects.all())
        targets = Crisis.objects.exclude(pk=event.crisis_id)
        if tempting and targets.filter(state="published").exists():
            targets = targets.filter(state="published")
        target = self.pick(data, targets)
        change = f"/admin/events/event/{event.pk}/change/"
        form = form_data(self.desk, change)
        form.update(crisis=str(target.pk), edit_summary=f"Step {self.step}")
        with self.editors_step():
            self.desk.post(change, form)

    def review_with_comments(self, data):
        """An editor submits, a publisher approves or sends back; comments never reach readers."""
        if not Event.objects.exclude(state="published").exists():
            return
        event = self.pick(data, Event.objects.exclude(state="published"))
        if event.state == "draft":
            review.take_step(event, self.editor, review.Step.SUBMITTED, self.marker())
            event.refresh_from_db()
        step = data.draw(st.sampled_from([review.Step.PUBLISHED, review.Step.SENT_BACK]))
        review.take_step(event, self.publisher, step, self.marker())

    def schedule(self, data):
        """A publisher schedules an event; often an editor changes it, and the time comes."""
        if not Event.objects.exclude(state="published").exists():
            return
        event = self.pick(data, Event.objects.exclude(state="published"))
        event.publish_at = timezone.now() + datetime.timedelta(hours=1)
        event.scheduled_by = self.publisher
        with self.edit(self.publisher):
            event.save()
        self.editor_wrote.pop(event.pk, None)
        if data.draw(st.booleans(), label="editor changes it"):
            self.editor_changes_a_scheduled_event(data)
        if data.draw(st.booleans(), label="the time comes"):
            self.run_the_scheduler()

    def editor_changes_a_scheduled_event(self, data):
        if not Event.objects.filter(publish_at__isnull=False).exists():
            return
        event = self.pick(data, Event.objects.filter(publish_at__isnull=False))
        event.title, event.summary = self.marker(), self.text(data)
        with self.editors_step(), self.edit(self.editor):
            event.save()
        self.editor_wrote.setdefault(event.pk, set()).update(markers(event.title, event.summary))

    def run_the_scheduler(self):
        waiting = set(Event.objects.exclude(state="published").values_list("pk", flat=True))
        publish_scheduled(now=timezone.now() + datetime.timedelta(hours=2))
        for event in Event.objects.filter(pk__in=waiting, state="published"):
            late = self.editor_wrote.get(event.pk, set()) & markers(event.title, event.summary)
            assert not late, f"the scheduler published an editor's change {sorted(late)}"

    def import_update(self, data, state, who="system"):
        """A desk's fixture retitles and rewrites an event and sets its state, imported by the
        system, an editor (whose publishing rights apply) or a publisher."""
        if not Event.objects.exists():
            return
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
        if who == "editor":
            self.editor_submits(update)
            return
        user = {"system": None, "publisher": self.publisher}[who]
        import_fixtures(files=[("desk.json", json.dumps(update))],
                        reason=f"Step {self.step}", user=user)  # fmt: skip

    def editor_submits(self, update):
        """An editor's update: what waits for a publisher is submitted, and readers see
        nothing of it (not even a change to what they already see) until a publisher approves
        it; every other step a publisher sends it back instead. An update with nothing that
        waits (a draft's change) is imported at once."""
        path = Path(tempfile.mkdtemp()) / "desk.json"
        path.write_text(json.dumps(update), encoding="utf-8")
        before = self.public_now()
        with self.editors_step():
            try:
                job = import_jobs.submit_files(paths=[path], reason=f"Step {self.step}",
                                               user=self.editor)  # fmt: skip
            except ValueError:
                import_fixtures(files=[("desk.json", path)], reason=f"Step {self.step}",
                                user=self.editor)  # fmt: skip
                return
            except FixtureError:
                return
            assert self.public_now() == before, "an editor's submission reached readers"
        if self.step % 2:
            assert import_jobs.approve(job, self.publisher)
            import_jobs.run(str(job.pk), dry_run=False)  # the worker's part
        else:
            assert import_jobs.send_back(job, self.publisher, "Not yet.")

    def translate(self, data, state):
        """An English edition of a crisis in some state, and a text of it translated anew."""
        crisis = self.pick(data, Crisis.objects.all())
        events = list(crisis.events.order_by("pk").values_list("slug", flat=True)[:3])
        targets = [("crisis", "title"), ("crisis", "lead"), *((f"event/{s}", "title") for s in events),
                   *((f"event/{s}", "summary") for s in events)]  # fmt: skip
        item, field = data.draw(st.sampled_from(targets), label="text")
        with self.edit():
            edition, _new = Edition.objects.get_or_create(crisis=crisis, language="en")
            edition.state = state
            edition.save()
            Translation.objects.update_or_create(
                edition=edition, item=item, field=field, defaults={"text": self.marker()}
            )

    def delete_entry(self, data):
        model = data.draw(st.sampled_from([Event, Section, Participation]), label="model")
        if not model.objects.exists():
            return
        entry = self.pick(data, model.objects.all())
        with self.edit():
            entry.delete()

    # --- other audiences, between the reader's reads --------------------------------------

    @rule(data=st.data(), scenario=st.sampled_from(
        ["editor moves", "publisher moves", "review", "schedule", "scheduler",
         "editor imports", "publisher imports", "staff visit", "preview visit"]))  # fmt: skip
    def desk_work(self, data, scenario):
        """What the desk and other audiences do, one scenario a step (as one rule, so that
        each is drawn as often as a plain edit)."""
        if scenario == "editor moves":
            self.editor_moves_event_in_the_admin(data)
        elif scenario == "publisher moves":
            self.publisher_moves_event(data)
        elif scenario == "review":
            self.review_with_comments(data)
        elif scenario == "schedule":
            self.schedule(data)
        elif scenario == "scheduler":
            self.run_the_scheduler()
        elif scenario.endswith("imports"):
            state = data.draw(st.sampled_from(STATES), label="state")
            self.import_update(data, state, who=scenario.split()[0])
        else:
            visit = self.staff_visit if scenario == "staff visit" else self.preview_visit
            visit(data, data.draw(st.sampled_from(["", "/en"]), label="language"))

    def draft_in(self, data, crisis) -> None:
        """A draft event, so the next visit is the first to read the crisis since a change."""
        with self.edit(self.editor):
            Event.objects.create(crisis=crisis, slug=f"e{next(self.counter)}",
                                 title=self.marker(), summary=self.text(data),
                                 date=datetime.date(2025, 6, 3), state="draft")  # fmt: skip

    def staff_visit(self, data, language):
        crisis = self.pick(data, Crisis.objects.all())
        self.draft_in(data, crisis)
        for name in ("crisis", "timeline", "map_data"):
            self.staff.get(language + reverse(f"events:{name}", args=[crisis.slug]))

    def preview_visit(self, data, language):
        crisis = self.pick(data, Crisis.objects.all())
        self.draft_in(data, crisis)
        link = PreviewLink.objects.create(
            crisis=crisis, expires_at=timezone.now() + datetime.timedelta(days=1)
        )
        for page in ("", "timeline/", "map.json"):
            Client().get(f"{language}/preview/{link.token()}/{page}")

    # --- what readers may see -------------------------------------------------------------

    def editors_step(self):
        return EditorsStep(self)

    def visible_entries(self) -> set[tuple]:
        """(crisis slug, event slug) of every event readers may see now (the oracle)."""
        return {
            (event.crisis.slug, event.slug)
            for event in Event.objects.select_related("crisis").filter(
                state="published", crisis__state="published"
            )
        }

    def public_now(self) -> dict[str, set[str]]:
        """Markers readers should find now, by the page that shows them (the oracle)."""
        shown: dict[str, set[str]] = {}

        def add(url: str, *texts: str) -> None:
            shown.setdefault(url, set()).update(markers(*texts))

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
            self.add_edition(crisis, add)
        for source in Source.objects.all():
            add(reverse("sources:detail", args=[source.key]), source.title)
        for actor in Actor.objects.all():
            add(reverse("actors:detail", args=[actor.slug]), actor.name)
        return shown

    def add_edition(self, crisis: Crisis, add) -> None:
        """A published English edition's texts, on the English article and timeline."""
        edition = Edition.objects.filter(crisis=crisis, language="en", state="published").first()
        if edition is None:
            return
        published = set(crisis.events.filter(state="published").values_list("slug", flat=True))
        for item, text in edition.translations.exclude(text="").values_list("item", "text"):
            if item == "crisis":
                add("/en" + reverse("events:crisis", args=[crisis.slug]), text)
            elif item.removeprefix("event/") in published:
                add("/en" + reverse("events:timeline", args=[crisis.slug]), text)

    def surfaces(self) -> tuple[list[str], list[str]]:
        """(pages of the present, pages of the history) a reader can reach."""
        present = [reverse("events:crisis_list"), "/search/?q=qz", "/en/search/?q=qz",
                   "/api/v1/events/?page_size=1000", "/api/v1/events/?format=geojson&page_size=1000",
                   "/api/v1/events/?page_size=1000&lang=en", "/api/v1/crises/?lang=en",
                   "/api/v1/crises/", "/api/v1/actors/?page_size=1000",
                   "/api/v1/sources/?page_size=1000", "/api/v1/assessments/",
                   reverse("events:tracker_feed")]  # fmt: skip
        history = [reverse("events:site_feed"), "/api/v1/revisions/?page_size=1000"]
        for slug in Crisis.objects.values_list("slug", flat=True):
            for name in ("crisis", "timeline", "map_data", "events_json", "events_csv",
                         "assessments", "assessments_feed"):  # fmt: skip
                present.append(reverse(f"events:{name}", args=[slug]))
            present.append("/en" + reverse("events:timeline", args=[slug]))
            present.append("/en" + reverse("events:crisis", args=[slug]))
            present.append("/en" + reverse("events:map_data", args=[slug]))
            history += [reverse("events:history", args=[slug]), reverse("events:feed", args=[slug])]
            for revision_id in CrisisRevision.objects.filter(
                crisis__slug=slug, public=True
            ).values_list("revision_id", flat=True)[:2]:
                history.append(reverse("events:revision", args=[slug, revision_id]))
                history.append(reverse("events:compare", args=[slug, revision_id]))
        present += [reverse("sources:detail", args=[k])
                    for k in Source.objects.values_list("key", flat=True)]  # fmt: skip
        present += [reverse("actors:detail", args=[s])
                    for s in Actor.objects.values_list("slug", flat=True)]  # fmt: skip
        return present, history

    def read(self, url: str) -> str | None:
        response = self.reader.get(url)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "/preview/" not in body, f"{url} carries a preview link's address"
        return body

    @invariant()
    def readers_see_what_is_published_now(self):
        shown = self.public_now()
        now = {marker for found in shown.values() for marker in found}
        self.ever_public |= now
        present, history = self.surfaces()
        for url in present:
            body = self.read(url)
            if body is None:
                continue
            leaked = markers(body) - now
            assert not leaked, f"{url} shows markers not public now: {sorted(leaked)}"
            missing = shown.get(url, set()) - markers(body)
            assert not missing, f"{url} lacks published {sorted(missing)}"
        for url in history:
            body = self.read(url)
            leaked = markers(body) - self.ever_public if body else set()
            assert not leaked, f"{url} shows never-public markers {sorted(leaked)}"

    @invariant()
    def what_readers_lost_has_a_tombstone(self):
        visible = self.visible_entries()
        gone = self.visible_before - visible
        if gone:
            since = self.checked_at.isoformat().replace("+00:00", "Z")
            rows = self.reader.get(f"/api/v1/tombstones/?since={since}").json()
            named = {(row["crisis"], row["slug"]) for row in rows if row["kind"] == "event"}
            crises = {row["crisis"] for row in rows if row["kind"] == "crisis"}
            missing = {(c, e) for c, e in gone if (c, e) not in named and c not in crises}
            assert not missing, f"no tombstone for {sorted(missing)}"
        self.visible_before = visible
        self.checked_at = timezone.now()


class EditorsStep:
    """An editor's step may change what readers see of entries already before them, never put
    another entry before them."""

    def __init__(self, machine: Editorial):
        self.machine = machine

    def __enter__(self):
        self.before = self.machine.visible_entries()

    def __exit__(self, *exc):
        if exc[0] is None:
            added = self.machine.visible_entries() - self.before
            assert not added, f"an editor's step made public {sorted(added)}"


settings.register_profile(
    "ci",
    max_examples=25,
    stateful_step_count=10,
    deadline=None,
    print_blob=True,
    # Kept examples first (read-only: a run never rewrites them), then new random sequences; a
    # failure is also kept in memory, so Hypothesis shrinks it and prints its steps.
    database=MultiplexedDatabase(
        ReadOnlyDatabase(DirectoryBasedExampleDatabase(EXAMPLES)), InMemoryExampleDatabase()
    ),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "nightly", settings.get_profile("ci"), max_examples=100, stateful_step_count=20
)


class KeepingDatabase(DirectoryBasedExampleDatabase):
    """Saves what fails and forgets nothing: a kept sequence that passes now (its bug fixed) is
    exactly what it is kept for."""

    def delete(self, key: bytes, value: bytes) -> None:
        return None

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.save(dest, value)


# Writes what fails into examples/, so the sequence that caught a bug is replayed on every run.
settings.register_profile("record", settings.get_profile("ci"), database=KeepingDatabase(EXAMPLES))


@pytest.fixture
def throttle_off(monkeypatch):
    """The reader reads the API a few hundred times a minute here."""
    monkeypatch.setattr(AnonRateThrottle, "allow_request", lambda self, request, view: True)


def test_readers_never_see_what_is_not_published(shared_cache, throttle_off, django_user_model):
    ensure_roles(Group, Permission)
    Editorial.editor = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    Editorial.editor.groups.add(Group.objects.get(name="Editors"))
    Editorial.publisher = django_user_model.objects.create_user("pub", password="pw", is_staff=True)
    Editorial.publisher.groups.add(Group.objects.get(name="Publishers"))
    profile = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
    if os.environ.get("DEBUGSTEPS"):
        from hypothesis import Verbosity

        profile = settings(profile, verbosity=Verbosity.debug)
    run_state_machine_as_test(Editorial, settings=profile)
