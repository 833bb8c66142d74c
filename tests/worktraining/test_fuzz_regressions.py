"""Server errors that fuzzing (tests/security/test_fuzz.py) found in the employer register."""

from __future__ import annotations

import pytest

from sikta.worktraining.models import Employer
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_a_search_with_a_nul_character_finds_as_without_it(personas: Personas) -> None:
    """PostgreSQL refuses a NUL in a query: the search answered 500 there."""
    Employer.objects.create(name="Kafé Ljus", organisation_number="556036-0793", sector="privat")
    client = personas.client("coach_sodra")
    response = client.get("/arbetsgivare/", {"q": "Kaf\x00é"})
    assert response.status_code == 200
    assert [e.name for e in response.context["page"]] == ["Kafé Ljus"]
