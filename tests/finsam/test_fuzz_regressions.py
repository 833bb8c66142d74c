"""Server errors that fuzzing (tests/security/test_fuzz.py) found in Uppföljning Finsam."""

from __future__ import annotations

import datetime as dt

import pytest

from sikta.finsam.models import Registration
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["\x00", "end\x00", "nothing", ""])
def test_undoing_a_mark_of_no_known_kind_removes_nothing(personas: Personas, kind: str) -> None:
    """The kind went straight into the query: PostgreSQL refuses a NUL there (a 500)."""
    alice = personas.alice_sodra
    Registration.objects.create(
        participant=alice,
        kind="start",
        period_start=alice.start_date,
        registered_on=dt.date.today(),
    )
    client = personas.client("samordnare_sodra")
    response = client.post(f"/rapporter/finsam/{alice.pk}/angra/", {"kind": kind})
    assert response.status_code == 302
    assert Registration.objects.filter(participant=alice).count() == 1
