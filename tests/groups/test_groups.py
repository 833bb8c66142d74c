"""Group activities: leaders, members, sessions; attendance lands in each journal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sikta.access.policy import may_see_identity, staff_of
from sikta.casework.models import JournalEntry
from sikta.groups.models import Attendance, Group
from sikta.groups.views import CANDIDATES_SHOWN
from sikta.organisation.models import Kommun
from sikta.participants.models import Participant
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


def _offered(response) -> list[Participant]:
    return response.context["members_form"].shown


def test_adding_offers_the_latest_enrolled_and_a_search_finds_the_others(
    personas: Personas, group
) -> None:
    coach, alice = personas.coach_sodra, personas.alice_sodra
    older = [
        ParticipantFactory(
            first_name=f"Ny{n:02d}",
            assigned_to=coach,
            kommun=alice.kommun,
            start_date=dt.date(2025, 1, 1) + dt.timedelta(days=n),  # before Alice
        )
        for n in range(CANDIDATES_SHOWN)
    ]
    client = personas.client("coach_sodra")
    url = f"/grupper/{group.pk}/"

    # Without a search: the most recently enrolled, newest first; the oldest is left out.
    response = client.get(url)
    assert _offered(response) == [alice, *reversed(older[1:])]
    page = response.content.decode()
    assert f"De {CANDIDATES_SHOWN} senast inskrivna visas" in page
    assert older[0].first_name not in page
    # A search finds them by name or by personnummer, and the form keeps the search.
    found = client.get(url, {"q": "ny00"})
    assert _offered(found) == [older[0]]
    assert 'name="q" value="ny00"' in found.content.decode()
    by_number = client.get(url, {"q": str(older[0].personnummer)})
    assert _offered(by_number) == [older[0]]
    many = client.get(url, {"q": "s"})  # all of them
    assert len(_offered(many)) == CANDIDATES_SHOWN
    assert f"De första {CANDIDATES_SHOWN} träffarna visas" in many.content.decode()
    none = client.get(url, {"q": "Ingen\x00sådan"})
    assert none.status_code == 200 and _offered(none) == []
    assert "stämmer med sökningen" in none.content.decode()
    # Any of the coach's active participants may be added, whether on the list or not.
    response = client.post(
        f"/grupper/{group.pk}/deltagare/", {"m-participants": [older[0].pk, alice.pk]}
    )
    assert response.status_code == 302
    assert set(group.members.all()) == {older[0], alice}
    assert older[0] not in _offered(client.get(url, {"q": "ny00"}))  # already a member


def test_a_search_finds_nobody_by_a_name_the_user_may_not_see(personas: Personas, group) -> None:
    hidden = ParticipantFactory(
        first_name="Hemlig",
        assigned_to=personas.coach_sodra_other,
        kommun=personas.alice_sodra.kommun,
        protected_identity=True,
    )
    url = f"/grupper/{group.pk}/"
    lead = personas.client("insatsledare")
    assert hidden in _offered(lead.get(url))  # offered, masked
    assert _offered(lead.get(url, {"q": "Hemlig"})) == []
    samordnare = personas.client("samordnare_sodra")  # sees who she is
    assert _offered(samordnare.get(url, {"q": "Hemlig"})) == [hidden]


def test_protected_members_are_named_to_their_samordnare_with_no_query_each(
    personas: Personas, group
) -> None:
    def member(n: int) -> Participant:
        return ParticipantFactory(
            first_name=f"Skyddad{n}",
            assigned_to=personas.coach_sodra_other,
            kommun=Kommun.objects.get(name=("Trosa", "Gnesta")[n % 2]),
            protected_identity=True,
        )

    session = group.sessions.create(date="2026-11-20")
    url = f"/grupper/{group.pk}/tillfallen/{session.pk}/"
    client = personas.client("samordnare_sodra")
    group.members.add(member(0))
    client.get(url)  # what a session reads once
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    group.members.add(*(member(n) for n in range(1, 5)))
    with CaptureQueriesContext(connection) as five:
        page = client.get(url).content.decode()
    assert len(five) == len(one)
    assert all(f"Skyddad{n}" in page for n in range(5))
    assert "Skyddad0" not in personas.client("insatsledare").get(url).content.decode()


def test_may_see_identity_reads_the_kommuner_once_when_not_loaded(
    personas: Personas, django_assert_num_queries
) -> None:
    made = [
        ParticipantFactory(
            kommun=Kommun.objects.get(name=name),
            assigned_to=personas.coach_sodra_other,
            protected_identity=True,
        )
        for name in ("Trosa", "Gnesta", "Strängnäs")
    ]
    loaded = list(Participant.objects.filter(pk__in=[p.pk for p in made]).order_by("pk"))
    user = personas.samordnare_sodra.user
    staff_of(user)
    with django_assert_num_queries(1):  # the kommuner's länsdelar, once
        seen = [may_see_identity(user, p) for p in loaded + loaded]
    assert seen == [True, True, False] * 2  # Strängnäs is in Norra: not hers
