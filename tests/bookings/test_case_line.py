"""Every case page says when the next meeting is and how often the participant did not come."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sikta.bookings.models import Booking
from tests.bookings.conftest import book
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_next_meeting_and_the_no_shows(personas: Personas) -> None:
    client = personas.client("coach_sodra")
    page = client.get(reverse("participant_detail", args=[personas.alice_sodra.pk]))
    assert "Nästa möte" not in page.content.decode()
    book(personas, days=3)
    Booking.objects.create(
        participant=personas.alice_sodra,
        staff=personas.coach_sodra,
        kind=Booking.Kind.MEETING,
        starts_at=timezone.now() - dt.timedelta(days=2),
        place="Storgatan 1",
        status=Booking.Status.NO_SHOW,
    )
    for name in ("participant_detail", "case_journal", "case_plan"):
        page = client.get(reverse(name, args=[personas.alice_sodra.pk])).content.decode()
        assert "Nästa möte" in page, name
        assert "Uteblev från 1 bokat möte." in page, name
    bookings_page = client.get(reverse("case_bookings", args=[personas.alice_sodra.pk]))
    assert bookings_page.content.decode().count("Uteblev från 1 bokat möte.") == 1
