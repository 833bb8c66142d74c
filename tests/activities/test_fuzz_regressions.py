"""Server errors that fuzzing (tests/security/test_fuzz.py) found in the activity plan."""

from __future__ import annotations

import pytest

from tests.activities.conftest import MakeActivity
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("number", [2**63, 10**30])
def test_minutes_of_an_activity_number_beyond_64_bits_are_not_found(
    personas: Personas, make_activity: MakeActivity, number: int
) -> None:
    """The foreign key's lookup handed SQLite an integer it cannot hold: a 500, not a 404."""
    activity = make_activity("styrgrupp_lokal", "2026-03-10", "sodra")
    minutes = activity.minutes.create(
        content=b"%PDF-1.4", filename="a.pdf", content_type="application/pdf", size=8
    )
    client = personas.client("styrgrupp")
    assert (
        client.get(f"/aktivitetsplan/{activity.pk}/anteckningar/{minutes.pk}/").status_code == 200
    )
    assert client.get(f"/aktivitetsplan/{number}/anteckningar/{minutes.pk}/").status_code == 404
