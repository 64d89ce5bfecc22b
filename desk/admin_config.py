from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    """The admin, with the desk's site (its home, checks, notifications and feed)."""

    default_site = "desk.sites.DeskSite"
