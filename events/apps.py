from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Crises and events")

    def ready(self) -> None:
        from . import editions, signals, tallies  # noqa: F401  (connect receivers)
