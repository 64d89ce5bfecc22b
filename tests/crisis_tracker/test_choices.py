"""Choice labels from a table built once per field and language, as Django's own would read."""

import pytest
from django.db import models
from django.utils import translation

from actors.models import Actor
from crisis_tracker.choices import labels
from events.models import Event, EventActor


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_labels_are_djangos_in_each_language(language):
    event = Event(kind=Event.Kind.RAID, verification="disputed", state="review")
    link = EventActor(event=event, actor=Actor(name="A"), role=EventActor.Role.TARGET)
    fields = [(event, "kind"), (event, "verification"), (event, "state"), (link, "role")]
    with translation.override(language):
        for obj, name in fields:
            django_label = models.Model._get_FIELD_display(obj, obj._meta.get_field(name))
            assert getattr(obj, f"get_{name}_display")() == django_label
    with translation.override("en"):
        english = event.get_kind_display()
    with translation.override("zh-hans"):
        assert event.get_kind_display() not in ("", english)  # each language its own table


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Event(kind="not-a-kind").get_kind_display() == "not-a-kind"
    assert Event(kind=None).get_kind_display() is None


def test_the_table_is_built_once_per_field_and_language():
    labels.cache_clear()
    with translation.override("en"):
        for _ in range(3):
            Event(verification="reported").get_verification_display()
    assert (labels.cache_info().misses, labels.cache_info().hits) == (1, 2)
