"""Before/after over participants: paired change per sub-goal, with small groups suppressed.

A pair is one participant's start and exit answers to the same instrument in the same
enrolment. Groups with fewer pairs than the programme's minimum are not shown, so nobody can
be recognised from an aggregate.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _

from sikta.core.dates import on_days
from sikta.core.reads import Reader, read
from sikta.participants.models import Participant
from sikta.reports.suppression import Hidden, suppress_table
from sikta.surveys.models import Answer, Instrument, Item, Response, SubGoal
from sikta.surveys.scoring import Scorer


class Pair(NamedTuple):  # a tuple: there is one per participant and sub-goal
    participant: Participant | None
    subgoal: str
    start: Decimal
    exit: Decimal

    @property
    def change(self) -> Decimal:
        return self.exit - self.start


@dataclass(frozen=True)
class Summary:
    group: str
    subgoal: str
    n: int
    suppressed: bool
    mean: Decimal | None = None
    median: Decimal | None = None
    improved: int | None = None  # percent of pairs
    unchanged: int | None = None
    worse: int | None = None


# An instrument's items with their sub-goals, in one query.
ITEMS = Prefetch("items", Item.objects.select_related("subgoal"))


def pairs(
    instrument: Instrument,
    participants: QuerySet[Participant],
    *,
    period: tuple[dt.date, dt.date] | None = None,
    people: bool = True,
) -> list[Pair]:
    """Every participant with both a start and an exit answer to `instrument` in one
    enrolment (`pairs_per_instrument` of one)."""
    return pairs_per_instrument([instrument], participants, period=period, people=people)[
        instrument.pk
    ]


def pairs_per_instrument(
    instruments: list[Instrument],
    participants: QuerySet[Participant],
    *,
    period: tuple[dt.date, dt.date] | None = None,
    people: bool = True,
) -> dict[int, list[Pair]]:
    """Per instrument, the before/after pairs: `pairs_reader`, on its own."""
    return read(pairs_reader(instruments, participants, period=period, people=people))


def pairs_reader(
    instruments: list[Instrument],
    participants: QuerySet[Participant],
    *,
    period: tuple[dt.date, dt.date] | None = None,
    people: bool = True,
) -> Reader[dict[int, list[Pair]]]:
    """Per instrument (by key), every participant with both a start and an exit answer to it in
    one enrolment.

    `period` limits to exit answers completed within it (the period the change is reported for).
    The answers of everyone with an exit answer (in the period) are read in one query, as plain
    tuples, and added up in whole units (`Scorer.counts`) without an object per response; only
    the paired participants are read as objects, for the groupings — and not at all without
    `people` (a summary of everyone together: each pair's `participant` is then None).
    """
    from sikta.reports.aggregates import within

    # The items once, with their sub-goals, rather than once per response scored.
    missing = [i for i in instruments if "items" not in getattr(i, "_prefetched_objects_cache", {})]
    prefetch_related_objects(missing, ITEMS)
    result: dict[int, list[Pair]] = {i.pk: [] for i in instruments}
    completed = Response.objects.filter(instrument__in=instruments, completed_at__isnull=False)
    exits = completed.filter(within(participants), timepoint=Response.Timepoint.EXIT)
    in_period: Any = Value(True)
    if period is not None:
        bounds = on_days("response__completed_at", *period)
        exits = exits.filter(on_days("completed_at", *period))
        in_period = ExpressionWrapper(bounds, output_field=BooleanField()) if bounds else in_period
    exited = exits.values("participant_id")
    # What an answer to each item counts, in its instrument's units (sikta.surveys.scoring).
    scorers = {i.pk: Scorer(i) for i in instruments}
    counts = {item: count for scorer in scorers.values() for item, count in scorer.counts.items()}
    # The answers, read in one query as plain tuples, added up as they come per participant,
    # enrolment and sub-goal (there is one start and one exit response per enrolment): the
    # units at start, how many answers; the units at exit (in the period), how many.
    units: dict[tuple[Any, ...], list[int]] = {}
    start = Response.Timepoint.START
    columns = (
        "response__instrument_id",
        "response__participant_id",
        "response__enrolment_start",
        "response__timepoint",
        "in_period",
        "item_id",
        "value",
    )
    (answers,) = yield [
        Answer.objects.filter(
            response__participant_id__in=exited,
            response__instrument__in=instruments,
            response__completed_at__isnull=False,
            value__isnull=False,
        )
        .annotate(in_period=in_period)
        .order_by()
        .values(*columns)
    ]
    for instrument, participant, enrolment, timepoint, counted, item, value in answers.columns(
        *columns
    ):
        code, origin, step = counts[item]
        key = (instrument, participant, enrolment, code)
        if (entry := units.get(key)) is None:
            entry = units[key] = [0, 0, 0, 0]
        if timepoint == start:
            entry[0] += origin + step * value
            entry[1] += 1
        elif counted:  # an exit answer in the period
            entry[2] += origin + step * value
            entry[3] += 1
    paired = []
    for (instrument, participant, _enrolment, code), (at_start, n, at_exit, m) in units.items():
        if not (n and m):
            continue
        scorer = scorers[instrument]
        before, after = scorer.of_units(at_start, n), scorer.of_units(at_exit, m)
        if before is not None and after is not None:
            paired.append((instrument, participant, code, before, after))
    found = (
        participants.filter(pk__in=exited).select_related("kommun__lansdel", "track").in_bulk()
        if people and paired
        else {}
    )
    for instrument, participant, code, before, after in paired:
        result[instrument].append(Pair(found.get(participant), code, before, after))
    return result


GROUPINGS: dict[str, Callable[[Any], str]] = {
    "all": lambda p: _("All"),  # needs no participant (pairs(..., people=False))
    "track": lambda p: p.track.short_label,
    "lansdel": lambda p: p.kommun.lansdel.label if p.kommun.lansdel else "–",
    "gender": lambda p: _("Women") if p.personnummer.legal_gender == "female" else _("Men"),
}


def summarise(
    found: list[Pair],
    *,
    group_by: str,
    min_group: int,
    subgoals: list[SubGoal] | None = None,
) -> list[Summary]:
    """The change per group and sub-goal (`subgoals`: all of them, if already read)."""
    if group_by == "all":  # one label for everyone, translated once
        everyone = _("All")
        key: Callable[[Any], str] = lambda _p: everyone  # noqa: E731
    else:
        key = GROUPINGS[group_by]
    groups: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for pair in found:
        groups[(key(pair.participant), pair.subgoal)].append(pair.change)
    order = {s.code: s.ordering for s in subgoals or SubGoal.objects.all()}
    summaries = []
    for (group, subgoal), changes in sorted(
        groups.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 0))
    ):
        n = len(changes)
        if n < min_group:
            summaries.append(Summary(group, subgoal, n, suppressed=True))
            continue
        summaries.append(
            Summary(
                group,
                subgoal,
                n,
                suppressed=False,
                mean=(sum(changes) / n).quantize(Decimal("0.01")),
                median=Decimal(statistics.median(changes)).quantize(Decimal("0.01")),
                improved=round(100 * sum(c > 0 for c in changes) / n),
                unchanged=round(100 * sum(c == 0 for c in changes) / n),
                worse=round(100 * sum(c < 0 for c in changes) / n),
            )
        )
    return summaries


@dataclass(frozen=True)
class Rate:
    lansdel: str
    timepoint: str
    due: int | Hidden
    answered: int | Hidden

    @property
    def percent(self) -> int | None:
        """The share answered, where both counts are shown."""
        if not isinstance(self.due, int) or not isinstance(self.answered, int) or not self.due:
            return None
        return round(100 * self.answered / self.due)


def response_rates(
    participants: QuerySet[Participant],
    *,
    period: tuple[dt.date, dt.date],
    minimum: int | None = None,
) -> list[Rate]:
    """Answered / due per länsdel: start for enrolments begun in the period, exit for exits in it.

    With `minimum`, small counts are hidden, and whatever would give them away
    (sikta.reports.suppression).

    A participant counts as answered if any instrument was completed for that timepoint.
    """
    start_due = participants.filter(start_date__range=period)
    exit_due = participants.filter(status=Participant.Status.CLOSED, end_date__range=period)
    counts: dict[tuple[str, str], list[int]] = {}
    for timepoint, due in (("start", start_due), ("exit", exit_due)):
        # Counted in the database, per länsdel: those due, and those of them with a completed
        # answer for this timepoint of this enrolment.
        answered = Response.objects.filter(
            participant=OuterRef("pk"),
            timepoint=timepoint,
            enrolment_start=OuterRef("start_date"),
            completed_at__isnull=False,
        )
        for row in (
            due.values("kommun__lansdel__name")
            .annotate(due=Count("pk"), answered=Count("pk", filter=Q(Exists(answered))))
            .order_by()
        ):
            counts[(row["kommun__lansdel__name"], timepoint)] = [row["due"], row["answered"]]
    if not minimum:
        return [Rate(ld, tp, due, done) for (ld, tp), (due, done) in sorted(counts.items())]
    # Per timepoint a table of länsdelar × (answered, not answered) with "due" as row total:
    # a small "not answered" would otherwise be due minus answered.
    rates = []
    for timepoint in ("start", "exit"):
        keys = sorted(k for k in counts if k[1] == timepoint)
        table = suppress_table(
            [[counts[k][1], counts[k][0] - counts[k][1]] for k in keys],
            minimum,
            row_totals=True,
            column_totals=False,
        )
        rates += [
            Rate(k[0], timepoint, table.row_totals[i], table.cells[i][0])
            for i, k in enumerate(keys)
        ]
    return sorted(rates, key=lambda r: (r.lansdel, r.timepoint))


def summary_per_instrument(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], min_group: int
) -> list[tuple[Instrument, list[tuple[str, Summary]]]]:
    """The change per instrument and sub-goal: `summary_reader`, on its own."""
    return read(summary_reader(participants, period, min_group))


def summary_reader(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], min_group: int
) -> Reader[list[tuple[Instrument, list[tuple[str, Summary]]]]]:
    """Per current instrument, (sub-goal name, summary) over everyone counted, for pairs whose
    exit answer falls in the period; sub-goals with too few pairs suppressed. The dashboard
    and the lägesrapport show this."""
    from sikta.surveys.models import current_instruments

    instruments = current_instruments()
    prefetch_related_objects(instruments, ITEMS)
    # The sub-goals their items measure (the only ones with pairs).
    subgoals = list(
        {item.subgoal.pk: item.subgoal for i in instruments for item in i.items.all()}.values()
    )
    names = {s.code: s.name for s in subgoals}
    found = yield from pairs_reader(instruments, participants, period=period, people=False)
    result = []
    for instrument in instruments:
        summaries = summarise(
            found[instrument.pk],
            group_by="all",
            min_group=min_group,
            subgoals=subgoals,
        )
        result.append((instrument, [(names.get(s.subgoal, s.subgoal), s) for s in summaries]))
    return result
