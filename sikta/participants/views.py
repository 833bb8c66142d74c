from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
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
    may,
    participant_scope,
)
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record_many
from sikta.core.http import require_form_methods
from sikta.organisation.models import Kommun
from sikta.participants import services
from sikta.participants.consent import consent_record, consent_withdraw
from sikta.participants.forms import (
    AssignForm,
    ConsentForm,
    ConsentWithdrawForm,
    ParticipantFilterForm,
    ProtectionForm,
)
from sikta.participants.identity import display_name, masked_last, search
from sikta.participants.models import Consent, Participant
from sikta.participants.selectors import caseworkers_for, chosen_staff, offered_limit

PAGE_SIZE = 50
JOURNAL_PREVIEW = 5  # the case page shows the latest entries; the journal page has them all


@requires(Action.LIST_PARTICIPANTS)
@require_safe
def participant_list(request: HttpRequest) -> HttpResponse:
    visible = Participant.objects.filter(participant_scope(request.user))
    kommuner = Kommun.objects.filter(pk__in=visible.values("kommun")).select_related("lansdel")
    data = request.GET.copy()
    data.setdefault("status", Participant.Status.ACTIVE)
    form = ParticipantFilterForm(data, kommuner=kommuner, insats=insats_of(request.user))
    participants = visible.select_related("kommun__lansdel", "track", "assigned_to")
    if form.is_valid():
        if form.cleaned_data["q"]:
            participants = search(participants, form.cleaned_data["q"], request.user)
        for name in ("status", "track", "kommun"):
            if form.cleaned_data[name]:
                participants = participants.filter(**{name: form.cleaned_data[name]})
    else:
        participants = participants.none()  # the errors show next to the fields
    participants = masked_last(participants, request.user)
    page = Paginator(participants, PAGE_SIZE).get_page(request.GET.get("sida"))
    audit_record_many(request=request, action=AuditAction.PARTICIPANT_LIST, participants=page)
    query = data.copy()
    query.pop("sida", None)
    return render(
        request,
        "participants/participant_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@requires(Action.VIEW_PARTICIPANT)
@require_safe
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_participant_for_user(request, pk, Action.VIEW_PARTICIPANT)
    return render(
        request,
        "participants/participant_detail.html",
        {
            "participant": participant,
            "section": "overview",
            "mapping": participant.mappings.only("version", "created_at", "author_name").first(),
            "goals": participant.goals.select_related("area").prefetch_related("follow_ups"),
            "journal": participant.journal.current().select_related("corrects")[:JOURNAL_PREVIEW],
            "journal_count": participant.journal.current().count(),
            "exits": participant.exits.select_related("outcome").prefetch_related("income_after"),
            "enrolments": participant.enrolments.select_related("track", "exit__outcome"),
            "assignments": participant.assignments.select_related("staff", "track"),
            "consents": participant.consents.all(),
            "referrals": participant.referrals.select_related("track"),
            "may_assign": may(request.user, Action.ASSIGN_PARTICIPANT, participant),
            "may_change": may(request.user, Action.CHANGE_PARTICIPANT, participant),
            "may_protect": may(request.user, Action.PROTECT_IDENTITY, participant),
            "may_unprotect": may(request.user, Action.UNPROTECT_IDENTITY, participant),
            "groups": participant.activity_groups.all(),
            "placements": participant.placements.select_related("employer"),
            "documents": participant.final_documents.defer("pdf"),
        },
    )


@requires(Action.ASSIGN_PARTICIPANT)
@require_form_methods
def participant_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Change who is responsible; the samordnare sees everyone's caseload against capacity."""
    participant = get_participant_for_user(
        request, pk, Action.ASSIGN_PARTICIPANT, audit=AuditAction.PARTICIPANT_VIEW
    )
    offered = caseworkers_for(participant, keep=chosen_staff(request.POST, "caseworker"))
    caseworkers = [c for c in offered if c.staff.pk != participant.assigned_to_id]
    form = AssignForm(request.POST or None, caseworkers=caseworkers)
    if request.method == "POST" and form.is_valid():
        staff = form.cleaned_data["caseworker"]
        services.participant_assign(
            participant=participant,
            staff=staff,
            actor=Actor.of(request),
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            _("%(staff)s is now responsible for %(name)s.")
            % {"staff": staff.full_name, "name": display_name(request.user, participant)},
        )
        return redirect("participant_detail", pk=participant.pk)
    return render(
        request,
        "participants/assign.html",
        {
            "participant": participant,
            "form": form,
            "caseworkers": caseworkers,
            "offered": offered_limit(offered),
        },
        status=400 if form.is_bound else 200,
    )


def _consent_participant(request: HttpRequest, pk: int) -> Participant:
    """Reading needs VIEW, recording needs CHANGE; either way it is a read of the person."""
    action = Action.CHANGE_PARTICIPANT if request.method == "POST" else Action.VIEW_PARTICIPANT
    return get_participant_for_user(request, pk, action, audit=AuditAction.PARTICIPANT_VIEW)


def _give_form(data: Any = None) -> ConsentForm:
    initial = {"given_on": timezone.localdate(), "processing": True, "how": Consent.How.PAPER}
    return ConsentForm(data, prefix="give", initial=initial)


def _withdraw_form(participant: Participant, data: Any = None) -> ConsentWithdrawForm:
    current = participant.consents.filter(withdrawn_on__isnull=True)
    return ConsentWithdrawForm(
        data,
        prefix="withdraw",
        consents=current,
        initial={"withdrawn_on": timezone.localdate(), "consent": current.last()},
    )


def _consent_page(
    request: HttpRequest,
    participant: Participant,
    *,
    give: ConsentForm | None = None,
    withdraw: ConsentWithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "participants/consent.html",
        {
            "participant": participant,
            "section": "consent",
            "may_change": may(request.user, Action.CHANGE_PARTICIPANT, participant),
            "consents": participant.consents.select_related(
                "recorded_by", "withdrawn_recorded_by"
            ).order_by("-given_on", "-pk"),
            "give": give if give is not None else _give_form(),
            "withdraw": withdraw if withdraw is not None else _withdraw_form(participant),
            "has_current": participant.consents.filter(withdrawn_on__isnull=True).exists(),
        },
        status=status,
    )


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """What the participant consented to over time; a POST records a consent given."""
    participant = _consent_participant(request, pk)
    if request.method != "POST":
        return _consent_page(request, participant)
    give = _give_form(request.POST)
    if not give.is_valid():
        return _consent_page(request, participant, give=give, status=400)
    consent_record(participant=participant, data=give.cleaned_data, actor=Actor.of(request))
    messages.success(request, _("The consent is recorded."))
    return redirect("case_consent", pk=pk)


@requires(Action.VIEW_PARTICIPANT)
@require_POST
def case_consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a consent given is withdrawn, wholly or for some purposes."""
    participant = _consent_participant(request, pk)
    withdraw = _withdraw_form(participant, request.POST)
    if not withdraw.is_valid():
        return _consent_page(request, participant, withdraw=withdraw, status=400)
    data = withdraw.cleaned_data
    consent_withdraw(
        consent=data["consent"],
        purposes=data["purposes"],
        withdrawn_on=data["withdrawn_on"],
        note=data["note"],
        actor=Actor.of(request),
    )
    messages.success(request, _("The withdrawal is recorded."))
    return redirect("case_consent", pk=pk)


@requires(Action.PROTECT_IDENTITY)
@require_form_methods
def participant_protection(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a participant as having protected identity (skyddad identitet), or remove the mark.

    Marking: the responsible coach or koordinator, or the samordnare of the länsdel. Removing
    it shows the person to more people, so only the samordnare may. GET asks for confirmation;
    the change is a POST, audited.
    """
    participant = get_participant_for_user(
        request, pk, Action.PROTECT_IDENTITY, audit=AuditAction.PARTICIPANT_VIEW
    )
    protect = not participant.protected_identity
    if not protect and not may(request.user, Action.UNPROTECT_IDENTITY, participant):
        messages.error(
            request,
            _("Only the samordnare of the county area can remove the protected identity mark."),
        )
        return redirect("participant_detail", pk=pk)
    if request.method == "POST" and request.POST.get("protect") != ("1" if protect else "0"):
        # Sent from a page showing the other state (a double click, a stale tab): the change
        # the user confirmed has already been made; making the opposite one would undo it.
        messages.info(request, _("Nothing changed: the mark was already as you asked."))
        return redirect("participant_detail", pk=pk)
    form = ProtectionForm(request.POST or None, protect=protect)
    if request.method == "POST" and form.is_valid():
        services.participant_protection(
            participant=participant,
            protect=protect,
            actor=Actor.of(request),
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            _("The participant is now marked as protected identity.")
            if protect
            else _("The protected identity mark is removed."),
        )
        return redirect("participant_detail", pk=pk)
    return render(
        request,
        "participants/protection.html",
        {"participant": participant, "form": form, "protect": protect},
        status=400 if form.is_bound else 200,
    )
