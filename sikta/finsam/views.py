"""Uppföljning Finsam: the checklist of who to register and de-register, and its export."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sikta.access.decorators import requires
from sikta.access.policy import (
    Action,
    get_participant_for_user,
    insats_of,
    lansdel_of,
    may,
    participant_scope,
    reported_insatser,
)
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record, audit_record_many
from sikta.finsam import selectors, services
from sikta.finsam.forms import ChecklistFilter, CountsPeriodForm, EducationForm, MarkForm
from sikta.finsam.models import Registration
from sikta.organisation.models import EducationLevel, Insats, Lansdel
from sikta.participants.models import Participant
from sikta.reports import exports

PAGE_SIZE = 50


def _chosen(request: HttpRequest) -> tuple[ChecklistFilter, QuerySet[Participant], str]:
    """The filter form, the participants it selects (within what the user may see), and what
    to show of them."""
    visible = Participant.objects.filter(participant_scope(request.user))
    lansdelar = (
        None if lansdel_of(request.user) else Lansdel.objects.filter(insats=insats_of(request.user))
    )
    form = ChecklistFilter(request.GET or None, lansdelar=lansdelar)
    show = selectors.SHOW_TODO
    if form.is_valid():
        show = form.cleaned_data["visa"] or show
        if form.cleaned_data.get("lansdel"):
            visible = visible.filter(kommun__lansdel=form.cleaned_data["lansdel"])
    return form, visible, show


@requires(Action.HANDLE_FINSAM)
@require_safe
def finsam_list(request: HttpRequest) -> HttpResponse:
    form, visible, show = _chosen(request)
    page = Paginator(
        selectors.with_details(selectors.checklist(visible, show)), PAGE_SIZE
    ).get_page(request.GET.get("sida"))
    audit_record_many(
        request=request,
        action=AuditAction.PARTICIPANT_LIST,
        participants=page,
        detail={"what": "Uppföljning Finsam"},
    )
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        "finsam/list.html",
        {
            "form": form,
            "page": page,
            "rows": list(selectors.rows(page)),
            "summary": selectors.summary(visible),
            "protected_count": selectors.protected_count(visible),
            "anonymous": selectors.anonymous_counts(visible),
            "education_levels": EducationLevel.objects.all(),
            "today": timezone.localdate(),
            "query": query.urlencode(),
            "next": request.get_full_path(),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    # Only our own checklist: never an address someone else put in the form.
    return redirect(target if target.startswith("/rapporter/finsam/") else "finsam_list")


def _participant(request: HttpRequest, pk: int) -> Participant:
    """The participant a mark is about; the service writes the one record of the change."""
    return get_participant_for_user(request, pk, Action.HANDLE_FINSAM, record_read=False)


@requires(Action.HANDLE_FINSAM)
@require_POST
def finsam_mark(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _participant(request, pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request)
    kind = form.cleaned_data["kind"]
    try:
        services.registration_mark(
            participant=participant,
            kind=kind,
            registered_on=form.cleaned_data["registered_on"],
            actor=Actor.of(request),
        )
    except services.NotDischarged:
        messages.error(request, _("Only a discharged participant can be de-registered."))
        return _back(request)
    except services.AlreadyMarked:
        messages.info(request, _("That was already marked."))
        return _back(request)
    messages.success(
        request,
        _("%(name)s is marked as registered.") % {"name": participant}
        if kind == Registration.Kind.START
        else _("%(name)s is marked as de-registered.") % {"name": participant},
    )
    return _back(request)


@requires(Action.HANDLE_FINSAM)
@require_POST
def finsam_unmark(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a mark made by mistake; the audit log keeps both."""
    participant = _participant(request, pk)
    kind = request.POST.get("kind", "")
    if kind not in Registration.Kind.values:  # the form's hidden field: nothing else is a mark
        return _back(request)
    if services.registration_unmark(participant=participant, kind=kind, actor=Actor.of(request)):
        messages.success(request, _("The mark is removed."))
    return _back(request)


@requires(Action.HANDLE_FINSAM)
@require_POST
def finsam_education(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _participant(request, pk)
    form = EducationForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["education_level"][0])
        return _back(request)
    services.education_set(
        participant=participant,
        level=form.cleaned_data["education_level"],
        actor=Actor.of(request),
    )
    messages.success(request, _("The education level is saved."))
    return _back(request)


@requires(Action.HANDLE_FINSAM)
@require_safe
def finsam_export(request: HttpRequest) -> HttpResponse:
    """The checklist as shown (same filter), as CSV or Excel, streamed; every person exported
    is logged, and the export with its row count."""
    form, visible, show = _chosen(request)
    kind = request.GET.get("format")
    if kind not in exports.FORMATS:
        return render(request, "finsam/dictionary.html", {"dictionary": selectors.DICTIONARY})
    chosen = selectors.checklist(visible, show)

    def logged(rows: int, complete: bool) -> None:
        audit_record(
            request=request,
            action=AuditAction.REPORT_EXPORT,
            detail={
                "what": "Uppföljning Finsam",
                "format": kind,
                "show": show,
                "rows": rows,
                "complete": complete,
            },
        )

    def lines() -> Iterator[list[Any]]:
        for chunk in selectors.chunks(chosen):
            audit_record_many(
                request=request,
                action=AuditAction.PARTICIPANT_EXPORT,
                participants=chunk,
                detail={"what": "Uppföljning Finsam"},
            )
            yield from (selectors.line(r) for r in selectors.rows(chunk))

    body = exports.counted(itertools.chain([selectors.COLUMNS], lines()), logged)
    return exports.response(kind, body, f"sikta-finsam-{timezone.localdate()}")


def _counts_years() -> list[int]:
    """The years the förbund's insatser have run, newest first."""
    span = Insats.objects.aggregate(start=Min("start_date"), end=Max("end_date"))
    this_year = timezone.localdate().year
    first = span["start"].year if span["start"] else this_year
    return list(
        range(min(this_year, span["end"].year if span["end"] else this_year), first - 1, -1)
    )


@requires(Action.REPORT_FINSAM_COUNTS)
@require_safe
def finsam_counts(request: HttpRequest) -> HttpResponse:
    """Uppföljning Finsam as the service takes it today: per insats and year (or a chosen
    period), the number of participants by kön, to type or paste in; no person."""
    years = _counts_years()
    today = timezone.localdate()
    # In January the year just ended is what is reported.
    default_year = today.year - 1 if today.month == 1 and today.year - 1 in years else today.year
    form = CountsPeriodForm(request.GET or {"year": default_year}, years=years)
    table = None
    if form.is_valid():
        period = form.period()
        table = selectors.counts_by_kon(reported_insatser(request.user).order_by("name"), period)
        kind = request.GET.get("format")
        if kind in exports.FORMATS:
            audit_record(
                request=request,
                action=AuditAction.REPORT_EXPORT,
                detail={
                    "what": "Uppföljning Finsam, antal per kön",
                    "format": kind,
                    "period": [str(d) for d in period],
                },
            )
            return exports.response(
                kind, _counts_lines(table, period), f"sikta-finsam-antal-{period[0]}-{period[1]}"
            )
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "finsam/counts.html",
        {
            "form": form,
            "table": table,
            "period": form.period() if table is not None else None,
            "query": query.urlencode(),
            "checklist": may(request.user, Action.HANDLE_FINSAM),
        },
        status=200 if form.is_valid() else 400,
    )


def _counts_lines(table: list[selectors.KonCounts], period: tuple[Any, Any]) -> Iterator[list[Any]]:
    yield [_("Programme"), _("Measure"), _("Women"), _("Men"), _("Total")]
    for row in table:
        for label, values in (
            (_("Participants in the period"), row.participants),
            (_("of whom began in the period"), row.new),
            (_("of whom ended in the period"), row.ended),
        ):
            yield [row.insats.name, label, *values]
    yield []
    yield [_("Period"), str(period[0]), str(period[1])]
