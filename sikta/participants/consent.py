"""Recording a participant's consent and its withdrawal. Each write is one transaction with
its audit record.

A consent record is never rewritten to say less than was given. Withdrawing every purpose ends
the record (withdrawn_on); withdrawing some ends it too and starts a new record, from the day of
the withdrawal, with the purposes that remain — so the history shows what held on which day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record
from sikta.participants.models import Consent, Participant

PURPOSES = ("processing", "finsam", "contact_organisations")


def consent_purposes(consent: Consent) -> list[str]:
    """The purposes `consent` covers, by field name."""
    return [name for name in PURPOSES if getattr(consent, name)]


@transaction.atomic
def consent_record(*, participant: Participant, data: dict[str, Any], actor: Actor) -> Consent:
    """Record a consent the participant gave (on paper, orally, or on the web form)."""
    consent = Consent.objects.create(
        participant=participant,
        text=data["text"],
        given_on=data["given_on"],
        how=data["how"],
        processing=data["processing"],
        finsam=data["finsam"],
        contact_organisations=data["contact_organisations"],
        recorded_by=actor.user,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_CHANGE,
        participant=participant,
        detail={"consent": "given", "id": consent.pk, "purposes": consent_purposes(consent)},
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    consent: Consent,
    purposes: list[str],
    withdrawn_on: dt.date,
    note: str,
    actor: Actor,
) -> Consent | None:
    """Withdraw `purposes` of `consent` from `withdrawn_on`; returns the consent that remains."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        return None  # withdrawn a moment ago by someone else
    remaining = [p for p in consent_purposes(consent) if p not in purposes]
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_note = note
    consent.withdrawn_recorded_by = actor.user
    consent.save(update_fields=["withdrawn_on", "withdrawn_note", "withdrawn_recorded_by"])
    successor = None
    if remaining:
        successor = Consent.objects.create(
            participant=consent.participant,
            text=consent.text,
            given_on=withdrawn_on,
            how=consent.how,
            referral=consent.referral,
            recorded_by=actor.user,
            processing="processing" in remaining,
            finsam="finsam" in remaining,
            contact_organisations=(
                consent.contact_organisations if "contact_organisations" in remaining else ""
            ),
        )
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_CHANGE,
        participant=consent.participant,
        detail={
            "consent": "withdrawn",
            "id": consent.pk,
            "purposes": [p for p in consent_purposes(consent) if p not in remaining],
            "remaining": remaining,
        },
    )
    return successor
