"""Bookings: the case's meetings, the caseworker's week, the private calendar feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sikta.access.decorators import requires
from sikta.access.policy import (
    Action,
    get_participant_for_user,
    may,
    may_see_identity,
    staff_of,
)
from sikta.access.roles import CASEWORKER_ROLES, RoleCode
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record_many
from sikta.bookings import notices, services
from sikta.bookings.forms import BookingForm, CancelForm, ContactChoiceForm, OutcomeForm
from sikta.bookings.models import Booking, CalendarFeed, Message
from sikta.bookings.selectors import groups_of, week_bookings
from sikta.core.http import require_form_methods
from sikta.groups.models import Session
from sikta.organisation.models import StaffMember
from sikta.participants.models import Participant

# The calendar feed: the bookings of the last month and of the coming year (a calendar
# program reads it every few minutes; older and later ones are in Sikta).
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 365


def _participant(request: HttpRequest, pk: int) -> Participant:
    action = Action.CHANGE_PARTICIPANT if request.method == "POST" else Action.VIEW_PARTICIPANT
    return get_participant_for_user(request, pk, action, audit=AuditAction.PARTICIPANT_VIEW)


def _booking(participant: Participant, pk: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("staff", "participant__insats"),
        pk=pk,
        participant=participant,
    )


def _for_change(request: HttpRequest, pk: int, booking: int) -> tuple[Participant, Booking]:
    """A POST action on a booking: the participant's record is read by the service's change."""
    participant = get_participant_for_user(
        request, pk, Action.CHANGE_PARTICIPANT, record_read=False
    )
    return participant, _booking(participant, booking)


def _staff_choices(request: HttpRequest, participant: Participant) -> list[StaffMember]:
    """Whom the meeting can be with: the participant's caseworker, and the one booking (if
    they work in the insats) — a samordnare may book for the coach or for themselves."""
    choices: list[StaffMember] = []
    if participant.assigned_to is not None:
        choices.append(participant.assigned_to)
    me = staff_of(request.user)
    if me is not None and me.insats_id == participant.insats_id and me not in choices:
        choices.append(me)
    return choices


def _case_context(request: HttpRequest, participant: Participant, **extra: Any) -> dict:
    bookings = list(
        Booking.objects.filter(participant=participant)
        .select_related("staff", "journal_entry")
        .prefetch_related("messages")
    )
    now = timezone.now()
    return {
        "participant": participant,
        "section": "bookings",
        "may_change": may(request.user, Action.CHANGE_PARTICIPANT, participant),
        "upcoming": [
            b for b in bookings if b.status == Booking.Status.PLANNED and b.starts_at > now
        ],
        "awaiting": [b for b in bookings if b.awaits_outcome],
        "history": [b for b in reversed(bookings) if b.status != Booking.Status.PLANNED],
        "no_shows": sum(b.status == Booking.Status.NO_SHOW for b in bookings),
        "choice": services.contact_choice(participant),
        "outcome_form": OutcomeForm(),
        **extra,
    }


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_bookings(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _participant(request, pk)
    choices = _staff_choices(request, participant)
    form = BookingForm(request.POST or None, staff_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_create(
                participant=participant, data=form.cleaned_data, actor=Actor.of(request)
            )
        except services.BookingError:
            form.add_error("date", _("The time has already passed."))
        else:
            messages.success(request, _("The meeting is booked."))
            return redirect("case_bookings", pk=pk)
    return render(
        request,
        "bookings/case_bookings.html",
        _case_context(request, participant, form=form),
        status=400 if form.is_bound else 200,
    )


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def booking_edit(request: HttpRequest, pk: int, booking: int) -> HttpResponse:
    participant = _participant(request, pk)
    item = _booking(participant, booking)
    if item.status != Booking.Status.PLANNED:
        return redirect("case_bookings", pk=pk)
    choices = _staff_choices(request, participant)
    if item.staff not in choices:
        choices.insert(0, item.staff)
    form = BookingForm(
        request.POST or None, staff_choices=choices, initial=BookingForm.initial_of(item)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_move(booking=item, data=form.cleaned_data, actor=Actor.of(request))
        except services.BookingError:
            form.add_error("date", _("The time has already passed."))
        else:
            messages.success(request, _("The booking is changed."))
            return redirect("case_bookings", pk=pk)
    return render(
        request,
        "bookings/booking_edit.html",
        {
            "participant": participant,
            "section": "bookings",
            "booking": item,
            "form": form,
            "cancel_form": CancelForm(),
        },
        status=400 if form.is_bound else 200,
    )


@requires(Action.CHANGE_PARTICIPANT)
@require_POST
def booking_cancel(request: HttpRequest, pk: int, booking: int) -> HttpResponse:
    participant, item = _for_change(request, pk, booking)
    form = CancelForm(request.POST)
    if not form.is_valid() or item.status != Booking.Status.PLANNED:
        return HttpResponse(status=400)
    services.booking_cancel(
        booking=item, reason=form.cleaned_data["reason"], actor=Actor.of(request)
    )
    messages.success(request, _("The booking is cancelled."))
    return redirect("case_bookings", pk=pk)


@requires(Action.CHANGE_PARTICIPANT)
@require_POST
def booking_outcome(request: HttpRequest, pk: int, booking: int) -> HttpResponse:
    participant, item = _for_change(request, pk, booking)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    try:
        services.booking_outcome(
            booking=item, status=form.cleaned_data["status"], actor=Actor.of(request)
        )
    except services.BookingError:
        return HttpResponse(status=400)
    status = form.cleaned_data["status"]
    if status == Booking.Status.HELD:
        messages.success(request, _("Marked as held. Write what happened in the journal."))
        return redirect(reverse("case_journal", kwargs={"pk": pk}) + f"?bokning={item.pk}#id_note")
    if status == Booking.Status.NO_SHOW:
        messages.success(request, _("Marked as not shown."))
    else:
        messages.success(request, _("Marked as cancelled."))
    return redirect("case_bookings", pk=pk)


@requires(Action.CHANGE_PARTICIPANT)
@require_POST
def message_retry(request: HttpRequest, pk: int, message: int) -> HttpResponse:
    participant = get_participant_for_user(
        request, pk, Action.CHANGE_PARTICIPANT, record_read=False
    )
    item = get_object_or_404(Message, pk=message, participant=participant)
    services.message_retry(message=item, actor=Actor.of(request))
    messages.success(request, _("The message will be sent again."))
    return redirect("case_bookings", pk=pk)


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_contact(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _participant(request, pk)
    choice = services.contact_choice(participant)
    initial: dict[str, Any] = {"given_on": timezone.localdate()}
    if may_see_identity(request.user, participant):  # else left empty: empty keeps what is kept
        initial.update(phone=participant.phone, email=participant.email)
    if choice is not None:
        initial.update(
            by_sms=choice.by_sms, by_email=choice.by_email, name_insats=choice.name_insats
        )
    form = ContactChoiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.contact_choice_record(
            participant=participant, data=form.cleaned_data, actor=Actor.of(request)
        )
        messages.success(request, _("The choice of reminders is saved."))
        return redirect("case_bookings", pk=pk)
    return render(
        request,
        "bookings/contact.html",
        {
            "participant": participant,
            "section": "bookings",
            "form": form,
            "choice": choice,
            "may_change": may(request.user, Action.CHANGE_PARTICIPANT, participant),
        },
        status=400 if form.is_bound else 200,
    )


# --- the week -----------------------------------------------------------------------------


def _week_of(text: str) -> dt.date:
    """The Monday of ?vecka=2026-W49 (ISO week), this week's if absent or not a week."""
    try:
        year, week = text.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        today = timezone.localdate()
        return today - dt.timedelta(days=today.weekday())


def _iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@requires(Action.LIST_PARTICIPANTS)
@require_safe
def calendar(request: HttpRequest) -> HttpResponse:
    """The week: each day's bookings and group sessions. A caseworker sees their own, a
    samordnare the länsdel's (of one staff member, or everyone's)."""
    me = staff_of(request.user)
    assert me is not None  # LIST_PARTICIPANTS needs a staff record
    monday = _week_of(request.GET.get("vecka", ""))
    is_caseworker = me.role.code in CASEWORKER_ROLES
    staff_options: list[StaffMember] = []
    shown: StaffMember | None = me if is_caseworker else None
    if not is_caseworker:
        options = StaffMember.objects.filter(
            is_active=True,
            insats=me.insats,
            role__code__in=[*CASEWORKER_ROLES, RoleCode.SAMORDNARE],
        )
        if me.lansdel_id:  # a samordnare: the länsdel's staff
            options = options.filter(lansdel=me.lansdel_id)
        staff_options = list(options.select_related("role").order_by("last_name", "first_name"))
        chosen = request.GET.get("personal", "")
        shown = next((s for s in staff_options if str(s.pk) == chosen), None)
    bookings = list(week_bookings(request.user, monday, shown))
    sessions = list(
        Session.objects.filter(
            group__in=groups_of(request.user),
            date__gte=monday,
            date__lt=monday + dt.timedelta(days=7),
        ).select_related("group")
    )
    audit_record_many(
        request=request,
        action=AuditAction.PARTICIPANT_LIST,
        participants={b.participant_id: b.participant for b in bookings}.values(),
    )
    days = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        days.append(
            {
                "date": day,
                "today": day == timezone.localdate(),
                "bookings": [b for b in bookings if timezone.localtime(b.starts_at).date() == day],
                "sessions": [s for s in sessions if s.date == day],
            }
        )
    feed = CalendarFeed.objects.filter(staff=me).first()
    return render(
        request,
        "bookings/calendar.html",
        {
            "days": days,
            "week": monday.isocalendar()[1],
            "monday": monday,
            "current": _iso_week(monday),
            "previous": _iso_week(monday - dt.timedelta(days=7)),
            "next": _iso_week(monday + dt.timedelta(days=7)),
            "this_week": _iso_week(timezone.localdate()),
            "staff_options": staff_options,
            "shown": shown,
            "feed": feed,
            "feed_url": request.session.pop("sikta_feed_url", ""),
            "feed_days_back": FEED_DAYS_BACK,
            "feed_days_ahead": FEED_DAYS_AHEAD,
            "count": len(bookings),
        },
    )


# --- the private calendar feed ------------------------------------------------------------


@login_required
@require_POST
def calendar_feed_renew(request: HttpRequest) -> HttpResponse:
    me = staff_of(request.user)
    if me is None or me.insats_id is None:
        raise Http404
    token = services.calendar_feed_renew(staff=me, actor=Actor.of(request))
    # Shown once, on the next page: only its digest is kept.
    request.session["sikta_feed_url"] = request.build_absolute_uri(
        reverse("calendar_feed", kwargs={"token": token})
    )
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect(reverse("calendar") + "#feed")


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    me = staff_of(request.user)
    if me is None or me.insats_id is None:
        raise Http404
    services.calendar_feed_revoke(staff=me, actor=Actor.of(request))
    messages.success(request, _("The calendar address no longer works."))
    return redirect(reverse("calendar") + "#feed")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The caseworker's own bookings for Outlook, Google or a phone: no login (a calendar
    program cannot sign in), so a secret address, and no participant's name in it."""
    feed = (
        CalendarFeed.objects.select_related("staff")
        .filter(digest=services.feed_digest(token), staff__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    now = timezone.now()
    since = now - dt.timedelta(days=FEED_DAYS_BACK)
    until = now + dt.timedelta(days=FEED_DAYS_AHEAD)
    bookings = (
        Booking.objects.filter(staff=feed.staff, starts_at__gte=since, starts_at__lt=until)
        .exclude(status=Booking.Status.CANCELLED, starts_at__lt=now)
        .order_by("starts_at")
    )
    response = HttpResponse(
        notices.feed(bookings, name=_("Sikta: my bookings")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
