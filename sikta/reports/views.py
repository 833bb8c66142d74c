"""The dashboard: the programme's figures for a period, broken down, exportable."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import Count, Max, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_safe

from sikta.access.decorators import requires
from sikta.access.policy import (
    Action,
    insats_of,
    lansdel_of,
    report_scope,
    reported_insatser,
    scope_filter,
    sees_exact_counts,
)
from sikta.audit.models import AuditAction
from sikta.audit.services import audit_record
from sikta.core.reads import nothing, read, together
from sikta.participants.models import Participant
from sikta.participants.selectors import caseloads_reader
from sikta.referrals.models import Referral
from sikta.reports import exports
from sikta.reports.aggregates import dashboard, dashboard_reader
from sikta.reports.charts import Bar, bar_chart
from sikta.reports.goal import GOAL_PERCENT, GoalFigure, goal_of, goal_trend_reader
from sikta.reports.lagesrapport import minimum_group
from sikta.reports.present import Shown, present
from sikta.reports.suppression import Hidden
from sikta.surveys.reports import summary_reader

BREAKDOWN_LABELS = {
    "all": gettext_lazy("All together"),
    "insats": gettext_lazy("Programme"),
    "lansdel": gettext_lazy("County area"),
    "kommun": gettext_lazy("Municipality"),
    "track": gettext_lazy("Track"),
    "gender": gettext_lazy("Gender"),
    "age": gettext_lazy("Age band"),
}


class DashboardForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    by = forms.ChoiceField(
        label=gettext_lazy("Broken down by"), choices=list(BREAKDOWN_LABELS.items())
    )

    def __init__(self, *args: Any, several: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not several:
            # One insats: "by programme" would be one row.
            by = self.fields["by"]
            by.choices = [c for c in by.choices if c[0] != "insats"]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The period ends before it begins."))
        return data


def _defaults(several: bool = False) -> dict[str, Any]:
    """This year so far; for the whole förbund, its insatser side by side."""
    today = timezone.localdate()
    return {
        "date_from": dt.date(today.year, 1, 1),
        "date_to": today,
        "by": "insats" if several else "all",
    }


def _query(request: HttpRequest, defaults: dict[str, Any]) -> Any:
    """The query with what it leaves out taken from `defaults` (a link with a period only
    keeps the default breakdown)."""
    query = request.GET.copy()
    for key, value in defaults.items():
        if not query.get(key):
            query[key] = str(value)
    return query


def _scope(request: HttpRequest) -> tuple[Any, Any, bool]:
    """What the user's figures count, and whether small cells must be hidden (the policy's)."""
    participants, referrals, suppressed = report_scope(request.user)
    return Participant.objects.filter(participants), Referral.objects.filter(referrals), suppressed


@requires(Action.VIEW_AGGREGATES)
@require_safe
def report_dashboard(request: HttpRequest) -> HttpResponse:
    insats = insats_of(request.user)
    # How many insatser the user reports on, the span they cover (for the goal by quarter) and
    # the strictest smallest group among them (for the förbund's: minimum_group).
    insatser = reported_insatser(request.user).aggregate(
        count=Count("pk"),
        start=Min("start_date"),
        end=Max("end_date"),
        strictest=Max("report_min_group"),
    )
    several = insatser["count"] > 1
    form = DashboardForm(_query(request, _defaults(several)), several=several)
    data = form.cleaned_data if form.is_valid() else _defaults(several)
    period = (data["date_from"], data["date_to"])
    participants, referrals, must_suppress = _scope(request)
    min_group = insatser["strictest"] or minimum_group(insats)
    minimum = min_group if must_suppress else None
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        figures = dashboard(participants, referrals, period, data["by"])
        shown = [present(f, minimum=minimum) for f in figures]
        goal = goal_of(next(f for f in figures if f.key == "outcomes"))
        audit_record(
            request=request,
            action=AuditAction.REPORT_EXPORT,
            detail={
                "format": export,
                "period": [str(d) for d in period],
                "by": data["by"],
                "rows": sum(len(s.rows) for s in shown),
            },
        )
        return exports.response(
            export,
            _lines(shown, period, minimum, goal),
            f"sikta-rapport-{period[0]}-{period[1]}",
        )
    lansdel = lansdel_of(request.user) if not must_suppress else None
    start, end = insatser["start"], insatser["end"]
    span = (start, min(timezone.localdate(), end)) if start and end else None
    # Everything the page shows, its queries sent together (sikta.core.reads).
    cases, surveys, trend, figures = read(
        together(
            caseloads_reader(insats, lansdel),
            summary_reader(participants, period, min_group),
            goal_trend_reader(participants, *span) if span else nothing([]),
            dashboard_reader(participants, referrals, period, data["by"]),
        )
    )
    goal = goal_of(next(f for f in figures if f.key == "outcomes"))
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "figures": [present(f, minimum=minimum) for f in figures],
            "period": period,
            "by_label": BREAKDOWN_LABELS.get(data["by"], ""),
            "suppressed": must_suppress,
            "minimum": min_group,
            "caseloads": cases,
            "surveys": surveys,
            "goal": goal,
            "goal_texts": goal.texts(minimum),
            "goal_trend": _goal_trend(trend, minimum),
            "insats": insats,
            "query": request.GET.urlencode(),
        },
    )


def _goal_trend(trend: list[tuple[str, GoalFigure]], minimum: int | None) -> dict[str, Any]:
    """The goal figure by quarter over the insats period so far (for the förbund, from the
    first insats's start), as a table and a chart."""
    if not trend:
        return {"rows": [], "chart": ""}
    rows = [(label, g, g.texts(minimum)) for label, g in trend]
    title = _(
        "Share discharged to one of the six destinations, by quarter, against the goal of 100 %"
    )
    bars = [Bar(label, g.share if texts[2] != "–" else None, texts[2]) for label, g, texts in rows]
    return {
        "rows": rows,
        "title": title,
        "chart": bar_chart(
            bars,
            title=title,
            maximum=100,
            unit="\xa0%",
            goal=GOAL_PERCENT,
            goal_label=_("Goal: 100 %"),
        ),
    }


def _lines(
    shown: list[Shown],
    period: tuple[dt.date, dt.date],
    minimum: int | None,
    goal: GoalFigure,
) -> Iterator[list[Any]]:
    yield [_("Period"), str(period[0]), str(period[1])]
    discharged, destination, share = goal.texts(minimum)
    yield [_("Discharged in the period"), discharged]
    yield [_("Discharged to one of the six destinations"), destination]
    yield [_("Share to the six destinations (goal: 100 %)"), share]
    for s in shown:
        yield []
        yield [s.figure.title]
        total_header = [_("Total")] if s.figure.additive else []
        yield ["", *s.figure.columns, *total_header]
        for group, cells, total in s.rows:
            row_total = [_cell(total)] if s.figure.additive else []
            yield [group, *(_cell(v) for v in cells), *row_total]
        grand = [_cell(s.grand_total)] if s.figure.additive else []
        yield [_("Total"), *(_cell(t) for t in s.totals), *grand]
    if any(s.secondary for s in shown):
        yield []
        yield [SECONDARY_NOTE]


SECONDARY_NOTE = gettext_lazy(
    "“–”: hidden to protect a small number elsewhere in the table, not because it is small."
)


def _cell(value: Any) -> Any:
    """A count as the export shows it: a hidden one by its label ("<5" or "–")."""
    if value is None:
        return ""
    return str(value) if isinstance(value, Hidden) else value


@requires(Action.EXPORT_PSEUDONYMISED)
@require_safe
def evaluation_export(request: HttpRequest) -> HttpResponse:
    """The evaluator's pseudonymised data set (CSV or Excel) and its data dictionary."""
    from sikta.reports import evaluation

    export = request.GET.get("format")
    if export not in exports.FORMATS:
        return render(request, "reports/evaluation.html", {"dictionary": evaluation.DICTIONARY})

    def logged(rows: int, complete: bool) -> None:
        audit_record(
            request=request,
            action=AuditAction.PARTICIPANT_EXPORT,
            detail={
                "what": "pseudonymised data set",
                "format": export,
                "rows": rows,
                "complete": complete,
            },
        )

    rows = evaluation.rows(Participant.objects.filter(scope_filter(request.user)))
    lines = exports.counted(itertools.chain([evaluation.COLUMNS], rows), logged)
    return exports.response(
        export, lines, f"sikta-utvardering-{timezone.localdate()}", checked=True
    )


@requires(Action.VIEW_AGGREGATES)
@require_safe
def financing_report(request: HttpRequest) -> HttpResponse:
    """Positions per kommun and länsdel, participants served per position, cost per participant.

    Counted over the whole programme for everyone; only the programme's leads see counts
    below the minimum, as for any aggregate shown to many.
    """
    from sikta.reports.financing import financing

    insats = insats_of(request.user)
    form = DashboardForm(request.GET or None, initial=_defaults())
    form.fields.pop("by")
    data = form.cleaned_data if form.is_valid() else _defaults()
    period = (data["date_from"], data["date_to"])
    # Those who may see every participant (the leads) see exact counts.
    minimum = None if sees_exact_counts(request.user) else minimum_group(insats)
    return render(
        request,
        "reports/financing.html",
        {
            "form": form,
            "insats": insats,
            "minimum": minimum,
            "table": financing(
                insats, Participant.objects.filter(insats=insats), period, minimum=minimum
            )
            if insats
            else None,
        },
    )
