from django.contrib import admin
from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.core import checks


class DeskAdminConfig(SimpleAdminConfig):
    """The admin, with the desk's site (its home, checks, notifications and feed).

    The admin modules are discovered when the URLconf is loaded (``crisis_tracker.urls``), not
    when the process starts: a command such as ``import_fixture`` serves no admin page, and the
    admin's modules (with django-import-export's spreadsheet formats and the desk's views) were
    half a second of its start. A serving process loads the URLconf before its first request
    (``crisis_tracker.preload``); the admin's system checks discover the modules first."""

    default_site = "desk.sites.DeskSite"

    def ready(self) -> None:
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(check_discovered_admin, checks.Tags.admin)


def check_discovered_admin(app_configs, **kwargs):
    admin.autodiscover()
    return check_admin_app(app_configs, **kwargs)
