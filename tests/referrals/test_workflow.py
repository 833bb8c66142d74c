"""The samordnare's work on a referral: statuses, history, decision e-mails, acceptance."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from sikta.audit.models import AuditEvent
from sikta.audit.services import Actor
from sikta.organisation.models import DeclineReason, Track
from sikta.participants.models import Participant
from sikta.participants.services import AssignmentError
from sikta.referrals import services
from sikta.referrals.models import Referral
from tests.conftest import Personas
from tests.factories import ParticipantFactory, ReferralFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
Status = Referral.Status
MEETING = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def request_as(staff) -> object:
    request = RequestFactory().post("/")
    request.user = staff.user
    return request


def move(referral: Referral, to: str, personas: Personas) -> None:
    request = request_as(personas.samordnare_sodra)
    if to == Status.ACCEPTED:
        services.referral_accept(
            referral=referral,
            caseworker=personas.coach_sodra,
            start_date=dt.date(2026, 12, 1),
            actor=Actor.of(request),
        )
    elif to == Status.REDIRECTED:
        services.referral_redirect(referral=referral, actor=Actor.of(request))
    else:
        services.referral_move(
            referral=referral,
            to=to,
            actor=Actor.of(request),
            meeting_at=MEETING,
            decline_reason=DeclineReason.objects.first(),
        )


ALLOWED = {
    (Status.RECEIVED, Status.INVITED),
    (Status.RECEIVED, Status.ASSESSED),
    (Status.RECEIVED, Status.DECLINED),
    (Status.RECEIVED, Status.REDIRECTED),
    (Status.RECEIVED, Status.WITHDRAWN),
    (Status.INVITED, Status.INVITED),
    (Status.INVITED, Status.ASSESSED),
    (Status.INVITED, Status.DECLINED),
    (Status.INVITED, Status.REDIRECTED),
    (Status.INVITED, Status.WITHDRAWN),
    (Status.ASSESSED, Status.ACCEPTED),
    (Status.ASSESSED, Status.DECLINED),
    (Status.ASSESSED, Status.REDIRECTED),
    (Status.ASSESSED, Status.WITHDRAWN),
}


def test_the_table_is_the_workflow() -> None:
    table = {(a, b) for a, targets in services.TRANSITIONS.items() for b in targets}
    assert table == ALLOWED


@pytest.mark.parametrize(("start", "to"), list(itertools.product(Status.values, repeat=2)))
def test_every_transition(personas: Personas, start: str, to: str) -> None:
    referral = ReferralFactory(status=start)
    if (start, to) in ALLOWED:
        move(referral, to, personas)
        referral.refresh_from_db()
        assert referral.status == to
        event = referral.events.last()
        assert (event.from_status, event.to_status) == (start, to)
        assert event.by == personas.samordnare_sodra.user
        assert AuditEvent.objects.filter(action="referral.change", referral=referral).exists()
        assert (referral.decided_at is not None) == (to in services.DECISIONS)
    else:
        with pytest.raises(services.TransitionError):
            move(referral, to, personas)
        referral.refresh_from_db()
        assert referral.status == start
        assert not referral.events.exists()


def test_an_invitation_needs_a_time_and_a_refusal_a_reason(personas: Personas) -> None:
    referral = ReferralFactory()
    request = request_as(personas.samordnare_sodra)
    with pytest.raises(services.TransitionError):
        services.referral_move(referral=referral, to=Status.INVITED, actor=Actor.of(request))
    with pytest.raises(services.TransitionError):
        services.referral_move(referral=referral, to=Status.DECLINED, actor=Actor.of(request))


def test_the_views_walk_the_whole_way(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    referral = ReferralFactory(first_name="Sara")
    client = personas.client("samordnare_sodra")
    url = f"/aktualiseringar/{referral.pk}/"
    meeting, today = timezone.localdate() + dt.timedelta(days=7), timezone.localdate()
    assert client.post(url + "kalla/", {"meeting_at": f"{meeting}T10:00"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.INVITED
    assert timezone.localtime(referral.meeting_at).strftime("%Y-%m-%d %H:%M") == f"{meeting} 10:00"
    assert client.post(url + "bedomd/", {"assess-note": "Uppfyller allt"}).status_code == 302
    page = client.get(url + "antag/")
    assert page.status_code == 200
    offered = {c.staff for c in page.context["caseworkers"]}
    assert offered == {personas.coach_sodra, personas.coach_sodra_other}  # coaches of Södra
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url + "antag/",
            {
                "caseworker": personas.coach_sodra_other.pk,
                "start_date": today.isoformat(),
                "consent_confirmed": "on",
                "finsam_consent": "on",
            },
        )
    participant = Participant.objects.get(personnummer=referral.personnummer)
    assert participant.consents.get().finsam  # registered by name in Uppföljning Finsam
    assert response.status_code == 302 and response["Location"] == f"/deltagare/{participant.pk}/"
    assert participant.assigned_to == personas.coach_sodra_other
    assert participant.track.slug == "coachning" and participant.start_date == today
    assert participant.consents.get().referral == referral
    assert participant.assignments.get().staff == personas.coach_sodra_other
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED and referral.participant == participant
    steps = [(e.from_status, e.to_status) for e in referral.events.all()]
    assert steps == [("mottagen", "kallad"), ("kallad", "bedomd"), ("bedomd", "antagen")]
    # The referrer hears the decision, and nothing about the person.
    (message,) = mail.outbox
    assert message.to == ["handlaggare@example.com"] and referral.reference in message.body
    assert "Sara" not in message.body and "arbetsträning" not in message.body
    # The coach now sees the participant; the other coach does not.
    assert (
        personas.client("coach_sodra_other").get(f"/deltagare/{participant.pk}/").status_code == 200
    )
    assert personas.client("coach_sodra").get(f"/deltagare/{participant.pk}/").status_code == 404


def test_a_bad_form_keeps_what_was_typed(personas: Personas) -> None:
    referral = ReferralFactory()
    client = personas.client("samordnare_sodra")
    response = client.post(
        f"/aktualiseringar/{referral.pk}/avslag/", {"decline-note": "Ringde tre gånger"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ringde tre gånger" in page and 'id="id_decline-decline_reason_error"' in page
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_acceptance_needs_a_caseworker_and_the_consent(personas: Personas) -> None:
    referral = ReferralFactory(status=Status.ASSESSED)
    response = personas.client("samordnare_sodra").post(
        f"/aktualiseringar/{referral.pk}/antag/",
        {"start_date": timezone.localdate().isoformat(), "note": "Hej"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"caseworker", "consent_confirmed"}
    assert "Hej" in response.content.decode()
    assert not Participant.objects.filter(personnummer=referral.personnummer).exists()


def test_an_illegal_step_through_the_view_is_refused(personas: Personas) -> None:
    referral = ReferralFactory(status=Status.DECLINED)
    client = personas.client("samordnare_sodra")
    client.post(f"/aktualiseringar/{referral.pk}/kalla/", {"meeting_at": "2026-12-01T10:00"})
    assert client.get(f"/aktualiseringar/{referral.pk}/antag/").status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED and not referral.events.exists()


def test_a_refusal_tells_the_referrer_the_fixed_reason_not_the_note(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    referral = ReferralFactory(status=Status.ASSESSED)
    reason = DeclineReason.objects.get(code="forsakring")
    with django_capture_on_commit_callbacks(execute=True):
        personas.client("samordnare_sodra").post(
            f"/aktualiseringar/{referral.pk}/avslag/",
            {"decline-decline_reason": reason.pk, "decline-note": "Har ångest, se journal"},
        )
    (message,) = mail.outbox
    assert reason.name in message.body
    assert "ångest" not in message.body


def test_no_email_without_an_address(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    referral = ReferralFactory(status=Status.ASSESSED, referrer_email="")
    with django_capture_on_commit_callbacks(execute=True):
        move(referral, Status.WITHDRAWN, personas)
    assert mail.outbox == []


def test_redirecting_puts_a_new_referral_in_the_other_track(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    referral = ReferralFactory(status=Status.ASSESSED, income=["sjukpenning"])
    client = personas.client("samordnare_sodra")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/aktualiseringar/{referral.pk}/hanvisa/", {"redirect-note": "Yngre"}
        )
    referral.refresh_from_db()
    new = referral.redirected_to
    assert referral.status == Status.REDIRECTED
    assert new.track.slug == "koordinering" and new.status == Status.RECEIVED
    assert new.personnummer == referral.personnummer and new.reference != referral.reference
    assert list(new.income_sources.values_list("code", flat=True)) == ["sjukpenning"]
    assert response["Location"] == f"/aktualiseringar/{new.pk}/"
    assert new.reference in mail.outbox[0].body
    # A redirection is no reason to flag the new referral as a repeat.
    assert client.get(f"/aktualiseringar/{new.pk}/").context["flags"] == []


def test_accepting_someone_who_was_here_before_re_enrols_them(personas: Personas) -> None:
    old = ParticipantFactory(
        status=Participant.Status.CLOSED, end_date=dt.date(2025, 1, 1), first_name="Gammal"
    )
    referral = ReferralFactory(status=Status.ASSESSED, personnummer=old.personnummer)
    move(referral, Status.ACCEPTED, personas)
    old.refresh_from_db()
    assert old.status == Participant.Status.ACTIVE and old.end_date is None
    assert old.start_date == dt.date(2026, 12, 1)
    assert Participant.objects.filter(personnummer=old.personnummer).count() == 1


def test_moving_from_koordinering_to_coachning_keeps_the_start(personas: Personas) -> None:
    koordinator_sodra = StaffMemberFactory(
        role_code="koordinator", lansdel=personas.coach_sodra.lansdel
    )
    current = ParticipantFactory(
        track=Track.objects.get(slug="koordinering"),
        assigned_to=koordinator_sodra,
        start_date=dt.date(2026, 3, 1),
    )
    referral = ReferralFactory(status=Status.ASSESSED, personnummer=current.personnummer)
    move(referral, Status.ACCEPTED, personas)
    current.refresh_from_db()
    assert current.track.slug == "coachning" and current.assigned_to == personas.coach_sodra
    assert current.start_date == dt.date(2026, 3, 1)


def test_a_caseworker_must_fit_the_track_and_the_lansdel(personas: Personas) -> None:
    referral = ReferralFactory(status=Status.ASSESSED)
    request = request_as(personas.samordnare_sodra)
    for wrong in (
        personas.koordinator_norra,
        StaffMemberFactory(role_code="coach", lansdel=personas.koordinator_norra.lansdel),
    ):
        with pytest.raises(AssignmentError):
            services.referral_accept(
                referral=referral,
                caseworker=wrong,
                start_date=dt.date(2026, 12, 1),
                actor=Actor.of(request),
            )
    referral.refresh_from_db()
    assert referral.status == Status.ASSESSED
    assert not Participant.objects.filter(personnummer=referral.personnummer).exists()


def test_reassignment_keeps_the_history(personas: Personas) -> None:
    alice = personas.alice_sodra
    client = personas.client("samordnare_sodra")
    page = client.get(f"/deltagare/{alice.pk}/ansvarig/")
    offered = [c.staff for c in page.context["caseworkers"]]
    assert offered == [personas.coach_sodra_other]  # not the one she already has
    response = client.post(
        f"/deltagare/{alice.pk}/ansvarig/",
        {"caseworker": personas.coach_sodra_other.pk, "note": "Föräldraledig"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.assigned_to == personas.coach_sodra_other
    history = list(alice.assignments.values_list("staff", "ended_at", "note"))
    assert history == [(personas.coach_sodra_other.pk, None, "Föräldraledig")]
    assert AuditEvent.objects.filter(action="participant.assign", participant=alice).exists()
    second = client.post(
        f"/deltagare/{alice.pk}/ansvarig/", {"caseworker": personas.coach_sodra.pk}
    )
    assert second.status_code == 302
    ended = alice.assignments.get(staff=personas.coach_sodra_other).ended_at
    assert ended is not None and alice.assignments.count() == 2


def test_the_caseload_is_shown_against_capacity(personas: Personas) -> None:
    personas.coach_sodra_other.capacity = 2
    personas.coach_sodra_other.save()
    ParticipantFactory.create_batch(2, assigned_to=personas.coach_sodra_other)
    referral = ReferralFactory(status=Status.ASSESSED)
    page = personas.client("samordnare_sodra").get(f"/aktualiseringar/{referral.pk}/antag/")
    loads = {c.staff: (c.active, c.capacity, c.is_full) for c in page.context["caseworkers"]}
    assert loads[personas.coach_sodra_other] == (2, 2, True)
    assert loads[personas.coach_sodra] == (1, 15, False)  # the programme's default capacity


def test_accepting_never_takes_over_another_lansdels_active_case(personas: Personas) -> None:
    bo = personas.bo_norra  # active in Norra with koordinator_norra
    referral = ReferralFactory(
        status=Status.ASSESSED,
        personnummer=bo.personnummer,
        track=Track.objects.get(slug="koordinering"),
    )
    koordinator = StaffMemberFactory(role_code="koordinator", lansdel=personas.coach_sodra.lansdel)
    response = personas.client("samordnare_sodra").post(
        f"/aktualiseringar/{referral.pk}/antag/",
        {
            "caseworker": koordinator.pk,
            "start_date": timezone.localdate().isoformat(),
            "consent_confirmed": "on",
        },
    )
    assert (
        response.status_code == 302 and response["Location"] == f"/aktualiseringar/{referral.pk}/"
    )
    bo.refresh_from_db()
    assert bo.kommun.name == "Strängnäs" and bo.assigned_to == personas.koordinator_norra
    referral.refresh_from_db()
    assert referral.status == Status.ASSESSED
    # The flag names no detail of the other länsdel's case.
    flags = (
        personas.client("samordnare_sodra").get(f"/aktualiseringar/{referral.pk}/").context["flags"]
    )
    assert flags and "Koordinering" not in flags[0]


def test_an_active_participant_referred_again_keeps_their_start(personas: Personas) -> None:
    alice = personas.alice_sodra
    referral = ReferralFactory(status=Status.ASSESSED, personnummer=alice.personnummer)
    move(referral, Status.ACCEPTED, personas)
    alice.refresh_from_db()
    assert alice.start_date == dt.date(2025, 3, 1)


def test_an_invalid_decision_form_is_still_a_logged_read(personas: Personas) -> None:
    referral = ReferralFactory()
    personas.client("samordnare_sodra").post(f"/aktualiseringar/{referral.pk}/avslag/", {})
    assert AuditEvent.objects.filter(action="referral.view", referral=referral).count() == 1


def test_a_mail_server_that_is_down_does_not_lose_the_referral(
    personas: Personas, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from sikta.referrals import notifications

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    referral = ReferralFactory(status=Status.ASSESSED)
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client("samordnare_sodra").post(
            f"/aktualiseringar/{referral.pk}/aterta/", {"withdraw-note": ""}
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN


def test_age_is_counted_on_the_swedish_date_of_receipt(personas: Personas) -> None:
    from sikta.referrals.eligibility import evaluate_referral
    from tests.referrals.test_public_form import pnr

    # Turns 18 on 2026-11-24; received 00:30 Swedish time that day (23:30 UTC the day before).
    referral = ReferralFactory(
        personnummer=pnr("20081124"),
        received_at=dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC),
    )
    ages = [r for r in evaluate_referral(referral).results if r.rule.kind == "age"]
    assert ages[0].outcome == "met"


def test_the_accept_page_warns_about_criteria_not_met(personas: Personas) -> None:
    referral = ReferralFactory(status=Status.ASSESSED, af_status="aktivt_sokande")
    page = personas.client("samordnare_sodra").get(f"/aktualiseringar/{referral.pk}/antag/")
    assert [r.rule.kind for r in page.context["not_met"]] == ["labour_market"]


def test_enrolled_again_after_an_exit_is_an_enrolment_of_its_own(
    personas: Personas, time_machine
) -> None:
    """Each enrolment is a record (start, end, exit): enrolling again keeps the earlier one as
    it was, instead of writing over the start date."""
    from sikta.casework.models import Exit
    from sikta.organisation.models import Outcome

    time_machine.move_to("2027-01-10 10:00 +01:00")
    first = ReferralFactory(status=Status.ASSESSED)
    move(first, Status.ACCEPTED, personas)
    participant = Participant.objects.get(personnummer=first.personnummer)
    (enrolment,) = participant.enrolments.all()
    assert enrolment.start_date == dt.date(2026, 12, 1) and enrolment.referral == first
    assert enrolment.end_date is None
    coach = personas.client("coach_sodra")
    work = Outcome.objects.get(code="arbete")
    response = coach.post(
        f"/deltagare/{participant.pk}/utskrivning/",
        {"end_date": "2026-12-20", "outcome": work.pk},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.end_date == dt.date(2026, 12, 20)
    assert Exit.objects.get(participant=participant).enrolment == enrolment
    # Referred and enrolled again the next year.
    again = ReferralFactory(status=Status.ASSESSED, personnummer=first.personnummer)
    services.referral_accept(
        referral=again,
        caseworker=personas.coach_sodra,
        start_date=dt.date(2027, 3, 1),
        actor=Actor.of(request_as(personas.samordnare_sodra)),
    )
    participant.refresh_from_db()
    assert participant.start_date == dt.date(2027, 3, 1) and participant.end_date is None
    earlier, latest = participant.enrolments.order_by("start_date")
    assert (earlier.start_date, earlier.end_date) == (dt.date(2026, 12, 1), dt.date(2026, 12, 20))
    assert earlier.exit.outcome == work
    assert (latest.start_date, latest.end_date, latest.referral) == (
        dt.date(2027, 3, 1),
        None,
        again,
    )
    page = coach.get(f"/deltagare/{participant.pk}/").content.decode()
    assert "Inskrivningar" in page and "2026-12-01" in page and "2026-12-20" in page
    assert "2027-03-01" in page and "Pågår" in page
