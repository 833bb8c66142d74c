from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "sikta.activities"
    verbose_name = _("Activity plan and meetings")
