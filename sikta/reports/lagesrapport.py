"""The lägesrapport: key figures for a period and an area, with the samordnare's comments.

The figures are counted when the report is shown. Small cells are always hidden, whoever reads
it: the PDF is handed out at steering-group meetings. The same totals appear in several tables
(the key figures, the gender table, the area table, the outcomes), so the report hides cells
over all of them together: a total hidden in one table is hidden in every other too, and each
line then hides one more cell where a single hidden one could be worked out (sikta.reports.
suppression). Shares are shown only where both their counts are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy

from sikta.access.policy import (
    Action,
    grants,
    insats_of,
    may_write_status_report,
    staff_of,
    status_report_scope,
)
from sikta.casework.models import Exit
from sikta.organisation.models import Insats, Kommun, Lansdel, Outcome
from sikta.participants.models import Participant
from sikta.referrals.models import Referral
from sikta.reports.aggregates import outcomes, participant_flow, referrals_in, work_training
from sikta.reports.charts import Bar, Chart, bar_chart
from sikta.reports.goal import goal_figure, percent_text
from sikta.reports.models import StatusReport
from sikta.reports.suppression import hidden_label, hide
from sikta.surveys.reports import summary_per_instrument

STYLESHEET = Path(__file__).resolve().parent / "static" / "reports" / "lagesrapport.css"
TOTAL = "__total__"
Period = tuple[dt.date, dt.date]
Counts = dict[str, dict[str, int]]  # measure -> group -> count
Key = tuple[str, str, str]

# The key figures, in the order the report shows them.
MEASURES: dict[str, Any] = {
    "referrals": gettext_lazy("Referrals received"),
    "enrolled": gettext_lazy("Enrolled in the period"),
    "discharged": gettext_lazy("Discharged in the period"),
    "active": gettext_lazy("Active at the end of the period"),
    "placements_started": gettext_lazy("Work trainings started in the period"),
    "placements_ongoing": gettext_lazy("Work trainings ongoing at the end of the period"),
    "destination": gettext_lazy("Discharged to one of the six destinations"),
    "over_year": gettext_lazy("Discharged after longer than one year"),
}
# Lines that add up: the last of a block with several lines is the sum of the others. The
# measures here are no parts of one another's sums: "to a destination" and "discharged" are the
# programme's goal figure, published together on every page and export (sikta.reports.goal),
# so their difference is no cell of any table (it would hide the goal figure wherever one
# group had a small remainder, as "Av 14 utskrivna … gick <5 vidare" did).
BLOCKS = [[measure] for measure in MEASURES]
# The measures counted on the period's last day; the others are counted over the period.
STOCKS = frozenset({"active", "placements_ongoing"})


def default_period(today: dt.date) -> Period:
    """The last completed half-year: the steering groups follow the programme by half-year."""
    if today.month <= 6:
        return dt.date(today.year - 1, 7, 1), dt.date(today.year - 1, 12, 31)
    return dt.date(today.year, 1, 1), dt.date(today.year, 6, 30)


# --- access -----------------------------------------------------------------------------------


def may_write(
    user: Any, report_or_insats: StatusReport | Insats | None, lansdel: Lansdel | None = None
) -> bool:
    """Whether `user` writes the report (or a new one of `lansdel` in an insats): the rule is
    the access policy's."""
    if isinstance(report_or_insats, StatusReport):
        return may_write_status_report(user, report_or_insats.insats, report_or_insats.lansdel)
    return may_write_status_report(user, report_or_insats, lansdel)


def writable_areas(user: Any) -> tuple[bool, QuerySet[Lansdel]]:
    """Whether `user` may write the report of the whole insats they work in (for a role of
    the förbund: of the whole förbund), and the länsdelar they may."""
    insats = insats_of(user)
    lansdelar = Lansdel.objects.filter(insats=insats)
    if Action.WRITE_STATUS_REPORT not in grants(user):
        return False, lansdelar.none()
    if insats is None:
        return may_write(user, None), lansdelar.none()
    if may_write(user, insats):
        return True, lansdelar
    return False, lansdelar.filter(pk__in=[a.pk for a in lansdelar if may_write(user, insats, a)])


def get_status_report_for_writer(request: HttpRequest, pk: int) -> StatusReport:
    """The report if `request.user` may write it, else 404: missing and forbidden alike."""
    report = StatusReport.objects.select_related("lansdel", "insats").filter(pk=pk).first()
    if report is None or not may_write(request.user, report):
        raise Http404
    return report


# --- writing ----------------------------------------------------------------------------------


def _name(user: Any) -> str:
    staff = staff_of(user)
    return staff.full_name if staff is not None else user.get_username()


def status_report_create(
    *, insats: Insats | None, lansdel: Lansdel | None, period: Period, author: Any
) -> StatusReport:
    return StatusReport.objects.create(
        insats=insats,
        lansdel=lansdel,
        period_start=period[0],
        period_end=period[1],
        author=author,
        author_name=_name(author),
        updated_by_name=_name(author),
    )


@transaction.atomic
def status_report_update(*, report: StatusReport, texts: dict[str, str], author: Any) -> None:
    for name in StatusReport.TEXT_FIELDS:
        setattr(report, name, texts.get(name, ""))
    report.updated_by_name = _name(author)
    report.updated_at = timezone.now()
    report.save(update_fields=[*StatusReport.TEXT_FIELDS, "updated_by_name", "updated_at"])


def status_report_publish(*, report: StatusReport, author: Any) -> None:
    """Hand the report to the steering groups: from now on they see it."""
    report.published_at = timezone.now()
    report.published_by_name = _name(author)
    report.save(update_fields=["published_at", "published_by_name"])


def visible_status_reports(user: Any) -> list[tuple[StatusReport, bool]]:
    """The reports `user` may read, newest first, each with whether they may write it: a
    draft only to its writers."""
    found = []
    for report in StatusReport.objects.filter(status_report_scope(user)).select_related(
        "lansdel", "insats"
    ):
        writable = may_write(user, report)
        if writable or report.published_at is not None:
            found.append((report, writable))
    return found


# --- counting ---------------------------------------------------------------------------------


def _counts(
    participants: QuerySet[Participant], referrals: QuerySet[Referral], period: Period, by: str
) -> Counts:
    counts: Counts = defaultdict(lambda: defaultdict(int))
    for group, cells in referrals_in(referrals, period, by).rows:
        counts["referrals"][group] += sum(cells)
    for group, (started, _ended, active) in participant_flow(participants, period, by).rows:
        counts["enrolled"][group] += started
        counts["active"][group] += active
    # Discharged: the exits recorded in the period, which the goal is counted over.
    for group, (exits, destination, over) in outcomes(participants, period, by).rows:
        counts["discharged"][group] += exits
        counts["destination"][group] += destination
        counts["over_year"][group] += over
    for group, (started, ongoing, _ended) in work_training(participants, period, by).rows:
        counts["placements_started"][group] += started
        counts["placements_ongoing"][group] += ongoing
    return counts


def _with_totals(counts: Counts, groups: list[str]) -> list[str]:
    """The groups in order (any unexpected one last), each measure given its total."""
    seen = {g for values in counts.values() for g in values}
    groups = [*groups, *sorted(seen - set(groups))]
    for values in counts.values():
        values[TOTAL] = sum(values.get(g, 0) for g in groups)
    return groups


def _key(dim: str, measure: str, group: str) -> Key:
    # A total is the same number in every table: one key for all of them.
    return ("*", measure, TOTAL) if group == TOTAL else (dim, measure, group)


@dataclass
class _Table:
    counts: Counts
    groups: list[str]
    blocks: list[list[str]]


def hidden_cells(
    tables: dict[str, _Table],
    minimum: int,
    *,
    relations: Sequence[Sequence[tuple[Key, int]]] = (),
    keep: frozenset[Key] = frozenset(),
    fixed: frozenset[Key] = frozenset(),
) -> set[Key]:
    """The cells to hide over all tables together, so that no table gives away another's.

    Every sum the report prints is a relation between its counts: each measure's groups add up
    to its total (one key for the total in every table), a block's measures add up to its last,
    and `relations` adds those across tables (the outcomes to a destination add up to the goal
    figure's count). Suppression (sikta.reports.suppression.hide) leaves no hidden count that
    those relations determine."""
    if minimum <= 1:
        return set()
    values: dict[Key, int] = {}
    lines: list[list[tuple[Key, int]]] = [list(line) for line in relations]
    for dim, table in tables.items():
        columns = [*table.groups, TOTAL]
        measures = [m for block in table.blocks for m in block]
        for m in measures:
            for c in columns:
                values[_key(dim, m, c)] = table.counts[m].get(c, 0)
            if table.groups:
                lines.append(
                    [*((_key(dim, m, g), 1) for g in table.groups), (_key(dim, m, TOTAL), -1)]
                )
        for block in table.blocks:
            if len(block) > 1:
                *parts, whole = block
                lines += [
                    [*((_key(dim, m, c), 1) for m in parts), (_key(dim, whole, c), -1)]
                    for c in columns
                ]
    return hide(values, _distinct(lines), minimum, keep=keep, fixed=fixed)


def _distinct(lines: list[list[tuple[Key, int]]]) -> list[list[tuple[Key, int]]]:
    """Each relation once (the same total's sum comes from every table that prints it)."""
    seen: set[frozenset[tuple[Key, int]]] = set()
    found = []
    for line in lines:
        if (key := frozenset(line)) not in seen:
            seen.add(key)
            found.append(line)
    return found


# --- what the report shows -----------------------------------------------------------------


@dataclass
class Line:
    label: str
    cells: list[str]  # per group, then the total


@dataclass
class Breakdown:
    title: str
    groups: list[str]
    lines: list[Line]
    chart: Chart


@dataclass
class StatusReportData:
    area: str
    period: Period
    made: dt.date
    minimum: int
    key_figures: list[tuple[str, str]]
    flow_chart: Chart
    stock_chart: Chart
    discharged: str
    destination: str
    share: str
    over_year: str
    over_year_share: str
    goal_chart: Chart
    outcome_rows: list[tuple[str, bool, str]]
    gender: Breakdown
    areas: Breakdown
    surveys: list[tuple[Any, list[tuple[str, Any]]]] = field(default_factory=list)


# The area breakdown's table and chart titles, by what it breaks down by.
AREA_TITLES = {
    "kommun": (
        gettext_lazy("By municipality"),
        gettext_lazy("Enrolled in the period, by municipality"),
    ),
    "lansdel": (
        gettext_lazy("By county area"),
        gettext_lazy("Enrolled in the period, by county area"),
    ),
    "insats": (gettext_lazy("By programme"), gettext_lazy("Enrolled in the period, by programme")),
}


def area_name(insats: Insats | None, lansdel: Lansdel | None) -> str:
    """What a report covers: a länsdel, a whole insats, or the whole förbund."""
    if lansdel is not None:
        return lansdel.name
    if insats is not None:
        return str(_("The whole programme"))
    return str(_("The whole association (every programme)"))


def status_report_data(
    lansdel: Lansdel | None,
    period: Period,
    *,
    minimum: int,
    today: dt.date | None = None,
    insats: Insats | None = None,
) -> StatusReportData:
    """Everything the report of `lansdel` (or of the whole `insats`; without either, of the
    whole förbund, its insatser side by side) shows, in the active language, small cells
    hidden."""
    insats = lansdel.insats if lansdel is not None else insats
    participants = Participant.objects.all()
    referrals = Referral.objects.all()
    if insats is not None:
        participants = participants.filter(insats=insats)
        referrals = referrals.filter(track__insats=insats)
    if insats is None:
        area_by = "insats"
        area_groups = list(Insats.objects.order_by("name").values_list("name", flat=True))
    elif lansdel is not None:
        participants = participants.filter(kommun__lansdel=lansdel)
        referrals = referrals.filter(kommun__lansdel=lansdel)
        area_by = "kommun"
        area_groups = list(Kommun.objects.filter(lansdel=lansdel).values_list("name", flat=True))
    elif insats.lansdelar.exists():
        area_by = "lansdel"
        area_groups = list(Lansdel.objects.filter(insats=insats).values_list("name", flat=True))
    else:
        area_by = "kommun"
        area_groups = list(Kommun.objects.filter(insats=insats).values_list("name", flat=True))
    genders = [_("Women"), _("Men")]

    tables: dict[str, _Table] = {}
    for dim, groups in (("gender", genders), (area_by, area_groups)):
        counts = _counts(participants, referrals, period, dim)
        tables[dim] = _Table(counts, _with_totals(counts, groups), BLOCKS)
    outcome_list = list(Outcome.objects.all())
    by_outcome = dict(
        Exit.objects.filter(participant__in=participants, end_date__range=period)
        .values_list("outcome_id")
        .annotate(n=Count("pk"))
        .values_list("outcome_id", "n")
    )
    outcome_counts: Counts = defaultdict(dict)
    for o in outcome_list:
        outcome_counts[f"outcome:{o.pk}"][TOTAL] = by_outcome.get(o.pk, 0)
    outcome_counts["discharged"][TOTAL] = sum(by_outcome.values())
    tables["outcome"] = _Table(
        outcome_counts, [], [[*(f"outcome:{o.pk}" for o in outcome_list), "discharged"]]
    )
    # The outcomes that count for the goal add up to the goal figure's "to a destination"; the
    # goal figure (discharged, to a destination) is published as it is on every page, so it is
    # what stays shown when something must be hidden to protect a small outcome.
    destination_total = _key("outcome", "destination", TOTAL)
    goal_keys = frozenset({destination_total, _key("outcome", "discharged", TOTAL)})
    to_goal = [
        *((_key("outcome", f"outcome:{o.pk}", TOTAL), 1) for o in outcome_list if o.destination),
        (destination_total, -1),
    ]
    # The goal figure is published as it is on every page: hiding it here would protect
    # nothing (what it gives away by itself, e.g. one outcome that is the whole difference, it
    # gives away everywhere). It stays shown unless small itself, as the goal sentence shows it.
    hidden = hidden_cells(tables, minimum, relations=[to_goal], fixed=goal_keys)

    def text(dim: str, measure: str, group: str) -> str:
        count = tables[dim].counts[measure].get(group, 0)
        if _key(dim, measure, group) in hidden:
            return str(hidden_label(count, minimum))
        return str(count)

    def value(dim: str, measure: str, group: str) -> int | None:
        if _key(dim, measure, group) in hidden:
            return None
        return tables[dim].counts[measure].get(group, 0)

    def share(dim: str, part: str, group: str) -> int | None:
        whole, some = value(dim, "discharged", group), value(dim, part, group)
        if not whole or some is None:
            return None
        return round(100 * some / whole)

    def share_text(dim: str, part: str, group: str) -> str:
        return percent_text(share(dim, part, group))

    def breakdown(dim: str, title: str, chart_title: str) -> Breakdown:
        groups = tables[dim].groups
        columns = [*groups, TOTAL]
        lines = [
            Line(str(label), [text(dim, m, c) for c in columns]) for m, label in MEASURES.items()
        ]
        lines.append(
            Line(
                _("Share to the six destinations"),
                [share_text(dim, "destination", c) for c in columns],
            )
        )
        bars = [Bar(g, value(dim, "enrolled", g), text(dim, "enrolled", g)) for g in groups]
        return Breakdown(
            title, groups, lines, Chart(chart_title, bar_chart(bars, title=chart_title))
        )

    # The main figure, from the function every page and export uses.
    goal = goal_figure(participants, period)
    goal_texts = goal.texts(minimum)
    key_figures = [(str(label), text("gender", m, TOTAL)) for m, label in MEASURES.items()]
    # Flows (counted over the period) and stocks (counted on its last day) are no quantities of
    # one kind: each gets a chart and a scale of its own.
    flow_bars: list[Bar] = []
    stock_bars: list[Bar] = []
    for m, label in MEASURES.items():
        bar = Bar(str(label), value("gender", m, TOTAL), text("gender", m, TOTAL))
        (stock_bars if m in STOCKS else flow_bars).append(bar)
    goal_bars = [Bar(_("Total"), goal.share if goal_texts[2] != "–" else None, goal_texts[2])]
    for dim, groups in (("gender", genders), (area_by, tables[area_by].groups)):
        goal_bars += [
            Bar(g, share(dim, "destination", g), share_text(dim, "destination", g)) for g in groups
        ]
    flow_title = _("During the period")
    stock_title = _("At the end of the period")
    goal_title = _("Share discharged to one of the six destinations, against the goal of 100 %")
    return StatusReportData(
        area=area_name(insats, lansdel),
        period=period,
        made=today or timezone.localdate(),
        minimum=minimum,
        key_figures=key_figures,
        flow_chart=Chart(flow_title, bar_chart(flow_bars, title=flow_title)),
        stock_chart=Chart(stock_title, bar_chart(stock_bars, title=stock_title)),
        discharged=goal_texts[0],
        destination=goal_texts[1],
        share=goal_texts[2],
        over_year=text("gender", "over_year", TOTAL),
        over_year_share=share_text("gender", "over_year", TOTAL),
        goal_chart=Chart(
            goal_title,
            bar_chart(
                goal_bars,
                title=goal_title,
                maximum=100,
                unit="\xa0%",
                goal=100,
                goal_label=_("Goal: 100 %"),
            ),
        ),
        outcome_rows=[
            (o.name, o.destination, text("outcome", f"outcome:{o.pk}", TOTAL)) for o in outcome_list
        ],
        gender=breakdown("gender", _("By gender"), _("Enrolled in the period, by gender")),
        areas=breakdown(area_by, *(str(title) for title in AREA_TITLES[area_by])),
        surveys=summary_per_instrument(participants, period, minimum),
    )


# --- the PDF ----------------------------------------------------------------------------------


def _refuse(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"the report may not fetch {url}")


def minimum_group(insats: Insats | None) -> int:
    """The smallest group a report of `insats` shows (the strictest of all for the förbund's)."""
    if insats is not None:
        return insats.report_min_group
    return max(Insats.objects.values_list("report_min_group", flat=True), default=5)


def _verbose_name(name: str) -> str:
    """The label of one of the report's text fields."""
    return str(getattr(StatusReport._meta.get_field(name), "verbose_name", name))


def render_status_report(report: StatusReport, *, today: dt.date | None = None) -> bytes:
    """The PDF, in Swedish whatever language its reader uses the system in."""
    from weasyprint import CSS, HTML

    with translation.override(settings.LANGUAGE_CODE):
        data = status_report_data(
            report.lansdel,
            (report.period_start, report.period_end),
            minimum=minimum_group(report.insats),
            today=today,
            insats=report.insats,
        )
        comments = [
            (_verbose_name(name), getattr(report, name)) for name in StatusReport.TEXT_FIELDS
        ]
        html = render_to_string(
            "reports/lagesrapport_pdf.html",
            {
                "report": report,
                "data": data,
                "insats": report.insats,
                "owner": report.insats.owner
                if report.insats
                else Insats.objects.values_list("owner", flat=True).first(),
                "summary": comments[0],
                "comments": comments[1:],
            },
        )
    css = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=_refuse)
    return HTML(string=html, url_fetcher=_refuse).write_pdf(stylesheets=[css])
