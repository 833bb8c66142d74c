"""The dashboard's figures, each counted in the database by one grouped query.

A figure is a table: one row per group of the chosen breakdown (länsdel, kommun, track, gender,
age band, or all together), one column per measure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.fields import CharField
from django.db.models.functions import RowNumber, Substr
from django.db.models.lookups import In, LessThanOrEqual
from django.utils.translation import gettext as _

from sikta.casework.models import Exit
from sikta.core.dates import on_days
from sikta.core.reads import Reader, Rows, read, together
from sikta.participants.models import Participant
from sikta.referrals.models import Referral
from sikta.worktraining.models import Placement

# The plan's age bands (lower limits): 18–24, 25–29, 30–39, 40–49, 50+.
AGE_BANDS = [(50, "50–"), (40, "40–49"), (30, "30–39"), (25, "25–29"), (0, "–24")]


def _born_by(day: dt.date, years: int) -> str:
    """The birth date (YYYYMMDD) of those who are `years` old on `day` at the latest."""
    try:
        limit = day.replace(year=day.year - years)
    except ValueError:  # 29 February
        limit = day.replace(year=day.year - years, day=28)
    return f"{limit:%Y%m%d}"


def dimension(name: str, *, prefix: str = "", on: dt.date) -> Any:
    """The expression a breakdown groups by, for a model reached through `prefix`."""
    pnr = f"{prefix}personnummer"
    if name == "insats":
        # Participants and referrals both reach their insats through the track.
        return F(f"{prefix}track__insats__name")
    if name == "lansdel":
        return F(f"{prefix}kommun__lansdel__name")
    if name == "kommun":
        return F(f"{prefix}kommun__name")
    if name == "track":
        return F(f"{prefix}track__short_name")
    if name == "gender":
        # The second-last digit of the personnummer (the 11th of 12): even for women. A plain
        # substring, not a regular expression: SQLite runs those in Python, row by row.
        eleventh = Substr(pnr, 11, 1, output_field=CharField())
        return Case(
            When(In(eleventh, ["0", "2", "4", "6", "8"]), then=Value(_("Women"))),
            default=Value(_("Men")),
            output_field=CharField(),
        )
    if name == "age":
        # The first eight digits are the birth date (a samordningsnummer's day is +60, which
        # places its holder at most two months younger near a band's edge).
        born = Substr(pnr, 1, 8, output_field=CharField())
        return Case(
            *(
                When(LessThanOrEqual(born, Value(_born_by(on, years))), then=Value(label))
                for years, label in AGE_BANDS[:-1]
            ),
            default=Value(AGE_BANDS[-1][1]),
            output_field=CharField(),
        )
    return Value(_("All"), output_field=CharField())


BREAKDOWNS = ["all", "insats", "lansdel", "kommun", "track", "gender", "age"]


@dataclass
class Figure:
    key: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[int]]] = field(default_factory=list)
    note: str = ""
    # Whether a row's measures add up to something (statuses, organisations: yes; "enrolled"
    # and "active" of the same group: no — those rows get no total).
    additive: bool = False
    # A figure whose first column counts the group and whose other columns describe it (a
    # median, a share): those are hidden with the count, and the totals are `overall`, computed
    # over everyone rather than summed.
    describes_first: bool = False
    overall: list[int] = field(default_factory=list)


def _grouped(queryset: QuerySet[Any], by: Any, measures: dict[str, Any]) -> QuerySet[Any]:
    """The query of the `measures` per group (read by `_by_group`)."""
    return queryset.annotate(group=by).values("group").annotate(**measures).order_by()


def _by_group(rows: Rows, measures: Iterable[str]) -> dict[str, dict[str, int]]:
    """The `measures` (by name) per group, in the order of the groups' names."""
    return {
        group or "–": {k: row[k] or 0 for k in measures}
        for group, row in by_group((row["group"], row) for row in rows.dicts())
    }


def counted(condition: Q | None = None) -> Count:
    """How many rows (meeting `condition`): COUNT(1), not COUNT(id) — with no column to carry,
    PostgreSQL's estimate of a grouping's memory stays small enough for a hash of the groups,
    where the wider rows tip it into sorting every row (at 100 000 participants, grouped by
    age band: 76 ms against 55)."""
    return Count(Value(1), filter=condition)


def by_group(rows: Iterable[tuple[str | None, Any]]) -> list[tuple[str | None, Any]]:
    """Grouped rows in the order of the groups' names (none last), sorted here rather than in
    the database: PostgreSQL cannot tell how few groups an expression such as the age band
    makes, and an ORDER BY then has it sort every row to group them (40 % slower at 100 000
    participants) where a hash of the few groups would do."""
    return sorted(rows, key=lambda row: (row[0] is None, row[0] or ""))


def _figure(
    key: str, title: str, labels: dict[str, str], data: dict[str, dict[str, int]]
) -> Figure:
    return Figure(
        key,
        title,
        list(labels.values()),
        [(group, [values[k] for k in labels]) for group, values in data.items()],
    )


def participant_flow(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], by: str
) -> Figure:
    """Enrolled, discharged and active participants per group: `flow_reader`, on its own."""
    return read(flow_reader(participants, period, by))


def flow_reader(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], by: str
) -> Reader[Figure]:
    start, end = period
    measures = {
        "started": counted(Q(start_date__range=period)),
        "ended": counted(Q(end_date__range=period, status=Participant.Status.CLOSED)),
        "active": counted(
            Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gt=end)),
        ),
    }
    (rows,) = yield [_grouped(participants, dimension(by, on=end), measures)]
    labels = {
        "started": _("Enrolled in the period"),
        "ended": _("Discharged in the period"),
        "active": _("Active at the end of the period"),
    }
    return _figure("participants", _("Participants"), labels, _by_group(rows, measures))


def goal_measures() -> dict[str, Count]:
    """The goal's two counts over exits: the one definition that every figure of it uses."""
    return {"exits": counted(), "destination": counted(Q(outcome__destination=True))}


def within(participants: QuerySet[Participant], path: str = "participant") -> Exists:
    """A filter for rows of another model (an exit, a placement) whose participant `path` is
    one of `participants`: checked per row found, by primary key. (An `IN (SELECT …)` of the
    whole scope makes SQLite build the list of every participant in it first, however few
    rows the other side has.)"""
    return Exists(participants.filter(pk=OuterRef(path)))


def exits_in(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date]
) -> QuerySet[Exit]:
    """The exits recorded in the period: what the goal and the time in programme count over."""
    return (
        Exit.objects.filter(within(participants), end_date__range=period)
        .annotate(
            days=ExpressionWrapper(F("end_date") - F("start_date"), output_field=DurationField())
        )
        .order_by()  # not the model's order (by participant's name): it is counted, not listed
    )


OVER_YEAR = Q(days__gt=dt.timedelta(days=365))


def outcomes(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], by: str
) -> Figure:
    """Outcomes against the goal: one grouped count of the period's exits."""
    return read(_outcomes_reader(participants, period, by))


def _outcomes_reader(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], by: str
) -> Reader[Figure]:
    exits, group = _exits_by(participants, period, by)
    (rows,) = yield [_grouped(exits, group, _outcome_measures())]
    return _outcomes(rows)


def _exits_by(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], by: str
) -> tuple[QuerySet[Exit], Any]:
    """The period's exits and the expression their breakdown groups by."""
    return exits_in(participants, period), dimension(by, prefix="participant__", on=period[1])


def _outcome_measures() -> dict[str, Count]:
    return {**goal_measures(), "over_year": counted(OVER_YEAR)}


def _outcomes(rows: Rows) -> Figure:
    data = _by_group(rows, _outcome_measures())
    labels = {
        "exits": _("Discharged"),
        "destination": _("To one of the six destinations (goal: all)"),
        "over_year": _("Longer than one year"),
    }
    figure = _figure("outcomes", _("Outcomes against the goal"), labels, data)
    figure.note = _(
        "The plan's goal is that 100 % go on to work, studies, Arbetsförmedlingen, the "
        "kommun's labour-market unit, enhanced AF/FK cooperation or daily activity."
    )
    return figure


def exit_figures(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], by: str
) -> tuple[Figure, Figure]:
    """Outcomes against the goal and time in the programme: `exits_reader`, on its own."""
    return read(exits_reader(participants, period, by))


def exits_reader(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], by: str
) -> Reader[tuple[Figure, Figure]]:
    """The two figures over the period's exits — outcomes against the goal, and the time in
    the programme — from one grouped count and the medians (two queries; a third for the
    median over everyone when there are groups)."""
    exits, group = _exits_by(participants, period, by)
    queries = [_grouped(exits, group, _outcome_measures()), _medians(exits, group)]
    if by != "all":
        queries.append(_medians(exits, Value("all", output_field=CharField())))
    counts, *middles = yield queries
    figure = _outcomes(counts)
    medians = _middle(middles[0])

    def time_row(n: int, over: int, median: int) -> list[int]:
        return [n, median, round(100 * over / n) if n else 0]

    # The outcomes' columns: discharged, to a destination, longer than a year.
    rows = [(g, time_row(c[0], c[2], medians.get(g, 0))) for g, c in figure.rows]
    n = sum(c[0] for _g, c in figure.rows)
    over = sum(c[2] for _g, c in figure.rows)
    if by == "all":
        overall_median = next(iter(medians.values()), 0)
    else:
        overall_median = _middle(middles[1]).get("all", 0)
    time = Figure(
        "time",
        _("Time in the programme"),
        [_("Discharged"), _("Median, days"), _("Longer than one year, %")],
        rows,
        note=_(
            "From enrolment to discharge, for those discharged in the period. The plan's "
            "longest time is about one year."
        ),
        describes_first=True,
        overall=time_row(n, over, overall_median),
    )
    return figure, time


def _medians(exits: QuerySet[Exit], by: Any) -> QuerySet[Any]:
    """The query of the median of `days` per group, in the database: each group's rows are
    numbered in order and only the one or two in the middle are fetched (`_middle`)."""
    return (
        exits.annotate(
            group=by,
            position=Window(
                RowNumber(), partition_by=[by], order_by=[F("days").asc(), F("pk").asc()]
            ),
            size=Window(Count("pk"), partition_by=[by]),
        )
        .filter(Q(position=(F("size") + 1) / 2) | Q(position=F("size") / 2 + 1))
        .values("group", "days")
    )


def _middle(rows: Rows) -> dict[str, int]:
    """The median per group from its one or two middle rows."""
    middle: dict[str, list[dt.timedelta]] = defaultdict(list)
    for group, days in rows.columns("group", "days"):
        middle[group or "–"].append(days)
    return {g: round(sum(d.days for d in days) / len(days)) for g, days in middle.items()}


def time_in_programme(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], by: str
) -> Figure:
    """For those discharged in the period: how long they were in the programme."""
    return exit_figures(participants, period, by)[1]


def referrals_in(scope: QuerySet[Referral], period: tuple[dt.date, dt.date], by: str) -> Figure:
    """The referrals received in the period, by where they stand now."""
    return referral_figures(scope, period, by)[0]


def referral_figures(
    scope: QuerySet[Referral], period: tuple[dt.date, dt.date], by: str
) -> tuple[Figure, Figure]:
    """The referrals by status and by referring organisation: `referrals_reader`, on its own."""
    return read(referrals_reader(scope, period, by))


def referrals_reader(
    scope: QuerySet[Referral], period: tuple[dt.date, dt.date], by: str
) -> Reader[tuple[Figure, Figure]]:
    """The referrals received in the period, by where they stand now and by referring
    organisation: both from one count grouped by status and organisation."""
    statuses = {s.value: str(s.label) for s in Referral.Status}
    by_status: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(statuses, 0))
    by_referrer: dict[str, dict[str, int]] = defaultdict(dict)
    names: dict[str, str] = {}
    (rows,) = yield [
        scope.filter(on_days("received_at", *period))
        .annotate(group=dimension(by, on=period[1]))
        .values("group", "status", "referrer_organisation__code", "referrer_organisation__name")
        .annotate(n=counted())
        .order_by()
    ]
    columns = rows.columns(
        "group", "status", "referrer_organisation__code", "referrer_organisation__name", "n"
    )
    for group, (_group, status, code, name, n) in by_group((row[0], row) for row in columns):
        group = group or "–"
        counts = by_status[group]
        counts[status] = counts.get(status, 0) + n  # (a status no longer in use: not shown)
        names[code] = name
        by_referrer[group][code] = by_referrer[group].get(code, 0) + n
    received = _figure(
        "referrals", _("Referrals received, by where they stand now"), statuses, by_status
    )
    received.additive = True
    labels = dict(sorted(names.items(), key=lambda kv: kv[1]))
    referrers = Figure(
        "referrers",
        _("Referrals received, by referring organisation"),
        list(labels.values()),
        [(g, [values.get(code, 0) for code in labels]) for g, values in by_referrer.items()],
        additive=True,
    )
    return received, referrers


def work_training(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], by: str
) -> Figure:
    """Work-training placements per group: `work_training_reader`, on its own."""
    return read(work_training_reader(participants, period, by))


def work_training_reader(
    participants: QuerySet[Participant], period: tuple[dt.date, dt.date], by: str
) -> Reader[Figure]:
    start, end = period
    # A cancelled placement never began: it is no work training.
    placements = Placement.objects.filter(within(participants)).exclude(
        status=Placement.Status.CANCELLED
    )
    measures = {
        "started": counted(Q(start_date__range=period)),
        "ongoing": counted(
            Q(start_date__lte=end)
            & (Q(end_date__isnull=True) | Q(end_date__gt=end))
            & ~Q(status=Placement.Status.ENDED),
        ),
        "ended": counted(Q(end_date__range=period)),
    }
    (rows,) = yield [_grouped(placements, dimension(by, prefix="participant__", on=end), measures)]
    labels = {
        "started": _("Started in the period"),
        "ongoing": _("Ongoing at the end"),
        "ended": _("Ended in the period"),
    }
    return _figure("worktraining", _("Work training"), labels, _by_group(rows, measures))


def dashboard(
    participants: QuerySet[Participant],
    referrals: QuerySet[Referral],
    period: tuple[dt.date, dt.date],
    by: str,
) -> list[Figure]:
    """The dashboard's figures: `dashboard_reader`, on its own (the exports read only these)."""
    return read(dashboard_reader(participants, referrals, period, by))


def dashboard_reader(
    participants: QuerySet[Participant],
    referrals: QuerySet[Referral],
    period: tuple[dt.date, dt.date],
    by: str,
) -> Reader[list[Figure]]:
    """The dashboard's figures, in the order shown (the goal's counts are the sums of the
    outcomes figure's rows: `sikta.reports.goal.goal_of`). The participants' flow, the
    longest query, is sent last: the rows of the others are read while it runs
    (sikta.core.reads)."""
    (received, referrers), (outcome, time), placements, flow = yield from together(
        referrals_reader(referrals, period, by),
        exits_reader(participants, period, by),
        work_training_reader(participants, period, by),
        flow_reader(participants, period, by),
    )
    figures = [received, referrers, flow, outcome, time, placements]
    if by == "age":
        # Youngest first: "–24" would sort after the digits.
        order = {label: i for i, (_years, label) in enumerate(reversed(AGE_BANDS))}
        for figure in figures:
            figure.rows.sort(key=lambda row: order.get(row[0], len(order)))
    return figures
