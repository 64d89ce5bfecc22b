import copy
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from actors.models import Actor, Participation
from crisis_tracker.citations import cited_keys
from crisis_tracker.publication import SCHEDULE_FIELDS
from events.models import Crisis, Event, EventActor, Section
from interchange.fixture_export import export_crisis
from interchange.fixture_import import FixtureError, import_fixtures
from places.models import Place
from sources.models import Source
from tests.conftest import SEED, staff_user

pytestmark = pytest.mark.django_db

CONTENT = [Source, Actor, Place, Crisis, Participation, Section, Event, EventActor]


def seed_objects() -> list[dict]:
    return json.loads(SEED.read_text(encoding="utf-8"))


@pytest.fixture
def seed(db):
    """Here the seed comes in through the importer under test."""
    import_fixtures(files=[(SEED.name, SEED.read_text(encoding="utf-8"))])
    return Crisis.objects.get(slug="azerbaijan-russia-2025")


def import_objects(objects, name="update.json", **options):
    return import_fixtures(files=[(name, json.dumps(objects, ensure_ascii=False))], **options)


def snapshot() -> dict:
    """Every content row and every history row, to prove nothing changed."""
    state = {}
    for model in CONTENT:
        state[model.__name__] = sorted(map(repr, model.objects.values_list()))
        state["history:" + model.__name__] = model.history.count()
    return state


def test_the_seed_has_the_whole_article(seed):
    assert Source.objects.count() == 18
    assert Section.objects.filter(crisis=seed, parent=None).count() == 3
    assert Section.objects.filter(crisis=seed).count() == 11
    assert Event.objects.filter(crisis=seed).count() == 18
    assert seed.title == "2025年阿塞拜疆—俄罗斯外交危机"
    assert seed.start_display("zh-hans") == "2025年6月"
    assert seed.part_of_list() == ["阿塞拜疆—俄罗斯关系", "纳戈尔诺-卡拉巴赫冲突", "俄乌战争"]
    assert seed.map_caption == "两国地理位置示意图"
    assert seed.state == "published"
    headings = list(Section.objects.values_list("heading", flat=True))
    assert headings == [
        "背景",
        "俄罗斯与亚美尼亚和阿塞拜疆的关系",
        "对阿塞拜疆裔的刑事调查",
        "危机爆发",
        "俄罗斯逮捕阿塞拜疆裔居民",
        "阿塞拜疆逮捕俄罗斯公民",
        "各方反应",
        "俄罗斯",
        "阿塞拜疆",
        "乌克兰",
        "联合国",
    ]
    parties = Participation.objects.filter(role="party").values_list("actor__slug", flat=True)
    assert sorted(parties) == ["azerbaijan", "russia"]
    ukraine = Participation.objects.get(role="supporter")
    assert ukraine.actor.slug == "ukraine"
    assert cited_keys(ukraine.note) == ["eurointegration-2025-07-01"]


def test_sources_keep_every_field_the_seed_gives(seed):
    reuters = Source.objects.get(key="reuters-2024-12-26")
    assert reuters.author_list() == ["Bagirova, Nailia", "Stolyarov, Gleb"]
    guardian = Source.objects.get(key="guardian-2025-02-07")
    assert (guardian.issn, guardian.language, str(guardian.published)) == (
        "0261-3077",
        "en-GB",
        "2025-02-07",
    )
    dw = Source.objects.get(key="dw-2025-07-03")
    assert dw.published is None and str(dw.accessed) == "2025-07-07"
    assert not Source.objects.exclude(url="").exists()


def test_events_are_never_more_precise_than_the_seed(seed):
    precisions = dict(Event.objects.values_list("slug", "date_precision"))
    assert precisions["yekaterinburg-killing-2001"] == "year"
    assert precisions["azal-8243-crash"] == "month"
    assert precisions["arrests-of-azerbaijanis"] == "day"
    assert precisions["sputnik-baku-raid"] == "year"
    crash = Event.objects.get(slug="azal-8243-crash")
    assert (crash.killed, crash.verification) == (38, "reported")
    assert "67" in crash.figures_note


def test_each_source_is_cited_as_often_as_in_the_seed(seed):
    texts = [p.note for p in Participation.objects.all()] + [seed.lead]
    texts += [s.body for s in Section.objects.all()]
    uses = Counter(key for text in texts for key in _all_uses(text))
    assert uses["dw-2025-07-03"] == 4
    assert uses["ap-2025-07-02"] == 3
    assert uses["eurointegration-2025-07-01"] == 2
    assert uses["kyiv-independent-2025-07-06"] == 2
    assert uses["xinhua-2025-07-01"] == 2
    assert sum(uses.values()) == 26
    assert set(uses) == set(Source.objects.values_list("key", flat=True))


def _all_uses(text):
    import re

    return re.findall(r"@([A-Za-z0-9_-]+)", text)


def test_every_imported_object_has_its_creation_history_with_the_reason(seed):
    for model in CONTENT:
        for obj in model.objects.all():
            rows = list(obj.history.all())
            assert [row.history_type for row in rows] == ["+"]
            assert rows[0].history_change_reason == f"Imported from {SEED.name}"


def test_importing_the_same_file_again_writes_nothing(seed):
    before = snapshot()
    report = import_objects(seed_objects(), name=SEED.name)
    assert snapshot() == before
    assert all(counter["unchanged"] == sum(counter.values()) for counter in report.counts.values())


def test_an_update_changes_exactly_the_changed_fields_with_one_history_row_each(
    seed, django_user_model
):
    editor = staff_user(django_user_model, "desk", group="Publishers")
    objects = seed_objects()
    changed = copy.deepcopy(objects)
    for obj in changed:
        if obj["model"] == "sources.source" and obj["fields"]["key"] == "cnn-2020-10-10":
            obj["fields"]["url"] = "https://edition.cnn.com/example"
        if obj["model"] == "events.event" and obj["fields"]["slug"] == "agalarov-case":
            obj["fields"]["verification"] = "confirmed"
    report = import_objects(changed, reason="Desk update 12", user=editor)
    assert report.counts["sources.source"]["changed"] == 1
    assert report.counts["events.event"]["changed"] == 1
    source = Source.objects.get(key="cnn-2020-10-10")
    assert source.url == "https://edition.cnn.com/example"
    latest = source.history.latest()
    assert (latest.history_change_reason, latest.history_user) == ("Desk update 12", editor)
    assert source.history.count() == 2
    assert Event.objects.get(slug="agalarov-case").history.count() == 2
    assert Event.objects.get(slug="azal-8243-crash").history.count() == 1


def test_a_dry_run_reports_the_diff_and_writes_nothing(seed, capsys):
    objects = seed_objects()
    for obj in objects:
        if obj["model"] == "events.crisis":
            obj["fields"]["status"] = "ended"
    before = snapshot()
    report = import_objects(objects, dry_run=True)
    assert snapshot() == before
    [change] = [c for c in report.changes if c.action == "changed"]
    assert change.fields == [("status", "ongoing", "ended")]


def test_the_command_prints_a_summary_and_a_dry_run_diff(seed, tmp_path, capsys):
    objects = seed_objects()
    for obj in objects:
        if obj["model"] == "events.section" and obj["fields"]["key"] == "联合国":
            obj["fields"]["heading"] = "联合国秘书处"
    path = tmp_path / "update.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    call_command("import_fixture", str(path), "--dry-run", "--system")
    out = capsys.readouterr().out
    assert "changed: events.section ['azerbaijan-russia-2025', '联合国']" in out
    assert "heading: '联合国' → '联合国秘书处'" in out
    assert "events.section: 0 created, 1 changed, 10 unchanged" in out
    assert Section.objects.filter(heading="联合国").exists()


def test_a_large_dry_run_lists_the_first_changes_and_counts_them_all(db, tmp_path, capsys):
    from interchange.management.commands import import_fixture

    sources = [{"model": "sources.source", "fields": {"key": f"s{n}", "title": "S"}} for n in "123"]
    path = tmp_path / "update.json"
    path.write_text(json.dumps(sources), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(import_fixture, "LISTED_CHANGES", 2)
        call_command("import_fixture", str(path), "--dry-run", "--system")
    out = capsys.readouterr().out
    assert "created: sources.source ['s2']" in out and "['s3']" not in out
    assert "… and 1 more changes not listed." in out
    assert "sources.source: 3 created, 0 changed, 0 unchanged" in out


def bad_inputs():
    def edit(model, match, **fields):
        def change(objects):
            for obj in objects:
                if obj["model"] == model and all(
                    obj["fields"].get(k) == v for k, v in match.items()
                ):
                    obj["fields"].update(fields)
            return objects

        return change

    def append(extra):
        return lambda objects: objects + [extra]

    return {
        "unknown model": (
            append({"model": "auth.user", "fields": {"username": "x"}}),
            "unknown model 'auth.user'",
        ),
        "unknown field": (
            edit("sources.source", {"key": "cnn-2020-10-10"}, colour="red"),
            "field 'colour': unknown field",
        ),
        "bad date": (
            edit("events.event", {"slug": "agalarov-case"}, date="2025-13-45"),
            "field 'date'",
        ),
        "missing natural key": (
            edit("events.eventactor", {"actor": ["russia"]}, actor=["atlantis"]),
            "no actors.actor with natural key ['atlantis']",
        ),
        "duplicate key": (append(seed_objects()[0]), "appears twice in this import"),
        "unknown citation": (
            edit("events.section", {"key": "联合国"}, body="新句子[@first-news-2025-7-01]。"),
            "did you mean 'first-news-2025-07-01'",
        ),
        "bad choice": (
            edit("events.event", {"slug": "agalarov-case"}, verification="rumoured"),
            "field 'verification'",
        ),
    }


@pytest.mark.parametrize("case", list(bad_inputs()))
def test_a_bad_input_is_refused_naming_where_and_changes_nothing(seed, case):
    change, expected = bad_inputs()[case]
    objects = change(seed_objects())
    objects.append({"model": "sources.source", "fields": {"key": "brand-new", "title": "New"}})
    before = snapshot()
    from django.utils import translation

    with translation.override("en"), pytest.raises(FixtureError) as error:
        import_objects(objects, name="bad.json")
    assert expected in str(error.value)
    assert "bad.json: object" in str(error.value)
    assert snapshot() == before


def test_an_object_given_twice_is_refused_whichever_batches_hold_it(db, monkeypatch):
    monkeypatch.setattr("interchange.fixture_import.BATCH_SIZE", 2)
    sources = [{"model": "sources.source", "fields": {"key": k, "title": k}} for k in "abcd"]
    again = {"model": "sources.source", "fields": {"key": "a", "title": "a, retitled"}}
    refused = {"model": "sources.source", "fields": {"key": "x", "title": "x", "url": "no"}}
    objects = [*sources, again, refused, dict(refused)]
    with translation.override("en"), pytest.raises(FixtureError) as error:
        import_objects(objects, name="twice.json")
    problems = [str(problem) for problem in error.value.problems]
    assert "twice.json: object 5 (sources.source ['a']): appears twice in this import" in problems
    assert "twice.json: object 7 (sources.source ['x']): appears twice in this import" in problems
    assert not Source.objects.exists()


def test_a_full_cache_of_natural_keys_is_looked_up_again(db, monkeypatch):
    """A large import keeps a bounded number of keys: the rest are found in the database."""
    monkeypatch.setattr("interchange.fixture_import.BATCH_SIZE", 3)
    monkeypatch.setattr("interchange.keys.KEYS_KEPT", 2)
    objects = seed_objects()
    import_objects(objects)
    links = [o for o in objects if o["model"] == "events.eventactor"]
    assert EventActor.objects.count() == len(links) > 2
    assert Participation.objects.count() == sum(
        o["model"] == "actors.participation" for o in objects
    )


def test_malformed_json_names_the_line_and_column(db):
    with pytest.raises(FixtureError) as error:
        import_fixtures(files=[("broken.json", '[\n  {"model": "sources.source",,}\n]')])
    assert "broken.json: not valid JSON at line 2, column 30" in str(error.value)


def test_the_command_fails_without_a_traceback(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_fixture", str(path), "--system")
    assert "Nothing was imported" in str(error.value)


def test_objects_may_come_in_any_order(db):
    objects = list(reversed(seed_objects()))
    import_objects(objects)
    assert Event.objects.count() == 18
    assert Actor.objects.get(slug="maria-zakharova").affiliation_chain()[-1].slug == "russia"


def test_export_then_import_into_an_empty_database_reproduces_the_crisis(seed):
    exported = export_crisis(seed)
    before = snapshot()
    import_fixtures(files=[("export.json", exported)])
    assert snapshot() == before, "re-importing an export changes nothing"
    exported_actors = [
        o["fields"]["slug"] for o in json.loads(exported) if o["model"] == "actors.actor"
    ]
    Actor.objects.exclude(slug__in=exported_actors).delete()  # in the seed, used by no crisis
    rows = {
        model: sorted(map(repr, model.objects.values_list(*_natural_fields(model))))
        for model in CONTENT
    }
    for model in reversed(CONTENT):
        model.objects.all().delete()
    import_fixtures(files=[("export.json", exported)])
    assert {
        model: sorted(map(repr, model.objects.values_list(*_natural_fields(model))))
        for model in CONTENT
    } == rows
    assert export_crisis(Crisis.objects.get()) == exported


def _natural_fields(model):
    return [
        f.name if not f.is_relation else f.name + "__pk" * 0 + "__" + _fk_label(f)
        for f in model._meta.concrete_fields
        if f.name != "id" and f.name not in SCHEDULE_FIELDS
    ]


def _fk_label(field):
    return {
        "crisis": "slug",
        "actor": "slug",
        "affiliation": "slug",
        "parent": "key",
        "event": "slug",
        "location": "slug",
        "map_place": "slug",
    }[field.name]


def test_a_fresh_import_lists_each_new_entry_once_as_added(seed):
    from events.models import CrisisRevision

    link = CrisisRevision.objects.get()
    events = [change for change in link.changes if change["kind"] == "event"]
    assert sorted(change["label"] for change in events) == sorted(
        Event.objects.values_list("title", flat=True)
    )
    assert {change["action"] for change in events} == {"added"}
