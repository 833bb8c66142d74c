from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktrainingConfig(AppConfig):
    name = "sikta.worktraining"
    verbose_name = _("Work training")
