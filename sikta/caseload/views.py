"""Handing over a caseload: the samordnare (or the insatsledare) sees everyone's caseload and
moves one or all of a caseworker's participants — with their coming meetings — to others."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from sikta.access.decorators import requires
from sikta.access.policy import Action, get_caseworker_for_handover
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record_many
from sikta.caseload import services
from sikta.caseload.forms import HandOverForm
from sikta.caseload.selectors import caseload_of, handover_staff, receivers_for
from sikta.core.http import require_form_methods
from sikta.participants.selectors import offered_limit

PAGE_SIZE = 50


@requires(Action.ASSIGN_PARTICIPANT)
@require_safe
def caseload_index(request: HttpRequest) -> HttpResponse:
    """Everyone's caseload, with the way to hand each one over (names staff, no participant)."""
    page = Paginator(handover_staff(request.user), PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(request, "caseload/index.html", {"staff": page.object_list, "page": page})


@requires(Action.ASSIGN_PARTICIPANT)
@require_form_methods
def caseload_hand_over(request: HttpRequest, staff: int) -> HttpResponse:
    member = get_caseworker_for_handover(request, staff)
    participants = list(caseload_of(request.user, member))
    # The least loaded, and on a form sent the ones chosen in it (their place may have changed).
    keep = HandOverForm.chosen(request.POST) if request.method == "POST" else set()
    receivers = receivers_for(member, keep=keep)
    form = HandOverForm(request.POST or None, participants=participants, receivers=receivers)
    if request.method == "POST" and form.is_valid():
        done = services.caseload_hand_over(
            moves=form.cleaned_data["moves"],
            reason=form.cleaned_data["reason"],
            actor=Actor.of(request),
        )
        text = ngettext(
            "%(n)s participant is handed over.", "%(n)s participants are handed over.", done.moved
        ) % {"n": done.moved}
        if done.bookings:
            text += " " + ngettext(
                "%(n)s coming meeting went along.",
                "%(n)s coming meetings went along.",
                done.bookings,
            ) % {"n": done.bookings}
        if done.told:
            text += " " + ngettext(
                "%(n)s participant is told who their new contact person is.",
                "%(n)s participants are told who their new contact person is.",
                done.told,
            ) % {"n": done.told}
        messages.success(request, text)
        if done.not_told:
            messages.warning(
                request,
                ngettext(
                    "%(n)s participant has chosen no way of being reached: the new contact "
                    "person should call them.",
                    "%(n)s participants have chosen no way of being reached: the new contact "
                    "person should call them.",
                    len(done.not_told),
                )
                % {"n": len(done.not_told)},
            )
        return redirect("caseload_hand_over", staff=member.pk)
    audit_record_many(
        request=request, action=AuditAction.PARTICIPANT_LIST, participants=participants
    )
    return render(
        request,
        "caseload/hand_over.html",
        {
            "member": member,
            "form": form,
            "receivers": receivers,
            # Said on the page when the choice is cut to the least loaded.
            "offered": offered_limit(receivers),
            "rows": form.rows(),
        },
        status=400 if form.is_bound else 200,
    )
