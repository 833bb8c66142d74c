"""Writes to the activity plan, each with its audit record.

Each is audited as AuditAction.ACTIVITY_CHANGE; the detail says what was done ("what") and to
which activity and file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from sikta.access.policy import staff_of
from sikta.activities.forms import ActivityForm
from sikta.activities.models import Activity, Minutes
from sikta.activities.uploads import CheckedFile
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record
from sikta.organisation.models import Insats

AUDIT_ACTION = AuditAction.ACTIVITY_CHANGE


def _name(actor: Actor) -> str:
    staff = staff_of(actor.user)
    return staff.full_name if staff is not None else actor.user.get_username()


def _audit(actor: Actor, what: str, activity: Activity, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=AUDIT_ACTION,
        detail={"what": what, "activity": activity.pk, **detail},
    )


def _add_minutes(
    *, activity: Activity, files: Iterable[CheckedFile], actor: Actor
) -> list[Minutes]:
    added = []
    for file in files:
        minutes = Minutes.objects.create(
            activity=activity,
            content=file.content,
            filename=file.filename,
            content_type=file.content_type,
            size=file.size,
            sha256=file.sha256,
            uploaded_by=actor.user,
            uploaded_by_name=_name(actor),
        )
        _audit(
            actor,
            "minutes.upload",
            activity,
            minutes=minutes.pk,
            filename=file.filename,
            size=file.size,
            sha256=file.sha256,
        )
        added.append(minutes)
    return added


@transaction.atomic
def activity_save(*, form: ActivityForm, actor: Actor, insats: Insats | None = None) -> Activity:
    """Create (in `insats`) or change an activity from a valid form, with any minutes in it."""
    activity = form.save(commit=False)
    created = activity.pk is None
    if created:
        assert insats is not None
        activity.insats = insats
        activity.author = actor.user
        activity.author_name = _name(actor)
    activity.save()
    _audit(
        actor,
        "activity.create" if created else "activity.change",
        activity,
        fields=sorted(name for name in form.changed_data if name != "minutes"),
    )
    _add_minutes(activity=activity, files=form.cleaned_data.get("minutes") or [], actor=actor)
    return activity


@transaction.atomic
def activity_mark_held(
    *,
    activity: Activity,
    held_date: dt.date,
    files: Iterable[CheckedFile],
    actor: Actor,
) -> Activity:
    activity.status = Activity.Status.HELD
    activity.held_date = held_date
    activity.save(update_fields=["status", "held_date", "changed_at"])
    _audit(actor, "activity.held", activity, held_date=str(held_date))
    _add_minutes(activity=activity, files=files, actor=actor)
    return activity


@transaction.atomic
def minutes_add(*, activity: Activity, files: Iterable[CheckedFile], actor: Actor) -> list[Minutes]:
    return _add_minutes(activity=activity, files=files, actor=actor)


@transaction.atomic
def minutes_delete(*, minutes: Minutes, actor: Actor) -> None:
    """Take away a file uploaded by mistake; the log keeps its name and checksum."""
    _audit(
        actor,
        "minutes.delete",
        minutes.activity,
        minutes=minutes.pk,
        filename=minutes.filename,
        size=minutes.size,
        sha256=minutes.sha256,
    )
    minutes.delete()
