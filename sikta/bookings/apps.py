from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "sikta.bookings"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        from sikta.bookings import checks  # noqa: F401 — registers the deploy check
