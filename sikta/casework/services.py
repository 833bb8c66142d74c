"""Writes of case work. Each is one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from sikta.access.policy import staff_of
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_change, audit_record
from sikta.casework.documents import render_final_document
from sikta.casework.models import (
    Exit,
    FinalDocument,
    Goal,
    GoalFollowUp,
    JournalEntry,
    Mapping,
    Pause,
)
from sikta.participants.models import Enrolment, Participant


class EditConflict(Exception):
    """Someone else saved first; the caller shows both versions and keeps what was typed."""


def authored_by(actor: Actor) -> dict[str, Any]:
    staff = staff_of(actor.user)
    name = staff.full_name if staff is not None else actor.user.get_username()
    return {"author": actor.user, "author_name": name}


def latest_mapping(participant: Participant) -> Mapping | None:
    return participant.mappings.order_by("-version").first()


@transaction.atomic
def mapping_save(
    *,
    participant: Participant,
    answers: dict[str, str],
    based_on: int | None,
    actor: Actor,
) -> Mapping:
    """Save a new version of the kartläggning; the earlier ones stay as they were.

    `based_on` is the version the form showed; if another has been saved since, EditConflict.
    """
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    latest = participant.mappings.aggregate(v=Max("version"))["v"]
    if latest != based_on:
        raise EditConflict
    template = participant.track.mapping_template
    mapping = Mapping.objects.create(
        participant=participant,
        version=(latest or 0) + 1,
        track=participant.track,
        answers=[
            {"key": item["key"], "label": item["label"], "text": answers.get(item["key"], "")}
            for item in template
        ],
        **authored_by(actor),
    )
    audit_change(actor, participant, "kartläggning", version=mapping.version)
    return mapping


GOAL_FIELDS = ("text", "area", "own_words", "target_date", "status")


@transaction.atomic
def goal_create(*, participant: Participant, data: dict[str, Any], actor: Actor) -> Goal:
    goal = Goal.objects.create(
        participant=participant,
        **{f: data[f] for f in GOAL_FIELDS if f in data},
        **authored_by(actor),
    )
    audit_change(actor, participant, "goal", goal=goal.pk)
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, data: dict[str, Any], version: int, actor: Actor) -> Goal:
    """Change a goal, if nobody has changed it since `version` was read; else EditConflict."""
    values = {f: data[f] for f in GOAL_FIELDS if f in data}
    updated = Goal.objects.filter(pk=goal.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise EditConflict
    goal.refresh_from_db()
    audit_change(actor, goal.participant, "goal", goal=goal.pk, version=goal.version)
    return goal


@transaction.atomic
def goal_follow_up(*, goal: Goal, date: dt.date, note: str, actor: Actor) -> GoalFollowUp:
    follow_up = GoalFollowUp.objects.create(goal=goal, date=date, note=note, **authored_by(actor))
    audit_change(actor, goal.participant, "goal follow-up", goal=goal.pk)
    return follow_up


JOURNAL_FIELDS = ("date", "kind", "duration_minutes", "note")


@transaction.atomic
def journal_add(*, participant: Participant, data: dict[str, Any], actor: Actor) -> JournalEntry:
    entry = JournalEntry.objects.create(
        participant=participant, **{f: data[f] for f in JOURNAL_FIELDS}, **authored_by(actor)
    )
    audit_change(actor, participant, "journal", entry=entry.pk)
    return entry


@transaction.atomic
def journal_correct(*, entry: JournalEntry, data: dict[str, Any], actor: Actor) -> JournalEntry:
    """Correct an entry: the correction takes its place, the earlier text stays readable."""
    locked = JournalEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.corrected_by_id is not None:
        raise EditConflict
    correction = JournalEntry.objects.create(
        participant=entry.participant,
        **{f: data[f] for f in JOURNAL_FIELDS},
        **authored_by(actor),
    )
    locked.corrected_by = correction
    locked.save(update_fields=["corrected_by"])
    audit_change(actor, entry.participant, "journal correction", entry=entry.pk, by=correction.pk)
    return correction


@transaction.atomic
def participant_exit(*, participant: Participant, data: dict[str, Any], actor: Actor) -> Exit:
    """Utskrivning: record the outcome and close the participant's time in the programme."""
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    if locked.status not in Participant.ENROLLED:
        raise EditConflict
    # The enrolment it ends (one made before enrolments were kept is recorded now).
    enrolment = participant.enrolments.filter(end_date__isnull=True).first() or Enrolment(
        participant=participant, track=participant.track, start_date=participant.start_date
    )
    enrolment.end_date = max(data["end_date"], enrolment.start_date)
    enrolment.save()
    exit_ = Exit.objects.create(
        participant=participant,
        enrolment=enrolment,
        start_date=enrolment.start_date,
        end_date=data["end_date"],
        outcome=data["outcome"],
        occupation_after=data.get("occupation_after", ""),
        care_contacts=data.get("care_contacts", ""),
        note=data.get("note", ""),
        **authored_by(actor),
    )
    exit_.income_after.set(data.get("income_after", []))
    participant.pauses.filter(end_date__isnull=True).update(end_date=data["end_date"])
    placements_close(participant=participant, on=data["end_date"])
    participant.status = Participant.Status.CLOSED
    participant.end_date = data["end_date"]
    participant.save(update_fields=["status", "end_date"])
    end = timezone.make_aware(dt.datetime.combine(data["end_date"], dt.time(23, 59)))
    participant.assignments.filter(ended_at__isnull=True).update(ended_at=end)
    audit_change(actor, participant, "exit", outcome=exit_.outcome.code)
    return exit_


def placements_closing(participant: Participant, on: dt.date) -> dict[str, list[Any]]:
    """What an exit on `on` does to the participant's open placements: those begun by then
    end with the time in the programme; those that would begin later are cancelled."""
    from sikta.worktraining.models import Placement

    open_placements = participant.placements.exclude(status__in=Placement.CLOSED).select_related(
        "employer"
    )
    closing: dict[str, list[Any]] = {"ended": [], "cancelled": []}
    for placement in open_placements:
        closing["cancelled" if placement.start_date > on else "ended"].append(placement)
    return closing


def placements_close(*, participant: Participant, on: dt.date) -> None:
    """Close the open placements as `placements_closing` says (within the caller's transaction).

    A placement never ends before it began (the database refuses it): one that has not begun
    by `on` is cancelled and keeps its planned dates.
    """
    from sikta.worktraining.models import Placement

    closing = placements_closing(participant, on)
    ended = [p.pk for p in closing["ended"]]
    Placement.objects.filter(pk__in=ended).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=on)
    ).update(end_date=on)
    Placement.objects.filter(pk__in=ended).update(status=Placement.Status.ENDED)
    Placement.objects.filter(pk__in=[p.pk for p in closing["cancelled"]]).update(
        status=Placement.Status.CANCELLED
    )


def final_document_preview(
    *, participant: Participant, texts: dict[str, str], actor: Actor
) -> bytes:
    """A draft of the slutdokumentation; nothing is kept but the record that it was made."""
    pdf = render_final_document(participant, texts, authored_by(actor)["author_name"])
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_EXPORT,
        participant=participant,
        detail={"what": "final document draft"},
    )
    return pdf


@transaction.atomic
def final_document_sign(
    *, participant: Participant, texts: dict[str, str], actor: Actor
) -> FinalDocument:
    """Sign the slutdokumentation: the PDF is made once and kept as it was signed."""
    author = authored_by(actor)
    document = FinalDocument.objects.create(
        participant=participant,
        pdf=render_final_document(participant, texts, author["author_name"]),
        **texts,
        **author,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_EXPORT,
        participant=participant,
        detail={"what": "final document", "document": document.pk},
    )
    return document


@transaction.atomic
def final_document_handed(
    *, document: FinalDocument, dates: dict[str, Any], actor: Actor
) -> FinalDocument:
    """Record when the document was handed to the participant and to the handläggare."""
    for name in ("handed_to_participant_on", "handed_to_referrer_on"):
        setattr(document, name, dates.get(name))
    document.save(update_fields=["handed_to_participant_on", "handed_to_referrer_on"])
    audit_change(actor, document.participant, "final document handed", document=document.pk)
    return document


@transaction.atomic
def pause_start(
    *, participant: Participant, start_date: dt.date, reason: str, actor: Actor
) -> Pause:
    """Pause an active participant's time; the one-year clock stops until it resumes."""
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    if locked.status != Participant.Status.ACTIVE:
        raise EditConflict
    pause = Pause.objects.create(
        participant=participant, start_date=start_date, reason=reason, **authored_by(actor)
    )
    participant.status = Participant.Status.PAUSED
    participant.save(update_fields=["status"])
    audit_change(actor, participant, "pause", pause=pause.pk)
    return pause


@transaction.atomic
def pause_end(*, participant: Participant, end_date: dt.date, actor: Actor) -> Pause:
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    pause = participant.pauses.filter(end_date__isnull=True).last()
    if locked.status != Participant.Status.PAUSED or pause is None:
        raise EditConflict
    if end_date < pause.start_date:
        raise ValueError("a pause cannot end before it began")
    pause.end_date = end_date
    pause.save(update_fields=["end_date"])
    participant.status = Participant.Status.ACTIVE
    participant.save(update_fields=["status"])
    audit_change(actor, participant, "resume", pause=pause.pk)
    return pause
