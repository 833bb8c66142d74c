"""The case pages: kartläggning, plan, journal and exit of one participant."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sikta.access.decorators import requires
from sikta.access.policy import Action, get_participant_for_user, may, may_see_identity
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor
from sikta.bookings.selectors import held_booking, journal_initial
from sikta.bookings.services import booking_link_journal
from sikta.casework import services
from sikta.casework.forms import (
    ExitForm,
    FinalDocumentForm,
    FollowUpForm,
    GoalForm,
    HandedForm,
    JournalForm,
    MappingForm,
    PauseForm,
    ResumeForm,
)
from sikta.casework.models import FinalDocument, Goal, JournalEntry
from sikta.core.http import require_form_methods
from sikta.participants.identity import display_name
from sikta.participants.models import Participant
from sikta.referrals import services as referral_services
from sikta.referrals.forms import ReferralForm
from sikta.referrals.models import Referral
from sikta.worktraining.models import Placement

JOURNAL_PAGE = 25


def case_participant(request: HttpRequest, pk: int) -> Participant:
    """Reading needs VIEW, sending a form needs CHANGE; either way it is a read of the person."""
    action = Action.CHANGE_PARTICIPANT if request.method == "POST" else Action.VIEW_PARTICIPANT
    return get_participant_for_user(request, pk, action, audit=AuditAction.PARTICIPANT_VIEW)


def case_context(
    request: HttpRequest, participant: Participant, section: str, **extra: Any
) -> dict:
    return {
        "participant": participant,
        "section": section,
        "may_change": may(request.user, Action.CHANGE_PARTICIPANT, participant),
        **extra,
    }


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    participant = case_participant(request, pk)
    # The participant too: the related manager sets each row's participant from it (a deferred
    # participant_id would be read with one query per version).
    versions = list(
        participant.mappings.only("pk", "participant_id", "version", "created_at", "author_name")
    )
    latest = participant.mappings.first()
    shown = latest
    version = request.GET.get("version", "")
    if version.isascii() and version.isdigit():  # "²".isdigit() is true, int("²") fails
        shown = participant.mappings.filter(version=int(version)).first() or latest
    template = participant.track.mapping_template
    status = 200
    if request.method == "POST":
        form = MappingForm(request.POST, template=template)
        if form.is_valid():
            try:
                mapping = services.mapping_save(
                    participant=participant,
                    answers=form.answers(),
                    based_on=form.cleaned_data["based_on"],
                    actor=Actor.of(request),
                )
            except services.EditConflict:
                form.add_error(
                    None,
                    _(
                        "Someone else saved the kartläggning while you were writing. Their "
                        "version is shown above; your text is kept below — merge and save again."
                    ),
                )
                form.data = form.data.copy()
                form.data["based_on"] = latest.version if latest else ""
                status = 409
            else:
                messages.success(
                    request, _("Kartläggning saved as version %(v)s.") % {"v": mapping.version}
                )
                return redirect("case_mapping", pk=pk)
        else:
            status = 400
    else:
        initial = {"based_on": latest.version if latest else None}
        if latest is not None:
            initial.update({f"a_{a['key']}": a["text"] for a in latest.answers})
        form = MappingForm(initial=initial, template=template)
    return render(
        request,
        "casework/mapping.html",
        case_context(request, participant, "mapping", form=form, shown=shown, versions=versions),
        status=status,
    )


def _goals(participant: Participant) -> Any:
    return participant.goals.select_related("area").prefetch_related("follow_ups")


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_plan(request: HttpRequest, pk: int) -> HttpResponse:
    participant = case_participant(request, pk)
    form = GoalForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        services.goal_create(
            participant=participant, data=form.cleaned_data, actor=Actor.of(request)
        )
        messages.success(request, _("The goal is added to the plan."))
        return redirect("case_plan", pk=pk)
    return render(
        request,
        "casework/plan.html",
        case_context(request, participant, "plan", goals=_goals(participant), form=form),
        status=400 if form.is_bound else 200,
    )


@requires(Action.VIEW_PARTICIPANT)
@require_safe
def case_plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    participant = case_participant(request, pk)
    return render(
        request,
        "casework/plan_print.html",
        case_context(request, participant, "plan", goals=_goals(participant)),
    )


def _goal_of(request: HttpRequest, pk: int, goal: int) -> tuple[Participant, Goal]:
    participant = case_participant(request, pk)
    return participant, get_object_or_404(
        Goal.objects.select_related("area"), pk=goal, participant=participant
    )


def _goal_page(
    request: HttpRequest,
    participant: Participant,
    goal: Goal,
    *,
    goal_form: GoalForm | None = None,
    follow_form: FollowUpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "casework/goal.html",
        case_context(
            request,
            participant,
            "plan",
            goal=goal,
            follow_ups=goal.follow_ups.all(),
            goal_form=goal_form
            if goal_form is not None
            else GoalForm(instance=goal, initial={"version": goal.version}),
            follow_form=follow_form if follow_form is not None else FollowUpForm(prefix="f"),
        ),
        status=status,
    )


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_goal(request: HttpRequest, pk: int, goal: int) -> HttpResponse:
    """A goal of the plan, its follow-ups, and changing it."""
    participant, goal_obj = _goal_of(request, pk, goal)
    if request.method != "POST":
        return _goal_page(request, participant, goal_obj)
    goal_form = GoalForm(request.POST, instance=Goal.objects.get(pk=goal_obj.pk))
    if not goal_form.is_valid():
        return _goal_page(request, participant, goal_obj, goal_form=goal_form, status=400)
    try:
        services.goal_update(
            goal=goal_obj,
            data=goal_form.cleaned_data,
            version=goal_form.cleaned_data["version"] or 0,
            actor=Actor.of(request),
        )
    except services.EditConflict:
        goal_obj.refresh_from_db()
        goal_form.add_error(
            None,
            _(
                "Someone else changed the goal while you were editing. It now reads as "
                "shown above; your changes are kept in the form — check and save again."
            ),
        )
        goal_form.data = goal_form.data.copy()
        goal_form.data["version"] = goal_obj.version
        return _goal_page(request, participant, goal_obj, goal_form=goal_form, status=409)
    messages.success(request, _("The goal is saved."))
    return redirect("case_plan", pk=pk)


@requires(Action.VIEW_PARTICIPANT)
@require_POST
def case_goal_follow_up(request: HttpRequest, pk: int, goal: int) -> HttpResponse:
    participant, goal_obj = _goal_of(request, pk, goal)
    follow_form = FollowUpForm(request.POST, prefix="f")
    if not follow_form.is_valid():
        return _goal_page(request, participant, goal_obj, follow_form=follow_form, status=400)
    services.goal_follow_up(goal=goal_obj, actor=Actor.of(request), **follow_form.cleaned_data)
    messages.success(request, _("The follow-up is saved."))
    return redirect("case_goal", pk=pk, goal=goal)


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_journal(request: HttpRequest, pk: int) -> HttpResponse:
    participant = case_participant(request, pk)
    booking = held_booking(participant, request.POST.get("bokning") or request.GET.get("bokning"))
    initial = journal_initial(booking) if booking else {"kind": JournalEntry.Kind.MEETING}
    form = JournalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        entry = services.journal_add(
            participant=participant, data=form.cleaned_data, actor=Actor.of(request)
        )
        if booking is not None:
            booking_link_journal(booking=booking, entry=entry)
        messages.success(request, _("The journal entry is saved."))
        return redirect("case_journal", pk=pk)
    entries = participant.journal.current().select_related("corrects")
    page = Paginator(entries, JOURNAL_PAGE).get_page(request.GET.get("sida"))
    return render(
        request,
        "casework/journal.html",
        case_context(
            request, participant, "journal", page=page, form=form, query="", booking=booking
        ),
        status=400 if form.is_bound else 200,
    )


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_journal_correct(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    participant = case_participant(request, pk)
    original = get_object_or_404(JournalEntry, pk=entry, participant=participant)
    newest = original.newest()
    if request.method != "POST" and newest != original:
        return redirect("case_journal_correct", pk=pk, entry=newest.pk)
    form = JournalForm(request.POST or None, initial=_entry_values(original))
    status = 400 if form.is_bound else 200
    if request.method == "POST" and form.is_valid() and newest == original:
        try:
            services.journal_correct(
                entry=original, data=form.cleaned_data, actor=Actor.of(request)
            )
        except services.EditConflict:  # corrected by someone else a moment ago
            newest = original.newest()
        else:
            messages.success(request, _("The correction is saved; the earlier text is kept."))
            return redirect("case_journal", pk=pk)
    if request.method == "POST" and newest != original:
        # Someone corrected it first: show theirs, keep what this user typed, let them merge.
        form.add_error(
            None,
            _(
                "Someone else corrected the entry while you were writing. Their text is shown "
                "below; yours is kept in the form — check and save again."
            ),
        )
        return render(
            request,
            "casework/journal_correct.html",
            case_context(
                request,
                participant,
                "journal",
                entry=newest,
                form=form,
                history=[newest, *_earlier_versions(newest)],
                conflict=True,
            ),
            status=409,
        )
    return render(
        request,
        "casework/journal_correct.html",
        case_context(
            request,
            participant,
            "journal",
            entry=original,
            form=form,
            history=_earlier_versions(original),
        ),
        status=status,
    )


def _entry_values(entry: JournalEntry) -> dict[str, Any]:
    return {f: getattr(entry, f) for f in ("date", "kind", "duration_minutes", "note")}


def _earlier_versions(entry: JournalEntry) -> list[JournalEntry]:
    """The texts an entry replaced, newest first."""
    earlier = []
    current = entry
    while hasattr(current, "corrects"):  # False once nothing earlier was corrected
        current = current.corrects
        earlier.append(current)
    return earlier


def _open_pause(participant: Participant) -> Any:
    return participant.pauses.filter(end_date__isnull=True).first()


def _pause_form(participant: Participant, data: Any = None) -> PauseForm | None:
    if participant.status != Participant.Status.ACTIVE:
        return None
    return PauseForm(data, prefix="pause", enrolled_on=participant.start_date)


def _resume_form(participant: Participant, data: Any = None) -> ResumeForm | None:
    open_pause = _open_pause(participant)
    if open_pause is None:
        return None
    return ResumeForm(data, prefix="resume", paused_from=open_pause.start_date)


def _exit_form(participant: Participant, data: Any = None) -> ExitForm | None:
    if participant.status not in Participant.ENROLLED:
        return None
    open_pause = _open_pause(participant)
    return ExitForm(
        data,
        start_date=participant.start_date,
        paused_from=open_pause.start_date if open_pause is not None else None,
    )


def _exit_page(
    request: HttpRequest,
    participant: Participant,
    *,
    form: ExitForm | None = None,
    pause_form: PauseForm | None = None,
    resume_form: ResumeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "casework/exit.html",
        case_context(
            request,
            participant,
            "exit",
            form=form if form is not None else _exit_form(participant),
            pause_form=pause_form if pause_form is not None else _pause_form(participant),
            resume_form=resume_form if resume_form is not None else _resume_form(participant),
            exits=participant.exits.select_related("outcome").prefetch_related("income_after"),
            pauses=list(participant.pauses.all()),
            open_placements=participant.placements.exclude(status__in=Placement.CLOSED)
            .select_related("employer")
            .order_by("start_date", "pk"),
        ),
        status=status,
    )


def _enrolled_for_post(request: HttpRequest, pk: int) -> Participant | HttpResponse:
    """The participant a pause, resume or exit is sent for; a redirect once discharged."""
    participant = case_participant(request, pk)
    if participant.status not in Participant.ENROLLED:
        messages.error(request, _("The participant has already been discharged."))
        return redirect("case_exit", pk=pk)
    return participant


def _conflict(request: HttpRequest, pk: int) -> HttpResponse:
    messages.error(request, _("Someone else changed the participant just now; look again."))
    return redirect("case_exit", pk=pk)


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_exit(request: HttpRequest, pk: int) -> HttpResponse:
    """The exit page (pauses, exits, the exit form); a POST discharges (utskrivning)."""
    if request.method != "POST":
        return _exit_page(request, case_participant(request, pk))
    participant = _enrolled_for_post(request, pk)
    if isinstance(participant, HttpResponse):
        return participant
    form = _exit_form(participant, request.POST)
    if form is None or not form.is_valid():
        return _exit_page(request, participant, form=form, status=400)
    data = form.cleaned_data
    closing = services.placements_closing(participant, data["end_date"])
    try:
        services.participant_exit(participant=participant, data=data, actor=Actor.of(request))
    except services.EditConflict:
        return _conflict(request, pk)
    if closing["cancelled"]:
        messages.info(
            request,
            _("Planned work training that had not begun is cancelled: %(list)s.")
            % {"list": _placement_list(closing["cancelled"])},
        )
    messages.success(
        request,
        _("%(name)s is discharged. Remember the exit survey: it can be answered for %(days)s days.")
        % {
            "name": display_name(request.user, participant),
            "days": participant.track.insats.exit_survey_days,
        },
    )
    return redirect("case_exit", pk=pk)


@requires(Action.VIEW_PARTICIPANT)
@require_POST
def case_pause(request: HttpRequest, pk: int) -> HttpResponse:
    """Pause an active participant's time."""
    participant = _enrolled_for_post(request, pk)
    if isinstance(participant, HttpResponse):
        return participant
    pause_form = _pause_form(participant, request.POST)
    if pause_form is None:  # already paused (a stale page): nothing to do, the page as it is
        return _exit_page(request, participant)
    if not pause_form.is_valid():
        return _exit_page(request, participant, pause_form=pause_form, status=400)
    try:
        services.pause_start(
            participant=participant, actor=Actor.of(request), **pause_form.cleaned_data
        )
    except services.EditConflict:
        return _conflict(request, pk)
    messages.success(request, _("The time is paused."))
    return redirect("case_exit", pk=pk)


@requires(Action.VIEW_PARTICIPANT)
@require_POST
def case_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """End the open pause."""
    participant = _enrolled_for_post(request, pk)
    if isinstance(participant, HttpResponse):
        return participant
    resume_form = _resume_form(participant, request.POST)
    if resume_form is None:  # no open pause (a stale page): nothing to do, the page as it is
        return _exit_page(request, participant)
    if not resume_form.is_valid():
        return _exit_page(request, participant, resume_form=resume_form, status=400)
    try:
        services.pause_end(
            participant=participant, actor=Actor.of(request), **resume_form.cleaned_data
        )
    except services.EditConflict:
        return _conflict(request, pk)
    messages.success(request, _("The time is resumed."))
    return redirect("case_exit", pk=pk)


def _placement_list(placements: list[Placement]) -> str:
    return ", ".join(
        _("%(employer)s from %(start)s")
        % {"employer": p.employer, "start": date_format(p.start_date, "Y-m-d")}
        for p in placements
    )


def _pdf(content: bytes, participant: Participant, *, draft: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    name = f"slutdokumentation-{participant.pk}{'-utkast' if draft else ''}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _final_page(
    request: HttpRequest,
    participant: Participant,
    *,
    form: FinalDocumentForm | None = None,
    handed: HandedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    documents = list(participant.final_documents.defer("pdf"))
    latest = documents[0] if documents else None
    if form is None:
        initial = (
            {f: getattr(latest, f) for f in ("summary", "achieved", "recommendations")}
            if latest
            else {}
        )
        form = FinalDocumentForm(initial=initial)
    if handed is None and latest is not None:
        handed = HandedForm(instance=latest, prefix="h")
    return render(
        request,
        "casework/final.html",
        case_context(request, participant, "final", form=form, documents=documents, handed=handed),
        status=status,
    )


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_final(request: HttpRequest, pk: int) -> HttpResponse:
    """Write and sign the slutdokumentation (a POST signs it)."""
    participant = case_participant(request, pk)
    if request.method != "POST":
        return _final_page(request, participant)
    form = FinalDocumentForm(request.POST)
    if not form.is_valid():
        return _final_page(request, participant, form=form, status=400)
    services.final_document_sign(
        participant=participant, texts=form.cleaned_data, actor=Actor.of(request)
    )
    messages.success(request, _("The final documentation is signed and saved."))
    return redirect("case_final", pk=pk)


@requires(Action.VIEW_PARTICIPANT)
@require_POST
def case_final_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft PDF of the texts in the form; nothing is kept."""
    participant = case_participant(request, pk)
    form = FinalDocumentForm(request.POST)
    if not form.is_valid():
        return _final_page(request, participant, form=form, status=400)
    pdf = services.final_document_preview(
        participant=participant, texts=form.cleaned_data, actor=Actor.of(request)
    )
    return _pdf(pdf, participant, draft=True)


@requires(Action.VIEW_PARTICIPANT)
@require_POST
def case_final_handed(request: HttpRequest, pk: int) -> HttpResponse:
    """When the latest signed document was handed to the participant and the handläggare."""
    participant = case_participant(request, pk)
    latest = participant.final_documents.defer("pdf").first()
    if latest is None:
        return redirect("case_final", pk=pk)
    handed = HandedForm(request.POST, instance=latest, prefix="h")
    if not handed.is_valid():
        return _final_page(request, participant, handed=handed, status=400)
    services.final_document_handed(
        document=latest, dates=handed.cleaned_data, actor=Actor.of(request)
    )
    messages.success(request, _("Saved to whom the document was handed."))
    return redirect("case_final", pk=pk)


@requires(Action.VIEW_PARTICIPANT)
@require_safe
def case_final_pdf(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    participant = get_participant_for_user(
        request,
        pk,
        Action.VIEW_PARTICIPANT,
        audit=AuditAction.PARTICIPANT_EXPORT,
        refuse=lambda p: _names_protected_person(request, p, document),
    )
    doc = get_object_or_404(FinalDocument, pk=document, participant=participant)
    return _pdf(bytes(doc.pdf), participant, draft=False)


def _names_protected_person(request: HttpRequest, participant: Participant, document: int) -> bool:
    """A document signed before the person was marked as protected names them: only those who
    may see who they are get it (documents signed since carry the masked name)."""
    if may_see_identity(request.user, participant):
        return False
    since = participant.protected_identity_since
    return (
        since is None
        or not FinalDocument.objects.filter(
            pk=document, participant=participant, signed_at__gte=since
        ).exists()
    )


@requires(Action.CHANGE_PARTICIPANT)
@require_form_methods
def case_refer_on(request: HttpRequest, pk: int) -> HttpResponse:
    """Refer an active participant on to the other track (koordinering → coachning).

    A new referral, linked to the one they came in through, for the samordnare to decide.
    """
    participant = get_participant_for_user(
        request, pk, Action.CHANGE_PARTICIPANT, audit=AuditAction.PARTICIPANT_VIEW
    )
    if not may_see_identity(request.user, participant):
        # The referral carries the name and personnummer: only those who may see them write it.
        messages.error(
            request,
            _(
                "The person has protected identity: only the responsible coach or care "
                "coordinator or the samordnare can refer them on."
            ),
        )
        return redirect("participant_detail", pk=pk)
    track = participant.track.other()
    if track is None or participant.status != Participant.Status.ACTIVE:
        messages.error(request, _("Only an active participant can be referred on."))
        return redirect("participant_detail", pk=pk)
    came_in = participant.referrals.order_by("-received_at").first()
    if request.method == "POST":
        form = ReferralForm(request.POST, track=track, public=False)
        if form.is_valid():
            referral, _created = referral_services.referral_submit(
                track=track,
                data=form.referral_data(),
                actor=Actor.of(request),
                channel=Referral.Channel.CASEWORKER,
                token=form.cleaned_data["token"],
                follows=came_in,
            )
            messages.success(
                request,
                _("Referral %(reference)s to %(track)s is in the samordnare's queue.")
                % {"reference": referral.reference, "track": track.short_label},
            )
            return redirect("participant_detail", pk=pk)
    else:
        form = ReferralForm(
            track=track, public=False, initial=_refer_on_initial(participant, came_in)
        )
    return render(
        request,
        "casework/refer_on.html",
        case_context(request, participant, "overview", form=form, track=track, evaluation=None),
        status=400 if form.is_bound else 200,
    )


def _refer_on_initial(participant: Participant, came_in: Referral | None) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "token": uuid.uuid4(),
        "personnummer": participant.personnummer,
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "phone": participant.phone,
        "email": participant.email,
        "kommun": str(participant.kommun_id),
    }
    if came_in is not None:
        initial.update(
            income_sources=list(came_in.income_sources.all()),
            af_status=came_in.af_status,
            sick_leave=came_in.sick_leave,
        )
    return initial
