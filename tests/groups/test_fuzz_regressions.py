"""Server errors that fuzzing every view (tests/security/test_fuzz.py) found in the group pages."""

from __future__ import annotations

import pytest

from sikta.groups.models import Group
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"  # beyond 64 bits: SQLite raised OverflowError, a 500


def test_a_leader_beyond_any_database_integer_is_an_invalid_choice(personas: Personas) -> None:
    response = personas.client("coach_sodra").post(
        "/grupper/", {"name": "Stress", "leaders": [personas.coach_sodra.pk, HUGE]}
    )
    assert response.status_code == 400
    assert "leaders" in response.context["form"].errors
    assert not Group.objects.exists()


def test_a_member_beyond_any_database_integer_is_an_invalid_choice(personas: Personas) -> None:
    group = Group.objects.create(
        name="Stress", lansdel=personas.coach_sodra.lansdel, insats=personas.coach_sodra.insats
    )
    group.leaders.add(personas.coach_sodra)
    response = personas.client("coach_sodra").post(
        f"/grupper/{group.pk}/deltagare/", {"m-participants": [HUGE]}
    )
    assert response.status_code == 400
    assert "participants" in response.context["members_form"].errors
    assert not group.members.exists()
