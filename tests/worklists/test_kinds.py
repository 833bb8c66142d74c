"""Each kind of task appears on the day it is due and goes when it is done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sikta.bookings.models import Booking
from sikta.casework.models import Goal, GoalFollowUp, JournalEntry, Pause
from sikta.casework.selectors import max_days
from sikta.organisation.models import GoalArea, Kommun
from sikta.participants.models import Participant
from sikta.surveys.models import Instrument, Response
from sikta.worktraining.models import Employer, Placement, PlacementFollowUp
from tests.conftest import Personas
from tests.factories import ParticipantFactory, ReferralFactory
from tests.worklists.conftest import TODAY, task_rows

pytestmark = pytest.mark.django_db


def _days(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def _contacted(p: Participant, day: dt.date = TODAY) -> None:
    JournalEntry.objects.create(participant=p, kind="mote", note="Samtal.", date=day)


def _answered(p: Participant, timepoint: str = "start") -> None:
    Response.objects.create(
        participant=p,
        instrument=Instrument.objects.get(code="who5"),
        timepoint=timepoint,
        enrolment_start=p.start_date,
        completed_at=timezone.now(),
    )


def _fresh(personas: Personas, name: str, **fields) -> Participant:
    """A participant of coach_sodra with nothing due but what the test adds."""
    fields.setdefault("start_date", _days(10))
    p = ParticipantFactory(first_name=name, assigned_to=personas.coach_sodra, **fields)
    _answered(p)
    return p


def test_work_training_is_due_the_set_number_of_weeks_after_its_last_follow_up(
    personas: Personas,
) -> None:
    weeks = personas.coach_sodra.insats.placement_follow_up_weeks
    employer = Employer.objects.create(
        name="Verkstaden AB", organisation_number="556036-0793", sector="privat"
    )

    def placement(name: str, start: dt.date) -> Placement:
        return Placement.objects.create(
            participant=_fresh(personas, name),
            employer=employer,
            start_date=start,
            insured_by="kommun",
            status=Placement.Status.ONGOING,
        )

    placement("Idag", _days(7 * weeks))
    placement("Imorgon", _days(7 * weeks - 1))
    followed = placement("Uppfoljd", _days(60))
    client = personas.client("coach_sodra")
    rows = task_rows(client, "typ=arbetstraning")
    assert rows == {("arbetstraning", "Idag"), ("arbetstraning", "Uppfoljd")}
    PlacementFollowUp.objects.create(
        placement=followed, date=TODAY, with_whom="deltagare", how_it_goes="Bra."
    )
    assert task_rows(client, "typ=arbetstraning") == {("arbetstraning", "Idag")}


def test_a_goal_is_due_after_its_target_date_until_it_is_followed_up(
    personas: Personas,
) -> None:
    area = GoalArea.objects.first()
    passed = Goal.objects.create(
        participant=_fresh(personas, "Passerat"),
        text="Arbetsträna",
        area=area,
        target_date=_days(1),
    )
    Goal.objects.create(
        participant=_fresh(personas, "Idag"), text="Studera", area=area, target_date=TODAY
    )
    Goal.objects.create(
        participant=_fresh(personas, "Klart"),
        text="Körkort",
        area=area,
        target_date=_days(5),
        status=Goal.Status.REACHED,
    )
    client = personas.client("coach_sodra")
    assert task_rows(client, "typ=mal") == {("mal", "Passerat")}
    GoalFollowUp.objects.create(goal=passed, note="Går bra.", date=TODAY)
    assert task_rows(client, "typ=mal") == set()


def test_no_contact_is_due_the_set_number_of_weeks_after_the_last_entry(
    personas: Personas,
) -> None:
    weeks = personas.coach_sodra.insats.no_contact_weeks
    due = _fresh(personas, "Tyst", start_date=_days(100))
    _contacted(due, _days(7 * weeks))
    _contacted(_fresh(personas, "Nyss", start_date=_days(100)), _days(7 * weeks - 1))
    _fresh(personas, "Ny", start_date=_days(7 * weeks - 1))  # never contacted, but new
    paused = _fresh(personas, "Pausad", start_date=_days(100), status=Participant.Status.PAUSED)
    Pause.objects.create(participant=paused, start_date=_days(50), reason="Vård")
    client = personas.client("coach_sodra")
    assert task_rows(client, "typ=kontakt") == {("kontakt", "Tyst"), ("kontakt", "Alice")}
    _contacted(due)
    assert ("kontakt", "Tyst") not in task_rows(client, "typ=kontakt")


def test_the_one_year_limit_is_a_task_from_the_warning_days_before_it(
    personas: Personas,
) -> None:
    insats = personas.coach_sodra.insats
    limit, warning = max_days(insats), insats.limit_warning_days
    _fresh(personas, "Snart", start_date=_days(limit - warning))
    _fresh(personas, "Senare", start_date=_days(limit - warning - 1))
    paused = _fresh(personas, "Pausade", start_date=_days(limit - warning))
    # Ten days paused: the clock stood still, the limit is ten days later.
    Pause.objects.create(
        participant=paused, start_date=_days(40), end_date=_days(30), reason="Vård"
    )
    client = personas.client("coach_sodra")
    rows = task_rows(client, "typ=ettarsgrans")
    assert rows == {("ettarsgrans", "Snart"), ("ettarsgrans", "Alice")}
    response = client.get("/att-gora/?typ=ettarsgrans")
    soon = next(t for t in response.context["tasks"] if t.participant.first_name == "Snart")
    assert soon.due == TODAY + dt.timedelta(days=warning)
    assert soon.days == -warning
    Participant.objects.filter(first_name="Snart").update(
        status=Participant.Status.CLOSED, end_date=TODAY
    )
    assert ("ettarsgrans", "Snart") not in task_rows(client, "typ=ettarsgrans")


def test_a_start_survey_is_due_from_the_start_until_it_is_answered(personas: Personas) -> None:
    new = ParticipantFactory(first_name="Ny", assigned_to=personas.coach_sodra, start_date=TODAY)
    ParticipantFactory(
        first_name="Framtid", assigned_to=personas.coach_sodra, start_date=TODAY + dt.timedelta(1)
    )
    _fresh(personas, "Svarat")
    client = personas.client("coach_sodra")
    assert task_rows(client, "typ=startenkat") == {("startenkat", "Ny"), ("startenkat", "Alice")}
    _answered(new)
    assert task_rows(client, "typ=startenkat") == {("startenkat", "Alice")}


def test_an_exit_survey_is_due_while_it_can_still_be_answered(personas: Personas) -> None:
    days = personas.coach_sodra.insats.exit_survey_days
    closed = {"status": Participant.Status.CLOSED, "start_date": _days(200)}
    last = _fresh(personas, "Sista", end_date=_days(days), **closed)
    _fresh(personas, "Sent", end_date=_days(days + 1), **closed)
    client = personas.client("coach_sodra")
    assert task_rows(client, "typ=slutenkat") == {("slutenkat", "Sista")}
    _answered(last, "exit")
    assert task_rows(client, "typ=slutenkat") == set()


def test_a_meeting_awaits_its_outcome_once_its_time_has_passed(personas: Personas) -> None:
    def booking(name: str, minutes: int) -> Booking:
        return Booking.objects.create(
            participant=_fresh(personas, name),
            staff=personas.coach_sodra,
            kind=Booking.Kind.MEETING,
            starts_at=timezone.now() + dt.timedelta(minutes=minutes),
        )

    passed = booking("Varit", -1)
    booking("Kommer", 1)
    assert passed.awaits_outcome
    client = personas.client("coach_sodra")
    assert task_rows(client, "typ=bokning") == {("bokning", "Varit")}
    Booking.objects.filter(pk=passed.pk).update(
        status=Booking.Status.HELD, outcome_at=timezone.now()
    )
    assert task_rows(client, "typ=bokning") == set()


def test_a_referral_waits_the_set_number_of_days_before_it_is_a_task(
    personas: Personas, settings
) -> None:
    settings.SIKTA_REFERRAL_WAIT_DAYS = 14

    def received(name: str, days: int) -> None:
        moment = timezone.make_aware(dt.datetime.combine(_days(days), dt.time(9)))
        ReferralFactory(
            first_name=name, received_at=moment, kommun=Kommun.objects.get(name="Trosa")
        )

    received("Vantat", 14)
    received("Ny", 13)
    client = personas.client("samordnare_sodra")
    rows = task_rows(client, "typ=aktualisering")
    assert ("aktualisering", "Vantat") in rows and ("aktualisering", "Ny") not in rows
    from sikta.referrals.models import Referral

    Referral.objects.filter(first_name="Vantat").update(status=Referral.Status.ACCEPTED)
    assert ("aktualisering", "Vantat") not in task_rows(client, "typ=aktualisering")
    # Referrals are the samordnare's and the leads': never a coach's.
    assert not {r for r in task_rows(personas.client("coach_sodra")) if r[0] == "aktualisering"}


def test_the_rows_come_most_overdue_first_and_link_to_where_they_are_done(
    personas: Personas,
) -> None:
    area = GoalArea.objects.first()
    old = Goal.objects.create(
        participant=_fresh(personas, "Gammal"), text="A", area=area, target_date=_days(20)
    )
    Goal.objects.create(
        participant=_fresh(personas, "Farsk"), text="B", area=area, target_date=_days(2)
    )
    response = personas.client("coach_sodra").get("/att-gora/")
    tasks = response.context["tasks"]
    assert [t.due for t in tasks] == sorted(t.due for t in tasks)
    goal_rows = [t for t in tasks if t.kind == "mal"]
    assert [t.participant.first_name for t in goal_rows] == ["Gammal", "Farsk"]
    assert goal_rows[0].url == f"/deltagare/{old.participant_id}/plan/{old.pk}/"
    assert goal_rows[0].days == 20
    assert f'href="{goal_rows[0].url}"' in response.content.decode()
