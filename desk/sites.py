"""The admin site editors work in: its home is the desk (what waits for whom, what needs
attention), with the desk's own pages beside the models' (``desk.views``, ``desk.feed``)."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views
from .feed import DeskFeed


class DeskSite(admin.AdminSite):
    site_header = _("Crisis Tracker: editors' desk")
    site_title = _("Crisis Tracker")
    index_title = _("Desk")
    index_template = "admin/desk.html"

    def get_urls(self):
        return [
            path(
                "desk/attention/<slug:slug>/",
                self.admin_view(views.attention),
                name="desk_attention",
            ),
            path(
                "desk/notifications/",
                self.admin_view(views.notification_settings),
                name="desk_notifications",
            ),
            # A user's desk as Atom: the signed address is the credential (feed readers
            # cannot log in).
            path("desk/feed/<str:token>/", DeskFeed(), name="desk_feed"),
            *super().get_urls(),
        ]
