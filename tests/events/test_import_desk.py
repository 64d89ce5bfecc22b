"""Imports the way a desk sends them: the defects a real update found, and what the desk reads."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from actors.models import Actor
from crisis_tracker.history import revision
from events.models import Crisis, CrisisRevision, Event, Revision
from interchange.fixture_export import everything, serialize
from interchange.fixture_import import FixtureError, import_fixtures
from places.models import Place
from sources.models import Source
from tests.events.test_import import import_objects, seed_objects, snapshot

pytestmark = pytest.mark.django_db

CRISIS = "azerbaijan-russia-2025"


@pytest.fixture
def seed(db):
    import_fixtures(files=[("seed.json", json.dumps(seed_objects(), ensure_ascii=False))])
    return Crisis.objects.get(slug=CRISIS)


def refused(objects, **options) -> str:
    before = snapshot()
    with translation.override("en"), pytest.raises(FixtureError) as error:
        import_objects(objects, **options)
    assert snapshot() == before, "a refused import writes nothing"
    return str(error.value)


def test_a_pk_is_refused_and_never_overwrites_a_row(seed):
    first = Source.objects.order_by("pk").first()
    message = refused(
        [{"model": "sources.source", "pk": first.pk,
          "fields": {"key": "brand-new-source", "title": "Brand new source"}}]
    )  # fmt: skip
    assert (
        "update.json: object 1 (sources.source): objects are matched by natural key only" in message
    )
    assert Source.objects.get(pk=first.pk).key == first.key


def test_a_pk_on_an_event_is_refused_too(seed):
    event = Event.objects.order_by("pk").first()
    fields = {"crisis": [CRISIS], "slug": "new-event", "title": "New", "date": "2025-07-01"}
    message = refused([{"model": "events.event", "pk": event.pk, "fields": fields}])
    assert "remove the 'pk'" in message


def test_a_missing_or_null_crisis_is_reported_with_the_files_other_problems(seed):
    objects = [
        {"model": "events.event", "fields": {"slug": "no-crisis", "title": "A", "date": "2025-07-01"}},
        {"model": "events.event",
         "fields": {"crisis": None, "slug": "null-crisis", "title": "B", "date": "2025-07-01"}},
        {"model": "events.event",
         "fields": {"crisis": [CRISIS], "slug": "bad-kind", "title": "C", "date": "2025-07-01",
                    "kind": "invasion"}},
    ]  # fmt: skip
    message = refused(objects)
    assert (
        "object 1 (events.event): field 'crisis': required: the natural key of a events.crisis"
        in message
    )
    assert "object 2 (events.event): field 'crisis': required" in message
    assert f"object 3 (events.event ['{CRISIS}', 'bad-kind']): field 'kind'" in message


def test_a_missing_crisis_is_refused_in_the_admin_not_a_server_error(
    seed, client, publisher, django_capture_on_commit_callbacks
):
    client.force_login(publisher)
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = json.dumps(
        [{"model": "events.event", "fields": {"slug": "x", "title": "X", "date": "2025-07-01"}}]
    )
    upload = SimpleUploadedFile("desk.json", text.encode(), content_type="application/json")
    page = reverse("admin:events_crisis_import_fixture")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"files": upload})
    response = client.get(response["Location"])
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    cells = [td.get_text() for td in soup.select(".import-problems td")]
    assert cells[:4] == ["desk.json", "1 (events.event)", "—", "crisis"]
    assert "required: the natural key of a events.crisis" in cells[4]


def test_a_reason_over_the_limit_is_refused_up_front(seed, tmp_path):
    long_reason = "x" * 101
    message = refused([{"model": "sources.source", "fields": {"key": "k1", "title": "T"}}],
                      reason=long_reason)  # fmt: skip
    assert "at most 100 characters; this one has 101" in message
    path = tmp_path / "update.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(CommandError, match="--reason: an edit summary has at most 100 characters"):
        call_command("import_fixture", str(path), "--system", "--reason", long_reason)


def test_a_reason_of_exactly_the_limit_is_stored_whole(seed):
    reason = "y" * 100
    import_objects(
        [{"model": "sources.source", "fields": {"key": "k1", "title": "T"}}], reason=reason
    )
    assert Source.objects.get(key="k1").history.get().history_change_reason == reason


def test_the_command_runs_as_a_named_user_or_the_system(seed, tmp_path, django_user_model):
    path = tmp_path / "update.json"
    withdraw = [o for o in seed_objects() if o["model"] == "events.event"][:1]
    withdraw[0]["fields"]["state"] = "draft"
    path.write_text(json.dumps(withdraw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="Say who imports"):
        call_command("import_fixture", str(path))
    django_user_model.objects.create_user("junior")
    with pytest.raises(CommandError, match="junior may not publish, so the file must be submitted"):
        call_command("import_fixture", str(path), "--user", "junior")
    assert Event.objects.get(slug=withdraw[0]["fields"]["slug"]).state == "published"
    call_command("import_fixture", str(path), "--system")
    assert Event.objects.get(slug=withdraw[0]["fields"]["slug"]).state == "draft"


def test_the_summary_counts_created_changed_and_unchanged(seed, tmp_path, capsys):
    objects = seed_objects()
    objects[0]["fields"]["notes"] = "Checked again."
    objects.append({"model": "sources.source", "fields": {"key": "k-new", "title": "New"}})
    path = tmp_path / "update.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    call_command("import_fixture", str(path), "--system")
    out = capsys.readouterr().out
    assert f"Created 1, changed 1, left {len(objects) - 2} unchanged" in out
    call_command("import_fixture", str(path), "--system")
    assert f"Created 0, changed 0, left {len(objects)} unchanged" in capsys.readouterr().out


def test_the_dry_run_shows_new_objects_field_by_field_and_text_as_a_diff(seed, tmp_path, capsys):
    objects = [o for o in seed_objects() if o["model"] == "events.event"][:1]
    objects[0]["fields"]["summary"] = objects[0]["fields"]["summary"].replace("2001年", "2001年冬")
    objects.append({"model": "events.event", "fields": {
        "crisis": [CRISIS], "slug": "new-one", "title": "新事件", "date": "2025-06",
        "kind": "arrest", "summary": "新事件的经过。"}})  # fmt: skip
    path = tmp_path / "update.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    call_command("import_fixture", str(path), "--system", "--dry-run")
    out = capsys.readouterr().out
    assert f"created: events.event ['{CRISIS}', 'new-one']" in out
    assert "    title: '新事件'" in out
    assert "    date: 2025-06-01" in out
    assert "    date_precision: 'month'" in out
    assert "{+冬+}" in out, "long text is shown as a diff"
    assert not Event.objects.filter(slug="new-one").exists()


def test_short_dates_take_their_precision_and_finer_ones_are_refused(seed):
    base = {"crisis": [CRISIS], "title": "T", "kind": "arrest", "summary": "S"}
    import_objects([
        {"model": "events.event", "fields": {**base, "slug": "june", "date": "2025-06"}},
        {"model": "events.event", "fields": {**base, "slug": "year", "date": "2025"}},
        {"model": "sources.source", "fields": {"key": "oct", "title": "T", "published": "2025-10"}},
    ])  # fmt: skip
    june, year = Event.objects.get(slug="june"), Event.objects.get(slug="year")
    assert (june.date.isoformat(), june.date_precision) == ("2025-06-01", "month")
    assert (year.date.isoformat(), year.date_precision) == ("2025-01-01", "year")
    source = Source.objects.get(key="oct")
    assert (source.published_display(), source.published_precision) == ("2025-10", "month")
    assert "2025-10 (" in source.citation_html()
    message = refused([{"model": "events.event", "fields": {
        **base, "slug": "bad", "date": "2025-06", "date_precision": "day"}}])  # fmt: skip
    assert "field 'date': '2025-06' names a month, not a day" in message


def test_a_day_with_month_precision_is_stored_as_the_month_and_the_dry_run_warns(seed):
    report = import_objects([{"model": "events.event", "fields": {
        "crisis": [CRISIS], "slug": "mid-june", "title": "T", "summary": "S", "date": "2025-06-15",
        "date_precision": "month"}}], dry_run=True)  # fmt: skip
    [warning] = report.warnings
    assert "field 'date': 2025-06-15 is stored as 2025-06: date_precision is 'month'" in str(
        warning
    )


def test_an_end_before_the_start_names_both_fields(seed):
    message = refused([{"model": "events.event", "fields": {
        "crisis": [CRISIS], "slug": "backwards", "title": "T", "summary": "S", "date": "2025-07-02",
        "end_date": "2025-07-01"}}])  # fmt: skip
    assert f"object 1 (events.event ['{CRISIS}', 'backwards']): field 'end_date, date'" in message


def test_a_refused_choice_lists_the_valid_codes(seed):
    message = refused([{"model": "events.event", "fields": {
        "crisis": [CRISIS], "slug": "x", "title": "T", "summary": "S", "date": "2025-07-02",
        "verification": "rumoured"}}])  # fmt: skip
    assert "Valid codes: confirmed, reported, disputed." in message


def test_objects_are_counted_from_one_with_their_natural_key(seed):
    objects = [
        {"model": "sources.source", "fields": {"key": "fine", "title": "Fine"}},
        {"model": "sources.source", "fields": {"key": "bad-date", "title": "T", "published": "2025-13-01"}},
    ]  # fmt: skip
    message = refused(objects)
    assert "update.json: object 2 (sources.source ['bad-date']): field 'published'" in message


def test_a_database_busy_with_another_import_is_a_clear_refusal(seed, monkeypatch):
    from django.db import OperationalError

    import interchange.fixture_import as module

    def busy(name):
        raise OperationalError("database is locked")

    monkeypatch.setattr(module, "exclusive", busy)
    message = refused([{"model": "sources.source", "fields": {"key": "k", "title": "T"}}])
    assert "busy with another import; nothing was imported, try again" in message


# Export → import into an empty database gives the same reader pages ----------------------------

TIMES = re.compile(r'<time datetime="[^"]*"[^>]*>[^<]*</time>')


def reader_pages(client) -> dict[str, str]:
    urls = [reverse("events:crisis_list")]
    for crisis in Crisis.objects.all():
        urls += [
            reverse("events:crisis", args=[crisis.slug]),
            reverse("events:timeline", args=[crisis.slug]),
        ]
    urls += [reverse("actors:detail", args=[actor.slug]) for actor in Actor.objects.all()]
    urls += [reverse("sources:detail", args=[source.key]) for source in Source.objects.all()]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = TIMES.sub("<time/>", response.content.decode())
    return pages


def test_export_then_import_into_an_empty_database_gives_the_same_reader_pages(seed, client):
    cache.clear()
    before = reader_pages(client)
    exported = serialize(everything())
    assert "csto" in {o["fields"].get("slug") for o in json.loads(exported)}
    with revision(summary="Empty the database"):
        for crisis in Crisis.objects.all():
            crisis.delete()
        Actor.objects.update(affiliation=None)
        Actor.objects.all().delete()
        Source.objects.all().delete()
    Revision.objects.all().delete()
    assert not CrisisRevision.objects.exists()
    import_fixtures(files=[("export.json", exported)])
    cache.clear()
    after = reader_pages(client)
    assert after.keys() == before.keys()
    for url, page in before.items():
        assert after[url] == page, url


# docs/fixtures.md is the desk's reference: its codes and its example must be true ---------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "fixtures.md"


def test_the_fixture_docs_list_every_code():
    from actors.models import Participation
    from events.models import EventActor

    text = DOC.read_text(encoding="utf-8")
    for model, name in [(Event, "kind"), (Event, "verification"), (EventActor, "role"),
                        (Participation, "role"), (Actor, "kind"), (Crisis, "status"),
                        (Event, "state"), (Event, "date_precision"), (Source, "language"),
                        (Crisis, "language"), (Place, "precision")]:  # fmt: skip
        for code, _label in model._meta.get_field(name).flatchoices:
            assert f"`{code}`" in text, (model.__name__, name, code)


def test_the_fixture_docs_example_imports_cleanly(seed, publisher):
    example = DOC.read_text(encoding="utf-8").split("```json", 1)[1].split("```", 1)[0]
    report = import_fixtures(files=[("example.json", example)], user=publisher)
    assert report.outcome("created") == 6 and not report.warnings
    event = Event.objects.get(slug="consular-talks-2025-10")
    assert (event.date.isoformat(), event.date_precision) == ("2025-10-01", "month")
    assert event.location.name_en == "Moscow"
    assert list(event.event_actors.values_list("actor__slug", flat=True)) == [
        "desk-consul",
        "russia",
    ]


def test_a_dry_run_flags_new_events_that_probably_duplicate_ones_kept(seed):
    update = [
        {"model": "events.event", "fields": {
            "crisis": [CRISIS], "slug": "sputnik-office-raid", "title": "警方突袭卫星通讯社巴库办公室",
            "date": "2025-06-30", "place": "巴库", "kind": "raid", "summary": "警方突袭了办公室。"}},
        {"model": "events.event", "fields": {
            "crisis": [CRISIS], "slug": "zakharova-remarks", "title": "扎哈罗娃称两国友好关系非常重要",
            "date": "2025-07-01", "kind": "statement", "summary": "外交部发言人表态。"}},
        {"model": "events.event", "fields": {
            "crisis": [CRISIS], "slug": "unrelated", "title": "无关的新事件",
            "date": "2025-08-01", "place": "第比利斯", "kind": "meeting", "summary": "别处的会面。"}},
    ]  # fmt: skip
    report = import_objects(update, dry_run=True)
    flagged = {warning.natural_key[1]: warning.message for warning in report.warnings}
    assert set(flagged) == {"sputnik-office-raid", "zakharova-remarks"}
    assert flagged["sputnik-office-raid"].startswith(
        "probably the same event as ['sputnik-baku-raid']"
    )
    assert "['zakharova-statement']" in flagged["zakharova-remarks"]
    assert "give this object its slug" in flagged["zakharova-remarks"]
    assert not report.warnings or not import_objects(update, dry_run=False).warnings, (
        "the import itself does not repeat the dry run's flags"
    )


def test_an_event_known_to_the_day_elsewhere_in_the_year_is_not_flagged(seed):
    from events.duplicates import period

    assert period(date(2025, 1, 1), "year") == (date(2025, 1, 1), date(2026, 1, 1))
    assert period(date(2024, 12, 1), "month") == (date(2024, 12, 1), date(2025, 1, 1))
    report = import_objects([{"model": "events.event", "fields": {
        "crisis": [CRISIS], "slug": "later-crash-report", "title": "阿塞拜疆航空8243号班机坠毁",
        "date": "2025-03-01", "kind": "other", "summary": "报告。"}}], dry_run=True)  # fmt: skip
    assert not report.warnings, "the crash is dated December 2024: periods do not overlap"


def test_duplicate_candidates_found_by_index_and_bisection_are_those_of_every_comparison(seed):
    """The lookup reads only events that may overlap and compares each new event with those
    near it: it must flag exactly what comparing with every existing event flags."""
    import random
    from datetime import timedelta

    from events import duplicates

    rng = random.Random(5)
    crisis = Crisis.objects.get()
    words = ["突袭", "办公室", "逮捕", "声明", "会谈", "制裁", "领事", "抗议"]

    def event(n: int, prefix: str) -> Event:
        precision = rng.choice(["day"] * 6 + ["month", "year"])
        day = date(2023, 1, 1) + timedelta(days=rng.randrange(900))
        day = {"day": day, "month": day.replace(day=1), "year": day.replace(month=1, day=1)}
        end = rng.random() < 0.05
        return Event(crisis=crisis, slug=f"{prefix}-{n}", date=day[precision],
                     date_precision=precision, place=rng.choice(["巴库", "莫斯科", ""]),
                     title="".join(rng.sample(words, 3)), summary="".join(rng.sample(words, 4)),
                     end_date=day[precision] + timedelta(days=rng.randrange(20, 500)) if end
                     else None, end_precision="day", state="published")  # fmt: skip

    Event.objects.bulk_create(event(n, "old") for n in range(600))
    twins, anchors = [], []  # the words of an old event, at a place where one other event is
    for n, old in enumerate(Event.objects.order_by("pk")[:400:20]):
        twin, anchor = event(n, "twin"), event(n, "anchor")
        twin.title, twin.summary = old.title, old.summary
        for one in (twin, anchor):
            one.date, one.date_precision, one.end_date = old.date, old.date_precision, None
            one.place = f"第比利斯{n}"
        twins.append(twin)
        anchors.append(anchor)
    Event.objects.bulk_create(anchors)
    newest = Event.objects.order_by("-pk").first().pk
    new = [event(n, "new") for n in range(80)] + twins
    found = duplicates.probable_duplicates(new, newest)
    everything = [duplicates.Reading.of(old) for old in Event.objects.filter(crisis=crisis)]
    for index, event_ in enumerate(new):
        reading = duplicates.Reading.of(event_)
        expected = [c for old in everything if (c := duplicates.score(reading, old))]
        expected.sort(key=lambda candidate: -candidate.score)
        got = found.get(index, [])
        assert [c.score for c in got] == [c.score for c in expected[: duplicates.MOST]]
        assert {c.event.pk for c in got} <= {c.event.pk for c in expected}
    assert sum(map(len, found.values())) > 40  # the comparison flags plenty: not a vacuous test
    mixed = [c for c in found.values() if len({candidate.reason for candidate in c}) == 2]
    assert mixed, "some are named for their place and others for their words"


def test_the_duplicate_search_reads_and_compares_with_the_collector_paused(seed, monkeypatch):
    """The readings of a crisis's events hold no cycles: the collector, which would walk the
    100,000 of a large crisis several times and free none, waits until the search is done."""
    import gc

    from events import duplicates

    crisis = Crisis.objects.get()
    Event.objects.bulk_create([
        Event(crisis=crisis, slug=f"old-{n}", date=date(2024, 1, 1 + n % 28), date_precision="day",
              title=f"突袭 {n}", summary="逮捕，声明。", state="published") for n in range(30)
    ])  # fmt: skip
    new = [Event(crisis=crisis, slug=f"new-{n}", date=date(2024, 1, 1 + n), date_precision="day",
                 title=f"突袭 {n}", summary="逮捕，声明。") for n in range(20)]  # fmt: skip
    collecting = []  # whether the collector was on, at each event read and each comparison
    for name in ("event_period", "alike"):
        original = getattr(duplicates, name)
        monkeypatch.setattr(duplicates, name, lambda *args, _original=original: (
            collecting.append(gc.isenabled()) or _original(*args)))  # fmt: skip
    assert gc.isenabled()
    found = duplicates.probable_duplicates(new, Event.objects.latest("pk").pk)
    assert len(found) == 20, "each new event reads like the old ones of its day"
    assert len(collecting) > 50 and not any(collecting)
    assert gc.isenabled(), "and on again after"
