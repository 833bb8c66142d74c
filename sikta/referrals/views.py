from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sikta.access.decorators import requires
from sikta.access.policy import (
    Action,
    get_referral_for_user,
    insats_of,
    lansdel_of,
    may,
    referral_scope,
    role_of,
)
from sikta.access.roles import RoleCode
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record, audit_record_many
from sikta.core.http import require_form_methods
from sikta.organisation.models import Insats, Kommun, Track
from sikta.participants.identity import display_name
from sikta.participants.selectors import caseworkers_for, chosen_staff, offered_limit
from sikta.referrals import services
from sikta.referrals.eligibility import Outcome, evaluate_referral
from sikta.referrals.forms import (
    AcceptForm,
    DeclineForm,
    InviteForm,
    NoteForm,
    ReferralForm,
    ReferrerStepForm,
)
from sikta.referrals.models import Referral
from sikta.referrals.ratelimit import over_limit
from sikta.referrals.selectors import flags_for, masked_last

Status = Referral.Status
PAGE_SIZE = 50
SESSION_REFERENCE = "referral_reference"


def _open() -> QuerySet[Insats]:
    """The insatser that take referrals now: open for them, and running today."""
    today = timezone.localdate()
    return Insats.objects.filter(
        open_for_referral=True, start_date__lte=today, end_date__gte=today
    ).order_by("name")


def _tracks(insats: Insats | None = None) -> QuerySet[Track]:
    """The tracks one can refer to: of `insats`, or of every open insats."""
    found = (
        Track.objects.filter(insats=insats) if insats else Track.objects.filter(insats__in=_open())
    )
    return found.select_related("insats").prefetch_related("referrers", "eligibility_rules")


def _staff_tracks(request: HttpRequest) -> QuerySet[Track]:
    """The tracks of the insats the user works in (none for a role of the förbund)."""
    return Track.objects.filter(insats=insats_of(request.user)).prefetch_related(
        "referrers", "eligibility_rules"
    )


# --- the public form -------------------------------------------------------------------------


@require_safe
def referral_start(request: HttpRequest) -> HttpResponse:
    """The public page the association's web site links to: the insatser that take referrals,
    each with its tracks (with one insats, its tracks straight away)."""
    insatser = list(_open())
    if len(insatser) == 1:
        return referral_insats(request, insatser[0].slug)
    return render(request, "referrals/public_insatser.html", {"insatser": insatser})


@require_safe
def referral_insats(request: HttpRequest, insats: str) -> HttpResponse:
    """One insats's own page (an address for its page on the association's web site)."""
    insats_obj = get_object_or_404(_open(), slug=insats)
    return render(
        request,
        "referrals/public_start.html",
        {"insats": insats_obj, "tracks": _tracks(insats_obj), "several": _open().count() > 1},
    )


@require_form_methods
def referral_short(request: HttpRequest, slug: str) -> HttpResponse:
    """/aktualisering/<slug>/: an insats's page, or (the address used before there were several
    insatser) the form of the one open track with that name."""
    if _open().filter(slug=slug).exists():
        return referral_insats(request, slug)
    return referral_form(request, _one(_tracks().filter(slug=slug)).insats.slug, slug)


def _one(tracks: QuerySet[Track]) -> Track:
    """The one track a short address names; 404 if none, or if two insatser have one so named."""
    found = list(tracks[:2])
    if len(found) != 1:
        raise Http404
    return found[0]


@require_form_methods
def referral_form(request: HttpRequest, insats: str, track: str) -> HttpResponse:
    track_obj = get_object_or_404(_tracks(), insats__slug=insats, slug=track)
    referrer = None
    if request.method != "POST" and track_obj.referrers.exists():
        # A radio group left empty sends nothing: the hidden "steg" says the step was sent.
        sent = "fran" in request.GET or "steg" in request.GET
        step = ReferrerStepForm(request.GET if sent else None)
        if not step.is_valid():
            return render(
                request,
                "referrals/public_step.html",
                {"track": track_obj, "step": step},
                status=400 if sent else 200,
            )
        referrer = step.cleaned_data["fran"]
        if not track_obj.may_be_referred_by(referrer):
            return render(
                request,
                "referrals/public_not_allowed.html",
                {
                    "track": track_obj,
                    "referrer": referrer,
                    "tracks": _tracks(track_obj.insats),
                },
            )
    if request.method == "POST":
        form = ReferralForm(request.POST, track=track_obj)
        if request.POST.get("website"):
            # Only programs fill in the hidden field: answer as if it went well, keep nothing.
            request.session[SESSION_REFERENCE] = ""
            return redirect("referral_thanks")
        if not form.is_valid():
            return _render_form(request, track_obj, form, status=400)
        # Only sendings count: someone correcting their answers is not stopped.
        if over_limit(request):
            form.add_error(
                None,
                _(
                    "Too many referrals have been sent from your address in the last hour. "
                    "Your answers are kept: try again later, or call the coordinator."
                ),
            )
            return _render_form(request, track_obj, form, status=429)
        referral, _created = services.referral_submit(
            track=track_obj,
            data=form.referral_data(),
            actor=Actor.of(request),
            token=form.cleaned_data["token"],
        )
        request.session[SESSION_REFERENCE] = referral.reference
        return redirect("referral_thanks")
    form = ReferralForm(track=track_obj, initial={"organisation": referrer, "token": uuid.uuid4()})
    return _render_form(request, track_obj, form)


def _render_form(
    request: HttpRequest, track: Track, form: ReferralForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "referrals/public_form.html",
        {"track": track, "form": form, "evaluation": getattr(form, "evaluation", None)},
        status=status,
    )


@require_POST
def referral_check(request: HttpRequest, track: str, insats: str = "") -> HttpResponse:
    """What the form can check so far (age, kommun, who refers), shown live while typing.

    Nothing is saved or logged: the answer is only the criteria, met or not and why.
    """
    tracks = _tracks().filter(slug=track)
    track_obj = _one(tracks.filter(insats__slug=insats) if insats else tracks)
    form = ReferralForm(request.POST, track=track_obj)
    form.is_valid()
    return render(request, "referrals/_precheck.html", {"evaluation": form.evaluation})


@require_safe
def referral_thanks(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(SESSION_REFERENCE)
    if reference is None:
        return redirect("referral_start")
    return render(request, "referrals/public_thanks.html", {"reference": reference})


# --- the samordnare's queue --------------------------------------------------------------------

SORTS = {
    "mottagen": ("received_at", "pk"),
    "-mottagen": ("-received_at", "-pk"),
    "status": ("status", "received_at"),
    "kommun": ("kommun__name", "received_at"),
    "spar": ("track__ordering", "received_at"),
    "namn": ("last_name", "first_name", "pk"),
}
OPEN = "oppna"
ALL = "alla"


@requires(Action.HANDLE_REFERRALS)
@require_safe
def referral_queue(request: HttpRequest) -> HttpResponse:
    visible = Referral.objects.filter(referral_scope(request.user))
    kommuner = Kommun.objects.filter(pk__in=visible.values("kommun")).select_related("lansdel")
    status = request.GET.get("status", OPEN)
    track = request.GET.get("spar", "")
    kommun = request.GET.get("kommun", "")
    sort = request.GET.get("sortera", "mottagen")
    referrals = visible
    if status in Status.values:
        referrals = referrals.filter(status=status)
    elif status != ALL:
        status = OPEN
        referrals = referrals.open()
    if track in {t.slug for t in _staff_tracks(request)}:  # from the list; anything else: all
        referrals = referrals.filter(track__slug=track)
    else:
        track = ""
    if kommun in {str(k.pk) for k in kommuner}:
        referrals = referrals.filter(kommun_id=int(kommun))
    referrals = referrals.select_related(
        "kommun__lansdel", "track__insats", "referrer_organisation"
    ).prefetch_related(
        "income_sources",
        "track__referrers",
        "track__eligibility_rules",
        "events",  # the samordnare's judgement of what needs assessment
    )
    referrals = referrals.order_by(*SORTS.get(sort, SORTS["mottagen"]))
    if sort == "namn":
        referrals = masked_last(referrals, request.user)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("sida"))
    rows = list(page)
    flags = flags_for(rows, user=request.user)
    audit_record_many(request=request, action=AuditAction.REFERRAL_LIST, referrals=rows)
    query = request.GET.copy()
    query.pop("sida", None)
    sort_query = query.copy()
    sort_query.pop("sortera", None)
    return render(
        request,
        "referrals/queue.html",
        {
            "page": page,
            "rows": [(r, evaluate_referral(r), flags.get(r.pk, [])) for r in rows],
            "statuses": [(OPEN, _("Open (not decided)")), *Status.choices, (ALL, _("All"))],
            "status": status,
            "tracks": _staff_tracks(request),
            "track": track,
            "kommuner": kommuner,
            "kommun": kommun,
            "sort": sort,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "show_lansdel": role_of(request.user) != RoleCode.SAMORDNARE,
            "lansdel": lansdel_of(request.user),
            "Outcome": Outcome,
        },
    )


@requires(Action.HANDLE_REFERRALS)
@require_form_methods
def referral_register(request: HttpRequest) -> HttpResponse:
    """A referral taken by phone or in a meeting, registered by the samordnare."""
    tracks = _staff_tracks(request)
    # Chosen among the tracks, not looked up: a slug with a NUL (from a hand-made request)
    # would make PostgreSQL refuse the query.
    slug = request.GET.get("spar") or request.POST.get("spar")
    track = next((t for t in tracks if t.slug == slug), None)
    if track is None:
        return render(request, "referrals/register_choose.html", {"tracks": tracks})
    if request.method == "POST":
        form = ReferralForm(request.POST, track=track, public=False)
        if form.is_valid():
            referral, _created = services.referral_submit(
                track=track,
                data=form.referral_data(),
                actor=Actor.of(request),
                channel=Referral.Channel.PHONE,
                token=form.cleaned_data["token"],
            )
            if may(request.user, Action.HANDLE_REFERRALS, referral):
                messages.success(
                    request,
                    _("Referral %(reference)s registered.") % {"reference": referral.reference},
                )
                return redirect("referral_detail", pk=referral.pk)
            # The person lives in another länsdel: the referral is in that samordnare's queue.
            messages.success(
                request,
                _("Referral %(reference)s registered and sent to the queue of %(lansdel)s.")
                % {
                    "reference": referral.reference,
                    "lansdel": referral.kommun.lansdel.label
                    if referral.kommun.lansdel
                    else referral.kommun.insats.name,
                },
            )
            return redirect("referral_queue")
        status = 400
    else:
        form = ReferralForm(track=track, public=False, initial={"token": uuid.uuid4()})
        status = 200
    return render(
        request,
        "referrals/register.html",
        {"track": track, "form": form, "evaluation": getattr(form, "evaluation", None)},
        status=status,
    )


def _detail(
    request: HttpRequest, referral: Referral, *, forms: dict[str, Any] | None = None, status=200
) -> HttpResponse:
    allowed = services.allowed_transitions(referral)
    forms = forms or {}
    context = {
        "referral": referral,
        "evaluation": evaluate_referral(referral),
        "flags": flags_for([referral], user=request.user).get(referral.pk, []),
        "events": referral.events.select_related("by"),
        "allowed": allowed,
        "Status": Status,
        "invite_form": forms.get("invite")
        or InviteForm(initial={"meeting_at": referral.meeting_at}, current=referral.meeting_at),
        "assess_form": forms.get("assess") or NoteForm(prefix="assess"),
        "decline_form": forms.get("decline") or DeclineForm(prefix="decline"),
        "redirect_form": forms.get("redirect") or NoteForm(prefix="redirect"),
        "withdraw_form": forms.get("withdraw") or NoteForm(prefix="withdraw"),
        "other_track": referral.track.other(),
    }
    return render(request, "referrals/detail.html", context, status=status)


@requires(Action.HANDLE_REFERRALS)
@require_safe
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request, pk, audit=AuditAction.REFERRAL_VIEW)
    return _detail(request, referral)


ACTIONS = {
    "kalla": (
        Status.INVITED,
        "invite",
        lambda data, referral: InviteForm(data, current=referral.meeting_at),
    ),
    "bedomd": (Status.ASSESSED, "assess", lambda data, _r: NoteForm(data, prefix="assess")),
    "avslag": (Status.DECLINED, "decline", lambda data, _r: DeclineForm(data, prefix="decline")),
    "hanvisa": (Status.REDIRECTED, "redirect", lambda data, _r: NoteForm(data, prefix="redirect")),
    "aterta": (Status.WITHDRAWN, "withdraw", lambda data, _r: NoteForm(data, prefix="withdraw")),
}


@requires(Action.HANDLE_REFERRALS)
@require_POST
def referral_change(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    referral = get_referral_for_user(request, pk)
    if action not in ACTIONS:
        return redirect("referral_detail", pk=pk)
    to, form_name, make_form = ACTIONS[action]
    form = make_form(request.POST, referral)
    if to not in services.allowed_transitions(referral):
        messages.error(
            request,
            _("The referral is %(status)s and cannot be moved to “%(to)s”.")
            % {"status": referral.get_status_display().lower(), "to": Status(to).label},
        )
        return redirect("referral_detail", pk=pk)
    if not form.is_valid():
        # The page shows the person again: a read like any other.
        audit_record(request=request, action=AuditAction.REFERRAL_VIEW, referral=referral)
        return _detail(request, referral, forms={form_name: form}, status=400)
    data = form.cleaned_data
    try:
        if to == Status.REDIRECTED:
            new = services.referral_redirect(
                referral=referral, actor=Actor.of(request), note=data["note"]
            )
            messages.success(
                request,
                _("Redirected. The new referral %(reference)s is in the queue.")
                % {"reference": new.reference},
            )
            return redirect("referral_detail", pk=new.pk)
        services.referral_move(
            referral=referral,
            to=to,
            actor=Actor.of(request),
            meeting_at=data.get("meeting_at"),
            decline_reason=data.get("decline_reason"),
            note=data.get("note", ""),
        )
    except services.TransitionError:
        messages.error(request, _("Someone else changed the referral just now; look again."))
        return redirect("referral_detail", pk=pk)
    messages.success(request, _("Saved: %(status)s.") % {"status": referral.get_status_display()})
    return redirect("referral_detail", pk=pk)


@requires(Action.HANDLE_REFERRALS)
@require_form_methods
def referral_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept and assign: pick the coach or koordinator, seeing each one's caseload."""
    referral = get_referral_for_user(request, pk, audit=AuditAction.REFERRAL_VIEW)
    if Status.ACCEPTED not in services.allowed_transitions(referral):
        messages.error(request, _("Only an assessed referral can be accepted."))
        return redirect("referral_detail", pk=pk)
    caseworkers = caseworkers_for(referral, keep=chosen_staff(request.POST, "caseworker"))
    form = AcceptForm(request.POST or None, caseworkers=caseworkers, referral=referral)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            participant = services.referral_accept(
                referral=referral,
                caseworker=data["caseworker"],
                start_date=data["start_date"],
                actor=Actor.of(request),
                note=data["note"],
                finsam=data["finsam_consent"],
                protected=data["protected_identity"],
            )
        except services.PersonOutOfScope:
            messages.error(
                request,
                _(
                    "The person is already an active participant in another county area. "
                    "Contact the programme lead (insatsledare) to move the case."
                ),
            )
            return redirect("referral_detail", pk=pk)
        except services.TransitionError:
            messages.error(request, _("Someone else changed the referral just now; look again."))
            return redirect("referral_detail", pk=pk)
        messages.success(
            request,
            _("%(name)s is enrolled and assigned to %(staff)s.")
            % {
                "name": display_name(request.user, participant),
                "staff": data["caseworker"].full_name,
            },
        )
        return redirect(reverse("participant_detail", args=[participant.pk]))
    return render(
        request,
        "referrals/accept.html",
        {
            "referral": referral,
            "form": form,
            "caseworkers": caseworkers,
            "offered": offered_limit(caseworkers),
            "not_met": [
                r for r in evaluate_referral(referral).results if r.outcome == Outcome.NOT_MET
            ],
        },
        status=400 if form.is_bound else 200,
    )
