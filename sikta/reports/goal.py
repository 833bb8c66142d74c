"""The programme's main figure: of those discharged in a period, how many went on to one of the
six destinations (the plan's goal: all of them).

One function counts it for every page, PDF and export — the dashboard, its CSV/Excel, the
lägesrapport — so that the figure is the same wherever it is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import ExtractQuarter, ExtractYear

from sikta.core.reads import Reader
from sikta.participants.models import Participant
from sikta.reports.aggregates import Figure, exits_in, goal_measures
from sikta.reports.suppression import hidden_label

GOAL_PERCENT = 100


def percent_text(share: int | None) -> str:
    """A whole percentage as every report writes it ("55 %", with a space that does not
    break), or "–" where there is none to show."""
    return "–" if share is None else f"{share}\xa0%"


@dataclass(frozen=True)
class GoalFigure:
    discharged: int
    destination: int

    @property
    def share(self) -> int | None:
        """Whole percent to a destination; None with nobody discharged."""
        return round(100 * self.destination / self.discharged) if self.discharged else None

    def texts(self, minimum: int | None) -> tuple[str, str, str]:
        """Discharged, to a destination and the share as shown: with `minimum`, a count below
        it is "<5", and the share is shown only where both counts are."""

        def count(n: int) -> tuple[str, bool]:
            if minimum and 0 < n < minimum:
                return str(hidden_label(n, minimum)), False
            return str(n), True

        discharged, shown_d = count(self.discharged)
        destination, shown_t = count(self.destination)
        share = percent_text(self.share if shown_d and shown_t else None)
        return discharged, destination, share


def goal_figure(participants: QuerySet[Participant], period: tuple[dt.date, dt.date]) -> GoalFigure:
    counts = exits_in(participants, period).aggregate(**goal_measures())
    return GoalFigure(counts["exits"], counts["destination"])


def goal_of(outcomes: Figure) -> GoalFigure:
    """The goal figure from the outcomes figure of the same period and scope (its rows are
    the same exits, by group, counted by the same measures): the sums of its first two
    columns, with no query of its own."""
    return GoalFigure(
        sum(cells[0] for _group, cells in outcomes.rows),
        sum(cells[1] for _group, cells in outcomes.rows),
    )


def quarters(start: dt.date, end: dt.date) -> list[tuple[str, tuple[dt.date, dt.date]]]:
    """The calendar quarters from `start` to `end`, each cut to the span, labelled "2026 K1"."""
    found = []
    year, quarter = start.year, (start.month - 1) // 3
    while dt.date(year, 3 * quarter + 1, 1) <= end:
        first = dt.date(year, 3 * quarter + 1, 1)
        nxt = dt.date(year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1)
        found.append(
            (f"{year} K{quarter + 1}", (max(first, start), min(nxt - dt.timedelta(days=1), end)))
        )
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return found


def goal_trend_reader(
    participants: QuerySet[Participant], start: dt.date, end: dt.date
) -> Reader[list[tuple[str, GoalFigure]]]:
    """The goal figure quarter by quarter over a span (the insats period so far): one query,
    the span's exits counted by year and quarter of their end date."""
    (rows,) = yield [
        exits_in(participants, (start, end))
        .annotate(year=ExtractYear("end_date"), quarter=ExtractQuarter("end_date"))
        .values("year", "quarter")
        .annotate(**goal_measures())
        .order_by()
    ]
    counts = {
        (year, quarter): GoalFigure(exits, destination)
        for year, quarter, exits, destination in rows.columns(
            "year", "quarter", "exits", "destination"
        )
    }
    return [
        (label, counts.get((span[0].year, (span[0].month - 1) // 3 + 1), GoalFigure(0, 0)))
        for label, span in quarters(start, end)
    ]
