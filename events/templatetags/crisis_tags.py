from django import template
from django.utils.translation import get_language
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
