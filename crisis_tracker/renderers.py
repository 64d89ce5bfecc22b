"""The form renderer: Django's templates, with its plainest widgets written out in Python.

An editable list in the admin draws three widgets a row (a checkbox, a hidden id, a select): 300
on a page of 100 events, each a small template with includes, which took 64–79 ms of a 230–250
ms event list on the million-event benchmark. Inputs (text, hidden, checkbox and the like) and
selects are written here to the same HTML, byte for byte, as Django's own templates; where a
project template overrides one of them, or a label is not text, the template renders it.
"""

from django.forms.renderers import TemplatesSetting
from django.template.loader import get_template
from django.utils.functional import Promise, cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString

DJANGO = "django/forms/widgets/"
INPUT = f"{DJANGO}input.html"
SELECT = f"{DJANGO}select.html"
OPTION = f"{DJANGO}select_option.html"
ATTRS = f"{DJANGO}attrs.html"
INCLUDING_INPUT = frozenset(  # templates that are only `{% include ".../input.html" %}`
    f"{DJANGO}{name}.html"
    for name in ("input", "text", "hidden", "checkbox", "number", "email", "url", "password",
                 "date", "datetime", "time", "search", "tel", "color", "file")
)  # fmt: skip


class Renderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name in self.written else None
        if widget is not None:
            html = select(widget) if template_name == SELECT else input_tag(widget)
            if html is not None:  # None: a select the template must render
                return html
        return super().render(template_name, context, request=request)

    @cached_property
    def written(self) -> frozenset:
        """The widget templates written here: those that are still Django's own files."""
        if not (is_djangos(INPUT) and is_djangos(ATTRS)):
            return frozenset()
        names = {name for name in INCLUDING_INPUT if is_djangos(name)}
        if is_djangos(SELECT) and is_djangos(OPTION):
            names.add(SELECT)
        return frozenset(names)


def is_djangos(template_name: str) -> bool:
    origin = get_template(template_name).origin.name
    return origin.replace("\\", "/").endswith(f"/django/forms/templates/{template_name}")


def formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: its text, escaped unless already safe."""
    return str(value) if isinstance(value, SafeData) else conditional_escape(str(value))


def attributes(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else
        f' {conditional_escape(name)}="{formatted(value)}"'
        for name, value in attrs.items() if value is not False
    )  # fmt: skip


def input_tag(widget: dict) -> SafeString:
    value = widget["value"]
    shown = "" if value is None else f' value="{formatted(value)}"'
    return SafeString(
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{attributes(widget["attrs"])}>'
    )


def select(widget: dict) -> SafeString | None:
    """``django/forms/widgets/select.html`` and its options; None when a label or a group's
    name is not text (a template would localise a number)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name and not isinstance(group_name, str | Promise):
            return None
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if not isinstance(option["label"], str | Promise):
                return None
            parts.append(
                f'\n  <option value="{formatted(option["value"])}"'
                f"{attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return SafeString("".join(parts))
