from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from devsms.server import PASSWORD, USERNAME, Running, serving
from sikta.audit.services import Actor
from sikta.bookings import services
from sikta.bookings.models import Booking, ContactChoice
from sikta.participants.models import Participant
from tests.conftest import Personas


@pytest.fixture
def sms_provider(settings) -> Iterator[Running]:
    """The local 46elks-speaking provider, and Sikta configured to send through it."""
    with serving() as running:
        settings.SMS_BACKEND = "46elks"
        settings.SMS_API_URL = running.url
        settings.SMS_API_USERNAME = USERNAME
        settings.SMS_API_PASSWORD = PASSWORD
        settings.SMS_TIMEOUT = 2.0
        yield running


def choose(participant: Participant, *, sms: bool = True, email: bool = False, **kw: Any) -> None:
    """The participant chose reminders (with a phone and an address on record)."""
    Participant.objects.filter(pk=participant.pk).update(
        phone="+46701234567", email="deltagare@example.se"
    )
    participant.refresh_from_db()
    ContactChoice.objects.create(
        participant=participant, by_sms=sms, by_email=email, how="muntligt", **kw
    )


def book(personas: Personas, *, days: float = 3, **data: Any) -> Booking:
    coach = personas.coach_sodra
    values = {
        "staff": coach,
        "kind": Booking.Kind.MEETING,
        "starts_at": timezone.now() + dt.timedelta(days=days),
        "duration_minutes": 60,
        "mode": Booking.Mode.PLACE,
        "place": "Storgatan 1, Trosa",
        **data,
    }
    return services.booking_create(
        participant=personas.alice_sodra, data=values, actor=Actor(user=coach.user)
    )
