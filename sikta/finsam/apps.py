from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinsamConfig(AppConfig):
    name = "sikta.finsam"
    verbose_name = _("Uppföljning Finsam")
