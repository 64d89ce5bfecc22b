"""The desk's own admin pages: one "needs attention" list, and a user's notification settings
(e-mail kinds, and the address of their desk feed)."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from crisis_tracker.editorial.admin import change_path

from .feed import feed_path
from .models import NotificationSettings
from .panels import CHECKS_BY_SLUG, SHOWN, Facts


def attention(request, slug: str):
    check = CHECKS_BY_SLUG.get(slug)
    if check is None:
        raise Http404
    if not request.user.has_perm("events.change_event"):
        raise PermissionDenied
    found = check.query(Facts())
    rows = list(found[: SHOWN * 4])
    context = {
        **admin.site.each_context(request),
        "title": check.label,
        "check": check,
        "rows": [(row, change_path(row)) for row in rows],
        "total": found.count(),
    }
    return render(request, "admin/desk/attention.html", context)


class NotificationForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["submitted", "reviewed", "published"]


def notification_settings(request):
    settings_row, _created = NotificationSettings.objects.get_or_create(user=request.user)
    if request.method == "POST" and "new_feed_address" in request.POST:
        settings_row.feed_key = uuid.uuid4()
        settings_row.save(update_fields=["feed_key"])
        messages.success(request, gettext("Your feed has a new address; the old one is retired."))
        return HttpResponseRedirect(reverse("admin:desk_notifications"))
    form = NotificationForm(request.POST or None, instance=settings_row)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Your e-mail notifications are saved."))
        return HttpResponseRedirect(reverse("admin:desk_notifications"))
    context = {
        **admin.site.each_context(request),
        "title": gettext("My e-mail notifications"),
        "form": form,
        "email": request.user.email,
        "feed": request.build_absolute_uri(feed_path(request.user)),
    }
    return render(request, "admin/desk/notifications.html", context)
