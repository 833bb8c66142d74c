"""Writes to group activities. Attendance writes the participant's journal entry."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sikta.access.policy import insats_of
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record
from sikta.casework import services as casework
from sikta.casework.models import JournalEntry
from sikta.groups.forms import GroupForm, SessionForm
from sikta.groups.models import Attendance, Group, Session
from sikta.participants.models import Participant


@transaction.atomic
def group_save(*, form: GroupForm, actor: Actor) -> Group:
    group = form.save(commit=False)
    if group.pk is None:
        group.insats = insats_of(actor.user)
        for name, value in casework.authored_by(actor).items():
            setattr(group, name, value)
    group.save()
    form.save_m2m()
    return group


@transaction.atomic
def session_add(*, group: Group, form: SessionForm, actor: Actor) -> Session:
    session = form.save(commit=False)
    session.group = group
    session.save()
    return session


@transaction.atomic
def members_add(*, group: Group, participants: list[Participant], actor: Actor) -> None:
    group.members.add(*participants)
    for participant in participants:
        audit_record(
            actor=actor,
            action=AuditAction.PARTICIPANT_CHANGE,
            participant=participant,
            detail={"what": "group member", "group": group.pk},
        )


def _note(session: Session, *, came: bool = True) -> str:
    """The journal text, in the programme's language whatever the user's (it is kept)."""
    topic = f": {session.topic}" if session.topic else ""
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Group activity %(group)s%(topic)s.") % {
            "group": session.group.name,
            "topic": topic,
        }
        return note if came else _("Did not attend: %(note)s") % {"note": note}


@transaction.atomic
def attendance_save(*, session: Session, present: set[int], actor: Actor) -> int:
    """Record who came. A participant who came gets a journal entry; one marked absent after
    all gets that entry corrected, so the journal keeps what was first written."""
    changed = 0
    existing = {a.participant_id: a for a in session.attendance.select_related("journal_entry")}
    for participant in session.group.members.all():
        came = participant.pk in present
        record = existing.get(participant.pk)
        if record is not None and record.present == came:
            continue
        if record is None:
            record = Attendance(session=session, participant=participant, present=came)
        record.present = came
        entry = record.journal_entry
        if came and entry is None:
            record.journal_entry = casework.journal_add(
                participant=participant,
                data={
                    "date": session.date,
                    "kind": JournalEntry.Kind.GROUP,
                    "duration_minutes": session.duration_minutes,
                    "note": _note(session),
                },
                actor=actor,
            )
        elif entry is not None:
            text = _note(session, came=came)
            casework.journal_correct(
                entry=entry.newest(),
                data={
                    "date": session.date,
                    "kind": JournalEntry.Kind.GROUP,
                    "duration_minutes": session.duration_minutes if came else None,
                    "note": text,
                },
                actor=actor,
            )
        record.save()
        changed += 1
    return changed
