"""Writing Uppföljning Finsam's marks: registered at the start, de-registered at the end, and
the education level the service asks. Each writes its one audit record; the view only parses
the form and shows the outcome."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record
from sikta.finsam.models import Registration
from sikta.organisation.models import EducationLevel
from sikta.participants.models import Participant


class NotDischarged(Exception):
    """Only a discharged participant is de-registered."""


class AlreadyMarked(Exception):
    """The mark is there already (another tab, a double click)."""


def registration_mark(
    *, participant: Participant, kind: str, registered_on: dt.date, actor: Actor
) -> Registration:
    """Mark the participant's current enrolment as registered (start) or de-registered (end)
    in Uppföljning Finsam."""
    if kind == Registration.Kind.END and participant.status != Participant.Status.CLOSED:
        raise NotDischarged
    user = actor.user
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                participant=participant,
                kind=kind,
                period_start=participant.start_date,
                registered_on=registered_on,
                recorded_by=user,
                recorded_by_name=user.get_full_name() or user.get_username(),
            )
            audit_record(
                actor=actor,
                action=AuditAction.PARTICIPANT_CHANGE,
                participant=participant,
                detail={"finsam": kind, "registered_on": str(registered_on)},
            )
    except IntegrityError as exc:
        raise AlreadyMarked from exc
    return registration


@transaction.atomic
def registration_unmark(*, participant: Participant, kind: str, actor: Actor) -> bool:
    """Undo a mark made by mistake (the audit log keeps both); False if there was none."""
    deleted, _n = Registration.objects.filter(
        participant=participant, kind=kind, period_start=participant.start_date
    ).delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.PARTICIPANT_CHANGE,
            participant=participant,
            detail={"finsam": kind, "undone": True},
        )
    return bool(deleted)


@transaction.atomic
def education_set(*, participant: Participant, level: EducationLevel, actor: Actor) -> None:
    participant.education_level = level
    participant.save(update_fields=["education_level"])
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_CHANGE,
        participant=participant,
        detail={"education_level": level.code},
    )
