import io

import pytest
import tablib
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from actors.resources import ParticipationResource
from events.models import Event, EventActor
from events.resources import EventResource
from interchange.models import ImportJob
from sources.models import Source
from sources.resources import SourceResource

pytestmark = pytest.mark.django_db

EVENT_HEADERS = [
    "crisis",
    "slug",
    "title",
    "date",
    "date_precision",
    "kind",
    "summary",
    "killed",
    "verification",
    "state",
    "actors",
]


def event_rows(*rows) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=EVENT_HEADERS)


def new_row(slug, **values):
    row = {
        "crisis": "azerbaijan-russia-2025",
        "slug": slug,
        "title": "新事件",
        "date": "2025-07-01",
        "date_precision": "month",
        "kind": "statement",
        "summary": "据报道[@ap-2025-07-02]。",
        "killed": "",
        "verification": "reported",
        "state": "draft",
        "actors": "russia:speaker; azerbaijan:target",
    }
    row.update(values)
    return [row[h] for h in EVENT_HEADERS]


def test_an_import_creates_events_with_natural_keys_and_history(seed, editor):
    result = EventResource().import_data(
        event_rows(new_row("a"), new_row("b")), file_name="desk.csv", user=editor
    )
    assert not result.has_errors() and not result.has_validation_errors()
    event = Event.objects.get(slug="a")
    assert sorted(event.event_actors.values_list("actor__slug", "role")) == [
        ("azerbaijan", "target"),
        ("russia", "speaker"),
    ]
    record = event.history.get()
    assert (record.history_change_reason, record.history_user) == ("Imported from desk.csv", editor)
    assert EventActor.history.filter(event_id=event.pk).count() == 2


def test_a_dry_run_writes_nothing(seed, editor):
    before = (Event.objects.count(), Event.history.count())
    result = EventResource().import_data(
        event_rows(new_row("a")), dry_run=True, file_name="x.csv", user=editor
    )
    assert [row.import_type for row in result.rows] == ["new"]
    assert (Event.objects.count(), Event.history.count()) == before


def test_a_bad_last_row_rolls_everything_back(seed, editor):
    before = (Event.objects.count(), Event.history.count(), EventActor.objects.count())
    rows = event_rows(new_row("a"), new_row("b"), new_row("c", summary="坏引用[@ap-2025-7-02]。"))
    result = EventResource().import_data(rows, file_name="x.csv", user=editor)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 3 and "summary" in invalid.error_dict
    assert (Event.objects.count(), Event.history.count(), EventActor.objects.count()) == before


def test_an_unknown_actor_is_a_row_error(seed, editor):
    result = EventResource().import_data(
        event_rows(new_row("a", actors="atlantis:speaker")), file_name="x.csv", user=editor
    )
    assert "atlantis" in str(result.invalid_rows[0].error_dict["actors"])
    assert not Event.objects.filter(slug="a").exists()


def test_unchanged_rows_write_nothing(seed, editor):
    exported = EventResource().export()
    before = Event.history.count() + EventActor.history.count()
    result = EventResource().import_data(exported, file_name="same.csv", user=editor)
    assert not result.has_errors() and not result.has_validation_errors()
    assert {row.import_type for row in result.rows} == {"skip"}
    assert Event.history.count() + EventActor.history.count() == before


def test_an_editors_rows_marked_published_arrive_in_review(seed, editor, publisher):
    result = EventResource().import_data(
        event_rows(new_row("a", state="published")), file_name="x.csv", user=editor
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert Event.objects.get(slug="a").state == "review"
    assert not Event.objects.published().filter(slug="a").exists()
    result = EventResource().import_data(
        event_rows(new_row("b", state="published")), file_name="x.csv", user=publisher
    )
    assert Event.objects.get(slug="b").state == "published"


def test_an_editor_may_not_change_or_unpublish_a_published_entry_by_spreadsheet(seed, editor):
    exported = EventResource().export()
    unchanged = EventResource().import_data(exported, file_name="same.csv", user=editor)
    assert not unchanged.has_validation_errors()  # unchanged published rows pass
    event = Event.objects.published().get(slug="agalarov-case")
    for change, message in [
        ({"title": "Changed"}, "a change to it needs a publisher"),
        ({"state": "draft"}, "may not publish or unpublish"),
    ]:
        row = next(r for r in exported.dict if r["slug"] == event.slug) | change
        dataset = tablib.Dataset([row[h] for h in exported.headers], headers=exported.headers)
        with translation.override("en"):
            result = EventResource().import_data(dataset, file_name="x.csv", user=editor)
            assert message in str(result.invalid_rows[0].error_dict["state"])
    event.refresh_from_db()
    assert (event.title, event.state) != ("Changed", "draft") and event.state == "published"


def test_exports_escape_formulas_and_numbers_and_dates_round_trip(seed, editor):
    Source.objects.create(
        key="evil",
        title='=HYPERLINK("http://evil.example","x")',
        work="+cmd",
        authors="@SUM(1)",
        notes="-2+3",
        published="2025-07-01",
    )
    dataset = SourceResource().export(Source.objects.filter(key="evil"))
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["title"].startswith("'=") and row["work"] == "'+cmd" and row["authors"] == "'@SUM(1)"
    assert row["notes"] == "'-2+3"
    Source.objects.filter(key="evil").update(title="changed")
    SourceResource().import_data(dataset, file_name="back.csv", user=editor)
    source = Source.objects.get(key="evil")
    assert source.title == '=HYPERLINK("http://evil.example","x")' and source.notes == "-2+3"
    participations = ParticipationResource().export()
    orders = [row[participations.headers.index("order")] for row in participations]
    assert orders == [0, 1, 2]  # numbers stay numbers
    event = dict(zip(*[EventResource().export().headers, EventResource().export()[0]], strict=True))
    assert event["date"] == "2001-01-01" and event["killed"] == 1


def test_the_admin_import_previews_then_confirms(seed, client, editor):
    client.force_login(editor)
    csv = event_rows(new_row("from-admin")).export("csv").encode()
    upload = io.BytesIO(csv)
    upload.name = "desk.csv"
    page = reverse("admin:events_event_import")
    response = client.post(page, {"import_file": upload, "format": "0", "resource": "0"})
    assert response.status_code == 200
    assert not Event.objects.filter(slug="from-admin").exists()
    soup = BeautifulSoup(response.content, "html.parser")
    form = soup.select_one("form[action$='process_import/']")
    data = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    response = client.post(reverse("admin:events_event_process_import"), data)
    assert response.status_code == 302
    event = Event.objects.get(slug="from-admin")
    assert event.history.get().history_change_reason == "Imported from desk.csv"
    job = ImportJob.objects.get()  # recorded for the desk
    assert (job.kind, job.status, job.user, job.files[0]["name"]) == (
        "spreadsheet", "done", editor, "desk.csv")  # fmt: skip
    assert job.totals() == {"created": 1, "changed": 0, "unchanged": 0}
    desk = BeautifulSoup(client.get("/admin/").content, "html.parser")
    assert "desk.csv" in desk.select_one("#desk-imports li").get_text()


def test_outsiders_cannot_import(seed, client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("admin:events_event_import")).status_code == 403


def test_spreadsheets_carry_an_events_place_by_its_slug(seed, editor):
    headers = [*EVENT_HEADERS, "location"]
    rows = tablib.Dataset([*new_row("at-baku"), "baku"], [*new_row("nowhere"), "atlantis"],
                          headers=headers)  # fmt: skip
    result = EventResource().import_data(rows, file_name="desk.csv", user=editor)
    assert result.has_validation_errors() or result.has_errors()
    assert not Event.objects.filter(slug__in=["at-baku", "nowhere"]).exists()
    rows = tablib.Dataset([*new_row("at-baku"), "baku"], headers=headers)
    result = EventResource().import_data(rows, file_name="desk.csv", user=editor)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Event.objects.get(slug="at-baku").location.name_en == "Baku"
    exported = EventResource().export()
    assert "baku" in exported.dict[[r["slug"] for r in exported.dict].index("at-baku")]["location"]
