from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sikta.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # The admin modules are loaded by now (django.contrib.admin's ready() comes first).
        from sikta.core.admin import protect_change_lists

        protect_change_lists()
