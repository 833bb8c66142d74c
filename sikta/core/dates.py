"""Sensible windows for the dates staff type in.

A date field accepts any date the calendar has; these checks say which of them make sense:
something that has happened is not in the future and not before the programme (insatsen)
began; something planned has not already passed and is not years ahead. Each form picks its
window and its message; the message may name the limit as ``%(date)s``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# No date before this belongs to any programme the system has run: a year such as 0201 or
# 1926 is a typing mistake.
OLDEST = dt.date(2000, 1, 1)
# How far ahead something planned may lie (a goal, a meeting, a placement).
PLAN_YEARS = 2
# How far ahead an enrolment may be dated: it is decided now, and starts soon.
ENROL_DAYS_AHEAD = 30

IN_THE_FUTURE = _("The date cannot be in the future.")
BEFORE_PROGRAMME = _("The date cannot be before the programme started (%(date)s).")
TOO_OLD = _("The date cannot be before %(date)s: check the year.")
HAS_PASSED = _("The date has already passed.")
YEARS_AHEAD = _("The date cannot be more than two years ahead.")
YEAR_AHEAD = _("The date cannot be more than a year ahead.")


def on_days(field: str, first: dt.date | None, last: dt.date | None) -> Q:
    """The rows whose time `field` falls on the days `first` to `last` (inclusive, local time;
    either may be open), as bounds on the time itself: an index on it serves them, where
    `field__date__range` makes the database work out the local date of every row (on SQLite
    by calling into Python, row by row)."""

    def midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time()))

    # At the calendar's ends (a date typed as 0001 or 9999) a bound in UTC would fall outside
    # it: there, no bound — every time there is lies within it anyway.
    bounds = Q()
    if first is not None and first > dt.date.min + dt.timedelta(days=1):
        bounds &= Q(**{f"{field}__gte": midnight(first)})
    if last is not None and last < dt.date.max - dt.timedelta(days=1):
        bounds &= Q(**{f"{field}__lt": midnight(last + dt.timedelta(days=1))})
    return bounds


def today() -> dt.date:
    return timezone.localdate()


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes the 28th in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _limit(day: dt.date | dt.datetime) -> str:
    return day.date().isoformat() if isinstance(day, dt.datetime) else day.isoformat()


def date_window(
    value: dt.date | dt.datetime | None,
    *,
    earliest: dt.date | dt.datetime | None = None,
    latest: dt.date | dt.datetime | None = None,
    too_early: str | None = None,
    too_late: str | None = None,
) -> None:
    """Raise ValidationError unless `earliest <= value <= latest` (either bound may be None).

    A datetime is compared with datetime bounds and a date with date bounds. The messages may
    name the bound they break as ``%(date)s``; nothing is checked for an empty value.
    """
    if value is None:
        return
    if earliest is not None and value < earliest:
        raise ValidationError(
            too_early or TOO_OLD, code="too_early", params={"date": _limit(earliest)}
        )
    if latest is not None and value > latest:
        raise ValidationError(
            too_late or YEARS_AHEAD, code="too_late", params={"date": _limit(latest)}
        )


def programme_period() -> tuple[dt.date | None, dt.date | None]:
    """The span of the programmes (insatser) the installation runs: the first start and the
    last end (None, None without one). A date outside it belongs to none of them."""
    from django.db.models import Max, Min

    from sikta.organisation.models import Insats  # the models import forms' modules

    span = Insats.objects.aggregate(start=Min("start_date"), end=Max("end_date"))
    return span["start"], span["end"]


def earliest() -> tuple[dt.date, str]:
    """The first date anything in the system can have, and the message for one before it."""
    start, _end = programme_period()
    if start is not None and start > OLDEST:
        return start, BEFORE_PROGRAMME
    return OLDEST, TOO_OLD


def held_or_booked(value: dt.date | None) -> None:
    """Something held since the programme began or booked at most a year ahead (a group
    session, the start of a work training)."""
    first, before_first = earliest()
    date_window(
        value,
        earliest=first,
        latest=add_years(today(), 1),
        too_early=before_first,
        too_late=YEAR_AHEAD,
    )


def happened(
    value: dt.date | None,
    *,
    since: dt.date | None = None,
    since_message: str | None = None,
    future_message: str | None = None,
) -> None:
    """Something that has happened: not after today, not before the programme began (or
    `since`, when that is later: the pause it ends, the document it hands out)."""
    first, message = earliest()
    if since is not None and since > first:
        first, message = since, since_message or message
    date_window(
        value,
        earliest=first,
        latest=today(),
        too_early=message,
        too_late=future_message or IN_THE_FUTURE,
    )


def planned(
    value: dt.date | None,
    *,
    past_message: str | None = None,
    within_programme: bool = False,
    after_programme_message: str | None = None,
) -> None:
    """Something planned: not already passed, at most two years ahead (and, with
    `within_programme`, not after the programme ends, unless that has already passed)."""
    now = today()
    latest, message = add_years(now, PLAN_YEARS), YEARS_AHEAD
    if within_programme:
        _start, end = programme_period()
        if end is not None and now <= end < latest:
            latest, message = end, after_programme_message or message
    date_window(
        value,
        earliest=now,
        latest=latest,
        too_early=past_message or HAS_PASSED,
        too_late=message,
    )
