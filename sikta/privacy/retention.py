"""Gallring: closed participants' records are removed a set time after the last entry about them.

The time is the record's controller's `retention_years` (each member party keeps the records
it is personuppgiftsansvarig for by its own document management plan), else the programme's
(five by default), after the last entry, rounded to the end of the following calendar year: a
last entry on 10 March 2020 is kept five years until 31 December 2026 and removed after it.
Only closed participants are ever removed. Before a record goes, a person-free
`RemovedParticipant` row keeps what the statistics count, and an audit record says that the
removal happened (the audit log keeps its rows about the removed participant).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Count, DateField, DateTimeField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate

from sikta.audit.models import AuditAction
from sikta.audit.services import audit_record
from sikta.casework.models import (
    Exit,
    FinalDocument,
    Goal,
    GoalFollowUp,
    JournalEntry,
    Mapping,
    Pause,
)
from sikta.finsam.models import Registration
from sikta.groups.models import Attendance
from sikta.organisation.models import Insats, MemberParty
from sikta.participants.models import Assignment, Consent, Participant
from sikta.privacy.models import RemovedParticipant
from sikta.referrals.models import Referral
from sikta.surveys.models import Response
from sikta.worktraining.models import Placement, PlacementFollowUp

DEFAULT_RETENTION_YEARS = 5

# Every dated thing about a participant: (model, path from it to the participant, fields).
_DATED: list[tuple[type[models.Model], str, tuple[str, ...]]] = [
    (JournalEntry, "participant", ("date", "created_at")),
    (Exit, "participant", ("end_date", "created_at")),
    (Goal, "participant", ("updated_at", "created_at", "target_date")),
    (GoalFollowUp, "goal__participant", ("date", "created_at")),
    (Mapping, "participant", ("created_at",)),
    (FinalDocument, "participant", ("signed_at", "handed_to_participant_on")),
    (Pause, "participant", ("start_date", "end_date")),
    (Placement, "participant", ("start_date", "end_date", "created_at")),
    (PlacementFollowUp, "placement__participant", ("date", "created_at")),
    (Response, "participant", ("created_at", "completed_at")),
    (Registration, "participant", ("registered_on", "recorded_at")),
    (Attendance, "participant", ("session__date",)),
    (Assignment, "participant", ("started_at", "ended_at")),
    (Consent, "participant", ("given_on", "withdrawn_on")),
    (Referral, "participant", ("received_at", "decided_at")),
    # A referral for the same person not (yet) linked to the record, e.g. a new one.
    (Referral, "personnummer", ("received_at", "decided_at")),
]


def retention_due(last_entry: dt.date, years: int) -> dt.date:
    """The last day the record is kept: `years` after `last_entry`, to the end of the next year."""
    return dt.date(last_entry.year + years + 1, 12, 31)


def retention_years() -> int:
    """The longest time any insats or controller keeps closed records (for what no record
    of its own says)."""
    times = [
        *Insats.objects.values_list("retention_years", flat=True),
        *MemberParty.objects.exclude(retention_years=None).values_list(
            "retention_years", flat=True
        ),
    ]
    return max(times, default=None) or DEFAULT_RETENTION_YEARS


def with_retention(participants: models.QuerySet[Participant]) -> models.QuerySet[Participant]:
    """Annotate `retention`: how many years each record is kept — its controller's time
    (personuppgiftsansvarig: each member party keeps its records by its own document
    management plan), else its insats's."""
    return participants.annotate(
        retention=Coalesce(
            "controller__retention_years",
            "insats__retention_years",
            models.Value(DEFAULT_RETENTION_YEARS),
        )
    )


def _as_date(model: type[models.Model], path: str) -> Any:
    field: Any = model._meta.get_field(path.split("__")[0])
    for part in path.split("__")[1:]:
        field = field.related_model._meta.get_field(part)
    return TruncDate(path) if isinstance(field, DateTimeField) else models.F(path)


def _latest(model: type[models.Model], link: str, path: str) -> Subquery:
    outer = "personnummer" if link == "personnummer" else "pk"
    rows = model._default_manager.filter(**{link: OuterRef(outer)}).order_by()
    return Subquery(
        rows.values(link).annotate(latest=Max(_as_date(model, path))).values("latest")[:1],
        output_field=DateField(),
    )


def with_last_entry(participants: models.QuerySet[Participant]) -> models.QuerySet[Participant]:
    """Annotate `last_entry`: the latest date of anything about each participant.

    One correlated subquery per dated column rather than joins, which would multiply rows. Each
    falls back to the start date, as SQLite's GREATEST (MAX) is NULL when any argument is.
    """
    floor = models.F("start_date")
    own = [
        floor,
        Coalesce("end_date", floor),
        Coalesce(TruncDate("created_at"), floor, output_field=DateField()),
    ]
    related = [
        Coalesce(_latest(model, link, path), floor, output_field=DateField())
        for model, link, paths in _DATED
        for path in paths
    ]
    return participants.annotate(last_entry=Greatest(*own, *related, output_field=DateField()))


def _cutoff(today: dt.date, years: int) -> dt.date:
    # retention_due(last, years) < today  <=>  last.year + years + 1 < today.year
    return dt.date(today.year - years - 1, 1, 1)


def participants_due(
    today: dt.date, *, years: int | None = None, controller: MemberParty | None = None
) -> models.QuerySet[Participant]:
    """Closed participants whose retention time ended before `today`, oldest first: each by
    its controller's time (or its insats's; `years` overrides both), of one `controller` if
    given."""
    closed = Participant.objects.filter(status=Participant.Status.CLOSED)
    if controller is not None:
        closed = closed.filter(controller=controller)
    due = with_retention(with_last_entry(closed))
    if years is not None:
        ended = Q(last_entry__lt=_cutoff(today, years))
    else:
        # One condition per retention time in use (a handful): portable date arithmetic.
        times = set(with_retention(closed).order_by().values_list("retention", flat=True))
        ended = Q(pk__in=[])
        for time in times:
            ended |= Q(retention=time, last_entry__lt=_cutoff(today, time))
    return due.filter(ended).order_by("last_entry", "pk")


def _age_band(participant: Participant) -> str:
    from sikta.reports.aggregates import AGE_BANDS

    age = participant.age_on(participant.start_date)
    return next(label for years, label in AGE_BANDS if age >= years)


@dataclass
class Removal:
    participant_pk: int
    record: RemovedParticipant
    referrals: int


def participant_remove(
    *, participant_pk: int, today: dt.date, removed_by: str, years: int | None = None
) -> Removal | None:
    """Remove one participant due for gallring; None if they are not (or no longer) due.

    In one transaction: the person-free statistics row, the audit record, then the participant
    with everything about them (cascades) and the decided referrals with their personnummer.
    """
    with transaction.atomic():
        participant = (
            participants_due(today, years=years)
            .select_for_update(of=("self",))
            .filter(pk=participant_pk)
            .first()
        )
        if participant is None:
            return None
        latest_exit = participant.exits.select_related("outcome").order_by("-end_date").first()
        end_date = participant.end_date or (latest_exit.end_date if latest_exit else None)
        record = RemovedParticipant.objects.create(
            removed_by=removed_by,
            gender=participant.personnummer.legal_gender,
            age_band=_age_band(participant),
            kommun_id=participant.kommun_id,
            track_id=participant.track_id,
            start_date=participant.start_date,
            end_date=end_date,
            outcome=latest_exit.outcome if latest_exit else None,
            destination=bool(latest_exit and latest_exit.outcome.destination),
            days_in_programme=max(
                0, ((end_date or participant.start_date) - participant.start_date).days
            ),
        )
        referrals = Referral.objects.filter(
            Q(participant=participant) | Q(personnummer=participant.personnummer)
        ).exclude(status__in=Referral.OPEN_STATUSES)
        audit_record(
            action=AuditAction.PARTICIPANT_CHANGE,
            participant=participant,
            detail={
                "gallring": True,
                "removed_participant": record.pk,
                "by": removed_by,
                "controller": participant.controller.code if participant.controller else None,
                "retention_years": participant.retention,
            },
        )
        # A correction points to the entry it replaces (PROTECT); both go, so unlink first.
        JournalEntry.objects.filter(participant=participant).update(corrected_by=None)
        removed_referrals, _ = referrals.delete()
        participant.delete()
    return Removal(participant_pk=participant_pk, record=record, referrals=removed_referrals)


def removed_counts(period: tuple[dt.date, dt.date]) -> dict[str, Any]:
    """What removed participants add to the dashboard's exit figures for `period` (by end date).

    The dashboard counts exits of participants still in the database; adding these keeps its
    totals unchanged after gallring.
    """
    rows = RemovedParticipant.objects.filter(end_date__range=period)
    totals = rows.aggregate(
        exits=Count("pk", filter=Q(outcome__isnull=False)),
        destination=Count("pk", filter=Q(destination=True)),
    )
    by_outcome = dict(
        rows.filter(outcome__isnull=False)
        .values_list("outcome__code")
        .annotate(n=Count("pk"))
        .values_list("outcome__code", "n")
    )
    return {**totals, "by_outcome": by_outcome}
