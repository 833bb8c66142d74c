"""Every page costs the same number of queries at a small and at a large size of the data.

Each GET page of the app (tests/access/test_url_matrix.py's MATRIX, read as the role that sees
the most on it) is requested once with SMALL units of data and once with LARGE units: the same
structure, more of it: more participants in the viewer's scope (of the viewer's own caseload on
a caseworker's pages), each with journal entries, goals, placements, bookings, messages, exits,
survey responses, consents, referrals, audit events, employers, group activities, meetings,
reports, log reviews and uploaded lists. A detail page's own object grows too (more entries,
goals, placements, bookings, documents and history of that one participant, more follow-ups of
that goal, more members of that group, …). The page may not run more queries at the large size
than at the small one (a bulk insert of audit records that SQLite splits into batches counts
once: see `Queries`); when it does, the failure names both counts and each statement that ran
more often, with the template line and the code it came from.

The data is built once for the module (two sizes, one grown from the other) inside a transaction
that is rolled back at the module's end; each test runs its request in its own savepoint within
it, as every pytest-django test does, so nothing a request writes reaches another test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.access.test_url_matrix import MATRIX
from tests.conftest import Personas, make_personas, verify_second_factor
from tests.factories import (
    ParticipantFactory,
    ReferralFactory,
    StaffMemberFactory,
    fictional_personnummer,
)
from tests.imports.support import HEADERS, MAPPING
from tests.security.support import allowed_methods

pytestmark = pytest.mark.django_db

# Units of data: the large size is the small one five times over.
SMALL = 3
LARGE = 15

BASE = Path(settings.BASE_DIR)
SIKTA = str(BASE / "sikta")


# --- the data ------------------------------------------------------------------------------


class World:
    """The personas, the objects the detail pages show, and `grow(n)`: n more units of all."""

    def __init__(self, p: Personas) -> None:
        from sikta.activities.models import Activity
        from sikta.audit.models import LogReview
        from sikta.bookings.models import Booking, CalendarFeed
        from sikta.bookings.services import feed_digest
        from sikta.casework.models import FinalDocument, Goal, JournalEntry, Mapping
        from sikta.groups.models import Group
        from sikta.imports.models import ImportBatch
        from sikta.organisation.models import (
            DeclineReason,
            EducationLevel,
            GoalArea,
            IncomeSource,
            Kommun,
            Lansdel,
            Outcome,
            Track,
        )
        from sikta.reports.models import StatusReport
        from sikta.surveys.models import Instrument, Response
        from sikta.worktraining.models import Employer, Placement

        self.p = p
        self.units = 0
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
        self.insats = p.coach_sodra.insats
        self.sodra = Lansdel.objects.get(slug="sodra")
        self.norra = Lansdel.objects.get(slug="norra")
        self.kommun = {k.name: k for k in Kommun.objects.filter(insats=self.insats)}
        self.coachning = Track.objects.get(slug="coachning")
        self.koordinering = Track.objects.get(slug="koordinering")
        self.areas = list(GoalArea.objects.all())
        self.outcomes = list(Outcome.objects.all())
        self.decline_reasons = list(DeclineReason.objects.all())
        self.incomes = list(IncomeSource.objects.all())
        self.education = list(EducationLevel.objects.all())
        self.instruments = list(Instrument.objects.prefetch_related("items"))
        self.who5 = next(i for i in self.instruments if i.code == "who5")

        alice, coach = p.alice_sodra, p.coach_sodra
        # The objects of the detail pages (MATRIX makes its own; these grow with the data).
        self.employer = Employer.objects.create(
            name="Kafé Fokus", organisation_number="556036-0793", sector="privat"
        )
        self.placement = Placement.objects.create(
            participant=alice,
            employer=self.employer,
            start_date=self.today - dt.timedelta(days=60),
            status=Placement.Status.ONGOING,
            insured_by="kommun",
        )
        self.goal = Goal.objects.create(
            participant=alice,
            text="Arbetsträna",
            area=self.areas[0],
            target_date=self.today - dt.timedelta(days=3),
        )
        self.booking = Booking.objects.create(
            participant=alice,
            staff=coach,
            kind=Booking.Kind.MEETING,
            starts_at=self.noon + dt.timedelta(days=3),
            place="Storgatan 1",
            created_by=coach.user,
        )
        self.document = FinalDocument.objects.create(
            participant=alice, summary="s", achieved="a", recommendations="r", pdf=b"%PDF-"
        )
        self.entry = JournalEntry.objects.create(
            participant=alice, kind="mote", note="Möte", author=coach.user, author_name="Coach"
        )
        Mapping.objects.create(
            participant=alice,
            version=1,
            track=alice.track,
            answers=[{"key": "k", "label": "Rubrik", "text": "Text"}],
        )
        self.group = Group.objects.create(
            name="Psykisk hälsa", lansdel=self.sodra, insats=self.insats
        )
        self.group.leaders.add(coach)
        self.group.members.add(alice)
        self.session = self.group.sessions.create(date=self.today, topic="Start")
        self.activity = Activity.objects.create(
            insats=self.insats,
            lansdel=self.sodra,
            kind="styrgrupp_lokal",
            planned_date=self.today + dt.timedelta(days=10),
        )
        self.minutes = self._minutes(self.activity, 0)
        self.status_report = StatusReport.objects.create(
            insats=self.insats,
            lansdel=self.sodra,
            period_start=self.today - dt.timedelta(days=180),
            period_end=self.today,
            summary="Läget",
        )
        self.published_report = StatusReport.objects.create(
            insats=self.insats,
            lansdel=self.sodra,
            period_start=self.today - dt.timedelta(days=180),
            period_end=self.today,
            summary="Läget",
            published_at=self.now,
            published_by_name="samordnare_sodra",
        )
        self.review = LogReview.objects.create(
            insats=self.insats,
            period_from=self.today - dt.timedelta(days=30),
            period_to=self.today,
            sample_size=25,
            drawn_by=p.insatsledare.user,
            drawn_by_name="insatsledare",
        )
        staff = p.samordnare_sodra
        batch = {
            "staff": staff,
            "insats": self.insats,
            "uploaded_by": staff.user,
            "kind": "deltagare",
            "filename": "lista.xlsx",
            "headers": HEADERS,
            "mapping": MAPPING,
            "mapped": True,
        }
        self.batch = ImportBatch.objects.create(**batch, rows=[])
        self.batch_done = ImportBatch.objects.create(
            **batch,
            rows=[],
            status="importerad",
            imported_at=self.now,
            result={"rows": 0, "created": 0, "refused": 0, "refused_rows": [], "ids": []},
        )
        # A personal survey link of Alice's, and coach_sodra's calendar address.
        self.survey = Response(
            participant=alice,
            instrument=self.who5,
            timepoint="start",
            enrolment_start=alice.start_date,
            expires_at=self.now + dt.timedelta(days=14),
        )
        self.survey_token = self.survey.new_token()
        self.survey.save()
        self.feed_token = "feed-" + uuid.uuid4().hex
        CalendarFeed.objects.create(staff=coach, digest=feed_digest(self.feed_token))

    # -- helpers -------------------------------------------------------------------------------

    def _minutes(self, activity: Any, n: int) -> Any:
        content = b"%PDF-1.4 minutes " + str(n).encode()
        return activity.minutes.create(
            content=content,
            filename=f"anteckningar-{n}.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by_name="samordnare_sodra",
        )

    def _answers(self, response: Any) -> list[Any]:
        from sikta.surveys.models import Answer

        return [
            Answer(response=response, item=item, value=(item.pk % 3) + 1)
            for item in response.instrument.items.all()
        ]

    # -- growth --------------------------------------------------------------------------------

    def grow(self, n: int) -> None:
        for i in range(self.units, self.units + n):
            self._unit(i)
        self.units += n

    def _unit(self, i: int) -> None:
        """One unit of everything: staff, participants of every kind with their cases,
        referrals, an employer, groups, meetings, reports, audit records, log reviews, lists."""
        from sikta.activities.models import Activity
        from sikta.audit.models import AuditEvent, LogReview, LogReviewItem
        from sikta.bookings.models import Booking, ContactChoice, Message
        from sikta.casework.models import (
            Exit,
            FinalDocument,
            Goal,
            GoalFollowUp,
            JournalEntry,
            Mapping,
            Pause,
        )
        from sikta.finsam.models import Registration
        from sikta.groups.models import Attendance, Group
        from sikta.imports.models import ImportBatch
        from sikta.participants.models import Assignment, Consent, Participant
        from sikta.referrals.models import ReferralEvent
        from sikta.reports.models import StatusReport
        from sikta.surveys.models import Answer, Response
        from sikta.worktraining.models import (
            Employer,
            EmployerContact,
            Placement,
            PlacementFollowUp,
        )

        p, today, noon, k = self.p, self.today, self.noon, self.kommun
        days = dt.timedelta(days=1)
        coach = p.coach_sodra

        # Staff: one more coach in Södra, one more koordinator in Norra.
        new_coach = StaffMemberFactory(role_code="coach", lansdel=self.sodra, last_name=f"C{i}")
        new_koordinator = StaffMemberFactory(
            role_code="koordinator", lansdel=self.norra, last_name=f"K{i}"
        )

        def person(kommun: str, staff: Any, **extra: Any) -> Participant:
            return ParticipantFactory(
                kommun=k[kommun],
                assigned_to=staff,
                education_level=self.education[i % len(self.education)],
                email=f"deltagare{i}@example.com",
                phone="070-1740612",
                **extra,
            )

        closed = {"status": Participant.Status.CLOSED, "end_date": today - 10 * days}
        own = [
            person("Trosa", coach, start_date=today - (30 + 25 * i) * days),
            person("Gnesta", coach, protected_identity=True, start_date=today - 380 * days),
            person("Nyköping", coach, status=Participant.Status.PAUSED),
            person("Oxelösund", coach, start_date=today - 200 * days, **closed),
        ]
        others = [
            person("Nyköping", p.coach_sodra_other),
            person("Oxelösund", new_coach, protected_identity=i % 2 == 0),
            person("Nyköping", None),
            person("Strängnäs", p.koordinator_norra, track=self.koordinering),
            person(
                "Eskilstuna",
                new_koordinator,
                track=self.koordinering,
                start_date=today - 100 * days,
                **closed,
            ),
            person("Katrineholm", None),
        ]
        people = own + others
        employer = Employer.objects.create(
            name=f"Arbetsgivare {i}",
            organisation_number=f"55{i:04d}-{i:04d}",
            sector="offentlig",
            author=coach.user,
            author_name="Coach",
        )
        EmployerContact.objects.bulk_create(
            EmployerContact(employer=employer, name=f"Kontakt {i}-{n}") for n in range(2)
        )

        # Each participant's case.
        assignments, consents, choices, entries, goals, placements = [], [], [], [], [], []
        bookings, mappings, registrations, pauses = [], [], [], []
        for n, pt in enumerate(people):
            staff = pt.assigned_to
            if staff is not None:
                assignments.append(
                    Assignment(participant=pt, staff=staff, track=pt.track, assigned_by=None)
                )
            consents.append(
                Consent(
                    participant=pt,
                    text="Samtycke",
                    given_on=pt.start_date,
                    finsam=True,
                    contact_organisations="Försäkringskassan",
                )
            )
            choices.append(ContactChoice(participant=pt, by_sms=True, by_email=True, how="webb"))
            for back in (3, 40):
                entries.append(
                    JournalEntry(
                        participant=pt,
                        date=today - back * days,
                        kind="mote",
                        note="Samtal",
                        duration_minutes=45,
                        author=coach.user,
                        author_name="Coach",
                    )
                )
            goals.append(
                Goal(
                    participant=pt,
                    text="Mål",
                    area=self.areas[n % len(self.areas)],
                    target_date=today - 5 * days,
                    author=coach.user,
                )
            )
            placements.append(
                Placement(
                    participant=pt,
                    employer=employer,
                    start_date=today - 20 * days,
                    status=Placement.Status.ONGOING,
                    insured_by="kommun",
                    hours_per_week=10,
                )
            )
            if staff is not None:
                bookings += [
                    Booking(
                        participant=pt,
                        staff=staff,
                        kind=kind,
                        starts_at=at,
                        place="Storgatan 1",
                        created_by=staff.user,
                    )
                    for kind, at in (
                        (Booking.Kind.MEETING, noon),
                        (Booking.Kind.EMPLOYER_VISIT, noon + days),
                        (Booking.Kind.MEETING, noon - 2 * days),  # awaits its outcome
                        (Booking.Kind.OTHER, noon + 40 * days),
                    )
                ]
            mappings.append(
                Mapping(
                    participant=pt,
                    version=1,
                    track=pt.track,
                    answers=[{"key": "k", "label": "Rubrik", "text": "Text"}],
                )
            )
            registrations.append(
                Registration(
                    participant=pt,
                    kind="start",
                    period_start=pt.start_date,
                    registered_on=pt.start_date,
                    recorded_by_name="Coach",
                )
            )
            if pt.status == Participant.Status.PAUSED:
                pauses.append(Pause(participant=pt, start_date=today - 5 * days, reason="Sjuk"))
        Assignment.objects.bulk_create(assignments)
        Consent.objects.bulk_create(consents)
        ContactChoice.objects.bulk_create(choices)
        JournalEntry.objects.bulk_create(entries)
        goals = Goal.objects.bulk_create(goals)
        GoalFollowUp.objects.bulk_create(
            GoalFollowUp(goal=g, date=today - 30 * days, note="Uppföljt") for g in goals
        )
        placements = Placement.objects.bulk_create(placements)
        PlacementFollowUp.objects.bulk_create(
            PlacementFollowUp(placement=pl, with_whom="bada", how_it_goes="Bra")
            for pl in placements
        )
        bookings = Booking.objects.bulk_create(bookings)
        Message.objects.bulk_create(
            Message(
                participant=b.participant,
                booking=b,
                channel=Message.Channel.SMS,
                purpose=Message.Purpose.BOOKED,
                key=f"perf:{uuid.uuid4().hex}",
                recipient="+46701740612",
                body="Hej!",
                status=Message.Status.FAILED if n % 2 else Message.Status.SENT,
                attempts=1,
            )
            for n, b in enumerate(bookings)
        )
        Mapping.objects.bulk_create(mappings)
        Registration.objects.bulk_create(registrations)
        Pause.objects.bulk_create(pauses)
        # Survey answers: at the start for everyone, at the exit for the closed.
        responses = [
            Response(
                participant=pt,
                instrument=instrument,
                timepoint="start",
                enrolment_start=pt.start_date,
                completed_at=self.now,
            )
            for pt in people
            for instrument in self.instruments
        ]
        for pt in people:
            if pt.status == Participant.Status.CLOSED:
                exit_ = Exit.objects.create(
                    participant=pt,
                    enrolment=pt.enrolments.get(),
                    start_date=pt.start_date,
                    end_date=pt.end_date,
                    outcome=self.outcomes[i % len(self.outcomes)],
                    occupation_after="Arbete",
                )
                exit_.income_after.set(self.incomes[:2])
                responses.append(
                    Response(
                        participant=pt,
                        instrument=self.who5,
                        timepoint="exit",
                        enrolment_start=pt.start_date,
                        completed_at=self.now,
                    )
                )
        FinalDocument.objects.create(
            participant=own[3], summary="s", achieved="a", recommendations="r", pdf=b"%PDF-"
        )
        responses = Response.objects.bulk_create(responses)
        Answer.objects.bulk_create(a for r in responses for a in self._answers(r))

        # Referrals: in each länsdel, one of each status.
        referrals = []
        decided = ("ej_antagen", "antagen")
        for n, (kommun, track) in enumerate(
            (
                ("Nyköping", self.coachning),
                ("Strängnäs", self.koordinering),
                ("Katrineholm", self.coachning),
            )
        ):
            for status in ("mottagen", "kallad", "bedomd", "ej_antagen", "antagen"):
                # Some are about a person with protected identity: the one accepted into the
                # protected participant's case, and an open one with the same personnummer.
                about = {"personnummer": own[1].personnummer} if status == "kallad" else {}
                referrals.append(
                    ReferralFactory(
                        **about,
                        kommun=k[kommun],
                        track=track,
                        status=status,
                        received_at=self.now - (10 + i) * days,
                        meeting_at=self.now + 2 * days if status == "kallad" else None,
                        decided_at=self.now - days if status in decided else None,
                        decline_reason=self.decline_reasons[0] if status == decided[0] else None,
                        participant=own[n % 2] if status == decided[1] else None,
                        channel=("web", "phone", "caseworker")[i % 3],
                        income=["ekonomiskt_bistand", "sjukpenning"],
                    )
                )
        ReferralEvent.objects.bulk_create(
            ReferralEvent(
                referral=r,
                by=p.samordnare_sodra.user,
                by_name="samordnare_sodra",
                from_status=from_status,
                to_status=to_status,
            )
            for r in referrals
            for from_status, to_status in (("", "mottagen"), ("mottagen", r.status))
        )

        # Group activities: in Södra, led by coach_sodra and the new coach.
        group = Group.objects.create(
            name=f"Grupp {i}", lansdel=self.sodra, insats=self.insats, author=coach.user
        )
        group.leaders.add(coach, new_coach)
        group.members.add(*own[:3], others[0], p.alice_sodra)
        sessions = [group.sessions.create(date=today + d * days) for d in (0, 1, 8)]
        Attendance.objects.bulk_create(
            Attendance(session=sessions[0], participant=m, present=True)
            for m in (*own[:3], others[0])
        )
        norra_group = Group.objects.create(
            name=f"Norra grupp {i}", lansdel=self.norra, insats=self.insats
        )
        norra_group.leaders.add(p.koordinator_norra)
        norra_group.members.add(others[3])

        # Meetings of the activity plan, and status reports.
        held = Activity.objects.create(
            insats=self.insats,
            lansdel=self.sodra,
            kind="styrgrupp_lokal",
            planned_date=today - (20 + i) * days,
            status="held",
            held_date=today - (20 + i) * days,
        )
        self._minutes(held, i)
        Activity.objects.create(
            insats=self.insats, kind="styrgrupp_central", planned_date=today + (5 + i) * days
        )
        Activity.objects.create(
            insats=self.insats,
            lansdel=self.norra,
            kind="utbildning",
            planned_date=today + (7 + i) * days,
        )
        for lansdel, published in ((self.sodra, True), (None, True), (self.norra, False)):
            StatusReport.objects.create(
                insats=self.insats,
                lansdel=lansdel,
                period_start=today - 180 * days,
                period_end=today - days,
                summary="Läget",
                published_at=self.now if published else None,
            )

        # The audit log: reads, exports and changes by several people.
        readers = (coach, p.samordnare_sodra, p.insatsledare, new_coach)
        events = AuditEvent.objects.bulk_create(
            AuditEvent(
                user=reader.user,
                username=reader.user.username,
                role=reader.role.code,
                action=action,
                participant=pt,
                path=f"/deltagare/{pt.pk}/",
                ip_address="127.0.0.1",
                at=self.now - (n + 1) * dt.timedelta(hours=5),
            )
            for n, (reader, pt, action) in enumerate(
                (readers[m % 4], pt, ("participant.view", "participant.list")[m % 2])
                for m, pt in enumerate(people)
            )
        ) + AuditEvent.objects.bulk_create(
            AuditEvent(
                user=p.samordnare_sodra.user,
                username="samordnare_sodra",
                role="samordnare",
                action="referral.view",
                referral=r,
                ip_address="127.0.0.1",
            )
            for r in referrals[:3]
        )
        review = LogReview.objects.create(
            insats=self.insats,
            period_from=today - 60 * days,
            period_to=today - 30 * days,
            sample_size=5,
            drawn_by_name="insatsledare",
        )
        LogReviewItem.objects.bulk_create(
            LogReviewItem(review=r, event=e, outside_caseload=m % 2 == 0)
            for m, e in enumerate(events)
            for r in (review, self.review)
        )
        ImportBatch.objects.create(
            staff=p.samordnare_sodra,
            insats=self.insats,
            uploaded_by=p.samordnare_sodra.user,
            kind="deltagare",
            filename=f"lista-{i}.xlsx",
            headers=self.batch.headers,
            mapping=self.batch.mapping,
            mapped=True,
            status="importerad",
            imported_at=self.now,
            result={"rows": 1, "created": 1, "refused": 0, "refused_rows": [], "ids": []},
        )

        self._grow_alice(i, employer, new_coach, group)

    def _grow_alice(self, i: int, employer: Any, new_coach: Any, group: Any) -> None:
        """More of Alice's own case (the detail pages' participant) and of the detail objects."""
        from sikta.audit.models import AuditEvent
        from sikta.bookings.models import Booking, ContactChoice, Message
        from sikta.casework.models import (
            Exit,
            FinalDocument,
            Goal,
            GoalFollowUp,
            JournalEntry,
            Mapping,
            Pause,
        )
        from sikta.finsam.models import Registration
        from sikta.groups.models import Attendance
        from sikta.participants.models import Assignment, Consent, Enrolment
        from sikta.referrals.models import ReferralEvent
        from sikta.surveys.models import Answer, Response
        from sikta.worktraining.models import EmployerContact, Placement, PlacementFollowUp

        p, today, noon = self.p, self.today, self.noon
        days = dt.timedelta(days=1)
        alice, coach = p.alice_sodra, p.coach_sodra

        entries = JournalEntry.objects.bulk_create(
            JournalEntry(
                participant=alice,
                date=today - (n + 2 * i) * days,
                kind=("mote", "telefon", "arbetsgivare")[n],
                note=f"Anteckning {i}-{n}",
                author=coach.user,
                author_name="Coach",
            )
            for n in range(3)
        )
        correction = JournalEntry.objects.create(
            participant=alice, kind="mote", note="Rättad", date=entries[2].date
        )
        JournalEntry.objects.filter(pk=entries[2].pk).update(corrected_by=correction)
        goal = Goal.objects.create(
            participant=alice,
            text=f"Mål {i}",
            area=self.areas[i % len(self.areas)],
            target_date=today + (i - 5) * days,
            author=coach.user,
        )
        GoalFollowUp.objects.bulk_create(
            GoalFollowUp(goal=g, date=today - n * days, note="Uppföljning", author=coach.user)
            for n, g in enumerate((goal, self.goal, self.goal))
        )
        placement = Placement.objects.create(
            participant=alice,
            employer=employer,
            start_date=today - (100 + i) * days,
            end_date=today - (50 + i) * days,
            status=Placement.Status.ENDED,
            insured_by="kommun",
        )
        PlacementFollowUp.objects.bulk_create(
            PlacementFollowUp(placement=pl, with_whom="deltagare", how_it_goes="Bra")
            for pl in (placement, self.placement, self.placement)
        )
        # The focus employer: another placement of someone else (every other one protected,
        # of another coach), another contact.
        Placement.objects.create(
            participant=ParticipantFactory(
                kommun=self.kommun["Trosa"],
                assigned_to=p.coach_sodra_other if i % 2 else coach,
                protected_identity=i % 2 == 1,
            ),
            employer=self.employer,
            start_date=today - 10 * days,
            status=Placement.Status.ONGOING,
            insured_by="kommun",
        )
        Placement.objects.create(  # and an ended one of Alice's
            participant=alice,
            employer=self.employer,
            start_date=today - (200 + i) * days,
            end_date=today - (150 + i) * days,
            status=Placement.Status.ENDED,
            insured_by="kommun",
        )
        EmployerContact.objects.create(employer=self.employer, name=f"Handledare {i}")
        held_entry = JournalEntry.objects.create(participant=alice, kind="mote", note="Bokat")
        bookings = Booking.objects.bulk_create(
            [
                Booking(
                    participant=alice,
                    staff=coach,
                    kind=Booking.Kind.MEETING,
                    starts_at=noon - (7 + i) * days,
                    status=Booking.Status.HELD,
                    journal_entry=held_entry,
                    outcome_at=self.now,
                ),
                Booking(
                    participant=alice,
                    staff=coach,
                    kind=Booking.Kind.PLACEMENT_FOLLOW_UP,
                    starts_at=noon + (i % 5) * days,
                    place="Kafé",
                ),
                Booking(
                    participant=alice,
                    staff=new_coach,
                    kind=Booking.Kind.OTHER,
                    starts_at=noon - (3 + i) * days,
                    status=Booking.Status.CANCELLED,
                    cancel_reason="Sjuk",
                ),
            ]
        )
        Message.objects.bulk_create(
            Message(
                participant=alice,
                booking=b,
                channel=(Message.Channel.SMS, Message.Channel.EMAIL)[n % 2],
                purpose=Message.Purpose.BOOKED,
                key=f"perf:{uuid.uuid4().hex}",
                recipient="+46701740612",
                body="Hej!",
                status=(Message.Status.FAILED, Message.Status.SENT)[n % 2],
                attempts=1,
            )
            for n, b in enumerate((*bookings, self.booking, self.booking))
        )
        FinalDocument.objects.create(
            participant=alice, summary="s", achieved="a", recommendations="r", pdf=b"%PDF-"
        )
        Mapping.objects.create(
            participant=alice,
            version=i + 2,
            track=alice.track,
            answers=[{"key": "k", "label": "Rubrik", "text": f"Version {i + 2}"}],
            author=coach.user,
        )
        Consent.objects.bulk_create(
            [
                Consent(
                    participant=alice,
                    text="Samtycke",
                    given_on=today - (200 + i) * days,
                    withdrawn_on=today - (100 + i) * days,
                    withdrawn_recorded_by=coach.user,
                ),
                Consent(participant=alice, text="Samtycke", given_on=today - i * days),
            ]
        )
        ContactChoice.objects.create(participant=alice, by_email=True, how="papper")
        Assignment.objects.create(
            participant=alice,
            staff=new_coach,
            track=alice.track,
            started_at=self.now - (300 + i) * days,
            ended_at=self.now - (299 + i) * days,
            assigned_by=p.samordnare_sodra.user,
        )
        # An earlier enrolment of Alice's, ended by an exit, with its pause, answers and
        # registrations in Uppföljning Finsam.
        start = dt.date(2000 + i, 1, 1)
        enrolment = Enrolment.objects.create(
            participant=alice, track=alice.track, start_date=start, end_date=start + 150 * days
        )
        exit_ = Exit.objects.create(
            participant=alice,
            enrolment=enrolment,
            start_date=start,
            end_date=start + 150 * days,
            outcome=self.outcomes[i % len(self.outcomes)],
        )
        exit_.income_after.set(self.incomes[:2])
        Pause.objects.create(
            participant=alice, start_date=start + 10 * days, end_date=start + 20 * days, reason="x"
        )
        responses = Response.objects.bulk_create(
            Response(
                participant=alice,
                instrument=instrument,
                timepoint=timepoint,
                enrolment_start=start,
                completed_at=self.now,
                on_paper=True,
            )
            for instrument in self.instruments
            for timepoint in ("start", "exit")
        )
        Answer.objects.bulk_create(a for r in responses for a in self._answers(r))
        Registration.objects.bulk_create(
            Registration(
                participant=alice,
                kind=kind,
                period_start=start,
                registered_on=start,
                recorded_by_name="Coach",
            )
            for kind in ("start", "end")
        )
        referral = ReferralFactory(
            personnummer=alice.personnummer,
            kommun=alice.kommun,
            status="antagen",
            participant=alice,
            received_at=self.now - (400 + i) * days,
            decided_at=self.now - (390 + i) * days,
        )
        # The focus referral: more history, and earlier referrals of the same person.
        earlier = ReferralFactory(
            personnummer=self.p.referral_sodra.personnummer,
            status="ej_antagen",
            decline_reason=self.decline_reasons[0],
            received_at=self.now - (500 + i) * days,
            decided_at=self.now - (490 + i) * days,
        )
        ReferralEvent.objects.bulk_create(
            ReferralEvent(referral=r, by=coach.user, by_name="x", from_status=a, to_status=b)
            for r in (referral, earlier, self.p.referral_sodra)
            for a, b in (("mottagen", "kallad"), ("kallad", "bedomd"))
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                user=reader.user,
                username=reader.user.username,
                role=reader.role.code,
                action="participant.view",
                participant=alice,
                path=f"/deltagare/{alice.pk}/",
            )
            for reader in (coach, p.samordnare_sodra, new_coach)
        )
        group.members.add(alice)
        # The focus group and session: more members, leaders, sessions and attendance.
        members = [
            ParticipantFactory(kommun=self.kommun["Trosa"]),
            ParticipantFactory(
                kommun=self.kommun["Gnesta"],
                assigned_to=p.coach_sodra_other,
                protected_identity=True,
            ),
        ]
        self.group.members.add(*members)
        self.group.leaders.add(new_coach)
        self.group.sessions.create(date=today + (i + 1) * days)
        Attendance.objects.bulk_create(
            Attendance(session=self.session, participant=m, present=n % 2 == 0)
            for n, m in enumerate(members)
        )
        self._minutes(self.activity, 100 + i)
        # The uploaded list: three more rows (a new person, one already here, one refused).
        rows = list(self.batch.rows)
        for n in range(3):
            number = (
                alice.personnummer.digits
                if n == 1
                else fictional_personnummer(9000 + 3 * i + n, year=1988)
            )
            rows.append(
                {
                    "n": len(rows) + 2,
                    "cells": [
                        number,
                        f"Ny{i}",
                        "Person",
                        ("Trosa", "Nyköping", "Ingenstans")[n],
                        "Coachning",
                        "2026-01-15",
                        "coach_sodra Personal",
                        "",
                        "",
                    ],
                }
            )
        self.batch.rows = rows
        self.batch.save(update_fields=["rows"])


# --- the pages -----------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Page:
    url_name: str
    viewer: str  # a persona, or "anonymous"
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    query: str = ""
    variant: str = ""  # another test of the same page: as another role, or with a query
    query_of: Callable[[World], str] | None = None  # a query that needs the data

    @property
    def id(self) -> str:
        return f"{self.url_name}-{self.variant}" if self.variant else self.url_name

    def __repr__(self) -> str:
        return f"<{self.id} as {self.viewer}>"

    def url(self, world: World) -> str:
        url = reverse(self.url_name, kwargs=self.kwargs(world))
        query = self.query_of(world) if self.query_of else self.query
        return f"{url}?{query}" if query else url


def _alice(**extra: Callable[[World], Any]) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"pk": w.p.alice_sodra.pk, **{k: f(w) for k, f in extra.items()}}


COACH, SAMORDNARE, LEDARE = "coach_sodra", "samordnare_sodra", "insatsledare"
STYRGRUPP, UTVARDERARE, ANONYMOUS = "styrgrupp", "utvarderare", "anonymous"

PAGES = [
    # The start page and the caseworker's own lists.
    Page("start", COACH),
    Page("start", SAMORDNARE, variant="samordnare"),
    Page("start", LEDARE, variant="insatsledare"),
    Page("participant_list", COACH),  # "Mina deltagare"
    Page("participant_list", SAMORDNARE, variant="samordnare"),
    Page("participant_list", LEDARE, variant="insatsledare"),
    Page("participant_list", COACH, query="status=closed", variant="closed"),
    Page("worklist", COACH),
    Page("worklist", SAMORDNARE, variant="samordnare"),
    Page("worklist", LEDARE, variant="insatsledare"),
    Page("calendar", COACH),
    Page("calendar", SAMORDNARE, variant="samordnare"),
    Page("calendar_feed", ANONYMOUS, lambda w: {"token": w.feed_token}),
    Page("group_list", LEDARE),
    Page("group_detail", COACH, lambda w: {"pk": w.group.pk}),
    Page("group_detail", SAMORDNARE, lambda w: {"pk": w.group.pk}, variant="samordnare"),
    Page(
        "group_detail",
        SAMORDNARE,
        lambda w: {"pk": w.group.pk},
        query="q=Testsson",  # those to add, found by name
        variant="samordnare-search",
    ),
    Page("group_session", COACH, lambda w: {"pk": w.group.pk, "session": w.session.pk}),
    Page(
        "group_session",
        SAMORDNARE,
        lambda w: {"pk": w.group.pk, "session": w.session.pk},
        variant="samordnare",
    ),
    Page("employer_list", LEDARE),
    Page("employer_create", COACH),
    Page("employer_detail", LEDARE, lambda w: {"pk": w.employer.pk}),
    Page("employer_detail", SAMORDNARE, lambda w: {"pk": w.employer.pk}, variant="samordnare"),
    Page("organisation", LEDARE),
    # A participant's case, as her coach.
    Page("participant_detail", COACH, _alice()),
    Page("participant_assign", SAMORDNARE, _alice()),
    Page("participant_protection", SAMORDNARE, _alice()),
    Page("case_consent", COACH, _alice()),
    Page("case_mapping", COACH, _alice()),
    Page("case_plan", COACH, _alice()),
    Page("case_plan_print", COACH, _alice()),
    Page("case_goal", COACH, _alice(goal=lambda w: w.goal.pk)),
    Page("case_journal", COACH, _alice()),
    Page("case_journal_correct", COACH, _alice(entry=lambda w: w.entry.pk)),
    Page("case_exit", COACH, _alice()),
    Page("case_placements", COACH, _alice()),
    Page("case_placement", COACH, _alice(placement=lambda w: w.placement.pk)),
    Page("case_final", COACH, _alice()),
    Page("case_final_pdf", COACH, _alice(document=lambda w: w.document.pk)),
    Page("case_refer_on", COACH, _alice()),
    Page("case_surveys", COACH, _alice()),
    Page(
        "case_survey_paper",
        COACH,
        _alice(instrument=lambda w: w.who5.pk, timepoint=lambda w: "start"),
    ),
    Page("case_bookings", COACH, _alice()),
    Page("booking_edit", COACH, _alice(booking=lambda w: w.booking.pk)),
    Page("case_contact", COACH, _alice()),
    # The länsdel's views, as its samordnare.
    Page("referral_queue", SAMORDNARE),
    Page("referral_queue", LEDARE, variant="insatsledare"),
    Page("referral_queue", SAMORDNARE, query="status=alla&sortera=namn", variant="all-by-name"),
    Page("referral_register", SAMORDNARE),
    Page("referral_detail", SAMORDNARE, lambda w: {"pk": w.p.referral_sodra.pk}),
    Page("referral_accept", SAMORDNARE, lambda w: {"pk": w.p.referral_sodra.pk}),
    Page("caseload_index", SAMORDNARE),
    Page("caseload_hand_over", SAMORDNARE, lambda w: {"staff": w.p.coach_sodra.pk}),
    Page("finsam_list", SAMORDNARE),
    Page("finsam_export", SAMORDNARE),
    Page("finsam_export", SAMORDNARE, query="format=csv", variant="csv"),
    Page("import_start", SAMORDNARE),
    Page("import_template", SAMORDNARE, lambda w: {"kind": "deltagare"}),
    Page("import_mapping", SAMORDNARE, lambda w: {"pk": w.batch.pk}),
    Page("import_preview", SAMORDNARE, lambda w: {"pk": w.batch.pk}),
    Page(
        "import_preview",
        SAMORDNARE,
        lambda w: {"pk": w.batch.pk},
        query="visa=avvisade",
        variant="refused",
    ),
    Page("import_done", SAMORDNARE, lambda w: {"pk": w.batch_done.pk}),
    Page("activity_plan", SAMORDNARE),
    Page("activity_create", SAMORDNARE),
    Page("activity_detail", SAMORDNARE, lambda w: {"pk": w.activity.pk}),
    Page("activity_edit", SAMORDNARE, lambda w: {"pk": w.activity.pk}),
    Page(
        "activity_minutes",
        SAMORDNARE,
        lambda w: {"pk": w.activity.pk, "minutes": w.minutes.pk},
    ),
    Page("status_report_list", SAMORDNARE),
    Page("status_report_create", SAMORDNARE),
    Page("status_report_detail", SAMORDNARE, lambda w: {"pk": w.status_report.pk}),
    # Reports, the dashboard and the audit log, as the insatsledare.
    Page("report_dashboard", LEDARE),
    Page("report_dashboard", LEDARE, query="export=csv", variant="csv"),
    Page("financing_report", LEDARE),
    Page("finsam_counts", LEDARE),
    Page(
        "finsam_counts",
        LEDARE,
        query_of=lambda w: (
            f"year={min(w.today.year, (w.insats.end_date or w.today).year)}&format=csv"
        ),
        variant="csv",
    ),
    Page("audit_search", LEDARE),
    Page(
        "audit_search",
        LEDARE,
        query_of=lambda w: f"personnummer={w.p.alice_sodra.personnummer.digits}",
        variant="person",
    ),
    Page("audit_search", LEDARE, query="protected=on", variant="protected"),
    Page("audit_review_list", LEDARE),
    Page("audit_review_detail", LEDARE, lambda w: {"pk": w.review.pk}),
    Page("audit_chain", LEDARE),
    Page("register_extract", LEDARE),
    # Aggregates, as the steering group; the evaluator's export page.
    Page("survey_report", STYRGRUPP),
    Page("status_report_pdf", STYRGRUPP, lambda w: {"pk": w.published_report.pk}),
    Page("evaluation_export", UTVARDERARE),
    Page("evaluation_export", UTVARDERARE, query="format=csv", variant="csv"),
    # Public pages.
    Page("login", ANONYMOUS),
    Page("sso_choose", ANONYMOUS),
    Page("saml2_metadata", ANONYMOUS),
    Page("privacy_notice_list", ANONYMOUS),
    Page("privacy_notice", ANONYMOUS, lambda w: {"insats": w.insats.slug}),
    Page("referral_start", ANONYMOUS),
    Page("referral_short", ANONYMOUS, lambda w: {"slug": "koordinering"}),
    Page(
        "referral_form",
        ANONYMOUS,
        lambda w: {"insats": w.insats.slug, "track": "koordinering"},
    ),
    Page("survey_answer", ANONYMOUS, lambda w: {"token": w.survey_token}),
]

# GET pages not measured here, and why.
LEFT_OUT = {
    "referral_thanks": "only redirects (to the start) unless a referral was just sent",
    "two_factor_verify": "the personas are past the second factor: it only redirects",
    "two_factor_enrol": "the personas are past the second factor: it only redirects",
    "set_language": "only redirects (a GET changes nothing)",
    "saml2_ls": "only redirects without a logout answer from an identity provider",
    "saml2_login": "needs an active SAML identity provider (none is set up in tests)",
    "sso_start": "needs an active identity provider (none is set up in tests)",
    "sso_callback": "needs an active identity provider and a sign-in under way",
}


def test_every_get_page_is_measured_or_left_out_for_a_reason() -> None:
    pages = {name for name in MATRIX if "GET" in allowed_methods(name)}
    measured = {page.url_name for page in PAGES}
    assert not measured - pages, "PAGES names pages that are not GET pages of the app"
    assert not measured & set(LEFT_OUT)
    assert pages == measured | set(LEFT_OUT), sorted(pages - measured - set(LEFT_OUT))


# --- counting and explaining queries ----------------------------------------------------------

_PLACEHOLDERS = re.compile(r"%s(?:\s*,\s*%s)+")
_ROWS = re.compile(r"\(%s…\)(?:\s*,\s*\(%s…\))+")
_SAVEPOINT = re.compile(r'"s\d+_x\d+"')


def shape(sql: str) -> str:
    """The statement with lists of parameters, of rows and savepoint names made alike."""
    sql = _ROWS.sub("(%s…), …", _PLACEHOLDERS.sub("%s…", sql))
    return _SAVEPOINT.sub('"sp"', sql).strip()


def _origin() -> str:
    """Where the running query comes from: the innermost template line being rendered and the
    innermost lines of Sikta's own code."""
    from django.template.base import Node

    template, code = "", []
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not template and frame.f_code.co_name == "render_annotated":
            node = frame.f_locals.get("self")
            if isinstance(node, Node) and node.token is not None and node.origin is not None:
                contents = node.token.contents.split("\n")[0][:60]
                tag = "{{ %s }}" if node.token.token_type.name == "VAR" else "{%% %s %%}"
                where = f"{node.origin.template_name}:{node.token.lineno}"
                template = f"{where} {tag % contents}"
        if name.startswith(SIKTA) and len(code) < 3:
            line = f"{Path(name).relative_to(BASE)}:{frame.f_lineno}"
            code.append(f"{line} in {frame.f_code.co_name}")
        frame = frame.f_back
    where = " ← ".join(code)
    return f"{template} ← {where}" if template else where


_AUDIT_INSERT = 'INSERT INTO "audit_auditevent" ('


def _full_audit_batch(sql: str, params: Any) -> bool:
    """Whether `sql` inserts audit records in as many rows as the database takes in one
    statement: a bulk insert of more is split into such batches (see `Queries`)."""
    limit = connection.features.max_query_params
    if limit is None or not sql.startswith(_AUDIT_INSERT) or not params:
        return False
    columns = sql[len(_AUDIT_INSERT) :].split(")", 1)[0].count(",") + 1
    return len(params) == (limit // columns) * columns


@dataclass(repr=False)
class Queries:
    """The statements of one request, each with where it came from.

    A bulk INSERT of audit records split into batches counts as one statement. A page records
    one audit event per person it shows, in one `audit_record_many` (one bulk insert), and
    SQLite takes at most 999 parameters in a statement: Django splits the insert into batches
    of 999 // 13 columns = 76 rows, so on SQLite a page showing more people sends one more
    INSERT per 76 (PostgreSQL inserts them in one). That is the database's limit on one
    statement, not a query per row, and the people a page shows are bounded (the lists are
    paginated or cut), so the batches are too. A continuation is an INSERT of the same shape
    right after a full batch; it is kept in `split`, not counted.
    """

    statements: list[tuple[str, str]] = field(default_factory=list)
    split: list[tuple[str, str]] = field(default_factory=list)
    _after_full_batch: bool = False

    def __repr__(self) -> str:
        return f"<{len(self)} queries>"

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statement = (shape(sql), _origin())
        if self._after_full_batch and self.statements and self.statements[-1] == statement:
            self.split.append(statement)
        else:
            self.statements.append(statement)
        self._after_full_batch = not many and _full_audit_batch(sql, params)
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return len(self.statements)

    def counts(self) -> Counter[str]:
        return Counter(sql for sql, _where in self.statements)


@contextmanager
def recorded() -> Iterator[Queries]:
    queries = Queries()
    with connection.execute_wrapper(queries):
        yield queries


@dataclass(repr=False)
class Growth:
    """What ran more often at the large size: the failure message (built when it is shown)."""

    page: Page
    small: Queries
    large: Queries

    def __repr__(self) -> str:
        return f"<{self.page.id}: {len(self.small)} and {len(self.large)} queries>"

    def __str__(self) -> str:
        few, many = self.small.counts(), self.large.counts()
        lines = [
            f"{self.page.id} as {self.page.viewer} ({connection.vendor}): {len(self.small)} "
            f"queries with {SMALL} units of data, {len(self.large)} with {LARGE}.",
            "Statements run more often with more data (small → large):",
        ]
        grown = sorted(
            (sql for sql in many if many[sql] > few[sql]), key=lambda s: few[s] - many[s]
        )
        for sql in grown:
            lines.append(f"  {few[sql]} → {many[sql]}: {sql[:700]}")
            where = Counter(w for s, w in self.large.statements if s == sql)
            for origin, times in where.most_common(3):
                lines.append(f"      {times}× from {origin}")
        return "\n".join(lines)


# --- the module's data and the small measurements --------------------------------------------


@dataclass(repr=False)
class Measured:
    world: World
    clients: dict[str, Client]
    small: dict[str, Queries]

    def __repr__(self) -> str:
        return f"<{len(self.small)} pages measured with {SMALL} units of data>"


def _client(p: Personas, viewer: str) -> Client:
    client = Client()
    if viewer != ANONYMOUS:
        user = getattr(p, viewer).user
        client.force_login(user)
        verify_second_factor(client, user)
    return client


def _get(client: Client, url: str) -> Any:
    cache.clear()  # the referral form's rate limit and the like: each request from zero
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # a streamed export runs its queries as it is read
    return response


@pytest.fixture(scope="module")
def measured(django_db_setup: None, django_db_blocker: Any) -> Iterator[Measured]:
    """The data at the small size, each page's queries there, then the data at the large size.

    All in one transaction, rolled back at the end; each test's own transaction nests in it.
    """
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = World(make_personas())
            world.grow(SMALL)
            clients = {page.viewer: _client(world.p, page.viewer) for page in PAGES}
            # Each client's first request once before counting (what a process or a session
            # reads once is then read; a whole first round of the pages counted the same).
            for viewer, client in clients.items():
                first = next(page for page in PAGES if page.viewer == viewer)
                _get(client, first.url(world))
            small = {}
            for page in PAGES:
                with recorded() as queries:
                    response = _get(clients[page.viewer], page.url(world))
                assert response.status_code == 200, (page.id, response.status_code)
                small[page.id] = queries
            world.grow(LARGE - SMALL)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield Measured(world, clients, small)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.parametrize("page", PAGES, ids=[page.id for page in PAGES])
def test_queries_do_not_grow_with_the_data(measured: Measured, page: Page) -> None:
    small = measured.small[page.id]
    client = measured.clients[page.viewer]
    with recorded() as large:
        response = _get(client, page.url(measured.world))
    assert response.status_code == 200
    # Counted as `Queries` counts them (a split bulk insert of audit records as one).
    assert len(large) <= len(small), str(Growth(page, small, large))
