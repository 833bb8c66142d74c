"""The reminder digest by e-mail: counts per kind, a link, and no names."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from sikta.casework.models import JournalEntry
from sikta.participants.models import Participant
from tests.conftest import Personas
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today(time_machine) -> None:
    time_machine.move_to("2026-11-24 08:00 +01:00")


def test_each_caseworker_and_samordnare_gets_a_digest_without_names(personas: Personas) -> None:
    coach = personas.coach_sodra
    coach.email = "coach@example.com"
    coach.save()
    personas.samordnare_sodra.email = "samordnare@example.com"
    personas.samordnare_sodra.save()
    # Alice started 2025-03-01: past the limit, and no contact since.
    ParticipantFactory(
        first_name="Nara",
        last_name="Nilsdotter",
        assigned_to=coach,
        start_date=TODAY - dt.timedelta(days=340),
    )
    ParticipantFactory(
        first_name="Klar", assigned_to=coach, status=Participant.Status.CLOSED, end_date=TODAY
    )
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "2" in out.getvalue()
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"coach@example.com", "samordnare@example.com"}
    body = by_recipient["coach@example.com"].body
    assert "1 deltagare efter ettårsgränsen" in body
    assert "1 deltagare nära ettårsgränsen" in body
    assert "1 utskriven deltagare utan slutdokumentation" in body
    assert "http://127.0.0.1:8000/" in body
    for name in ("Alice", "Zackrisson", "Nara", "Nilsdotter", "Klar"):
        assert name not in body


def test_nothing_to_attend_to_sends_nothing(personas: Personas) -> None:
    coach = personas.coach_sodra_other
    coach.email = "other@example.com"
    coach.save()
    fresh = ParticipantFactory(assigned_to=coach, start_date=TODAY - dt.timedelta(days=10))
    JournalEntry.objects.create(participant=fresh, kind="mote", note="x", date=TODAY)
    call_command("send_reminders", stdout=StringIO())
    assert "other@example.com" not in [m.to[0] for m in mail.outbox]


def test_the_start_page_lists_exits_without_final_document(personas: Personas) -> None:
    ParticipantFactory(
        first_name="Klar",
        assigned_to=personas.coach_sodra,
        status=Participant.Status.CLOSED,
        end_date=TODAY,
    )
    response = personas.client("coach_sodra").get("/")
    assert [p.first_name for p in response.context["without_final"]] == ["Klar"]


def test_a_discharge_without_exit_survey_is_a_reminder(personas: Personas) -> None:
    from sikta.surveys.models import Instrument, Response

    coach = personas.coach_sodra
    coach.email = "coach@example.com"
    coach.save()
    gone = ParticipantFactory(
        first_name="Klar", assigned_to=coach, status=Participant.Status.CLOSED, end_date=TODAY
    )
    answered = ParticipantFactory(
        first_name="Svarat", assigned_to=coach, status=Participant.Status.CLOSED, end_date=TODAY
    )
    Response.objects.create(
        participant=answered,
        instrument=Instrument.objects.get(code="who5"),
        timepoint="exit",
        enrolment_start=answered.start_date,
        completed_at=timezone.now(),
    )
    page = personas.client("coach_sodra").get("/")
    assert [p.first_name for p in page.context["without_exit_survey"]] == ["Klar"]
    call_command("send_reminders", stdout=StringIO())
    body = next(m.body for m in mail.outbox if m.to == ["coach@example.com"])
    assert "1 nyligen utskriven deltagare utan besvarad utskrivningsenkät" in body
    assert gone.first_name not in body
