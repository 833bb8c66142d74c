"""Writes to participants. Each is one transaction that also writes the audit record."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from sikta.audit.models import PROTECTED_FLAG, AuditAction
from sikta.audit.services import Actor, audit_record
from sikta.organisation.models import StaffMember
from sikta.participants.models import Assignment, Participant


class AssignmentError(ValueError):
    pass


def check_caseworker(participant: Participant, staff: StaffMember) -> None:
    """A case goes to an active coach (coachning) or koordinator (koordinering) of its länsdel."""
    if not staff.is_active or staff.role.code != participant.track.caseworker_role:
        raise AssignmentError(participant.track.get_caseworker_role_display())
    if staff.insats_id != participant.insats_id:
        raise AssignmentError(participant.insats.name)
    if staff.lansdel_id != participant.kommun.lansdel_id:
        lansdel = participant.kommun.lansdel
        raise AssignmentError(lansdel.label if lansdel else participant.insats.name)


@transaction.atomic
def participant_assign(
    *, participant: Participant, staff: StaffMember, actor: Actor, note: str = ""
) -> Assignment:
    """Make `staff` responsible for `participant`; the previous assignment is ended, not lost."""
    check_caseworker(participant, staff)
    # One open assignment at a time, even if two people reassign at once.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    now = timezone.now()
    previous = participant.assigned_to_id
    participant.assignments.filter(ended_at__isnull=True).update(ended_at=now)
    assignment = Assignment.objects.create(
        participant=participant,
        staff=staff,
        track=participant.track,
        started_at=now,
        assigned_by=actor.user,
        note=note,
    )
    participant.assigned_to = staff
    participant.save(update_fields=["assigned_to"])
    detail: dict[str, Any] = {"from_staff": previous, "to_staff": staff.pk}
    if note:
        detail["note"] = note
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_ASSIGN,
        participant=participant,
        detail=detail,
    )
    return assignment


@transaction.atomic
def participant_protection(
    *, participant: Participant, protect: bool, actor: Actor, note: str = ""
) -> Participant:
    """Mark `participant` as having protected identity, or remove the mark; audited, with who
    and why. From the mark on, every audit record about them carries the protected flag."""
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    participant.protected_identity = protect
    participant.protected_identity_since = timezone.now() if protect else None
    participant.protected_identity_by = actor.user
    participant.save(
        update_fields=["protected_identity", "protected_identity_since", "protected_identity_by"]
    )
    detail: dict[str, Any] = {"op": "mark" if protect else "unmark"}
    if not protect:
        detail[PROTECTED_FLAG] = True  # protected until this very record
    if note:
        detail["note"] = note
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_PROTECTION,
        participant=participant,
        detail=detail,
    )
    return participant
