from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sikta.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from sikta.accounts import signals  # noqa: F401  (connects login/logout auditing)
