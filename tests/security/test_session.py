"""Sessions: fixation, logout, cookie flags, and guessing the second factor.

The logins here are the real ones (password form, then a code from the app), not force_login:

- a session key planted before login is not the one after the password, and the key after the
  password is not the one after the code; neither old key opens anything afterwards;
- logging out deletes the session: its key no longer opens anything;
- the session cookie is HttpOnly, SameSite=Lax and ends with the browser; Secure in production;
- after the password and before the code, no page but the second step and the public ones;
- guessing the six-digit code: django-otp's throttling doubles the wait after each wrong code
  (per device, so a new login does not reset it). Someone who knows the password gets at most
  about 17 guesses in a day, and a right code is refused while the wait lasts. The recovery
  codes are throttled the same way, and a code from the app works once.

(The password lockout after five failures is in tests/accounts/test_login_security.py. The
lockout of django-axes does not cover the code step: it is limited by the throttling above.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sikta.accounts.models import RecoveryCodeDevice, code_digest
from sikta.accounts.otp import EXEMPT_URL_NAMES
from tests.access.test_url_matrix import MATRIX
from tests.conftest import Personas
from tests.security.support import objects_of, send

PASSWORD = "en-lång-lösenfras-1"
COOKIE = settings.SESSION_COOKIE_NAME


@pytest.fixture
def coach(personas: Personas) -> tuple[Any, TOTPDevice]:
    """coach_sodra with a password and an enrolled app."""
    user = personas.coach_sodra.user
    user.set_password(PASSWORD)
    user.save()
    return user, TOTPDevice.objects.create(user=user, name="Sikta", confirmed=True)


def _codes(device: TOTPDevice) -> set[str]:
    """The codes the device accepts now (its tolerance either side of the current step)."""
    found = set()
    for drift in range(-device.tolerance, device.tolerance + 1):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + drift)
        found.add(f"{totp.token():06d}")
    return found


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _wrong_code(device: TOTPDevice) -> str:
    right = _codes(device)
    return next(c for c in (f"{n:06d}" for n in range(123456, 10**6)) if c not in right)


def _password(client: Client, user: Any) -> None:
    response = client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def _key(client: Client) -> str:
    return client.cookies[COOKIE].value


def _opens_nothing(key: str) -> bool:
    """A browser with only this session key is sent to the login page."""
    other = Client()
    other.cookies[COOKIE] = key
    response = other.get("/deltagare/")
    return response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")


def test_the_session_key_changes_at_login_and_at_the_code(coach: tuple) -> None:
    user, device = coach
    planted = SessionStore()
    planted["planted_by"] = "someone else"
    planted.create()
    client = Client()
    client.cookies[COOKIE] = planted.session_key

    _password(client, user)
    after_password = _key(client)
    assert after_password != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    assert _opens_nothing(planted.session_key)

    response = client.post("/konto/tvafaktor/", {"token": _code(device)})
    assert response.status_code == 302
    verified = _key(client)
    assert verified not in (after_password, planted.session_key)
    assert not SessionStore().exists(after_password)
    assert _opens_nothing(after_password)
    assert client.get("/deltagare/").status_code == 200


def test_logout_ends_the_session(coach: tuple) -> None:
    user, device = coach
    client = Client()
    _password(client, user)
    client.post("/konto/tvafaktor/", {"token": _code(device)})
    key = _key(client)
    assert not _opens_nothing(key)

    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302
    assert not SessionStore().exists(key)
    assert _opens_nothing(key)
    assert client.get("/deltagare/").status_code == 302


def test_the_session_cookie_flags(coach: tuple, settings: Any, production: dict) -> None:
    user, _device = coach
    response = Client().post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["expires"] and not cookie["max-age"]  # ends with the browser
    assert not cookie["secure"]  # development speaks plain HTTP on loopback

    settings.SESSION_COOKIE_SECURE = True
    response = Client().post(
        "/konto/logga-in/", {"username": user.username, "password": PASSWORD}, secure=True
    )
    assert response.cookies[COOKIE]["secure"] is True
    # What production sets (read with SIKTA_ENV=production).
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert production["SIKTA_REQUIRE_2FA"] is True


def test_the_language_cookie_flags(personas: Personas) -> None:
    response = Client().post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"


def test_between_password_and_code_only_the_second_step(personas: Personas, coach: tuple) -> None:
    """Every page, GET and POST: sent to the code step, unless it is public or the step."""
    user, _device = coach
    client = Client()
    client.raise_request_exception = False
    _password(client, user)
    problems = []
    for url_name in sorted(MATRIX):
        with objects_of(personas, url_name, client) as kwargs:
            url = reverse(url_name, kwargs=kwargs)
            for method in ("GET", "POST"):
                response = send(client, method, url)
                location = response.get("Location", "")
                if url_name in EXEMPT_URL_NAMES:
                    if response.status_code >= 500:
                        problems.append(f"{method} {url}: {response.status_code}")
                elif not (response.status_code == 302 and location.startswith("/konto/tvafaktor/")):
                    problems.append(f"{method} {url}: {response.status_code} {location}")
    assert not problems, "\n".join(problems)


def _message() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Too many wrong codes. Wait a minute and try again.")


def test_guessing_the_code_is_limited_to_a_few_tries_a_day(coach: tuple) -> None:
    """Each guess from a fresh login (as an attacker with the password would), as soon as the
    throttling allows it: at most 20 guesses reach the check in 24 hours."""
    user, device = coach
    start = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
    guesses = 0
    with time_machine.travel(start, tick=False) as clock:
        while timezone.now() < start + dt.timedelta(days=1):
            device.refresh_from_db()
            if device.throttling_failure_count:
                wait = device.get_throttle_factor() * 2 ** (device.throttling_failure_count - 1)
                allowed_at = device.throttling_failure_timestamp + dt.timedelta(seconds=wait)
                # A moment too early: refused without being checked, even the right code.
                clock.move_to(allowed_at - dt.timedelta(milliseconds=500))
                early = Client()
                _password(early, user)
                response = early.post("/konto/tvafaktor/", {"token": _code(device)})
                assert response.status_code == 200 and _message() in response.content.decode()
                assert early.get("/deltagare/").status_code == 302
                device.refresh_from_db()
                assert device.throttling_failure_count == guesses
                clock.move_to(allowed_at)
            if timezone.now() >= start + dt.timedelta(days=1):
                break
            client = Client()
            _password(client, user)
            response = client.post("/konto/tvafaktor/", {"token": _wrong_code(device)})
            assert response.status_code == 200
            guesses += 1
            device.refresh_from_db()
            assert device.throttling_failure_count == guesses
    assert 10 <= guesses <= 20, guesses


def test_recovery_codes_are_throttled_too(coach: tuple) -> None:
    user, _device = coach
    [code, *_rest] = RecoveryCodeDevice.issue(user, name="Reservkoder")
    recovery = RecoveryCodeDevice.objects.get(user=user)
    client = Client()
    _password(client, user)
    for _ in range(3):
        client.post("/konto/tvafaktor/", {"token": "fel-kod-1"})
    recovery.refresh_from_db()
    assert recovery.throttling_failure_count >= 1
    response = client.post("/konto/tvafaktor/", {"token": code})
    assert response.status_code == 200 and _message() in response.content.decode()
    assert client.get("/deltagare/").status_code == 302
    assert recovery.codes.filter(
        digest=code_digest(code)
    ).exists()  # not used up by the refused try


def test_a_code_from_the_app_works_once(coach: tuple) -> None:
    user, device = coach
    with time_machine.travel(dt.datetime(2026, 5, 4, 9, 0, 5, tzinfo=dt.UTC), tick=False):
        code = _code(device)
        first = Client()
        _password(first, user)
        assert first.post("/konto/tvafaktor/", {"token": code}).status_code == 302
        second = Client()
        _password(second, user)
        response = second.post("/konto/tvafaktor/", {"token": code})
        assert response.status_code == 200
        assert second.get("/deltagare/").status_code == 302
