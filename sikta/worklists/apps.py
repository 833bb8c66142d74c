from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistsConfig(AppConfig):
    name = "sikta.worklists"
    verbose_name = _("To do")
