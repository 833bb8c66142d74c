from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from sikta.audit.models import AuditAction, AuditEvent, LogReview, LogReviewItem
from sikta.audit.review import review_draw
from sikta.audit.services import audit_record
from sikta.participants.models import Assignment
from tests.conftest import Personas

IN_PERIOD = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
BEFORE = dt.datetime(2026, 2, 20, 10, tzinfo=dt.UTC)


def _read(when: dt.datetime, user, participant=None, referral=None, action=None) -> AuditEvent:
    with time_machine.travel(when, tick=False):
        return audit_record(
            user=user,
            action=action or AuditAction.PARTICIPANT_VIEW,
            participant=participant,
            referral=referral,
        )


def _draw(p: Personas, size: int = 25) -> LogReview:
    return review_draw(
        user=p.insatsledare.user,
        period_from=dt.date(2026, 3, 1),
        period_to=dt.date(2026, 3, 31),
        sample_size=size,
    )


def _assign(p: Personas, participant, staff, since: dt.datetime) -> None:
    Assignment.objects.create(
        participant=participant, staff=staff, track=participant.track, started_at=since
    )


def test_the_sample_respects_size_and_period(personas: Personas) -> None:
    coach = personas.coach_sodra.user
    for hour in range(8):
        _read(IN_PERIOD + dt.timedelta(hours=hour), coach, personas.alice_sodra)
    _read(BEFORE, coach, personas.alice_sodra)
    _read(IN_PERIOD, coach, action=AuditAction.LOGIN)  # not a read of personal data

    review = _draw(personas, size=5)

    events = AuditEvent.objects.filter(pk__in=review.items.values("event_id"))
    assert len(events) == 5
    assert all(e.action == AuditAction.PARTICIPANT_VIEW for e in events)
    assert all(e.at.date() == IN_PERIOD.date() for e in events)
    assert len(_draw(personas, size=100).items.all()) == 8


def test_reads_outside_the_caseload_come_first(personas: Personas) -> None:
    p = personas
    _assign(p, p.alice_sodra, p.coach_sodra, BEFORE)
    _assign(p, p.bo_norra, p.koordinator_norra, BEFORE)
    own = _read(IN_PERIOD, p.coach_sodra.user, p.alice_sodra)
    others = _read(IN_PERIOD + dt.timedelta(hours=1), p.coach_sodra.user, p.bo_norra)
    colleague = _read(IN_PERIOD + dt.timedelta(hours=2), p.coach_sodra_other.user, p.alice_sodra)
    sam_own = _read(IN_PERIOD + dt.timedelta(hours=3), p.samordnare_sodra.user, p.alice_sodra)
    sam_other = _read(IN_PERIOD + dt.timedelta(hours=4), p.samordnare_sodra.user, p.bo_norra)
    lead = _read(IN_PERIOD + dt.timedelta(hours=5), p.insatsledare.user, p.bo_norra)

    review = _draw(p)

    flagged = [(item.event_id, item.outside_caseload) for item in review.items.all()]
    assert flagged[:3] == [(others.pk, True), (colleague.pk, True), (sam_other.pk, True)]
    assert {pk for pk, outside in flagged[3:] if not outside} == {own.pk, sam_own.pk, lead.pk}


def test_an_assignment_counts_only_while_it_lasted(personas: Personas) -> None:
    p = personas
    Assignment.objects.create(
        participant=p.bo_norra,
        staff=p.coach_sodra,
        track=p.bo_norra.track,
        started_at=BEFORE,
        ended_at=IN_PERIOD - dt.timedelta(days=1),
    )
    read = _read(IN_PERIOD, p.coach_sodra.user, p.bo_norra)
    item = _draw(p).items.get()
    assert (item.event_id, item.outside_caseload) == (read.pk, True)


def test_the_detail_page_lists_the_sample_with_a_flag(personas: Personas) -> None:
    p = personas
    _read(IN_PERIOD, p.coach_sodra.user, p.bo_norra)
    review = _draw(p)
    response = p.client("insatsledare").get(f"/logg/granskning/{review.pk}/")
    assert [row["item"].outside_caseload for row in response.context["rows"]] == [True]
    assert "Qvarnström" in response.content.decode()


def test_drawing_through_the_page_is_recorded(personas: Personas) -> None:
    _read(IN_PERIOD, personas.coach_sodra.user, personas.alice_sodra)
    client = personas.client("insatsledare")
    response = client.post(
        "/logg/granskning/",
        {"period_from": "2026-03-01", "period_to": "2026-03-31", "sample_size": "10"},
    )
    review = LogReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/logg/granskning/{review.pk}/"
    assert review.drawn_by_name == "insatsledare"
    assert review.items.count() == 1
    logged = AuditEvent.objects.get(action=AuditAction.AUDIT_REVIEW, detail__op="draw")
    assert logged.username == "insatsledare"
    assert logged.detail["review"] == review.pk


def test_the_form_shows_errors_next_to_the_fields(personas: Personas) -> None:
    response = personas.client("insatsledare").post(
        "/logg/granskning/", {"period_from": "2026-03-31", "period_to": "2026-03-01"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"period_to", "sample_size"}
    assert 'id="id_period_to_error"' in response.content.decode()
    assert not LogReview.objects.exists()


def test_marking_saves_who_and_when_and_is_recorded(personas: Personas) -> None:
    _read(IN_PERIOD, personas.coach_sodra.user, personas.alice_sodra)
    _read(IN_PERIOD, personas.coach_sodra.user, personas.bo_norra)
    review = _draw(personas)
    first, second = review.items.all()
    client = personas.client("insatsagare")
    url = f"/logg/granskning/{review.pk}/"

    missing_comment = client.post(
        url, {"item": first.pk, f"item-{first.pk}-justified": "no", f"item-{first.pk}-comment": ""}
    )
    assert missing_comment.status_code == 400
    assert list(missing_comment.context["rows"][0]["form"].errors) == ["comment"]
    assert f'id="id_item-{first.pk}-comment_error"' in missing_comment.content.decode()

    client.post(
        url,
        {
            "item": first.pk,
            f"item-{first.pk}-justified": "no",
            f"item-{first.pk}-comment": "Not their participant.",
        },
    )
    first.refresh_from_db()
    assert first.justified is False
    assert first.comment == "Not their participant."
    assert first.reviewed_by_name == "insatsagare"
    assert first.reviewed_at is not None
    review.refresh_from_db()
    assert review.completed_at is None

    client.post(url, {"item": second.pk, f"item-{second.pk}-justified": "yes"})
    review.refresh_from_db()
    assert review.completed_at is not None
    marks = AuditEvent.objects.filter(action=AuditAction.AUDIT_REVIEW, detail__op="mark")
    assert sorted(m.detail["item"] for m in marks) == sorted([first.pk, second.pk])


def test_an_item_of_another_review_is_not_found(personas: Personas) -> None:
    _read(IN_PERIOD, personas.coach_sodra.user, personas.alice_sodra)
    review, other = _draw(personas), _draw(personas)
    item = other.items.get()
    response = personas.client("insatsledare").post(
        f"/logg/granskning/{review.pk}/", {"item": item.pk, f"item-{item.pk}-justified": "yes"}
    )
    assert response.status_code == 404
    assert LogReviewItem.objects.get(pk=item.pk).justified is None


@pytest.mark.parametrize("persona", ["coach_sodra", "samordnare_sodra", "styrgrupp"])
def test_only_the_leads_review(personas: Personas, persona: str) -> None:
    review = _draw(personas)
    client = personas.client(persona)
    assert client.get("/logg/granskning/").status_code == 403
    assert client.get(f"/logg/granskning/{review.pk}/").status_code == 403
    assert (
        client.post(
            "/logg/granskning/", {"period_from": "2026-03-01", "period_to": "2026-03-31"}
        ).status_code
        == 403
    )


def _flags(review: LogReview) -> dict[tuple[str, str, int | None], bool]:
    """(reader, action, participant) -> outside_caseload, for every item drawn."""
    return {
        (item.event.username, item.event.action, item.event.participant_id): item.outside_caseload
        for item in review.items.select_related("event")
    }


def test_a_coach_listing_and_reading_his_own_participant_is_not_flagged(
    personas: Personas,
) -> None:
    """The personas' participants are assigned (participant.assigned_to) without any Assignment
    history row, as demo data and cases from before the history are: the current assignment
    counts. Reads through the real pages, as the user found it (the participant list)."""
    p = personas
    with time_machine.travel(IN_PERIOD, tick=False):
        coach = p.client("coach_sodra")
        assert coach.get("/deltagare/").status_code == 200
        assert coach.get(f"/deltagare/{p.alice_sodra.pk}/").status_code == 200
    _read(IN_PERIOD, p.coach_sodra.user, p.bo_norra)  # someone else's participant

    flags = _flags(_draw(p))

    assert flags[("coach_sodra", AuditAction.PARTICIPANT_LIST, p.alice_sodra.pk)] is False
    assert flags[("coach_sodra", AuditAction.PARTICIPANT_VIEW, p.alice_sodra.pk)] is False
    assert flags[("coach_sodra", AuditAction.PARTICIPANT_VIEW, p.bo_norra.pk)] is True


def test_a_samordnare_listing_their_own_lansdel_is_not_flagged(personas: Personas) -> None:
    p = personas
    with time_machine.travel(IN_PERIOD, tick=False):
        samordnare = p.client("samordnare_sodra")
        assert samordnare.get("/deltagare/").status_code == 200
        assert samordnare.get(f"/deltagare/{p.alice_sodra.pk}/").status_code == 200
    _read(IN_PERIOD, p.samordnare_sodra.user, p.bo_norra)

    flags = _flags(_draw(p))

    assert flags[("samordnare_sodra", AuditAction.PARTICIPANT_LIST, p.alice_sodra.pk)] is False
    assert flags[("samordnare_sodra", AuditAction.PARTICIPANT_VIEW, p.alice_sodra.pk)] is False
    assert flags[("samordnare_sodra", AuditAction.PARTICIPANT_VIEW, p.bo_norra.pk)] is True


def test_a_current_assignment_does_not_cover_reads_from_before_it(personas: Personas) -> None:
    """With history, the current assignment counts from its start, not backwards."""
    p = personas
    p.alice_sodra.assignments.create(
        staff=p.coach_sodra_other, track=p.alice_sodra.track, started_at=BEFORE
    )
    p.alice_sodra.assignments.filter(staff=p.coach_sodra_other).update(
        ended_at=IN_PERIOD + dt.timedelta(days=1)
    )
    p.alice_sodra.assignments.create(
        staff=p.coach_sodra,
        track=p.alice_sodra.track,
        started_at=IN_PERIOD + dt.timedelta(days=1),
    )
    before = _read(IN_PERIOD, p.coach_sodra.user, p.alice_sodra)
    after = _read(IN_PERIOD + dt.timedelta(days=2), p.coach_sodra.user, p.alice_sodra)

    flags = {item.event_id: item.outside_caseload for item in _draw(p).items.all()}

    assert flags == {before.pk: True, after.pk: False}


def test_each_controller_reviews_the_reads_of_its_own_records(personas: Personas) -> None:
    """Logguppföljning is the controller's duty: a review may be drawn over the records of one
    member party, a referral not yet accepted counting with the party its rules name."""
    from sikta.organisation.models import ControllerRule, Insats, Lansdel, MemberParty

    p = personas
    kommun = MemberParty.objects.create(code="nykoping", name="Nyköpings kommun", kind="kommun")
    sodra = Lansdel.objects.get(slug="sodra")
    ControllerRule.objects.create(insats=Insats.objects.current(), lansdel=sodra, party=kommun)
    p.alice_sodra.controller = kommun
    p.alice_sodra.save()
    coach = p.coach_sodra.user
    alice = _read(IN_PERIOD, coach, p.alice_sodra)
    bo = _read(IN_PERIOD, p.koordinator_norra.user, p.bo_norra)
    referral = _read(IN_PERIOD, p.samordnare_sodra.user, referral=p.referral_sodra)
    client = p.client("insatsledare")
    page = client.get("/logg/granskning/")
    assert set(page.context["form"].fields["controller"].queryset) == {
        kommun,
        MemberParty.objects.get(code="region-sormland"),
    }
    period = {"period_from": "2026-03-01", "period_to": "2026-03-31", "sample_size": "10"}
    client.post("/logg/granskning/", {**period, "controller": kommun.pk})
    review = LogReview.objects.get(controller=kommun)
    assert set(review.items.values_list("event_id", flat=True)) == {alice.pk, referral.pk}
    region = MemberParty.objects.get(code="region-sormland")
    client.post("/logg/granskning/", {**period, "controller": region.pk})
    assert set(
        LogReview.objects.get(controller=region).items.values_list("event_id", flat=True)
    ) == {bo.pk}
    client.post("/logg/granskning/", period)  # every controller
    everyone = LogReview.objects.get(controller=None)
    assert everyone.items.count() == 3
    listing = client.get("/logg/granskning/").content.decode()
    assert "Nyköpings kommun" in listing and "Alla personuppgiftsansvariga" in listing
