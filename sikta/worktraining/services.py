"""Writes to the employer register and to placements, each with its audit record."""

from __future__ import annotations

from django.db import transaction

from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_change, audit_record
from sikta.casework.services import authored_by
from sikta.participants.models import Participant
from sikta.worktraining.forms import (
    ContactForm,
    EmployerForm,
    PlacementFollowUpForm,
    PlacementForm,
)
from sikta.worktraining.models import Employer, EmployerContact, Placement, PlacementFollowUp


@transaction.atomic
def employer_save(*, form: EmployerForm, actor: Actor) -> Employer:
    """Create or change an employer from a valid form."""
    employer = form.save(commit=False)
    if employer.pk is None:
        for name, value in authored_by(actor).items():
            setattr(employer, name, value)
    employer.save()
    audit_record(
        actor=actor,
        action=AuditAction.EMPLOYER_CHANGE,
        detail={"employer": employer.pk, "fields": sorted(form.changed_data)},
    )
    return employer


@transaction.atomic
def contact_add(*, employer: Employer, form: ContactForm, actor: Actor) -> EmployerContact:
    contact = form.save(commit=False)
    contact.employer = employer
    contact.save()
    audit_record(
        actor=actor,
        action=AuditAction.EMPLOYER_CHANGE,
        detail={"employer": employer.pk, "contact": contact.pk},
    )
    return contact


@transaction.atomic
def placement_save(*, participant: Participant, form: PlacementForm, actor: Actor) -> Placement:
    """Create or change a placement of `participant` from a valid form."""
    placement = form.save(commit=False)
    if placement.pk is None:
        placement.participant = participant
        for name, value in authored_by(actor).items():
            setattr(placement, name, value)
    placement.save()
    audit_change(
        actor, participant, "placement", placement=placement.pk, fields=sorted(form.changed_data)
    )
    return placement


@transaction.atomic
def placement_follow_up(
    *, placement: Placement, form: PlacementFollowUpForm, actor: Actor
) -> PlacementFollowUp:
    follow_up = form.save(commit=False)
    follow_up.placement = placement
    for name, value in authored_by(actor).items():
        setattr(follow_up, name, value)
    follow_up.save()
    audit_change(actor, placement.participant, "placement follow-up", placement=placement.pk)
    return follow_up
