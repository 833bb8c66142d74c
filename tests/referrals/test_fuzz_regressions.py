"""Server errors that fuzzing (tests/security/test_fuzz.py) found in the referral forms."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from sikta.organisation.models import IncomeSource, Kommun, ReferrerOrganisation
from sikta.referrals.models import Referral
from tests.conftest import Personas
from tests.factories import ReferralFactory, fictional_personnummer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", ["99999999999999999999", str(2**63), str(-(2**63) - 1)])
def test_an_income_source_beyond_any_database_integer_is_refused(client, key: str) -> None:
    """SQLite raised OverflowError on a key beyond 64 bits: the public form answered 500."""
    response = client.post(
        "/aktualisering/koordinering/",
        {
            "organisation": ReferrerOrganisation.objects.get(code="anhorig").pk,
            "referrer_name": "Eva Exempel",
            "referrer_phone": "070-1740620",
            "personnummer": fictional_personnummer(1, year=2001),
            "first_name": "Kim",
            "last_name": "Exempelsson",
            "phone": "070-1740621",
            "kommun": Kommun.objects.get(name="Flen").pk,
            "income_sources": [IncomeSource.objects.get(code="anhoriga").pk, key],
            "af_status": "ej_inskriven",
            "sick_leave": "nej",
            "support_needed": "Vill börja må bättre.",
            "consent": "on",
            "token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400
    assert "income_sources" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_a_track_with_a_nul_character_shows_every_track(personas: Personas) -> None:
    """PostgreSQL refuses a NUL in a query: the queue and the registration answered 500."""
    client = personas.client("samordnare_sodra")
    queue = client.get("/aktualiseringar/", {"spar": "coach\x00ning", "status": "alla"})
    assert queue.status_code == 200
    assert personas.referral_sodra in [row[0] for row in queue.context["rows"]]
    assert queue.context["track"] == ""
    register = client.get("/aktualiseringar/ny/", {"spar": "coach\x00ning"})
    assert register.status_code == 200
    assert "referrals/register_choose.html" in [t.name for t in register.templates]


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "2020-01-01T10:00"])
def test_a_meeting_far_from_today_is_refused(personas: Personas, when: str) -> None:
    """Year 1, moved into UTC for the database, raised OverflowError (a 500); year 9999 was
    saved as the meeting. A meeting is within a year of today."""
    referral = ReferralFactory(status=Referral.Status.RECEIVED)
    client = personas.client("samordnare_sodra")
    response = client.post(f"/aktualiseringar/{referral.pk}/kalla/", {"meeting_at": when})
    assert response.status_code == 400
    assert response.context["invite_form"].errors["meeting_at"] == [
        "Ange ett mötesdatum inom ett år från i dag."
    ]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED


def test_a_meeting_next_week_is_booked(personas: Personas) -> None:
    referral = ReferralFactory(status=Referral.Status.RECEIVED)
    when = (timezone.localdate() + dt.timedelta(days=7)).isoformat() + "T10:00"
    client = personas.client("samordnare_sodra")
    assert (
        client.post(f"/aktualiseringar/{referral.pk}/kalla/", {"meeting_at": when}).status_code
        == 302
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.INVITED
