from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from .health import healthz

admin.autodiscover()  # the admin's modules, loaded with the URLconf (desk.admin_config)


def media_file(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
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
    path("preview/", include("desk.preview_urls")),
    path("", include("events.urls")),
    prefix_default_language=False,
)
