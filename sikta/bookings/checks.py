"""`manage.py check --deploy`: text messages need the provider's credentials."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def sms_configured(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.SMS_BACKEND == "46elks" and not (
        settings.SMS_API_USERNAME and settings.SMS_API_PASSWORD
    ):
        return [
            Error(
                "SMS_BACKEND is 46elks but SMS_API_USERNAME or SMS_API_PASSWORD is empty: "
                "reminders by text message would fail.",
                id="sikta.bookings.E001",
            )
        ]
    return []
