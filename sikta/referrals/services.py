"""Writes to referrals: receiving one, moving it through its statuses, accepting it.

Each service is one transaction that keeps the referral's history (ReferralEvent) and writes the
audit record; e-mails go out only once the transaction has committed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sikta.access.policy import Action, may, staff_of
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record
from sikta.organisation.models import (
    ControllerRule,
    DeclineReason,
    IncomeSource,
    StaffMember,
    Track,
)
from sikta.participants.models import Consent, Enrolment, Participant
from sikta.participants.services import check_caseworker, participant_assign
from sikta.referrals import notifications
from sikta.referrals.models import Referral, ReferralEvent

Status = Referral.Status

# The workflow: mottagen → kallad → bedömd → beslut. A referral that clearly belongs elsewhere
# may be declined or redirected at once; booking a new meeting keeps it "kallad"; it can be
# withdrawn at any open step. Decisions are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset(
        {Status.INVITED, Status.ASSESSED, Status.DECLINED, Status.REDIRECTED, Status.WITHDRAWN}
    ),
    Status.INVITED: frozenset(
        {Status.INVITED, Status.ASSESSED, Status.DECLINED, Status.REDIRECTED, Status.WITHDRAWN}
    ),
    Status.ASSESSED: frozenset(
        {Status.ACCEPTED, Status.DECLINED, Status.REDIRECTED, Status.WITHDRAWN}
    ),
    Status.ACCEPTED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.REDIRECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}
DECISIONS = frozenset({Status.ACCEPTED, Status.DECLINED, Status.REDIRECTED, Status.WITHDRAWN})


class TransitionError(ValueError):
    """A step the workflow does not allow, or one that lacks what it needs."""


class PersonOutOfScope(TransitionError):
    """The person is an active participant the deciding user may not take over."""


def allowed_transitions(referral: Referral) -> frozenset[str]:
    return TRANSITIONS[referral.status]


def _by_name(actor: Actor | None) -> str:
    if actor is None or not actor.user.is_authenticated:
        return ""
    staff = staff_of(actor.user)
    return staff.full_name if staff is not None else actor.user.get_username()


def _event(
    referral: Referral,
    *,
    actor: Actor | None,
    from_status: str,
    note: str = "",
) -> ReferralEvent:
    user = actor.user if actor is not None and actor.user.is_authenticated else None
    return ReferralEvent.objects.create(
        referral=referral,
        by=user,
        by_name=_by_name(actor),
        from_status=from_status,
        to_status=referral.status,
        meeting_at=referral.meeting_at if referral.status == Status.INVITED else None,
        note=note,
    )


@transaction.atomic
def referral_submit(
    *,
    track: Track,
    data: dict[str, Any],
    actor: Actor,
    channel: str = Referral.Channel.WEB,
    token: uuid.UUID | None = None,
    follows: Referral | None = None,
) -> tuple[Referral, bool]:
    """Save a referral from the form's cleaned `data`; (referral, created).

    A second sending of the same form page (same `token`) returns the first referral.
    """
    if token is not None:
        existing = Referral.objects.filter(submission_token=token).first()
        if existing is not None:
            return existing, False
    income_sources: list[IncomeSource] = list(data.get("income_sources", []))
    fields = {name: data[name] for name in _REFERRAL_FIELDS if name in data}
    referral = Referral(
        track=track,
        channel=channel,
        submission_token=token,
        consent_given=True,
        consent_text=track.insats.consent_text,
        registered_by=actor.user if actor.user.is_authenticated else None,
        follows=follows,
        **fields,
    )
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        # The same token raced us in from a second click: that one stands.
        existing = Referral.objects.filter(submission_token=token).first()
        if token is None or existing is None:
            raise
        return existing, False
    referral.income_sources.set(income_sources)
    _event(referral, actor=actor, from_status="")
    audit_record(actor=actor, action=AuditAction.REFERRAL_CREATE, referral=referral)
    # robust: a mail server that is down must not turn a saved referral into an error page.
    transaction.on_commit(lambda: notifications.new_referral(referral), robust=True)
    return referral, True


_REFERRAL_FIELDS = (
    "referrer_organisation",
    "referrer_unit",
    "referrer_name",
    "referrer_email",
    "referrer_phone",
    "personnummer",
    "first_name",
    "last_name",
    "phone",
    "email",
    "kommun",
    "af_status",
    "sick_leave",
    "support_needed",
)


@transaction.atomic
def referral_move(
    *,
    referral: Referral,
    to: str,
    actor: Actor,
    meeting_at: dt.datetime | None = None,
    decline_reason: DeclineReason | None = None,
    note: str = "",
) -> Referral:
    """Move `referral` to status `to`, as the workflow allows; acceptance has its own service."""
    if to == Status.ACCEPTED:
        raise TransitionError("use referral_accept")
    if to == Status.REDIRECTED:
        raise TransitionError("use referral_redirect")
    _check(referral, to)
    if to == Status.INVITED and meeting_at is None:
        raise TransitionError("a meeting needs a time")
    if to == Status.DECLINED and decline_reason is None:
        raise TransitionError("a decision not to accept needs a reason")
    from_status = referral.status
    referral.status = to
    changed = ["status"]
    if to == Status.INVITED:
        referral.meeting_at = meeting_at
        changed.append("meeting_at")
    if to == Status.DECLINED:
        referral.decline_reason = decline_reason
        changed.append("decline_reason")
    if to in DECISIONS:
        referral.decided_at = timezone.now()
        referral.decision_note = note
        changed += ["decided_at", "decision_note"]
    referral.save(update_fields=changed)
    _finish(referral, actor=actor, from_status=from_status, note=note)
    return referral


def _check(referral: Referral, to: str) -> None:
    # Read the status fresh, under a lock: two samordnare deciding at once must not both win.
    current = (
        Referral.objects.select_for_update().values_list("status", flat=True).get(pk=referral.pk)
    )
    if to not in TRANSITIONS[current]:
        raise TransitionError(f"{current} → {to} is not a step of the workflow")
    referral.status = current


def _finish(referral: Referral, *, actor: Actor, from_status: str, note: str) -> None:
    _event(referral, actor=actor, from_status=from_status, note=note)
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_CHANGE,
        referral=referral,
        participant=referral.participant,
        detail={"from": from_status, "to": referral.status},
    )
    if referral.status in DECISIONS:
        transaction.on_commit(lambda: notifications.decision(referral), robust=True)


@transaction.atomic
def referral_redirect(*, referral: Referral, actor: Actor, note: str = "") -> Referral:
    """Decide that the person belongs in the other track: a new referral there, in the queue."""
    _check(referral, Status.REDIRECTED)
    other = referral.track.other()
    if other is None:
        raise TransitionError("there is no other track")
    new = Referral.objects.get(pk=referral.pk)
    new.pk = None
    new._state.adding = True
    new.participant = None
    new.reference = Referral._meta.get_field("reference").get_default()
    new.submission_token = None
    new.track = other
    new.status = Status.RECEIVED
    new.received_at = timezone.now()
    new.meeting_at = None
    new.redirected_to = None
    new.registered_by = actor.user
    new.save()
    new.income_sources.set(referral.income_sources.all())
    _event(new, actor=actor, from_status="", note=note)
    audit_record(actor=actor, action=AuditAction.REFERRAL_CREATE, referral=new)

    from_status = referral.status
    referral.status = Status.REDIRECTED
    referral.redirected_to = new
    referral.decided_at = timezone.now()
    referral.decision_note = note
    referral.save(update_fields=["status", "redirected_to", "decided_at", "decision_note"])
    _finish(referral, actor=actor, from_status=from_status, note=note)
    return new


@transaction.atomic
def referral_accept(
    *,
    referral: Referral,
    caseworker: StaffMember,
    start_date: dt.date,
    actor: Actor,
    note: str = "",
    finsam: bool = False,
    protected: bool = False,
) -> Participant:
    """Accept: enrol the person (inskrivning), record their consent, assign the caseworker.

    `finsam`: the person also consented to registration in Uppföljning Finsam.
    `protected`: the person has protected identity (skyddad identitet); an existing mark is
    never removed by accepting."""
    _check(referral, Status.ACCEPTED)
    # The person's participation in this insats, if there is one (in another insats they have
    # a record of their own there).
    insats = referral.track.insats
    participant = (
        Participant.objects.select_for_update()
        .filter(insats=insats, personnummer=referral.personnummer)
        .first()
    )
    created = participant is None
    if participant is None:
        participant = Participant(personnummer=referral.personnummer, insats=insats)
    active = not created and participant.status in Participant.ENROLLED
    if active and not may(actor.user, Action.CHANGE_PARTICIPANT, participant):
        # Someone else's active case (another länsdel): not to be taken over by accepting.
        raise PersonOutOfScope

    participant.first_name = referral.first_name
    participant.last_name = referral.last_name
    participant.phone = referral.phone or participant.phone
    participant.email = referral.email or participant.email
    participant.kommun = referral.kommun
    participant.track = referral.track
    # The controller of the record: the member party that works such cases (organisation data).
    participant.controller = (
        ControllerRule.objects.controller_for(insats, referral.track, referral.kommun.lansdel)
        or participant.controller
    )
    if not active:
        # A new enrolment. An active participant (e.g. moving from koordinering to coachning)
        # keeps the start of their time in the programme (and their enrolment).
        participant.start_date = start_date
        participant.end_date = None
        participant.status = Participant.Status.ACTIVE
    check_caseworker(participant, caseworker)
    newly_protected = protected and not participant.protected_identity
    if newly_protected:
        participant.protected_identity = True
        participant.protected_identity_since = timezone.now()
        participant.protected_identity_by = actor.user
    participant.save()
    if not active:
        # Its own enrolment record: an earlier one (ended by its exit) stays as it was.
        Enrolment.objects.create(
            participant=participant, track=referral.track, referral=referral, start_date=start_date
        )
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_CREATE if created else AuditAction.PARTICIPANT_CHANGE,
        participant=participant,
        referral=referral,
    )
    Consent.objects.create(
        participant=participant,
        text=referral.consent_text,
        given_on=timezone.localdate(referral.received_at),
        recorded_by=actor.user,
        referral=referral,
        finsam=finsam,
    )
    if newly_protected:
        audit_record(
            actor=actor,
            action=AuditAction.PARTICIPANT_PROTECTION,
            participant=participant,
            referral=referral,
            detail={"op": "mark"},
        )
    participant_assign(participant=participant, staff=caseworker, actor=actor, note=note)

    from_status = referral.status
    referral.status = Status.ACCEPTED
    referral.participant = participant
    referral.decided_at = timezone.now()
    referral.decision_note = note
    referral.save(update_fields=["status", "participant", "decided_at", "decision_note"])
    _finish(referral, actor=actor, from_status=from_status, note=note)
    return participant
