"""What is due: each kind of task on the worklist ("Att göra"), as one query in the database.

Each kind is given the participants (or referrals) to look among — already narrowed by the
access policy — and returns the rows that are due on `today`, each annotated with its due
date (`w_due`). The thresholds are the insats's, the same the start page and the e-mail digest
use: weeks without contact, weeks without a follow-up of work training, days of warning before
the longest time; the days a referral may wait is `SIKTA_REFERRAL_WAIT_DAYS`.

Shared by the worklist page, the bulk survey reminder (which re-checks with it what was
selected) and the weekly e-mail digest (sikta.worklists.digest).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import NotSupportedError
from django.db.models import (
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.bookings.models import Booking
from sikta.casework.models import Goal, JournalEntry, Pause
from sikta.casework.selectors import closed_without_exit_survey, max_days, overdue_goals
from sikta.organisation.models import Insats
from sikta.participants.models import Participant, ParticipantQuerySet
from sikta.referrals.models import Referral
from sikta.surveys.models import Response
from sikta.worktraining.models import Placement, PlacementFollowUp


class Kind(StrEnum):
    """The kinds of task, in the order the summary shows them; the values are the `typ`
    filter of the page's address."""

    PLACEMENT = "arbetstraning"
    GOAL = "mal"
    NO_CONTACT = "kontakt"
    LIMIT = "ettarsgrans"
    START_SURVEY = "startenkat"
    EXIT_SURVEY = "slutenkat"
    BOOKING = "bokning"
    REFERRAL = "aktualisering"


LABELS = {
    Kind.PLACEMENT: _("Work training to follow up"),
    Kind.GOAL: _("Goals without follow-up"),
    Kind.NO_CONTACT: _("No contact for a while"),
    Kind.LIMIT: _("One-year limit"),
    Kind.START_SURVEY: _("Start survey not answered"),
    Kind.EXIT_SURVEY: _("Exit survey not answered"),
    Kind.BOOKING: _("Meetings without outcome"),
    Kind.REFERRAL: _("Referrals waiting for a decision"),
}
SURVEY_KINDS = (Kind.START_SURVEY, Kind.EXIT_SURVEY)


class _DateArithmetic(Func):
    """Date arithmetic written out per database: Django's own (date + interval) gives a
    timestamp whose date shifts with the time zone on PostgreSQL."""

    def _compiled(self, compiler: Any) -> list[tuple[str, list[Any]]]:
        return [
            (sql, list(params))
            for sql, params in map(compiler.compile, self.get_source_expressions())
        ]

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        raise NotSupportedError(f"{type(self).__name__} is written for SQLite and PostgreSQL")


class AddDays(_DateArithmetic):
    """A date plus a number of days (an int or an integer expression), as a date."""

    output_field = DateField()

    def __init__(self, date: Any, days: Any) -> None:
        super().__init__(date, Value(days) if isinstance(days, int) else days)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (date, date_params), (days, days_params) = self._compiled(compiler)
        return f"date(julianday({date}) + ({days}))", [*date_params, *days_params]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (date, date_params), (days, days_params) = self._compiled(compiler)
        return f"(({date})::date + ({days})::integer)", [*date_params, *days_params]


class DaysBetween(_DateArithmetic):
    """Whole days from the first date to the second."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (first, first_params), (second, second_params) = self._compiled(compiler)
        sql = f"CAST(julianday({second}) - julianday({first}) AS INTEGER)"
        return sql, [*second_params, *first_params]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (first, first_params), (second, second_params) = self._compiled(compiler)
        return f"(({second})::date - ({first})::date)", [*second_params, *first_params]


# --- the kinds --------------------------------------------------------------------------------


def _ids(participants: ParticipantQuerySet) -> QuerySet[Any]:
    return participants.order_by().values("pk")


def placements_due(
    participants: ParticipantQuerySet, insats: Insats, today: dt.date
) -> QuerySet[Placement]:
    """Ongoing work training whose last follow-up (its start, if none) is
    `placement_follow_up_weeks` old: due that many weeks after it."""
    last = (
        PlacementFollowUp.objects.filter(placement=OuterRef("pk")).order_by("-date").values("date")
    )
    touched = Coalesce(Subquery(last[:1]), F("start_date"))
    return (
        Placement.objects.filter(
            participant__in=_ids(participants.enrolled()), status=Placement.Status.ONGOING
        )
        .annotate(w_due=AddDays(touched, 7 * insats.placement_follow_up_weeks))
        .filter(w_due__lte=today)
    )


def goals_due(participants: ParticipantQuerySet, insats: Insats, today: dt.date) -> QuerySet[Goal]:
    """Ongoing goals of the plan past their target date with no follow-up since: due on the
    target date (the start page's "a goal's target date has passed")."""
    return (
        overdue_goals(today)
        .filter(participant__in=_ids(participants.enrolled()))
        .annotate(w_due=F("target_date"))
    )


def no_contact_due(
    participants: ParticipantQuerySet, insats: Insats, today: dt.date
) -> QuerySet[Participant]:
    """Active participants (not paused) without a journal entry for `no_contact_weeks` (since
    their start, if none): due that many weeks after the last contact."""
    last = JournalEntry.objects.current().filter(participant=OuterRef("pk")).order_by("-date")
    since = Coalesce(Subquery(last.values("date")[:1]), F("start_date"))
    return (
        participants.filter(status=Participant.Status.ACTIVE)
        .annotate(w_since=since, w_due=AddDays(since, 7 * insats.no_contact_weeks))
        .filter(w_due__lte=today)
    )


def limit_due(
    participants: ParticipantQuerySet, insats: Insats, today: dt.date
) -> QuerySet[Participant]:
    """Enrolled participants whose longest time (the insats's months, the clock stopped during
    pauses) ends within `limit_warning_days`, or has ended: due on the day it ends."""
    pause_days = Greatest(
        DaysBetween(F("start_date"), Least(Coalesce(F("end_date"), Value(today)), Value(today))),
        Value(0),
    )
    paused = (
        Pause.objects.filter(participant=OuterRef("pk"))
        .order_by()
        .values("participant")
        .annotate(days=Sum(pause_days))
        .values("days")
    )
    days = Value(max_days(insats)) + Coalesce(
        Subquery(paused, output_field=IntegerField()), Value(0)
    )
    return (
        participants.enrolled()
        .annotate(w_due=AddDays(F("start_date"), days))
        .filter(w_due__lte=today + dt.timedelta(days=insats.limit_warning_days))
    )


def _answered(timepoint: str) -> Exists:
    return Exists(
        Response.objects.filter(
            participant=OuterRef("pk"),
            timepoint=timepoint,
            enrolment_start=OuterRef("start_date"),
            completed_at__isnull=False,
        )
    )


def start_surveys_due(
    participants: ParticipantQuerySet, insats: Insats, today: dt.date
) -> QuerySet[Participant]:
    """Enrolled participants with no answered start survey for this enrolment: due at the
    start (the survey is answered at enrolment)."""
    return (
        participants.enrolled()
        .filter(start_date__lte=today)
        .exclude(_answered(Response.Timepoint.START))
        .annotate(w_due=F("start_date"))
    )


def exit_surveys_due(
    participants: ParticipantQuerySet, insats: Insats, today: dt.date
) -> QuerySet[Participant]:
    """Participants who left within `exit_survey_days` with no answered exit survey: due at
    the exit, gone when it can no longer be answered."""
    recent = participants.filter(
        end_date__gte=today - dt.timedelta(days=insats.exit_survey_days), end_date__lte=today
    )
    return closed_without_exit_survey(recent).annotate(w_due=F("end_date"))


def bookings_due(
    participants: ParticipantQuerySet, insats: Insats, today: dt.date
) -> QuerySet[Booking]:
    """Planned meetings whose time has passed (`Booking.awaits_outcome`): due that day."""
    now = timezone.now()
    if today < timezone.localdate(now):  # asked about an earlier day
        now = timezone.make_aware(dt.datetime.combine(today, dt.time.max))
    return Booking.objects.filter(
        participant__in=_ids(participants), status=Booking.Status.PLANNED, starts_at__lte=now
    ).annotate(w_due=TruncDate("starts_at"))


def referrals_due(referrals: Q, today: dt.date) -> QuerySet[Referral]:
    """Open referrals (in `referrals`, a filter) received `SIKTA_REFERRAL_WAIT_DAYS` ago or
    more: due that many days after they came in."""
    return (
        Referral.objects.filter(referrals)
        .open()
        .annotate(w_due=AddDays(TruncDate("received_at"), settings.SIKTA_REFERRAL_WAIT_DAYS))
        .filter(w_due__lte=today)
    )


PARTICIPANT_KINDS = {
    Kind.PLACEMENT: placements_due,
    Kind.GOAL: goals_due,
    Kind.NO_CONTACT: no_contact_due,
    Kind.LIMIT: limit_due,
    Kind.START_SURVEY: start_surveys_due,
    Kind.EXIT_SURVEY: exit_surveys_due,
    Kind.BOOKING: bookings_due,
}
