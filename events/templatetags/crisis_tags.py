from django import template
from django.urls import translate_url
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from events.models import Assessment, CrisisRevision

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


Kind = CrisisRevision.Kind
Action = CrisisRevision.Action


@register.filter
def describe_change(change: dict) -> str:
    """{"kind": "section", "action": "edited", "label": "背景"} → Section “背景” edited"""
    kind, action = change.get("kind"), change.get("action")
    words = {
        "kind": Kind(kind).label if kind in Kind.values else kind,
        "label": change.get("label", ""),
        "action": Action(action).label if action in Action.values else action,
    }
    if change.get("more"):  # the lines of one kind beyond those a revision keeps
        count = change["more"]
        return ngettext(
            "%(kind)s %(action)s: %(count)s more", "%(kind)s %(action)s: %(count)s more", count
        ) % {**words, "count": number_format(count, force_grouping=True)}
    return _("%(kind)s “%(label)s” %(action)s") % words


@register.filter
def describe_changes(changes: list[dict]) -> str:
    return _("; ").join(describe_change(change) for change in changes)


@register.filter
def entry_label(entry) -> str:
    return describe_change({"kind": entry.kind, "action": entry.action, "label": entry.label})


LANGUAGE_NAMES = {"zh-hans": "简体中文", "en": "English"}  # each in its own language


@register.filter
def language_versions(path: str, only=None) -> list[tuple[str, str, str]]:
    """(code, name, address) of this page in each interface language, or in ``only`` those."""
    return [
        (code, name, translate_url(path or "/", code))
        for code, name in LANGUAGE_NAMES.items()
        if not only or code in only
    ]


@register.simple_tag(takes_context=True)
def alternates(context, path: str) -> list[tuple[str, str, str]]:
    """The page's language versions for ``hreflang``: a crisis's page lists only the languages
    it reads in (its own and its published editions'), any other page every language."""
    page = context.get("page")
    return language_versions(path, getattr(page, "languages", None))


@register.filter
def trend_label(trend: str) -> str:
    """An assessment's trend as readers read it: 恶化 / deteriorated."""
    return str(dict(Assessment.Trend.choices).get(trend, trend))
