"""The employer register and a participant's work-training placements."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sikta.access.decorators import requires
from sikta.access.policy import Action, may, participant_scope
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record_many
from sikta.casework.views import case_context, case_participant
from sikta.core.http import require_form_methods
from sikta.participants.models import Participant
from sikta.worktraining import services
from sikta.worktraining.forms import (
    ContactForm,
    EmployerForm,
    PlacementFollowUpForm,
    PlacementForm,
)
from sikta.worktraining.models import Employer, Placement

PAGE_SIZE = 50
# An employer's page shows its current placements and this many of the latest ended.
ENDED_SHOWN = 50


@requires(Action.VIEW_EMPLOYERS)
@require_safe
def employer_list(request: HttpRequest) -> HttpResponse:
    employers = Employer.objects.annotate(
        ongoing=Count("placements", filter=Q(placements__status=Placement.Status.ONGOING))
    ).order_by("name", "pk")
    # A NUL cannot be typed, and PostgreSQL refuses it in a query (a server error): drop it.
    text = request.GET.get("q", "").replace("\x00", "").strip()
    if text:
        employers = employers.filter(
            Q(name__icontains=text) | Q(organisation_number__icontains=text)
        )
    sector = request.GET.get("sektor", "")
    if sector in Employer.Sector.values:
        employers = employers.filter(sector=sector)
    page = Paginator(employers, PAGE_SIZE).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        "worktraining/employer_list.html",
        {
            "page": page,
            "q": text,
            "sector": sector,
            "sectors": Employer.Sector.choices,
            "query": query.urlencode(),
            "may_change": may(request.user, Action.CHANGE_EMPLOYERS),
        },
    )


@requires(Action.CHANGE_EMPLOYERS)
@require_form_methods
def employer_create(request: HttpRequest) -> HttpResponse:
    form = EmployerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        employer = services.employer_save(form=form, actor=Actor.of(request))
        messages.success(request, _("%(name)s is registered.") % {"name": employer.name})
        return redirect("employer_detail", pk=employer.pk)
    return render(
        request,
        "worktraining/employer_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _employer_page(
    request: HttpRequest,
    employer: Employer,
    *,
    form: EmployerForm | None = None,
    contact_form: ContactForm | None = None,
    status: int = 200,
) -> HttpResponse:
    # Placements name participants: only those the user may see are shown — the current ones
    # and the latest ENDED_SHOWN ended (an employer may have had placements for many years).
    theirs = Q(participant__in=Participant.objects.filter(participant_scope(request.user)))
    visible = employer.placements.filter(theirs).select_related("participant__kommun")
    current = list(visible.exclude(status__in=Placement.CLOSED))
    ended = list(
        visible.filter(status__in=Placement.CLOSED).order_by(
            F("end_date").desc(nulls_last=True), "-start_date", "-pk"
        )[:ENDED_SHOWN]
    )
    counts = employer.placements.aggregate(
        total=Count("pk"), ended=Count("pk", filter=theirs & Q(status__in=Placement.CLOSED))
    )
    placements = current + ended
    # The page names them: a read like a list of participants (flagged if protected).
    audit_record_many(
        request=request,
        action=AuditAction.PARTICIPANT_LIST,
        participants=[p.participant for p in placements],
        detail={"what": "employer"},
    )
    return render(
        request,
        "worktraining/employer_detail.html",
        {
            "employer": employer,
            "contacts": employer.contacts.all(),
            "placements": placements,
            "current": current,
            "ended": ended,
            "ended_total": counts["ended"],
            "visible_total": len(current) + counts["ended"],
            "hidden_placements": counts["total"] - len(current) - counts["ended"],
            "form": form if form is not None else EmployerForm(instance=employer, prefix="e"),
            "contact_form": contact_form if contact_form is not None else ContactForm(prefix="c"),
            "may_change": may(request.user, Action.CHANGE_EMPLOYERS),
        },
        status=status,
    )


@requires(Action.VIEW_EMPLOYERS)
@require_form_methods
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An employer, its contact people and placements; a POST changes the employer."""
    employer = get_object_or_404(Employer, pk=pk)
    if request.method != "POST" or not may(request.user, Action.CHANGE_EMPLOYERS):
        return _employer_page(request, employer)
    form = EmployerForm(request.POST, instance=employer, prefix="e")
    if not form.is_valid():
        return _employer_page(request, employer, form=form, status=400)
    services.employer_save(form=form, actor=Actor.of(request))
    messages.success(request, _("The employer is saved."))
    return redirect("employer_detail", pk=pk)


@requires(Action.VIEW_EMPLOYERS)
@require_POST
def employer_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a contact person to the employer."""
    employer = get_object_or_404(Employer, pk=pk)
    if not may(request.user, Action.CHANGE_EMPLOYERS):
        return _employer_page(request, employer)
    contact_form = ContactForm(request.POST, prefix="c")
    if not contact_form.is_valid():
        return _employer_page(request, employer, contact_form=contact_form, status=400)
    services.contact_add(employer=employer, form=contact_form, actor=Actor.of(request))
    messages.success(request, _("The contact person is added."))
    return redirect("employer_detail", pk=pk)


def _closed(request: HttpRequest, pk: int) -> HttpResponse:
    """Work training ends with the time in the programme: nothing to plan or change after."""
    messages.error(
        request, _("The participant has been discharged: work training can no longer be changed.")
    )
    return redirect("case_placements", pk=pk)


def _context(request: HttpRequest, participant: Participant, **extra: Any) -> dict[str, Any]:
    """The case's context; after the exit no form is offered (they would be refused)."""
    found = case_context(request, participant, "placements", **extra)
    found["discharged"] = participant.status not in Participant.ENROLLED
    found["may_change"] = found["may_change"] and not found["discharged"]
    return found


def _placements(participant: Participant) -> QuerySet[Placement]:
    return participant.placements.select_related("employer").prefetch_related("follow_ups")


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_placements(request: HttpRequest, pk: int) -> HttpResponse:
    participant = case_participant(request, pk)
    if request.method == "POST" and participant.status not in Participant.ENROLLED:
        return _closed(request, pk)
    form = PlacementForm(request.POST or None, initial={"status": Placement.Status.PLANNED})
    if request.method == "POST" and form.is_valid():
        placement = services.placement_save(
            participant=participant, form=form, actor=Actor.of(request)
        )
        messages.success(request, _("The placement is saved."))
        return redirect("case_placement", pk=pk, placement=placement.pk)
    return render(
        request,
        "worktraining/placements.html",
        _context(request, participant, placements=_placements(participant), form=form),
        status=400 if form.is_bound else 200,
    )


def _placement_of(request: HttpRequest, pk: int, placement: int) -> tuple[Participant, Placement]:
    participant = case_participant(request, pk)
    return participant, get_object_or_404(
        Placement.objects.select_related("employer"), pk=placement, participant=participant
    )


def _placement_page(
    request: HttpRequest,
    participant: Participant,
    placement: Placement,
    *,
    form: PlacementForm | None = None,
    follow_form: PlacementFollowUpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "worktraining/placement.html",
        _context(
            request,
            participant,
            placement=placement,
            follow_ups=placement.follow_ups.all(),
            form=form if form is not None else PlacementForm(instance=placement, prefix="p"),
            follow_form=follow_form
            if follow_form is not None
            else PlacementFollowUpForm(prefix="f"),
        ),
        status=status,
    )


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_placement(request: HttpRequest, pk: int, placement: int) -> HttpResponse:
    """A placement and its follow-ups; a POST changes the placement."""
    participant, placement_obj = _placement_of(request, pk, placement)
    if request.method != "POST":
        return _placement_page(request, participant, placement_obj)
    if participant.status not in Participant.ENROLLED:
        return _closed(request, pk)
    form = PlacementForm(request.POST, instance=placement_obj, prefix="p")
    if not form.is_valid():
        return _placement_page(request, participant, placement_obj, form=form, status=400)
    services.placement_save(participant=participant, form=form, actor=Actor.of(request))
    messages.success(request, _("The placement is saved."))
    return redirect("case_placement", pk=pk, placement=placement)


@requires(Action.VIEW_PARTICIPANT)
@require_POST
def case_placement_follow_up(request: HttpRequest, pk: int, placement: int) -> HttpResponse:
    """A follow-up of the placement: how it goes, with whom it was talked over."""
    participant, placement_obj = _placement_of(request, pk, placement)
    if participant.status not in Participant.ENROLLED:
        return _closed(request, pk)
    follow_form = PlacementFollowUpForm(request.POST, prefix="f")
    if not follow_form.is_valid():
        return _placement_page(
            request, participant, placement_obj, follow_form=follow_form, status=400
        )
    services.placement_follow_up(placement=placement_obj, form=follow_form, actor=Actor.of(request))
    messages.success(request, _("The follow-up is saved."))
    return redirect("case_placement", pk=pk, placement=placement)
