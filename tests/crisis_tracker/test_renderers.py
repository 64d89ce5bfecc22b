"""The form renderer writes inputs and selects as Django's templates do, byte for byte."""

import re

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting
from django.test import override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from crisis_tracker.renderers import Renderer

CHOICES = [
    ("confirmed", "已证实"),
    ("a&b", mark_safe("<b>safe</b>")),
    ("", "---------"),
    ("Groups", [("1", "One & <two>"), ("2", gettext_lazy("Event"))]),
    (3, "quote \" ' here"),
]
WIDGETS = [
    (forms.TextInput(), "title", 'Raid & "arrest" <b>', {"id": "id_title", "required": True}),
    (forms.TextInput(), "title", None, {"disabled": False, "maxlength": 100}),
    (forms.TextInput(), "title", "", {}),
    (forms.HiddenInput(), "form-0-id", 17, {"id": "id_form-0-id"}),
    (forms.HiddenInput(), "key", mark_safe("a&amp;b"), None),
    (forms.NumberInput(), "killed", 1234567, {"step": "1"}),
    (forms.DateInput(), "date", "2025-06-01", {"class": "vDateField", "size": "10"}),
    (forms.CheckboxInput({"class": "action-select"}, lambda value: False), "_selected", "4", {}),
    (forms.CheckboxInput(), "is_correction", True, {"aria-describedby": "x"}),
    (forms.PasswordInput(), "password", "secret", {"autocomplete": "current-password"}),
    (forms.Select(choices=CHOICES), "form-0-verification", "confirmed", {"id": "v"}),
    (forms.Select(choices=CHOICES), "state", "2", {"onchange": 'go("x")'}),
    (forms.Select(choices=CHOICES), "state", None, {}),
    (forms.SelectMultiple(choices=CHOICES), "kinds", ["1", "a&b"], {"size": 4}),
    (forms.NullBooleanSelect(), "verified", None, {}),
]


@pytest.mark.parametrize("widget, name, value, attrs", WIDGETS)
def test_a_widget_renders_as_djangos_template_renders_it(widget, name, value, attrs):
    written = widget.render(name, value, attrs, renderer=Renderer())
    assert written == widget.render(name, value, attrs, renderer=TemplatesSetting())


def test_inputs_and_selects_are_written_and_other_widgets_use_their_templates(monkeypatch):
    renderer = Renderer()
    rendered = []
    monkeypatch.setattr(
        TemplatesSetting, "render", lambda self, name, *a, **k: rendered.append(name)
    )
    forms.HiddenInput().render("id", 1, renderer=renderer)
    forms.Select(choices=CHOICES).render("kind", "1", renderer=renderer)
    assert rendered == []
    forms.Textarea().render("summary", "text", renderer=renderer)
    forms.RadioSelect(choices=CHOICES).render("kind", "1", renderer=renderer)
    assert rendered == ["django/forms/widgets/textarea.html", "django/forms/widgets/radio.html"]


def test_a_label_that_is_not_text_is_left_to_the_template(monkeypatch):
    """A template localises a number (a thousands separator, a decimal comma)."""
    numbers = forms.Select(choices=[(1, 1000), (2, 2.5)])
    expected = numbers.render("n", 1, renderer=TemplatesSetting())
    rendered = []
    original = TemplatesSetting.render
    monkeypatch.setattr(TemplatesSetting, "render", lambda self, name, *args, **kwargs: (
        rendered.append(name) or original(self, name, *args, **kwargs)))  # fmt: skip
    assert numbers.render("n", 1, renderer=Renderer()) == expected
    assert rendered == ["django/forms/widgets/select.html"]


def test_a_project_template_that_overrides_djangos_is_used(tmp_path):
    widgets = tmp_path / "django" / "forms" / "widgets"
    widgets.mkdir(parents=True)
    (widgets / "input.html").write_text('<input data-ours name="{{ widget.name }}">')
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        html = forms.HiddenInput().render("id", 1, renderer=Renderer())
        select = forms.Select(choices=CHOICES).render("kind", "1", renderer=Renderer())
    assert html == '<input data-ours name="id">'
    assert select == forms.Select(choices=CHOICES).render("kind", "1", renderer=TemplatesSetting())


def test_the_admin_event_list_is_the_same_page_either_way(client, seed, superuser):
    """The editable list (a checkbox, a hidden id and a select a row) and its filters."""
    client.force_login(superuser)
    tokens = re.compile(r'(name="(?:csrfmiddlewaretoken|opened_at)" value=")[^"]*"')
    pages = []
    for renderer in (
        "django.forms.renderers.TemplatesSetting",
        "crisis_tracker.renderers.Renderer",
    ):
        with override_settings(FORM_RENDERER=renderer):
            page = client.get("/admin/events/event/").content.decode()
        pages.append(tokens.sub(r'\1"', page))
    assert pages[0].count('<select name="form-') > 5
    assert pages[0] == pages[1]
