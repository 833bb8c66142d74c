from __future__ import annotations

import time

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sikta.accounts.models import RecoveryCode, code_digest
from sikta.audit.models import AuditEvent
from tests.conftest import Personas

PASSWORD = "en-lång-lösenfras-1"


@pytest.fixture
def coach(personas: Personas):
    user = personas.coach_sodra.user
    user.set_password(PASSWORD)
    user.save()
    return user


def password_login(client: Client, user, next_url: str = "") -> None:
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post("/konto/logga-in/", data)
    assert response.status_code == 302


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def enrol(client: Client, user) -> list[str]:
    client.get("/konto/tvafaktor/ny/")
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/konto/tvafaktor/ny/", {"token": code_for(device)})
    assert response.status_code == 200
    return response.context["codes"]


def test_a_coach_is_sent_to_enrolment_after_the_password(client, coach) -> None:
    password_login(client, coach)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/konto/tvafaktor/ny/")
    body = response.content.decode()
    assert "<svg" in body and "style=" not in body.split("<svg", 1)[1].split("</svg>")[0]
    secret = response.context["secret"]
    assert secret in body


def test_enrolment_refuses_a_wrong_code_next_to_the_field(client, coach) -> None:
    password_login(client, coach)
    client.get("/konto/tvafaktor/ny/")
    response = client.post("/konto/tvafaktor/ny/", {"token": "000000"})
    assert response.status_code == 200
    assert 'id="id_token_error"' in response.content.decode()
    assert not TOTPDevice.objects.get(user=coach).confirmed
    assert client.get("/deltagare/").status_code == 302


def test_enrolment_with_the_right_code_shows_ten_recovery_codes(client, coach) -> None:
    password_login(client, coach, next_url="/deltagare/")
    codes = enrol(client, coach)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Stored as digests only: no code is in the database.
    stored = set(RecoveryCode.objects.filter(device__user=coach).values_list("digest", flat=True))
    assert stored == {code_digest(code) for code in codes} and len(stored) == 10
    assert client.get("/deltagare/").status_code == 200
    assert AuditEvent.objects.filter(action="login", detail={"2fa": "enrolled"}).exists()


def test_the_next_login_asks_for_the_code_and_keeps_next(client, coach) -> None:
    password_login(client, coach)
    enrol(client, coach)
    client.post("/konto/logga-ut/")

    other = Client()
    password_login(other, coach)
    response = other.get("/deltagare/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/tvafaktor/?next=%2Fdeltagare%2F"
    device = TOTPDevice.objects.get(user=coach)
    response = other.post(
        "/konto/tvafaktor/", {"token": code_for(device, steps_ahead=1), "next": "/deltagare/"}
    )
    assert response.status_code == 302 and response["Location"] == "/deltagare/"
    assert other.get("/deltagare/").status_code == 200
    assert AuditEvent.objects.filter(action="login", detail={"2fa": "verified"}).exists()


def test_a_recovery_code_works_once(client, coach) -> None:
    password_login(client, coach)
    codes = enrol(client, coach)
    client.post("/konto/logga-ut/")

    first = Client()
    password_login(first, coach)
    response = first.post("/konto/tvafaktor/", {"token": codes[0].upper()})
    assert response.status_code == 302
    assert first.get("/deltagare/").status_code == 200

    second = Client()
    password_login(second, coach)
    response = second.post("/konto/tvafaktor/", {"token": codes[0]})
    assert response.status_code == 200 and 'id="id_token_error"' in response.content.decode()
    assert second.get("/deltagare/").status_code == 302
    assert AuditEvent.objects.filter(action="login", detail={"2fa": "failed"}).exists()


def test_styrgrupp_is_not_forced(client, personas: Personas) -> None:
    user = personas.styrgrupp.user
    user.set_password(PASSWORD)
    user.save()
    password_login(client, user)
    assert client.get("/").status_code == 200


def test_an_unverified_user_cannot_reach_participants(client, coach) -> None:
    password_login(client, coach)
    response = client.get("/deltagare/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/tvafaktor/")
    assert client.get("/aktualisering/").status_code == 200


def test_the_public_referral_form_needs_no_login(client, personas: Personas) -> None:
    assert client.get("/aktualisering/").status_code == 200


def test_wrong_codes_are_throttled(client, coach) -> None:
    password_login(client, coach)
    enrol(client, coach)
    client.post("/konto/logga-ut/")

    other = Client()
    password_login(other, coach)
    for _ in range(3):
        other.post("/konto/tvafaktor/", {"token": "000000"})
    device = TOTPDevice.objects.get(user=coach)
    assert device.throttling_failure_count >= 1  # later tries wait, so they are not counted
    response = other.post("/konto/tvafaktor/", {"token": code_for(device, steps_ahead=1)})
    assert response.status_code == 200
    with translation.override("sv"):
        assert gettext("Too many wrong codes. Wait a minute and try again.") in (
            response.content.decode()
        )
    assert other.get("/deltagare/").status_code == 302


def test_a_superuser_must_use_it_for_the_admin(client, personas: Personas) -> None:
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/tvafaktor/")


def test_a_demo_account_needs_no_app_while_debug_is_on(client, coach, settings) -> None:
    """`make run`: the demo coach signs in with the password alone; a real account does not."""
    settings.DEBUG = True
    coach.is_demo = True
    coach.save()
    password_login(client, coach)
    assert client.get("/deltagare/").status_code == 200
    coach.is_demo = False
    coach.save()
    other = Client()
    password_login(other, coach)
    assert other.get("/deltagare/").status_code == 302  # to the second step
