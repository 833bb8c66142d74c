"""The bulk action: survey reminders to the selected participants, by the way they chose."""

from __future__ import annotations

import pytest

from sikta.audit.models import AuditAction, AuditEvent
from sikta.bookings.models import ContactChoice, Message
from sikta.participants.models import Participant
from tests.conftest import Personas
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
URL = "/att-gora/enkatpaminnelser/"


def _chooses(p: Participant, *, sms: bool = True, email: bool = False) -> None:
    Participant.objects.filter(pk=p.pk).update(phone="+46701740605", email="a@example.com")
    ContactChoice.objects.create(participant=p, by_sms=sms, by_email=email, how="muntligt")


def _changes(since: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(pk__gt=since, action=AuditAction.PARTICIPANT_CHANGE).order_by(
            "pk"
        )
    )


def _last() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_selected_get_a_new_link_the_way_they_chose(personas: Personas) -> None:
    alice = personas.alice_sodra
    _chooses(alice, sms=True, email=True)
    page = personas.client("coach_sodra").get("/att-gora/?typ=startenkat").content.decode()
    assert f'name="deltagare" value="{alice.pk}"' in page
    before = _last()
    response = personas.client("coach_sodra").post(
        URL + "?typ=startenkat", {"deltagare": [alice.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/att-gora/?typ=startenkat"
    sent = Message.objects.filter(participant=alice)
    assert {m.channel for m in sent} == {"sms", "epost"}
    body = sent.first().body
    assert "/enkat/" in body and "Alice" not in body and "Zackrisson" not in body
    assert "Coachning" not in body
    reminders = [e for e in _changes(before) if e.detail.get("what") == "survey reminder"]
    assert len(reminders) == 1 and reminders[0].participant_id == alice.pk
    # Twice the same day: nothing more is sent (the first link still works).
    personas.client("coach_sodra").post(URL, {"deltagare": [alice.pk]})
    assert Message.objects.filter(participant=alice).count() == 2


def test_a_foreign_id_is_never_acted_upon(personas: Personas) -> None:
    bo = personas.bo_norra  # koordinator_norra's
    _chooses(bo)
    _chooses(personas.alice_sodra)
    before = _last()
    response = personas.client("coach_sodra").post(
        URL, {"deltagare": [bo.pk, personas.alice_sodra.pk, 2_000_000_000]}
    )
    assert response.status_code == 302
    assert not Message.objects.filter(participant=bo).exists()
    assert not [e for e in _changes(before) if e.participant_id == bo.pk]
    assert Message.objects.filter(participant=personas.alice_sodra).exists()


def test_a_participant_without_a_survey_due_is_not_reminded(personas: Personas) -> None:
    from django.utils import timezone

    from sikta.surveys.models import Instrument, Response

    alice = personas.alice_sodra
    _chooses(alice)
    Response.objects.create(
        participant=alice,
        instrument=Instrument.objects.get(code="who5"),
        timepoint="start",
        enrolment_start=alice.start_date,
        completed_at=timezone.now(),
    )
    personas.client("coach_sodra").post(URL, {"deltagare": [alice.pk]})
    assert not Message.objects.exists()


def test_without_a_chosen_way_the_row_says_call(personas: Personas) -> None:
    alice = personas.alice_sodra
    client = personas.client("coach_sodra")
    page = client.get("/att-gora/?typ=startenkat").content.decode()
    assert "Har inte valt något sätt att bli påmind: ring." in page
    before = _last()
    response = client.post(URL, {"deltagare": [alice.pk]}, follow=True)
    assert "ring" in response.content.decode()
    assert not Message.objects.exists()
    assert not _changes(before)


def test_an_exit_survey_reminder_reaches_one_who_has_left(personas: Personas) -> None:
    import datetime as dt

    gone = ParticipantFactory(
        first_name="Klar",
        assigned_to=personas.coach_sodra,
        status=Participant.Status.CLOSED,
        end_date=dt.date(2026, 11, 20),
    )
    _chooses(gone, sms=False, email=True)
    personas.client("coach_sodra").post(URL, {"deltagare": [gone.pk]})
    message = Message.objects.get(participant=gone)
    assert message.channel == "epost" and message.recipient == "a@example.com"
    from sikta.surveys.models import Response

    assert set(Response.objects.filter(participant=gone).values_list("timepoint", flat=True)) == {
        "exit"
    }


@pytest.mark.parametrize("data", [{}, {"deltagare": ["x"]}, {"deltagare": ["-1"]}])
def test_an_invalid_form_writes_no_change(personas: Personas, data: dict) -> None:
    before = _last()
    response = personas.client("coach_sodra").post(URL, data)
    assert response.status_code == 400
    assert not _changes(before)
    assert not Message.objects.exists()


def test_a_get_is_not_allowed_and_outsiders_are_refused(personas: Personas) -> None:
    assert personas.client("coach_sodra").get(URL).status_code == 405
    assert personas.client("styrgrupp").post(URL, {"deltagare": ["1"]}).status_code == 403
