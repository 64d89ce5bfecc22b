"""An entry's versions in the admin: compare any two, and tell a revert from an ordinary save."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..diffs import field_changes


class VersionsMixin:
    """For a SimpleHistoryAdmin: a compare view beside the history, and revert detection."""

    history_list_display = ["diff"]

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            )
        ]
        return extra + super().get_urls()

    def history_view(self, request, object_id, extra_context=None):
        info = self.model._meta.app_label, self.model._meta.model_name
        compare_url = reverse("admin:{}_{}_compare".format(*info), args=[object_id])
        extra_context = {"compare_url": compare_url, **(extra_context or {})}
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's revert view has no transaction of its own; the stale-save check locks
        # the row until the save commits, which needs one (as the change view has).
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def reverted_version(self, request):
        """The version this request reverts to, or None for an ordinary save."""
        match = request.resolver_match
        if match is None or not match.url_name.endswith("_simple_history"):
            return None
        # simple-history's revert URL passes (object_id, version_id) positionally.
        version_id = match.kwargs.get("version_id") or (match.args[1:2] or [None])[0]
        return self.model.history.filter(history_id=version_id).first()

    def compare_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = list(obj.history.select_related("history_user").order_by("-history_date"))
        by_id = {str(version.history_id): version for version in versions}
        new = by_id.get(request.GET.get("new", "")) or (versions[0] if versions else None)
        old = by_id.get(request.GET.get("old", ""))
        if old is None and new is not None:
            older = [v for v in versions if v.history_date < new.history_date]
            old = older[0] if older else None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Compare versions of %(object)s") % {"object": obj},
            "opts": self.model._meta,
            "object": obj,
            "versions": versions,
            "old": old,
            "new": new,
            "changes": field_changes(self.model.history.model, old, new) if new else [],
        }
        return TemplateResponse(request, "admin/editorial/compare.html", context)

    @admin.display(description=_("Compare"))
    def diff(self, record) -> str:
        info = self.model._meta.app_label, self.model._meta.model_name
        url = reverse("admin:{}_{}_compare".format(*info), args=[record.id])
        return format_html('<a href="{}?new={}">{}</a>', url, record.history_id, gettext("diff"))
