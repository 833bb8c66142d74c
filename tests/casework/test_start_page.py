"""My participants: days against the limit, next planned step, last contact, alerts."""

from __future__ import annotations

import datetime as dt

import pytest

from sikta.casework.models import Goal, JournalEntry
from sikta.organisation.models import GoalArea
from tests.conftest import Personas
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today(time_machine) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")


def rows(personas: Personas, who: str = "coach_sodra") -> dict[str, object]:
    response = personas.client(who).get("/")
    return {r.participant.first_name: r for r in response.context["rows"]}


def test_each_participant_with_days_next_step_and_last_contact(personas: Personas) -> None:
    alice = personas.alice_sodra
    alice.start_date = TODAY - dt.timedelta(days=100)
    alice.save()
    area = GoalArea.objects.first()
    Goal.objects.create(
        participant=alice, text="Senare mål", area=area, target_date=TODAY + dt.timedelta(days=60)
    )
    Goal.objects.create(
        participant=alice, text="Nästa mål", area=area, target_date=TODAY + dt.timedelta(days=7)
    )
    Goal.objects.create(
        participant=alice, text="Klart", area=area, target_date=TODAY, status="uppnatt"
    )
    JournalEntry.objects.create(
        participant=alice, kind="mote", note="x", date=TODAY - dt.timedelta(days=3)
    )
    row = rows(personas)["Alice"]
    assert (row.days, row.limit) == (100, 365)
    assert row.next_step == "Nästa mål" and row.last_contact == TODAY - dt.timedelta(days=3)
    assert row.alerts == []


def test_alerts(personas: Personas) -> None:
    coach = personas.coach_sodra
    ParticipantFactory(
        first_name="Nara", assigned_to=coach, start_date=TODAY - dt.timedelta(days=350)
    )
    ParticipantFactory(
        first_name="Over", assigned_to=coach, start_date=TODAY - dt.timedelta(days=400)
    )
    tyst = ParticipantFactory(
        first_name="Tyst", assigned_to=coach, start_date=TODAY - dt.timedelta(days=100)
    )
    JournalEntry.objects.create(
        participant=tyst, kind="mote", note="x", date=TODAY - dt.timedelta(weeks=5)
    )
    found = rows(personas)
    assert any("15" in a for a in found["Nara"].alerts)
    assert found["Over"].alerts[0] == "Efter ettårsgränsen"
    assert any("5" in a for a in found["Tyst"].alerts)


def test_the_samordnare_sees_the_lansdel_grouped_by_staff(personas: Personas) -> None:
    ParticipantFactory(first_name="Annan", assigned_to=personas.coach_sodra_other)
    response = personas.client("samordnare_sodra").get("/")
    groups = {
        staff.full_name if staff else None: [r.participant.first_name for r in group]
        for staff, group in response.context["rows_by_staff"]
    }
    assert groups == {
        personas.coach_sodra.full_name: ["Alice"],
        personas.coach_sodra_other.full_name: ["Annan"],
    }


def test_the_samordnare_page_stays_bounded(personas: Personas, settings, monkeypatch) -> None:
    from sikta.front import views

    monkeypatch.setattr(views, "SAMORDNARE_ROWS", 2)
    ParticipantFactory.create_batch(3, assigned_to=personas.coach_sodra_other)
    response = personas.client("samordnare_sodra").get("/")
    assert response.context["rows_shown"] == 2 and response.context["lansdel_active"] == 4
    assert "Visar 2 av 4" in response.content.decode()


def test_the_start_page_does_not_grow_in_queries(personas: Personas) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sikta.casework.models import Pause

    client = personas.client("samordnare_sodra")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/")
        return len(captured)

    Pause.objects.create(participant=personas.alice_sodra, start_date=TODAY, reason="x")
    few = queries()
    for n in range(20):
        p = ParticipantFactory(assigned_to=personas.coach_sodra)
        if n % 5 == 0:
            Pause.objects.create(participant=p, start_date=TODAY, reason="x")
    assert queries() == few


def test_red_is_for_what_is_late(personas: Personas) -> None:
    """Past the limit or without contact is late (red, "flag"); days left of the year is a
    caution (amber), not yet late."""
    coach = personas.coach_sodra
    ParticipantFactory(
        first_name="Nara", assigned_to=coach, start_date=TODAY - dt.timedelta(days=350)
    )
    ParticipantFactory(
        first_name="Over", assigned_to=coach, start_date=TODAY - dt.timedelta(days=400)
    )
    found = rows(personas)
    assert [a.late for a in found["Nara"].alerts] == [False, True]  # 15 days left; no contact
    assert found["Over"].alerts[0].late
    page = personas.client("coach_sodra").get("/").content.decode()
    assert '<span class="caution">15 dagar kvar' in page
    assert '<span class="flag">Efter ettårsgränsen</span>' in page


def test_a_goal_past_its_date_is_late_until_it_is_followed_up(personas: Personas) -> None:
    """The same rule as the worklist's: a follow-up on or after the target date answers it."""
    from sikta.casework.models import GoalFollowUp

    alice = personas.alice_sodra
    alice.start_date = TODAY - dt.timedelta(days=100)
    alice.save()
    JournalEntry.objects.create(participant=alice, kind="mote", note="x", date=TODAY)
    goal = Goal.objects.create(
        participant=alice,
        text="Söka praktik",
        area=GoalArea.objects.first(),
        target_date=TODAY - dt.timedelta(days=3),
    )
    assert "Ett måldatum har passerats" in rows(personas)["Alice"].alerts
    GoalFollowUp.objects.create(goal=goal, date=TODAY - dt.timedelta(days=1), note="Pågår")
    assert rows(personas)["Alice"].alerts == []
