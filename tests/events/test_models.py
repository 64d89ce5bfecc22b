import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext

from actors.models import Actor, Participation
from events.models import Crisis, Event, EventActor, Section
from sources.models import Source

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", [Source, Actor, Crisis, Participation, Section, Event, EventActor]
)
def test_every_object_is_found_again_by_its_natural_key(seed, model):
    for obj in model.objects.all():
        assert model.objects.get_by_natural_key(*obj.natural_key()) == obj


def make_crisis(**fields) -> Crisis:
    values = {"slug": "c", "title": "C", "start_date": datetime.date(2025, 6, 1)}
    return Crisis.objects.create(**{**values, **fields})


def test_a_crisis_cannot_end_before_it_starts():
    crisis = Crisis(
        slug="c",
        title="C",
        start_date=datetime.date(2025, 6, 1),
        end_date=datetime.date(2025, 5, 1),
    )
    with pytest.raises(ValidationError) as error:
        crisis.full_clean()
    assert error.value.messages == ["结束日期不能早于开始日期。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        crisis.save()


def test_an_event_cannot_end_before_it_starts():
    crisis = make_crisis()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(
            crisis=crisis,
            slug="e",
            title="E",
            summary="s",
            date=datetime.date(2025, 6, 2),
            end_date=datetime.date(2025, 6, 1),
        )


def test_event_slugs_are_unique_within_a_crisis_only():
    first, second = make_crisis(slug="a"), make_crisis(slug="b")
    day = datetime.date(2025, 6, 2)
    Event.objects.create(crisis=first, slug="e", title="E", summary="s", date=day)
    Event.objects.create(crisis=second, slug="e", title="E", summary="s", date=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(crisis=first, slug="e", title="E2", summary="s", date=day)


def test_an_actor_role_in_a_crisis_is_recorded_once():
    crisis = make_crisis()
    actor = Actor.objects.create(slug="x", name="X")
    Participation.objects.create(crisis=crisis, actor=actor, role="party")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(crisis=crisis, actor=actor, role="party")


def test_an_actor_cannot_be_its_own_affiliation():
    actor = Actor.objects.create(slug="x", name="X")
    actor.affiliation = actor
    with pytest.raises(ValidationError) as error:
        actor.full_clean()
    assert error.value.error_dict["affiliation"][0].code == "loop"


def test_an_affiliation_loop_is_refused():
    state = Actor.objects.create(slug="state", name="State")
    ministry = Actor.objects.create(slug="ministry", name="Ministry", affiliation=state)
    state.affiliation = ministry
    with pytest.raises(ValidationError) as error:
        state.full_clean()
    assert "affiliation" in error.value.message_dict


def test_an_issn_must_look_like_one():
    with pytest.raises(ValidationError) as error:
        Source(key="x", title="X", issn="12345").full_clean()
    assert error.value.messages == ["ISSN 形如 0261-3077。"]
    Source(key="x", title="X", issn="0261-3077").full_clean()


def test_a_source_url_must_be_http():
    with pytest.raises(ValidationError) as error:
        Source(key="x", title="X", url="ftp://example.org/x").full_clean()
    assert "url" in error.value.message_dict


def test_subsections_stay_in_their_crisis_and_two_levels_deep():
    crisis, other = make_crisis(slug="a"), make_crisis(slug="b")
    top = Section.objects.create(crisis=crisis, key="top", heading="Top")
    child = Section.objects.create(crisis=crisis, key="child", heading="Child", parent=top)
    with pytest.raises(ValidationError) as error:
        Section(crisis=other, key="x", heading="X", parent=top).full_clean()
    assert error.value.error_dict["parent"][0].code == "other_crisis"
    with pytest.raises(ValidationError) as error:
        Section(crisis=crisis, key="y", heading="Y", parent=child).full_clean()
    assert error.value.error_dict["parent"][0].code == "too_deep"


def test_imprecise_dates_are_stored_as_the_first_day_of_their_period():
    crisis = make_crisis(start_date=datetime.date(2025, 6, 17), start_precision="month")
    event = Event.objects.create(
        crisis=crisis,
        slug="e",
        title="E",
        summary="s",
        date=datetime.date(2001, 8, 9),
        date_precision="year",
    )
    assert crisis.start_date == datetime.date(2025, 6, 1)
    assert event.date == datetime.date(2001, 1, 1)
    assert event.start_display("zh-hans") == "2001年"
    assert crisis.start_display("en") == "June 2025"


def test_an_unknown_citation_key_is_a_validation_error_on_the_field(seed):
    section = Section.objects.get(key="背景")
    section.body = "新的句子[@dw-2025-07-3]。"
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert "dw-2025-07-03" in error.value.message_dict["body"][0]


def test_history_records_the_user_and_the_reason_on_create_and_update(django_user_model):
    editor = django_user_model.objects.create_user("editor")
    source = Source(key="k", title="First")
    source._history_user = editor
    source._change_reason = "Added a source"
    source.save()
    source.title = "Second"
    source._history_user = editor
    source._change_reason = "Fixed the title"
    source.save()
    rows = list(
        source.history.order_by("history_date").values_list(
            "history_type", "title", "history_user__username", "history_change_reason"
        )
    )
    assert rows == [
        ("+", "First", "editor", "Added a source"),
        ("~", "Second", "editor", "Fixed the title"),
    ]


def test_join_models_keep_history_too(seed):
    link = EventActor.objects.first()
    assert link.history.count() == 1
    assert Participation.objects.first().history.count() == 1


def test_the_years_of_all_events_are_those_django_finds(seed):
    """On PostgreSQL the admin's date hierarchy steps through the date index (one query); the
    years are Django's own, in either order, filtered or not."""
    crisis = Crisis.objects.get()
    for year in (1999, 2003, 2030):
        Event.objects.create(crisis=crisis, slug=f"y{year}", title="年", summary="年。",
                             date=datetime.date(year, 12, 31), date_precision="day")  # fmt: skip
    for events in (Event.objects.all(), Event.objects.filter(slug__startswith="y")):
        for order in ("ASC", "DESC"):
            with CaptureQueriesContext(connection) as queries:
                years = list(events.dates("date", "year", order))
            assert years == list(QuerySet.dates(events, "date", "year", order))
            assert len(queries) == 1
    assert datetime.date(2003, 1, 1) in years
    stepped = "WITH RECURSIVE" in queries.captured_queries[0]["sql"]
    assert not stepped  # a filtered list is Django's
    with CaptureQueriesContext(connection) as queries:
        list(Event.objects.dates("date", "year"))
    assert ("WITH RECURSIVE" in queries[0]["sql"]) == (connection.vendor == "postgresql")
