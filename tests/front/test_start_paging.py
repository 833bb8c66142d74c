"""A caseworker's start page lists their enrolled participants a page at a time."""

from __future__ import annotations

import pytest

from sikta.audit.models import AuditAction, AuditEvent
from sikta.front.views import CASEWORKER_ROWS
from tests.conftest import Personas
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def test_the_caseworkers_participants_come_a_page_at_a_time(personas: Personas) -> None:
    coach = personas.coach_sodra
    for n in range(CASEWORKER_ROWS):  # with Alice: one more than a page
        ParticipantFactory(first_name=f"Ny{n:02d}", last_name="Andersson", assigned_to=coach)
    client = personas.client("coach_sodra")
    listed = AuditEvent.objects.filter(action=AuditAction.PARTICIPANT_LIST, user=coach.user)

    first = client.get("/")
    rows = first.context["rows"]
    assert len(rows) == CASEWORKER_ROWS
    assert [r.participant.first_name for r in rows[:2]] == ["Ny00", "Ny01"]  # by name
    page = first.content.decode()
    assert f"Du har {CASEWORKER_ROWS + 1} aktiva deltagare." in page  # all of them
    assert "Sida 1 av 2" in page and 'href="?sida=2"' in page
    # Only the rows shown are read.
    assert {e.participant_id for e in listed} == {r.participant.pk for r in rows}

    before = listed.count()
    second = client.get("/", {"sida": "2"})
    assert [r.participant for r in second.context["rows"]] == [personas.alice_sodra]
    assert list(listed.order_by("pk")[before:].values_list("participant_id", flat=True)) == [
        personas.alice_sodra.pk
    ]
    # The other parts of the page stay on every page; a page out of range is the last.
    assert "today_bookings" in second.context and "worklist" in second.context
    assert client.get("/", {"sida": "99"}).context["rows"] == second.context["rows"]
