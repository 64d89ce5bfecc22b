from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = _("Desk")

    def ready(self) -> None:
        from . import notifications, review  # noqa: F401  (connect receivers)
