"""A participant's journey driven through the views by a Hypothesis state machine.

Enrolment (referral acceptance, also again after an exit), work-training placements (plan,
start, end, change), pause, resume and exit, with dates in and around the insats period and
around a moving "today". After every step: no server error, and the journey's invariants
hold in the database.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sikta.casework.models import Exit, Pause
from sikta.organisation.models import Outcome
from sikta.participants.models import Participant
from sikta.worktraining.models import Employer, Placement
from tests.conftest import Personas
from tests.factories import ReferralFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
INSATS_START = dt.date(2023, 10, 1)
INSATS_END = dt.date(2028, 9, 30)
OPEN = (Placement.Status.PLANNED, Placement.Status.ONGOING, Placement.Status.PAUSED)

offsets = st.one_of(st.integers(-3, 3), st.integers(-40, 40), st.integers(-400, 400))
anchors = st.sampled_from(["today", "start", "insats_start", "insats_end", "pause"])
statuses = st.sampled_from([s.value for s in Placement.Status])


class Journey(RuleBasedStateMachine):
    def __init__(self, personas: Personas) -> None:
        super().__init__()
        self.personas = personas
        self.steps: list[str] = []
        self.mine: list[int] = []  # participants enrolled by this example
        self.placements: list[int] = []
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # every example is rolled back in teardown
        self._traveller: time_machine.travel | None = None
        self.coach = personas.client("coach_sodra")
        self.samordnare = personas.client("samordnare_sodra")
        self.employer = Employer.objects.create(
            name="Kafé", organisation_number="556036-0793", sector="privat"
        )
        self.outcome = Outcome.objects.order_by("pk").first()

    # -- plumbing ---------------------------------------------------------------------------

    def _travel(self, day: dt.date) -> None:
        if self._traveller is not None:
            self._traveller.stop()
        self.today = day
        self._traveller = time_machine.travel(
            dt.datetime.combine(day, dt.time(10, 0), tzinfo=STOCKHOLM), tick=False
        )
        self._traveller.start()

    def teardown(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _post(self, client, url: str, data: dict, what: str):
        step = f"{self.today}: {what} POST {url} {data}"
        self.steps.append(step)
        try:
            response = client.post(url, data)
        except Exception as error:  # the test client re-raises a view's exception
            trail = "\n  ".join(self.steps)
            pytest.fail(f"server error ({error!r}) at step:\n  {step}\nsteps:\n  {trail}")
        assert response.status_code < 500, f"{response.status_code} at {step}"
        return response

    def _date(self, pk: int, anchor: str, offset: int) -> str:
        participant = Participant.objects.get(pk=pk)
        pause = participant.pauses.order_by("-start_date").first()
        base = {
            "today": self.today,
            "start": participant.start_date,
            "insats_start": INSATS_START,
            "insats_end": INSATS_END,
            "pause": pause.start_date if pause else self.today,
        }[anchor]
        return (base + dt.timedelta(days=offset)).isoformat()

    def _pick(self, items: list[int], index: int) -> int:
        return items[index % len(items)]

    # -- rules ------------------------------------------------------------------------------

    @initialize(day=st.dates(dt.date(2023, 9, 1), dt.date(2028, 12, 31)))
    def start_clock(self, day: dt.date) -> None:
        self._travel(day)

    @rule(days=st.integers(0, 120))
    def time_passes(self, days: int) -> None:
        self.steps.append(f"{self.today}: {days} days pass")
        self._travel(self.today + dt.timedelta(days=days))

    @rule(start=st.integers(-60, 40), again=st.booleans(), index=st.integers(0, 10))
    def enrol(self, start: int, again: bool, index: int) -> None:
        """Accept an assessed referral: a new person, or one of ours again (after an exit)."""
        extra = {}
        if again and self.mine:
            extra["personnummer"] = Participant.objects.get(
                pk=self._pick(self.mine, index)
            ).personnummer
        referral = ReferralFactory(
            status="bedomd", received_at=timezone.now() - dt.timedelta(days=60), **extra
        )
        response = self._post(
            self.samordnare,
            f"/aktualiseringar/{referral.pk}/antag/",
            {
                "caseworker": self.personas.coach_sodra.pk,
                "start_date": (self.today + dt.timedelta(days=start)).isoformat(),
                "consent_confirmed": "on",
            },
            "enrol",
        )
        referral.refresh_from_db()
        if referral.participant_id and referral.participant_id not in self.mine:
            self.mine.append(referral.participant_id)
        assert response.status_code in (200, 302, 400)

    @precondition(lambda self: self.mine)
    @rule(
        index=st.integers(0, 10),
        status=statuses,
        start=st.tuples(anchors, offsets),
        end=st.none() | st.tuples(anchors, offsets),
    )
    def plan_placement(self, index, status, start, end) -> None:
        pk = self._pick(self.mine, index)
        response = self._post(
            self.coach,
            f"/deltagare/{pk}/arbetstraning/",
            {
                "employer": self.employer.pk,
                "status": status,
                "start_date": self._date(pk, *start),
                "end_date": self._date(pk, *end) if end else "",
                "insured_by": "fk",
            },
            "new placement",
        )
        if response.status_code == 302:
            new = Placement.objects.filter(participant=pk).exclude(pk__in=self.placements)
            self.placements.extend(new.values_list("pk", flat=True))

    @precondition(lambda self: self.placements)
    @rule(
        index=st.integers(0, 20),
        status=statuses,
        start=st.none() | st.tuples(anchors, offsets),
        end=st.none() | st.tuples(anchors, offsets),
    )
    def change_placement(self, index, status, start, end) -> None:
        """Start it (ongoing), pause it, end it, cancel it, or move its dates."""
        placement = Placement.objects.get(pk=self._pick(self.placements, index))
        pk = placement.participant_id
        self._post(
            self.coach,
            f"/deltagare/{pk}/arbetstraning/{placement.pk}/",
            {
                "p-employer": self.employer.pk,
                "p-status": status,
                "p-start_date": self._date(pk, *start) if start else str(placement.start_date),
                "p-end_date": self._date(pk, *end) if end else "",
                "p-insured_by": "fk",
            },
            f"change placement {placement.pk} ({placement.status})",
        )

    @precondition(lambda self: self.mine)
    @rule(index=st.integers(0, 10), day=st.tuples(anchors, offsets))
    def pause(self, index, day) -> None:
        pk = self._pick(self.mine, index)
        self._post(
            self.coach,
            f"/deltagare/{pk}/utskrivning/paus/",
            {"pause-start_date": self._date(pk, *day), "pause-reason": "Vård"},
            "pause",
        )

    @precondition(lambda self: self.mine)
    @rule(index=st.integers(0, 10), day=st.tuples(anchors, offsets))
    def resume(self, index, day) -> None:
        pk = self._pick(self.mine, index)
        self._post(
            self.coach,
            f"/deltagare/{pk}/utskrivning/ateruppta/",
            {"resume-end_date": self._date(pk, *day)},
            "resume",
        )

    @precondition(lambda self: self.mine)
    @rule(index=st.integers(0, 10), day=st.tuples(anchors, offsets))
    def exit(self, index, day) -> None:
        pk = self._pick(self.mine, index)
        self._post(
            self.coach,
            f"/deltagare/{pk}/utskrivning/",
            {"end_date": self._date(pk, *day), "outcome": self.outcome.pk},
            "exit",
        )

    @precondition(lambda self: self.mine)
    @rule(index=st.integers(0, 10))
    def look(self, index) -> None:
        """The case pages render whatever state the journey is in."""
        pk = self._pick(self.mine, index)
        for url in (f"/deltagare/{pk}/arbetstraning/", f"/deltagare/{pk}/utskrivning/"):
            try:
                response = self.coach.get(url)
            except Exception as error:
                pytest.fail(
                    f"server error ({error!r}) on GET {url} after:\n  " + "\n  ".join(self.steps)
                )
            assert response.status_code < 500, f"GET {url}: {response.status_code}"

    # -- invariants -------------------------------------------------------------------------

    def _fail(self, message: str) -> str:
        return message + "\nsteps:\n  " + "\n  ".join(self.steps)

    @invariant()
    def journey_invariants(self) -> None:
        self._placements_are_ordered()
        self._nobody_closed_has_open_placements()
        self._exit_closes()
        self._time_in_programme_not_negative()
        self._one_caseworker_while_enrolled()
        self._pauses_are_ordered()

    def _placements_are_ordered(self) -> None:
        for p in Placement.objects.filter(participant__in=self.mine, end_date__isnull=False):
            assert p.end_date >= p.start_date, self._fail(f"placement {p.pk} ends before it starts")

    def _nobody_closed_has_open_placements(self) -> None:
        bad = Placement.objects.filter(
            participant__in=self.mine,
            participant__status=Participant.Status.CLOSED,
            status__in=OPEN,
        )
        assert not bad.exists(), self._fail(
            f"closed participant with open placement(s): {list(bad.values('pk', 'status'))}"
        )

    def _exit_closes(self) -> None:
        for participant in Participant.objects.filter(pk__in=self.mine):
            last_exit = participant.exits.order_by("-pk").first()
            # Re-enrolment after an exit opens a new period: only the latest period counts.
            if last_exit is not None and last_exit.start_date == participant.start_date:
                assert participant.status == Participant.Status.CLOSED, self._fail(
                    f"participant {participant.pk} is {participant.status} after exit"
                )

    def _time_in_programme_not_negative(self) -> None:
        for exit_ in Exit.objects.filter(participant__in=self.mine):
            assert exit_.end_date >= exit_.start_date, self._fail(f"exit {exit_.pk} negative")

    def _one_caseworker_while_enrolled(self) -> None:
        for participant in Participant.objects.filter(pk__in=self.mine):
            current = participant.assignments.filter(ended_at__isnull=True).count()
            enrolled = participant.status in Participant.ENROLLED
            assert current == int(enrolled), self._fail(
                f"participant {participant.pk} ({participant.status}) has {current} caseworkers"
            )

    def _pauses_are_ordered(self) -> None:
        for pause in Pause.objects.filter(participant__in=self.mine, end_date__isnull=False):
            assert pause.end_date >= pause.start_date, self._fail(
                f"pause {pause.pk} {pause.start_date}..{pause.end_date} ends before it begins"
            )


@pytest.mark.django_db
def test_the_journey_keeps_its_invariants(personas: Personas) -> None:
    run_state_machine_as_test(
        lambda: Journey(personas),
        settings=settings(
            max_examples=8,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


@pytest.mark.django_db
def test_no_placement_after_the_exit(personas: Personas, time_machine) -> None:
    """Found by the machine: enrol, exit, then plan a placement: a closed participant has an
    open (planned) placement, which the exit would have cancelled."""
    time_machine.move_to("2026-01-02 10:00 +01:00")
    participant = personas.alice_sodra
    participant.start_date = dt.date(2026, 1, 2)
    participant.save()
    coach = personas.client("coach_sodra")
    coach.post(
        f"/deltagare/{participant.pk}/utskrivning/",
        {"end_date": "2026-01-02", "outcome": Outcome.objects.first().pk},
    )
    employer = Employer.objects.create(
        name="Kafé", organisation_number="556036-0793", sector="privat"
    )
    coach.post(
        f"/deltagare/{participant.pk}/arbetstraning/",
        {
            "employer": employer.pk,
            "status": "planerad",
            "start_date": "2026-01-02",
            "insured_by": "fk",
        },
    )
    assert not Placement.objects.filter(participant=participant, status__in=OPEN).exists()
