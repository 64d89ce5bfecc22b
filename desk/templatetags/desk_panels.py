"""The desk's panels for the admin's home page (``templates/admin/desk.html``)."""

from django import template

from .. import panels as desk

register = template.Library()


@register.simple_tag
def desk_panels(user, app_list) -> dict:
    security = [app for app in app_list if app["app_label"] == "axes"]
    return {
        "awaiting_review": desk.awaiting_review(user),
        "submitted_imports": desk.submitted_imports(user),
        "my_work": desk.my_work(user),
        "recent_changes": desk.recent_changes(user),
        "imports": desk.recent_imports(user),
        "attention": desk.needs_attention(user),
        "apps": [app for app in app_list if app["app_label"] != "axes"],
        "security": security if user.is_superuser else [],
    }
