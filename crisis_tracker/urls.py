from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from events import desk_views
from events.desk_feed import DeskFeed

from .health import healthz

admin.site.site_header = _("Crisis Tracker: editors' desk")
admin.site.site_title = _("Crisis Tracker")
admin.site.index_title = _("Desk")
admin.site.index_template = "admin/desk.html"


def media_file(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path(
        "admin/desk/attention/<slug:slug>/",
        admin.site.admin_view(desk_views.attention),
        name="desk_attention",
    ),  # fmt: skip
    path(
        "admin/desk/notifications/",
        admin.site.admin_view(desk_views.notification_settings),
        name="desk_notifications",
    ),  # fmt: skip
    # A user's desk as Atom: the signed address is the credential (feed readers cannot log in).
    path("admin/desk/feed/<str:token>/", DeskFeed(), name="desk_feed"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    # The editors' interface language (a cookie); readers choose theirs by address.
    path("i18n/", include("django.conf.urls.i18n")),
    # Uploaded maps only (validated PNG, JPEG or WebP); served with nosniff by SecurityMiddleware.
    re_path(r"^media/(?P<path>maps/[^/]+\.(?:png|jpe?g|webp))$", media_file),
]
# Reader pages: Chinese at unprefixed addresses, English under /en/.
urlpatterns += i18n_patterns(
    path("actors/", include("events.actor_urls")),
    path("sources/", include("sources.urls")),
    path("", include("events.urls")),
    prefix_default_language=False,
)
