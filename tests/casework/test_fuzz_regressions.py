"""Server errors that fuzzing every view (tests/security/test_fuzz.py) found in the case pages."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sikta.casework.models import Mapping
from sikta.organisation.models import IncomeSource, Outcome
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_a_version_in_unicode_digits_shows_the_latest_kartlaggning(personas: Personas) -> None:
    """ "²".isdigit() is true but int("²") fails: the page answered 500."""
    alice = personas.alice_sodra
    Mapping.objects.create(participant=alice, version=1, track=alice.track, answers=[])
    client = personas.client("coach_sodra")
    for version in ("²", "①", "1²"):
        response = client.get(f"/deltagare/{alice.pk}/kartlaggning/", {"version": version})
        assert response.status_code == 200
        assert response.context["shown"].version == 1


def test_an_income_beyond_any_database_integer_is_an_invalid_choice(personas: Personas) -> None:
    """The exit form's income sources: SQLite raised OverflowError on a key beyond 64 bits."""
    alice = personas.alice_sodra
    response = personas.client("coach_sodra").post(
        f"/deltagare/{alice.pk}/utskrivning/",
        {
            "end_date": timezone.localdate().isoformat(),
            "outcome": Outcome.objects.first().pk,
            "income_after": [IncomeSource.objects.first().pk, "99999999999999999999"],
        },
    )
    assert response.status_code == 400
    assert "income_after" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.status == "active"
