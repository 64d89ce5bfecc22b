"""Each rule of the domain has one definition, and every path that needs it reads that one.

Each test here breaks or extends the one definition and checks that every consumer follows, or
scans the code for a second definition creeping back in.
"""

import ast
import datetime
import json

import pytest
import tablib
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse

from actors.models import Participation
from crisis_tracker import publication
from crisis_tracker.dates import DateSpan
from crisis_tracker.editorial.widgets import CitationTextarea
from crisis_tracker.narrative import crises_citing, narrative_fields, narrative_models
from crisis_tracker.publication import PublicationState, may_set_state
from events import registry, roles, signals
from events.models import Assessment, Crisis, Event, EventActor, Section
from events.resources import EventResource
from interchange import fixture_import
from interchange.fixture_export import crisis_objects
from interchange.fixture_import import FixtureError, import_fixtures
from sources.models import Source
from sources.where_cited import citing_places
from tests.architecture.test_layers import modules
from tests.conftest import form_data

pytestmark = pytest.mark.django_db

NARRATIVE = [
    ("events.crisis", "lead"),
    ("events.assessment", "text"),
    ("events.section", "body"),
    ("events.event", "summary"),
    ("actors.participation", "note"),
]


def test_the_narrative_fields_are_listed_in_one_registry():
    registry = {
        (model._meta.label_lower, name)
        for model in narrative_models()
        for name in narrative_fields(model)
    }
    assert registry == set(NARRATIVE)


def narrative_row(crisis: Crisis, label: str):
    return {
        "events.crisis": lambda: crisis,
        "events.assessment": lambda: Assessment.objects.get_or_create(
            crisis=crisis,
            month=datetime.date(2025, 6, 1),
            defaults={"trend": "deteriorated", "reason": "Worse.", "state": "published"},
        )[0],  # fmt: skip
        "events.section": lambda: Section.objects.get(crisis=crisis, key="background"),
        "events.event": lambda: Event.objects.get(crisis=crisis, slug="talks"),
        "actors.participation": lambda: Participation.objects.get(crisis=crisis),
    }[label]()


@pytest.mark.parametrize(("label", "name"), NARRATIVE)
def test_every_narrative_field_is_validated(tiny_crisis, label, name):
    row = narrative_row(tiny_crisis, label)
    setattr(row, name, "Claimed[@wire-3].")
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert [e.code for e in error.value.error_dict[name]] == ["unknown_citation"]


@pytest.mark.parametrize(("label", "name"), NARRATIVE)
def test_every_narrative_field_is_indexed_exported_and_shown(tiny_crisis, client, label, name):
    Source.objects.create(key="wire-3", title="Wire report three")
    row = narrative_row(tiny_crisis, label)
    setattr(row, name, "Claimed[@wire-3].")
    row.save()
    assert [place["url"] for place in citing_places("wire-3", None)] == [row.get_absolute_url()]
    assert crises_citing({"wire-3"}) == {"wire-3": {tiny_crisis.pk}}
    assert "wire-3" in {obj.key for obj in crisis_objects(tiny_crisis) if isinstance(obj, Source)}
    page = reverse("events:timeline" if label == "events.event" else "events:crisis", args=["tiny"])
    assert "Wire report three" in client.get(page).content.decode()


@pytest.mark.parametrize(("label", "name"), NARRATIVE)
def test_every_narrative_field_has_the_citation_helper_in_the_admin(superuser, label, name):
    model = next(m for m in narrative_models() if m._meta.label_lower == label)
    request = RequestFactory().get("/")
    request.user = superuser
    field = admin.site._registry[model].formfield_for_dbfield(model._meta.get_field(name), request)
    assert isinstance(field.widget, CitationTextarea)


def test_only_narrative_fields_get_the_citation_helper(superuser):
    request = RequestFactory().get("/")
    request.user = superuser
    field = admin.site._registry[Crisis].formfield_for_dbfield(
        Crisis._meta.get_field("part_of"), request
    )
    assert not isinstance(field.widget, CitationTextarea)


# --- publication state ------------------------------------------------------------------------

P, D, R = "published", "draft", "review"


@pytest.mark.parametrize(
    ("old", "new", "editor_may"),
    [(None, D, True), (None, R, True), (D, R, True), (R, D, True), (None, P, False),
     (D, P, False), (R, P, False), (P, D, False), (P, None, False), (D, None, True),
     (P, P, True)],
)  # fmt: skip
def test_publishing_needs_the_publish_permission(editor, publisher, old, new, editor_may):
    assert may_set_state(editor, Event, old, new) is editor_may
    assert may_set_state(publisher, Event, old, new) is True


def test_one_rule_decides_publishing_on_every_write_path(
    monkeypatch, tiny_crisis, client, superuser
):
    """With the publish permission taken away in the one rule, even a superuser cannot
    publish through the change form, an action, a fixture or a spreadsheet."""
    monkeypatch.setattr(publication, "may_publish", lambda user, model: False)
    rumour = Event.objects.get(slug="rumour")
    client.force_login(superuser)
    change = reverse("admin:events_event_change", args=[rumour.pk])
    soup = BeautifulSoup(client.get(change).content, "html.parser")
    assert [o["value"] for o in soup.select("select[name=state] option")] == [D, R]
    data = form_data(client, change)
    client.post(change, {**data, "state": P, "edit_summary": "try"})
    changelist = client.get(reverse("admin:events_event_changelist")).content.decode()
    assert 'value="publish"' not in changelist
    fixture = [
        {"model": "events.event", "fields": {"crisis": ["tiny"], "slug": "rumour", "state": P}}
    ]
    with pytest.raises(FixtureError, match="may not publish"):
        import_fixtures(files=[("u.json", json.dumps(fixture))], user=superuser)
    rows = tablib.Dataset(headers=["crisis", "slug", "title", "date", "summary", "state"])
    rows.append(["tiny", "rumour", "Unconfirmed rumour", "2025-06-03", "Unchecked.", P])
    EventResource().import_data(rows, file_name="u.csv", user=superuser)
    rumour.refresh_from_db()
    assert rumour.state == R  # a row marked published arrives in review


STATE_KEYWORDS = {"state", "state__in"}


def state_literals(tree: ast.AST) -> list[int]:
    """Lines that filter or compare a publication state against a string of their own."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and (
            node.arg in STATE_KEYWORDS or (node.arg or "").endswith(("__state", "__state__in"))
        ):
            values = node.value.elts if isinstance(node.value, ast.List) else [node.value]
            if any(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values):
                lines.append(node.value.lineno)
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute):
            if node.left.attr == "state" and any(
                isinstance(c, ast.Constant) and isinstance(c.value, str) for c in node.comparators
            ):
                lines.append(node.lineno)
    return lines


def test_publication_states_are_never_spelled_out_outside_the_core():
    offenders = [
        f"{name}:{line}"
        for name, path in modules().items()
        if name != "crisis_tracker.publication"
        for line in state_literals(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []


def test_the_state_scan_sees_a_spelled_out_state():
    assert state_literals(ast.parse('Event.objects.filter(state="published")')) == [1]
    assert state_literals(ast.parse('if obj.state == "draft": pass')) == [1]


# --- who may see what -------------------------------------------------------------------------


def test_readers_see_an_event_only_when_it_and_its_crisis_are_published(tiny_crisis, editor):
    assert list(Event.objects.published().values_list("slug", flat=True)) == ["talks"]
    assert set(Event.objects.visible_to(editor).values_list("slug", flat=True)) == {
        "talks",
        "rumour",
    }
    Crisis.objects.filter(pk=tiny_crisis.pk).update(state=PublicationState.DRAFT)
    assert list(Event.objects.published()) == []
    assert list(EventActor.objects.published()) == []
    assert list(Section.objects.published()) == []
    assert list(Participation.objects.published()) == []


PUBLIC_MODULES = [
    "events.views.pages",
    "events.views.data",
    "events.views.history",
    "events.views.search",
    "desk.preview",
    "events.feeds",
    "events.rendering",
    "events.actor_page",
    "sources.views",
    "sources.where_cited",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_views_ask_the_visibility_policy_instead_of_filtering_states(name):
    tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
    filters = [
        node.arg
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and "state" in (node.arg or "")
    ]
    assert filters == []


# --- dates with a precision -------------------------------------------------------------------

SPANS = [Crisis, Event]


def test_every_dated_model_is_a_date_span():
    dated = [
        model
        for model in narrative_models() + [Source]
        if any(f.name == "end_precision" for f in model._meta.fields)
    ]
    assert sorted(m.__name__ for m in dated) == ["Crisis", "Event"]
    assert all(issubclass(model, DateSpan) for model in SPANS)


def span(model, crisis, **dates):
    if model is Crisis:
        return Crisis(slug="s", title="S", start_date=dates["start"], **dates["extra"])
    return Event(
        crisis=crisis, slug="s", title="S", summary="s", date=dates["start"], **dates["extra"]
    )


@pytest.mark.parametrize("model", SPANS)
def test_a_span_is_stored_at_its_precision_and_shown_at_it(tiny_crisis, model):
    precision = {"start_precision": "month"} if model is Crisis else {"date_precision": "month"}
    row = span(model, tiny_crisis, start=datetime.date(2025, 7, 19), extra=precision)
    row.save()
    assert getattr(row, model.START) == datetime.date(2025, 7, 1)
    assert row.start_display("zh-hans") == "2025年7月"
    assert row.span_display("en") == {"start": "July 2025", "end": ""}


@pytest.mark.parametrize("model", SPANS)
def test_a_span_cannot_end_before_it_starts(tiny_crisis, model):
    end = {"end_date": datetime.date(2025, 1, 1)}
    row = span(model, tiny_crisis, start=datetime.date(2025, 7, 19), extra=end)
    names = [c.name for c in model._meta.constraints]
    assert f"{model._meta.model_name}_end_after_start" in names
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


# --- the audit path ---------------------------------------------------------------------------


def test_no_write_path_stamps_history_attributes_of_its_own():
    """Edit summaries and users come from the revision, not from private attributes."""
    offenders = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if node.attr in {"_change_reason", "_history_user", "_edit_summary"}:
                    offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_the_content_models_are_listed_in_one_registry():
    """One list (events.registry) names the content: the importer's order, the roles and the
    page cache's listeners all follow it, and each model comes after every model it needs."""
    labels = registry.CONTENT_MODELS
    assert fixture_import.IMPORTABLE is labels
    assert [f"{app}.{model}" for app, model in roles.CONTENT_MODELS] == labels
    assert sorted(model._meta.label_lower for model in signals.HANDLERS) == sorted(labels)
    for position, label in enumerate(labels):
        needed = {
            f.related_model._meta.label_lower
            for f in apps.get_model(label)._meta.concrete_fields
            if f.is_relation and f.related_model._meta.label_lower in labels
        }
        assert needed <= set(labels[:position]) | {label}, label
