"""Sending text messages: one small interface, a backend per provider, chosen by settings.

    send_sms(to="+46701234567", text="…")  -> the provider's id of the message, or SmsError

`SMS_BACKEND` names the backend: "console" (development: the message is written to the log)
or "46elks" (46elks' HTTP API: POST {SMS_API_URL}/a1/sms with HTTP basic authentication,
form fields from, to, message; JSON answer with the message's id). A provider that is down, or
answers too slowly, is a temporary failure (the message is tried again later); a number or
text the provider refuses is permanent (the caseworker sees it on the booking).
"""

from __future__ import annotations

import logging
from typing import Protocol

import requests
from django.conf import settings
from django.utils.crypto import get_random_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str) -> str: ...


class ConsoleBackend:
    """Development: the message goes to the log, and nowhere else."""

    def send(self, *, to: str, text: str) -> str:
        provider_id = "console-" + get_random_string(12)
        logger.warning("SMS to %s (%s): %s", to, provider_id, text)
        print(f"--- SMS to {to} ---\n{text}\n", flush=True)
        return provider_id


class ElksBackend:
    """46elks (api.46elks.com), or anything that speaks its API."""

    def __init__(self, *, url: str, username: str, password: str, sender: str, timeout: float):
        self.url = url.rstrip("/") + "/a1/sms"
        self.auth = (username, password)
        self.sender = sender
        self.timeout = timeout

    def send(self, *, to: str, text: str) -> str:
        try:
            response = requests.post(
                self.url,
                auth=self.auth,
                data={"from": self.sender, "to": to, "message": text},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise SmsError(f"provider unreachable: {error}"[:500], permanent=False) from None
        if response.status_code >= 500 or response.status_code in (401, 429):
            # Down, overloaded, or our credentials: nothing wrong with the message itself.
            raise SmsError(
                f"provider answered {response.status_code}: {response.text}"[:500],
                permanent=False,
            )
        if response.status_code >= 400:
            raise SmsError(
                f"provider refused the message ({response.status_code}): {response.text}"[:500],
                permanent=True,
            )
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            raise SmsError(f"unexpected answer: {response.text}"[:500], permanent=False) from None


def backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    if name == "console":
        return ConsoleBackend()
    if name == "46elks":
        return ElksBackend(
            url=settings.SMS_API_URL,
            username=settings.SMS_API_USERNAME,
            password=settings.SMS_API_PASSWORD,
            sender=settings.SMS_SENDER,
            timeout=settings.SMS_TIMEOUT,
        )
    raise ValueError(f"unknown SMS_BACKEND {name!r}: 'console' or '46elks'")


def send_sms(*, to: str, text: str) -> str:
    return backend().send(to=to, text=text)
