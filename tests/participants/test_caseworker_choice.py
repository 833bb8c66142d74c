"""Choosing a caseworker (accepting a referral, reassigning): the least loaded are offered, at
most CASEWORKERS_OFFERED of them, and one chosen in a form sent is taken even if no longer
among them."""

from __future__ import annotations

import pytest

from sikta.participants.selectors import CASEWORKERS_OFFERED
from tests.conftest import Personas
from tests.factories import ParticipantFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_reassigning_offers_the_least_loaded_and_takes_one_chosen_further_down(
    personas: Personas,
) -> None:
    alice = personas.alice_sodra
    sodra = personas.coach_sodra.lansdel
    for n in range(CASEWORKERS_OFFERED):
        StaffMemberFactory(role_code="coach", lansdel=sodra, last_name=f"Ledig{n:02d}")
    busy = StaffMemberFactory(role_code="coach", lansdel=sodra, last_name="Upptagen")
    ParticipantFactory.create_batch(2, assigned_to=busy, kommun=alice.kommun)
    client = personas.client("samordnare_sodra")
    url = f"/deltagare/{alice.pk}/ansvarig/"
    response = client.get(url)
    offered = [c.staff for c in response.context["caseworkers"]]
    assert busy not in offered and len(offered) <= CASEWORKERS_OFFERED
    page = response.content.decode()
    assert f"Bara de {CASEWORKERS_OFFERED} som har minst antal aktiva deltagare" in page
    response = client.post(url, {"caseworker": busy.pk, "note": "Känner deltagaren"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.assigned_to == busy
