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

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sikta.participants.models import Participant
from sikta.reports.suppression import Hidden, suppress_table
from sikta.surveys.models import Instrument, Response, SubGoal
from sikta.surveys.scoring import score


@dataclass(frozen=True)
class Pair:
    participant: Participant
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


def pairs(
    instrument: Instrument,
    participants: QuerySet[Participant],
    *,
    period: tuple[dt.date, dt.date] | None = None,
) -> list[Pair]:
    """Every participant with both a start and an exit answer in one enrolment.

    `period` limits to exit answers completed within it (the period the change is reported for).
    """
    # Its items once, with their sub-goals, rather than once per response scored.
    instrument = Instrument.objects.prefetch_related("items__subgoal").get(pk=instrument.pk)
    responses = (
        Response.objects.filter(
            instrument=instrument, participant__in=participants, completed_at__isnull=False
        )
        .select_related("participant__kommun__lansdel", "participant__track")
        .prefetch_related("answers__item__subgoal")
    )
    by_enrolment: dict[tuple[int, dt.date], dict[str, Response]] = defaultdict(dict)
    for response in responses:
        by_enrolment[(response.participant_id, response.enrolment_start)][response.timepoint] = (
            response
        )
    result = []
    for found in by_enrolment.values():
        start, end = found.get("start"), found.get("exit")
        if start is None or end is None:
            continue
        if period is not None and not period[0] <= end.completed_at.date() <= period[1]:
            continue
        before = {
            s.subgoal: s.value
            for s in score(instrument, [(a.item, a.value) for a in start.answers.all()])
        }
        after = {
            s.subgoal: s.value
            for s in score(instrument, [(a.item, a.value) for a in end.answers.all()])
        }
        for subgoal, value in before.items():
            if value is not None and after.get(subgoal) is not None:
                result.append(Pair(start.participant, subgoal, value, after[subgoal]))
    return result


GROUPINGS: dict[str, Callable[[Participant], str]] = {
    "all": lambda p: _("All"),
    "track": lambda p: p.track.short_label,
    "lansdel": lambda p: p.kommun.lansdel.label if p.kommun.lansdel else "–",
    "gender": lambda p: _("Women") if p.personnummer.legal_gender == "female" else _("Men"),
}


def summarise(found: list[Pair], *, group_by: str, min_group: int) -> list[Summary]:
    key = GROUPINGS[group_by]
    groups: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for pair in found:
        groups[(key(pair.participant), pair.subgoal)].append(pair.change)
    order = {s.code: s.ordering for s in SubGoal.objects.all()}
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
    answered = set(
        Response.objects.filter(
            participant__in=participants, completed_at__isnull=False
        ).values_list("participant_id", "timepoint", "enrolment_start")
    )
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for timepoint, due in (("start", start_due), ("exit", exit_due)):
        for pk, start, lansdel in due.values_list("pk", "start_date", "kommun__lansdel__name"):
            cell = counts[(lansdel, timepoint)]
            cell[0] += 1
            cell[1] += (pk, timepoint, start) in answered
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
    """Per current instrument, (sub-goal name, summary) over everyone counted, for pairs whose
    exit answer falls in the period; sub-goals with too few pairs suppressed. The dashboard
    and the lägesrapport show this."""
    from sikta.surveys.models import current_instruments

    names = {s.code: s.name for s in SubGoal.objects.all()}
    result = []
    for instrument in current_instruments():
        found = pairs(instrument, participants, period=period)
        summaries = summarise(found, group_by="all", min_group=min_group)
        result.append((instrument, [(names.get(s.subgoal, s.subgoal), s) for s in summaries]))
    return result
