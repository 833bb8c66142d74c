"""Pages and downloads for a signed-in user are never cached; public pages may be."""

from __future__ import annotations

import pytest

from tests.conftest import Personas


@pytest.mark.parametrize("path", ["/", "/deltagare/", "/rapporter/", "/rapporter/?export=csv"])
def test_signed_in_responses_are_not_stored(personas: Personas, path: str) -> None:
    response = personas.client("insatsledare").get(path)

    assert response.status_code == 200, path
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_the_participant_page_is_not_stored(personas: Personas) -> None:
    response = personas.client("coach_sodra").get(f"/deltagare/{personas.alice_sodra.pk}/")

    assert "no-store" in response["Cache-Control"]


def test_the_public_referral_form_is_left_to_the_default(client, db) -> None:
    response = client.get("/aktualisering/")

    assert "no-store" not in response.get("Cache-Control", "")
