from django import template
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def part_of_sentence(items: list[str]) -> str:
    """阿塞拜疆—俄罗斯关系、纳戈尔诺-卡拉巴赫冲突和俄乌战争的一部分 / Part of A, B and C."""
    if not items:
        return ""
    chinese = (get_language() or "").startswith("zh")
    if len(items) == 1:
        joined = items[0]
    elif chinese:
        joined = "、".join(items[:-1]) + "和" + items[-1]
    else:
        joined = ", ".join(items[:-1]) + " and " + items[-1]
    return _("Part of %(list)s") % {"list": joined}


KINDS = {
    "crisis": gettext_lazy("Article"),
    "section": gettext_lazy("Section"),
    "event": gettext_lazy("Event"),
    "participation": gettext_lazy("Infobox entry"),
    "source": gettext_lazy("Source"),
    "actor": gettext_lazy("Actor"),
}
ACTIONS = {
    "added": gettext_lazy("added"),
    "edited": gettext_lazy("edited"),
    "removed": gettext_lazy("removed"),
    "corrected": gettext_lazy("corrected"),
    "published": gettext_lazy("published"),
    "withdrawn": gettext_lazy("withdrawn"),
}


@register.filter
def describe_change(change: dict) -> str:
    """{"kind": "section", "action": "edited", "label": "背景"} → Section “背景” edited"""
    return _("%(kind)s “%(label)s” %(action)s") % {
        "kind": KINDS.get(change.get("kind"), change.get("kind")),
        "label": change.get("label", ""),
        "action": ACTIONS.get(change.get("action"), change.get("action")),
    }


@register.filter
def describe_changes(changes: list[dict]) -> str:
    return _("; ").join(describe_change(change) for change in changes)


@register.filter
def entry_label(entry) -> str:
    return describe_change({"kind": entry.kind, "action": entry.action, "label": entry.label})
