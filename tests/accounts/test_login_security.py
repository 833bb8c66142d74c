from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.conftest import Personas

PASSWORD = "en-lång-lösenfras-1"


@pytest.fixture
def samordnare(personas: Personas):
    user = personas.samordnare_sodra.user
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client, username: str, password: str):
    return client.post("/konto/logga-in/", {"username": username, "password": password})


def test_it_logs_in_and_lands_on_the_start_page(client, samordnare) -> None:
    response = login(client, samordnare.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_wrong_password_is_explained_and_the_user_name_kept(client, samordnare) -> None:
    response = login(client, samordnare.username, "fel")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in body
    assert f'value="{samordnare.username}"' in body


def test_it_locks_out_after_five_failures(client, samordnare) -> None:
    for _ in range(5):
        login(client, samordnare.username, "fel")
    response = login(client, samordnare.username, PASSWORD)
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated


def test_the_admin_login_is_covered_by_the_lockout(client, samordnare) -> None:
    for _ in range(5):
        client.post("/admin/login/", {"username": samordnare.username, "password": "fel"})
    response = client.post("/admin/login/", {"username": samordnare.username, "password": PASSWORD})
    assert response.status_code == 429


def test_the_session_ends_after_inactivity(client, samordnare, settings) -> None:
    settings.SIKTA_REQUIRE_2FA = False  # the second step has its own tests (test_two_factor.py)
    with time_machine.travel(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        login(client, samordnare.username, PASSWORD)
        clock.shift(dt.timedelta(minutes=20))
        assert client.get("/").status_code == 200  # activity renews the session
        clock.shift(dt.timedelta(minutes=settings.SESSION_COOKIE_AGE // 60 - 1))
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=settings.SESSION_COOKIE_AGE // 60 + 1))
        response = client.get("/")
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


@pytest.mark.parametrize(
    "password", ["kort", "12345678901234", "password1234", "samordnare_sodra1"]
)
def test_weak_passwords_are_refused(personas: Personas, password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, user=personas.samordnare_sodra.user)


def test_logout_needs_a_post(client, samordnare) -> None:
    login(client, samordnare.username, PASSWORD)
    assert client.get("/konto/logga-ut/").status_code == 405
    assert client.post("/konto/logga-ut/").status_code == 302
    assert client.get("/").status_code == 302
