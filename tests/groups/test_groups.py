"""Group activities: leaders, members, sessions; attendance lands in each journal."""

from __future__ import annotations

import pytest

from sikta.casework.models import JournalEntry
from sikta.groups.models import Attendance, Group
from tests.conftest import Personas
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(personas: Personas) -> Group:
    group = Group.objects.create(
        name="Psykisk hälsa",
        lansdel=personas.coach_sodra.lansdel,
        insats=personas.coach_sodra.insats,
    )
    group.leaders.add(personas.coach_sodra)
    return group


def test_a_coach_creates_a_group_and_adds_own_participants(personas: Personas) -> None:
    client = personas.client("coach_sodra")
    response = client.post(
        "/grupper/",
        {
            "name": "Stress och återhämtning",
            "lansdel": personas.coach_sodra.lansdel.pk,
            "leaders": [personas.coach_sodra.pk],
        },
    )
    group = Group.objects.get()
    assert response["Location"] == f"/grupper/{group.pk}/"
    page = client.get(f"/grupper/{group.pk}/")
    offered = list(page.context["members_form"].fields["participants"].queryset)
    assert offered == [personas.alice_sodra]  # only the coach's own active participants
    client.post(f"/grupper/{group.pk}/deltagare/", {"m-participants": [personas.alice_sodra.pk]})
    assert list(group.members.all()) == [personas.alice_sodra]


def test_attendance_writes_and_corrects_the_journal(personas: Personas, group) -> None:
    other = ParticipantFactory(first_name="Olle", assigned_to=personas.coach_sodra_other)
    group.members.add(personas.alice_sodra, other)
    session = group.sessions.create(date="2026-11-20", duration_minutes=120, topic="Sömn")
    client = personas.client("coach_sodra")  # leads the group: marks attendance for all
    url = f"/grupper/{group.pk}/tillfallen/{session.pk}/"
    response = client.post(url, {f"p{personas.alice_sodra.pk}": "on"})
    assert response.status_code == 302
    entry = JournalEntry.objects.get(participant=personas.alice_sodra)
    assert (entry.kind, entry.duration_minutes) == ("grupp", 120)
    assert "Psykisk hälsa" in entry.note and "Sömn" in entry.note
    assert not JournalEntry.objects.filter(participant=other).exists()
    assert Attendance.objects.get(participant=other).present is False
    # Marked absent after all: the entry is corrected, its first text kept.
    client.post(url, {})
    entry.refresh_from_db()
    assert entry.corrected_by is not None and entry.note.startswith("Gruppaktivitet")
    assert (
        JournalEntry.objects.current().get(participant=personas.alice_sodra).duration_minutes
        is None
    )
    # Saving the same again changes nothing.
    client.post(url, {})
    assert JournalEntry.objects.filter(participant=personas.alice_sodra).count() == 2


def test_who_sees_a_group(personas: Personas, group) -> None:
    group.members.add(personas.alice_sodra)
    assert personas.client("samordnare_sodra").get(f"/grupper/{group.pk}/").status_code == 200
    assert personas.client("samordnare_norra").get(f"/grupper/{group.pk}/").status_code == 404
    assert personas.client("coach_sodra_other").get(f"/grupper/{group.pk}/").status_code == 404
    county_wide = Group.objects.create(name="Länsträff", insats=personas.coach_sodra.insats)
    assert personas.client("samordnare_norra").get(f"/grupper/{county_wide.pk}/").status_code == 200
    assert [
        g.name for g in personas.client("coach_sodra_other").get("/grupper/").context["groups"]
    ] == []


def test_a_group_without_leader_is_refused(personas: Personas) -> None:
    response = personas.client("coach_sodra").post("/grupper/", {"name": "Utan ledare"})
    assert response.status_code == 400 and "leaders" in response.context["form"].errors
    assert "Utan ledare" in response.content.decode()
