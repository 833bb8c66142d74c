"""Handing over a caseload: one step moves one or all of a caseworker's participants, with
their coming meetings, to others; each move is in the assignment history and the audit log,
and the participants are told who their new contact person is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sikta.audit.models import AuditAction, AuditEvent
from sikta.bookings.models import Booking, Message
from sikta.participants.models import Assignment, Participant
from sikta.participants.selectors import CASEWORKERS_OFFERED as RECEIVERS_SHOWN
from tests.bookings.conftest import book, choose
from tests.conftest import Personas
from tests.factories import ParticipantFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def _url(p: Personas) -> str:
    return reverse("caseload_hand_over", args=[p.coach_sodra.pk])


def _second(p: Personas) -> Participant:
    """Another participant of coach_sodra's, in the same kommun as Alice."""
    return ParticipantFactory(
        assigned_to=p.coach_sodra, kommun=p.alice_sodra.kommun, track=p.alice_sodra.track
    )


def test_the_samordnare_sees_every_caseload_and_the_way_to_hand_it_over(
    personas: Personas,
) -> None:
    response = personas.client("samordnare_sodra").get(reverse("caseload_index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert personas.coach_sodra.full_name in page
    assert personas.coach_sodra_other.full_name in page
    assert _url(personas) in page
    # Another länsdel's caseworker is not hers to hand over.
    assert personas.koordinator_norra.full_name not in page


def test_the_page_lists_the_caseload_and_who_can_take_it(personas: Personas) -> None:
    response = personas.client("samordnare_sodra").get(_url(personas))
    assert response.status_code == 200
    page = response.content.decode()
    assert personas.alice_sodra.last_name in page
    assert personas.coach_sodra_other.full_name in page  # a receiver, with her caseload
    assert "koordinator_norra" not in page
    listed = AuditEvent.objects.filter(action=AuditAction.PARTICIPANT_LIST).latest("pk")
    assert listed.participant_id == personas.alice_sodra.pk


def test_all_participants_move_in_one_step_with_the_reason(personas: Personas) -> None:
    second = _second(personas)
    to = personas.coach_sodra_other
    response = personas.client("samordnare_sodra").post(
        _url(personas), {"to": to.pk, "reason": "Slutar sin tjänst"}
    )
    assert response.status_code == 302
    for participant in (personas.alice_sodra, second):
        participant.refresh_from_db()
        assert participant.assigned_to == to
        current = Assignment.objects.get(participant=participant, ended_at__isnull=True)
        assert current.staff == to
        assert current.note == "Slutar sin tjänst"
        record = AuditEvent.objects.filter(
            action=AuditAction.PARTICIPANT_ASSIGN, participant=participant
        ).latest("pk")
        assert record.detail["from_staff"] == personas.coach_sodra.pk
        assert record.detail["to_staff"] == to.pk
        assert record.detail["note"] == "Slutar sin tjänst"


def test_a_row_can_stay_or_go_to_someone_else(personas: Personas) -> None:
    second = _second(personas)
    third = ParticipantFactory(
        assigned_to=personas.coach_sodra,
        kommun=personas.alice_sodra.kommun,
        track=personas.alice_sodra.track,
    )
    other = personas.coach_sodra_other
    response = personas.client("samordnare_sodra").post(
        _url(personas),
        {
            "to": other.pk,
            f"p{second.pk}": "behall",
            f"p{third.pk}": str(other.pk),
            "reason": "Jämnar ut",
        },
    )
    assert response.status_code == 302
    personas.alice_sodra.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert personas.alice_sodra.assigned_to == other
    assert third.assigned_to == other
    assert second.assigned_to == personas.coach_sodra


def test_coming_meetings_go_along_and_the_participant_is_told(personas: Personas) -> None:
    choose(personas.alice_sodra)
    coming = book(personas, days=3)
    past = Booking.objects.create(
        participant=personas.alice_sodra,
        staff=personas.coach_sodra,
        kind=Booking.Kind.MEETING,
        starts_at=timezone.now() - dt.timedelta(days=1),
        place="Storgatan 1",
    )
    to = personas.coach_sodra_other
    personas.client("samordnare_sodra").post(
        _url(personas), {"to": to.pk, "reason": "Föräldraledig"}
    )
    coming.refresh_from_db()
    past.refresh_from_db()
    assert coming.staff == to
    assert coming.sequence == 1  # the invitation is updated
    assert past.staff == personas.coach_sodra  # what happened stays with who was there
    told = Message.objects.get(
        participant=personas.alice_sodra, purpose=Message.Purpose.NEW_CONTACT
    )
    assert to.full_name in told.body
    assert "bokade tider är kvar" in told.body
    # The day-before reminder now names the new contact person; the old one is withdrawn.
    reminders = Message.objects.filter(booking=coming, purpose=Message.Purpose.DAY_BEFORE)
    assert {m.status for m in reminders} == {Message.Status.PENDING, Message.Status.WITHDRAWN}
    assert to.full_name in reminders.get(status=Message.Status.PENDING).body


def test_a_participant_who_chose_no_way_is_named_for_a_call(personas: Personas) -> None:
    response = personas.client("samordnare_sodra").post(
        _url(personas), {"to": personas.coach_sodra_other.pk, "reason": "Sjukskriven"}, follow=True
    )
    assert "ska ringa" in response.content.decode()
    assert not Message.objects.filter(purpose=Message.Purpose.NEW_CONTACT).exists()


def test_a_departed_caseworker_can_be_handed_over(personas: Personas) -> None:
    coach = personas.coach_sodra
    coach.is_active = False
    coach.save(update_fields=["is_active"])
    client = personas.client("samordnare_sodra")
    assert _url(personas) in client.get(reverse("caseload_index")).content.decode()
    response = client.post(
        _url(personas), {"to": personas.coach_sodra_other.pk, "reason": "Slutat"}
    )
    assert response.status_code == 302
    personas.alice_sodra.refresh_from_db()
    assert personas.alice_sodra.assigned_to == personas.coach_sodra_other


def test_without_a_receiver_or_a_reason_nothing_moves(personas: Personas) -> None:
    response = personas.client("samordnare_sodra").post(_url(personas), {"reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Välj vem som tar över" in page
    assert "Skriv varför" in page
    personas.alice_sodra.refresh_from_db()
    assert personas.alice_sodra.assigned_to == personas.coach_sodra


def test_keeping_everyone_is_no_hand_over(personas: Personas) -> None:
    response = personas.client("samordnare_sodra").post(
        _url(personas),
        {
            "to": personas.coach_sodra_other.pk,
            f"p{personas.alice_sodra.pk}": "behall",
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert "Ingen flyttas" in response.content.decode()


def test_a_receiver_from_outside_the_lansdel_is_refused(personas: Personas) -> None:
    response = personas.client("samordnare_sodra").post(
        _url(personas), {"to": personas.koordinator_norra.pk, "reason": "x"}
    )
    assert response.status_code == 400
    personas.alice_sodra.refresh_from_db()
    assert personas.alice_sodra.assigned_to == personas.coach_sodra


def test_the_insatsledare_hands_over_in_any_lansdel(personas: Personas) -> None:
    response = personas.client("insatsledare").post(
        _url(personas), {"to": personas.coach_sodra_other.pk, "reason": "Omorganisation"}
    )
    assert response.status_code == 302


def test_another_lansdels_samordnare_gets_a_404(personas: Personas) -> None:
    client = personas.client("samordnare_norra")
    assert client.get(_url(personas)).status_code == 404
    response = client.post(_url(personas), {"to": personas.coach_sodra_other.pk, "reason": "x"})
    assert response.status_code == 404
    personas.alice_sodra.refresh_from_db()
    assert personas.alice_sodra.assigned_to == personas.coach_sodra


def test_only_the_least_loaded_receivers_are_offered_and_a_chosen_one_is_kept(
    personas: Personas,
) -> None:
    sodra = personas.coach_sodra.lansdel
    for n in range(RECEIVERS_SHOWN):  # with coach_sodra_other: one more than are offered
        StaffMemberFactory(role_code="coach", lansdel=sodra, last_name=f"Ledig{n:02d}")
    busy = StaffMemberFactory(role_code="coach", lansdel=sodra, last_name="Upptagen")
    ParticipantFactory(assigned_to=busy, kommun=personas.alice_sodra.kommun)
    client = personas.client("samordnare_sodra")
    response = client.get(_url(personas))
    offered = [c.staff for c in response.context["receivers"]]
    assert len(offered) == RECEIVERS_SHOWN and busy not in offered
    page = response.content.decode()
    assert f"Bara de {RECEIVERS_SHOWN} som har minst antal aktiva deltagare" in page
    assert "Upptagen" not in page
    # One chosen on a row (say, from a page read before the loads changed) is still taken.
    second = _second(personas)
    response = client.post(
        _url(personas),
        {
            "to": offered[0].pk,
            f"p{personas.alice_sodra.pk}": "behall",
            f"p{second.pk}": str(busy.pk),
            "reason": "Jämnar ut",
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.assigned_to == busy
    # And chosen for all.
    response = client.post(_url(personas), {"to": busy.pk, "reason": "Jämnar ut"})
    assert response.status_code == 302
    personas.alice_sodra.refresh_from_db()
    assert personas.alice_sodra.assigned_to == busy


def test_a_small_pool_is_offered_whole_without_a_note(personas: Personas) -> None:
    response = personas.client("samordnare_sodra").get(_url(personas))
    assert [c.staff for c in response.context["receivers"]] == [personas.coach_sodra_other]
    assert "minst antal aktiva deltagare" not in response.content.decode()
