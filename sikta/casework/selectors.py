"""Reads for the caseworker's day: their participants with last contact, next step, alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Exists, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from sikta.casework.models import Goal, GoalFollowUp, JournalEntry, Pause
from sikta.organisation.models import Insats
from sikta.participants.models import Participant


def max_days(insats: Insats) -> int:
    """The longest time per participant, in days (12 months: 365)."""
    return round(insats.max_months_per_participant * 365 / 12)


class AlertText(str):
    """An alert as worded on the start page; `late` when something is overdue (shown in red),
    not when it is only a notice (days left, a pause)."""

    late: bool = True

    def __new__(cls, text: str, *, late: bool = True) -> AlertText:
        found = super().__new__(cls, text)
        found.late = late
        return found


@dataclass
class CaseRow:
    participant: Participant
    days: int
    limit: int
    last_contact: dt.date | None
    next_step: str
    next_step_date: dt.date | None
    alerts: list[AlertText] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)


def with_case_facts(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """Annotate last contact and the next planned step: the same few queries for any number."""
    journal = JournalEntry.objects.filter(participant=OuterRef("pk"), corrected_by__isnull=True)
    next_goal = Goal.objects.filter(
        participant=OuterRef("pk"), status=Goal.Status.ONGOING
    ).order_by(F("target_date").asc(nulls_last=True), "pk")
    from sikta.worktraining.models import Placement

    # Of the ongoing placements, the one longest without a follow-up (its start if none).
    placement_touch = (
        Placement.objects.filter(participant=OuterRef("pk"), status=Placement.Status.ONGOING)
        .annotate(touched=Coalesce(Max("follow_ups__date"), "start_date"))
        .order_by("touched")
        .values("touched")[:1]
    )
    return participants.annotate(
        placement_touched=Subquery(placement_touch),
        last_contact=Subquery(journal.order_by("-date").values("date")[:1]),
        next_step=Subquery(next_goal.values("text")[:1]),
        next_step_date=Subquery(next_goal.values("target_date")[:1]),
    )


def overdue_goals(today: dt.date) -> QuerySet[Goal]:
    """Ongoing goals past their target date with no follow-up since: the start page's alert,
    the worklist's task and the digest's count."""
    followed_up = GoalFollowUp.objects.filter(
        goal=OuterRef("pk"), date__gte=OuterRef("target_date")
    )
    return Goal.objects.filter(status=Goal.Status.ONGOING, target_date__lt=today).exclude(
        Exists(followed_up)
    )


class Alert(StrEnum):
    """Kinds of reminder; the start page words them per row, the e-mail digest counts them."""

    PAST_LIMIT = "past_limit"
    NEAR_LIMIT = "near_limit"
    NO_CONTACT = "no_contact"
    PLACEMENT_QUIET = "placement_quiet"
    GOAL_OVERDUE = "goal_overdue"


def case_rows(
    participants: QuerySet[Participant], insats: Insats, *, today: dt.date | None = None
) -> list[CaseRow]:
    today = today or timezone.localdate()
    limit = max_days(insats)
    quiet = dt.timedelta(weeks=insats.no_contact_weeks)
    placement_quiet = dt.timedelta(weeks=insats.placement_follow_up_weeks)
    rows = []
    facts = list(
        with_case_facts(participants).annotate(
            paused=Exists(Pause.objects.filter(participant=OuterRef("pk"))),
            goal_overdue=Exists(overdue_goals(today).filter(participant=OuterRef("pk"))),
        )
    )
    # Pauses are rare: fetch them only for those who had one, in one query.
    pauses: dict[int, list[Pause]] = {}
    for pause in Pause.objects.filter(participant_id__in=[p.pk for p in facts if p.paused]):
        pauses.setdefault(pause.participant_id, []).append(pause)
    for p in facts:
        # The clock of the one-year limit stands still during pauses.
        days = (today - p.start_date).days - sum(x.days_until(today) for x in pauses.get(p.pk, []))
        row = CaseRow(p, days, limit, p.last_contact, p.next_step or "", p.next_step_date)

        def alert(kind: Alert, text: str, row: CaseRow = row, *, late: bool = True) -> None:
            row.kinds.add(kind)
            row.alerts.append(AlertText(text, late=late))

        if days >= limit:
            alert(Alert.PAST_LIMIT, _("Past the one-year limit"))
        elif days >= limit - insats.limit_warning_days:
            alert(
                Alert.NEAR_LIMIT,
                _("%(days)s days left of the year") % {"days": limit - days},
                late=False,
            )
        since = p.last_contact or p.start_date
        if p.status == Participant.Status.PAUSED:
            row.alerts.append(AlertText(_("Paused"), late=False))
        elif today - since >= quiet:
            weeks = (today - since).days // 7
            alert(Alert.NO_CONTACT, _("No contact for %(weeks)s weeks") % {"weeks": weeks})
        if p.placement_touched and today - p.placement_touched >= placement_quiet:
            weeks = (today - p.placement_touched).days // 7
            alert(
                Alert.PLACEMENT_QUIET,
                _("Work training not followed up for %(weeks)s weeks") % {"weeks": weeks},
            )
        if p.goal_overdue:
            alert(Alert.GOAL_OVERDUE, _("A goal's target date has passed"))
        rows.append(row)
    return rows


def closed_without_exit_survey(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """Discharged participants with no answered exit survey for the enrolment that ended."""
    from sikta.surveys.models import Response

    answered = Response.objects.filter(
        participant=OuterRef("pk"),
        timepoint=Response.Timepoint.EXIT,
        enrolment_start=OuterRef("start_date"),
        completed_at__isnull=False,
    )
    return participants.filter(status=Participant.Status.CLOSED).exclude(Exists(answered))


def closed_without_final_document(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """Participants whose time has ended but who have no signed slutdokumentation."""
    return participants.filter(
        status=Participant.Status.CLOSED, final_documents__isnull=True
    ).order_by("-end_date", "last_name")
