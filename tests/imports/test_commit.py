"""The import itself: one transaction through the same write path as accepting a referral, the
audit record with the counts, nothing twice, and nothing at all if anything fails."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from sikta.audit.models import AuditAction, AuditEvent
from sikta.audit.services import Actor
from sikta.casework.models import Exit
from sikta.imports import services
from sikta.imports.models import ImportBatch
from sikta.imports.selectors import dry_run
from sikta.organisation.models import ControllerRule
from sikta.participants.models import Assignment, Enrolment, Participant
from sikta.worktraining.models import Employer, EmployerContact
from tests.conftest import Personas
from tests.imports.conftest import MakeBatch
from tests.imports.support import EMPLOYER_HEADERS, person, pnr

pytestmark = pytest.mark.django_db


def run_import(batch: ImportBatch, user) -> None:
    confirmed = [row.n for row in dry_run(batch, user).accepted]
    services.import_run(batch=batch, confirmed=confirmed, actor=Actor(user=user))


def imported(batch: ImportBatch) -> Participant:
    return Participant.objects.get(personnummer=pnr(1))


def test_a_participant_is_enrolled_as_accepting_a_referral_does(
    personas: Personas, make_batch: MakeBatch
) -> None:
    user = personas.samordnare_sodra.user
    batch = make_batch([person(1), person(2, kommun="Stockholm")])
    run_import(batch, user)

    p = imported(batch)
    assert (p.first_name, p.last_name, p.kommun.name, p.track.slug) == (
        "Importerad1",
        "Importsson",
        "Trosa",
        "coachning",
    )
    assert p.insats == personas.samordnare_sodra.insats
    assert p.status == Participant.Status.ACTIVE
    assert str(p.start_date) == "2025-03-01"
    # The controller as the insats's rules name it, as enrolment does.
    assert p.controller == ControllerRule.objects.controller_for(
        p.insats, p.track, p.kommun.lansdel
    )
    enrolment = Enrolment.objects.get(participant=p)
    assert (str(enrolment.start_date), enrolment.end_date) == ("2025-03-01", None)
    # The caseworker, with the assignment history starting at the start date.
    assert p.assigned_to == personas.coach_sodra
    assignment = Assignment.objects.get(participant=p)
    assert assignment.staff == personas.coach_sodra and assignment.ended_at is None
    assert str(assignment.started_at.date()) == "2025-03-01"
    assert assignment.assigned_by == user
    # The refused row created nothing.
    assert Participant.objects.filter(last_name="Importsson").count() == 1


def test_someone_who_left_gets_the_exit_with_its_outcome(
    personas: Personas, make_batch: MakeBatch
) -> None:
    batch = make_batch([person(1, end="2025-09-30", outcome="Arbete")])
    run_import(batch, personas.samordnare_sodra.user)
    p = imported(batch)
    assert p.status == Participant.Status.CLOSED
    assert str(p.end_date) == "2025-09-30"
    exit_ = Exit.objects.get(participant=p)
    assert exit_.outcome.code == "arbete" and str(exit_.end_date) == "2025-09-30"
    assert exit_.enrolment == Enrolment.objects.get(participant=p)
    assert str(exit_.enrolment.end_date) == "2025-09-30"
    assignment = Assignment.objects.get(participant=p)
    assert str(assignment.ended_at.date()) == "2025-09-30"


def test_the_audit_records_and_the_counts(personas: Personas, make_batch: MakeBatch) -> None:
    user = personas.samordnare_sodra.user
    batch = make_batch([person(1), person(2), person(3, kommun="Eskilstuna")])
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    run_import(batch, user)
    events = AuditEvent.objects.filter(pk__gt=before)
    summary = events.get(detail__what="import", participant__isnull=True)
    assert summary.action == AuditAction.LIST_IMPORT
    assert summary.user == user
    assert summary.detail["rows"] == 3
    assert summary.detail["created"] == 2
    assert summary.detail["refused"] == 1
    assert summary.detail["refused_rows"] == [4]
    assert summary.detail["file"] == "lista.xlsx"
    created = list(events.filter(action=AuditAction.PARTICIPANT_CREATE, participant__isnull=False))
    assert len(created) == 2
    assert events.filter(action=AuditAction.PARTICIPANT_ASSIGN).count() == 2
    # The list is no longer kept: only what the import did.
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert batch.rows == []
    assert batch.result["created"] == 2 and len(batch.result["ids"]) == 2


def test_importing_the_same_file_again_creates_nothing(
    personas: Personas, make_batch: MakeBatch
) -> None:
    user = personas.samordnare_sodra.user
    rows = [person(1), person(2, end="2025-09-30", outcome="Studier")]
    run_import(make_batch(rows), user)
    count = Participant.objects.count()
    again = make_batch(rows)
    run = dry_run(again, user)
    assert run.accepted == []
    assert all("Redan deltagare i insatsen" in " ".join(row.reasons) for row in run.rows)
    with pytest.raises(services.ImportChanged):  # nothing to import
        services.import_run(batch=again, confirmed=[], actor=Actor(user=user))
    assert Participant.objects.count() == count


def test_a_failure_in_the_middle_leaves_nothing(
    personas: Personas, make_batch: MakeBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = personas.samordnare_sodra.user
    batch = make_batch([person(1), person(2), person(3)])
    real_assign = services.participant_assign
    calls = []

    def assign_then_fail(**kwargs):
        calls.append(kwargs["participant"].pk)
        if len(calls) == 2:
            raise IntegrityError("the database went away in the middle")
        return real_assign(**kwargs)

    monkeypatch.setattr(services, "participant_assign", assign_then_fail)
    counts = (
        Participant.objects.count(),
        Enrolment.objects.count(),
        Assignment.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(IntegrityError):
        run_import(batch, user)
    assert len(calls) == 2  # the first row was written before the failure
    assert (
        Participant.objects.count(),
        Enrolment.objects.count(),
        Assignment.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED and len(batch.rows) == 3


def test_what_changed_since_the_dry_run_imports_nothing(
    personas: Personas, make_batch: MakeBatch
) -> None:
    user = personas.samordnare_sodra.user
    batch = make_batch([person(1), person(2)])
    seen = [row.n for row in dry_run(batch, user).accepted]
    # Meanwhile someone enrols the second person another way.
    other = make_batch([person(2)])
    run_import(other, user)
    with pytest.raises(services.ImportChanged):
        services.import_run(batch=batch, confirmed=seen, actor=Actor(user=user))
    assert not Participant.objects.filter(personnummer=pnr(1)).exists()


def test_an_imported_batch_is_not_imported_twice(personas: Personas, make_batch: MakeBatch) -> None:
    user = personas.samordnare_sodra.user
    batch = make_batch([person(1)])
    seen = [row.n for row in dry_run(batch, user).accepted]
    services.import_run(batch=batch, confirmed=seen, actor=Actor(user=user))
    with pytest.raises(services.ImportChanged):
        services.import_run(batch=batch, confirmed=seen, actor=Actor(user=user))
    assert Participant.objects.filter(personnummer=pnr(1)).count() == 1


def test_employers_are_registered(personas: Personas, make_batch: MakeBatch) -> None:
    user = personas.samordnare_sodra.user
    batch = make_batch(
        [
            [
                "Verkstan AB",
                "5560741844",
                "privat",
                "Storgatan 1",
                "Ola Olsson",
                "Handledare",
                "ola@example.com",
                "Tar emot två",
            ],
            ["Fel", "123", "privat", "", "", "", "", ""],
        ],
        kind="arbetsgivare",
        headers=EMPLOYER_HEADERS,
    )
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    run_import(batch, user)
    employer = Employer.objects.get(organisation_number="556074-1844")
    assert (employer.name, employer.sector, employer.address, employer.notes) == (
        "Verkstan AB",
        "privat",
        "Storgatan 1",
        "Tar emot två",
    )
    assert employer.author == user
    contact = EmployerContact.objects.get(employer=employer)
    assert (contact.name, contact.title, contact.email) == (
        "Ola Olsson",
        "Handledare",
        "ola@example.com",
    )
    summary = AuditEvent.objects.get(
        pk__gt=before, detail__what="import", detail__kind="arbetsgivare"
    )
    assert summary.action == AuditAction.LIST_IMPORT
    assert (summary.detail["rows"], summary.detail["created"], summary.detail["refused"]) == (
        2,
        1,
        1,
    )


def test_stale_lists_are_removed(personas: Personas, make_batch: MakeBatch) -> None:
    import datetime as dt

    from django.utils import timezone

    old = make_batch([person(1)])
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    fresh = make_batch([person(2)])  # every upload purges
    assert not ImportBatch.objects.filter(pk=old.pk).exists()
    assert ImportBatch.objects.filter(pk=fresh.pk).exists()
