"""Handing over a caseload: a caseworker's participants, and their coming meetings, move to
others in one step, with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from sikta.audit.services import Actor
from sikta.bookings.services import bookings_hand_over, reaches, tell_new_contact
from sikta.organisation.models import StaffMember
from sikta.participants.models import Participant
from sikta.participants.services import participant_assign


@dataclass(frozen=True)
class Move:
    participant: Participant
    to: StaffMember


@dataclass
class HandOver:
    moved: int = 0
    bookings: int = 0
    told: int = 0
    # Participants who chose no way of being reached: the new contact person calls them.
    not_told: list[Participant] = field(default_factory=list)


@transaction.atomic
def caseload_hand_over(*, moves: list[Move], reason: str, actor: Actor) -> HandOver:
    """Move each participant to their new caseworker, all or none: the assignment history and
    the audit log get a record per participant (with the reason), their coming meetings go
    along, and each participant is told who their new contact person is."""
    result = HandOver()
    for move in moves:
        assignment = participant_assign(
            participant=move.participant, staff=move.to, actor=actor, note=reason
        )
        moved = bookings_hand_over(participant=move.participant, to=move.to)
        result.moved += 1
        result.bookings += moved
        if reaches(move.participant):
            tell_new_contact(
                participant=move.participant,
                staff=move.to,
                key=f"assignment:{assignment.pk}",
                keeps_bookings=moved > 0,
            )
            result.told += 1
        else:
            result.not_told.append(move.participant)
    return result
