"""What a participant is told about a booking, and the iCalendar files that go with it.

The texts carry no health data: who the meeting is with, when, where, and a number to call.
No name of the participant (a phone can be read by others; a protected person's never
appears anywhere outside the login), no track, and the programme's name only if the
participant agreed to it. The caseworker's own calendar feed names no participant either:
a meeting is "Individual meeting (#123)", the case number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from sikta.bookings.models import Booking, Message
from sikta.core.phone import display_phone
from sikta.organisation.models import StaffMember

PRODID = "-//Sikta//Bokningar//SV"


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return _("%(day)s at %(time)s") % {
        "day": date_format(local, "l j F"),
        "time": date_format(local, "H.i"),
    }


def _where(booking: Booking) -> str:
    if booking.mode == Booking.Mode.PHONE:
        return _("by phone: %(name)s calls you") % {"name": booking.staff.first_name}
    if booking.mode == Booking.Mode.VIDEO:
        return _("by video: you get a link")
    return booking.place or _("the place you agreed on")


def _call(staff: StaffMember) -> str:
    phone = staff.phone
    return (
        _("Call %(name)s on %(phone)s.") % {"name": staff.first_name, "phone": display_phone(phone)}
        if phone
        else ""
    )


def _signed(text: str, *, insats_name: str) -> str:
    return f"{text} /{insats_name}" if insats_name else text


def compose(
    purpose: str,
    *,
    booking: Booking | None,
    staff: StaffMember,
    insats_name: str = "",
    keeps_bookings: bool = False,
) -> tuple[str, str]:
    """(subject, text) of a message, in the participant's language (Swedish)."""
    with translation.override(settings.LANGUAGE_CODE):
        call = _call(staff)
        who = staff.full_name
        if purpose == Message.Purpose.NEW_CONTACT:
            subject = _("Your new contact person")
            text = _("Hello! From now on %(name)s is your contact person.") % {"name": who}
            if keeps_bookings:
                text += " " + _("Your booked times stay, now with %(name)s.") % {"name": who}
        elif purpose == Message.Purpose.MISSED:
            subject = _("We missed you")
            text = _(
                "Hello! We missed you today. That is all right — get in touch and we will "
                "book a new time."
            )
        else:
            assert booking is not None
            facts = {"name": who, "when": _when(booking.starts_at), "where": _where(booking)}
            if purpose == Message.Purpose.BOOKED:
                subject = _("Your booked time %(when)s") % facts
                text = _("Hello! You have a time with %(name)s %(when)s, %(where)s.") % facts
            elif purpose == Message.Purpose.MOVED:
                subject = _("Your time has moved to %(when)s") % facts
                text = _("Hello! Your time with %(name)s has moved to %(when)s, %(where)s.") % facts
            elif purpose == Message.Purpose.CANCELLED:
                subject = _("Your time %(when)s is cancelled") % facts
                text = (
                    _("Hello! Your time with %(name)s %(when)s is cancelled.") % facts
                    + " "
                    + _("You will be offered a new time.")
                )
            else:
                subject = _("Reminder: your time tomorrow")
                text = (
                    _(
                        "Hello! A reminder: tomorrow you have a time with %(name)s %(when)s, "
                        "%(where)s."
                    )
                    % facts
                )
            if purpose != Message.Purpose.CANCELLED:
                call = (_("Cannot come?") + " " + call) if call else ""
        text = " ".join(part for part in (text, call) if part)
        return subject, _signed(text, insats_name=insats_name)


def _uid(booking: Booking) -> str:
    return f"{booking.uid}@sikta"


def _event(booking: Booking, *, summary: str, cancelled: bool) -> Event:
    event = Event()
    event.add("uid", _uid(booking))
    event.add("sequence", booking.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.starts_at.astimezone(dt.UTC))
    event.add("dtend", booking.ends_at.astimezone(dt.UTC))
    event.add("summary", summary)
    if booking.mode == Booking.Mode.PLACE and booking.place:
        event.add("location", booking.place)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def invitation(booking: Booking, *, to: str, cancelled: bool) -> bytes:
    """The participant's invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL), so
    that Outlook and Exchange put the meeting in — or take it out of — their calendar."""
    with translation.override(settings.LANGUAGE_CODE):
        summary = _("Meeting with %(name)s") % {"name": booking.staff.full_name}
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("method", "CANCEL" if cancelled else "REQUEST")
        event = _event(booking, summary=summary, cancelled=cancelled)
        event.add("description", _where(booking))
        organizer = vCalAddress(f"mailto:{booking.staff.email or settings.DEFAULT_FROM_EMAIL}")
        organizer.params["cn"] = vText(booking.staff.full_name)
        event.add("organizer", organizer)
        attendee = vCalAddress(f"mailto:{to}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
        calendar.add_component(event)
        return calendar.to_ical()


def feed(bookings: Iterable[Booking], *, name: str) -> bytes:
    """A caseworker's own bookings as a subscribable calendar: kind, time, place and a link to
    the case, never the participant's name."""
    with translation.override(settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", name)
        for booking in bookings:
            summary = f"{booking.get_kind_display()} (#{booking.participant_id})"
            event = _event(
                booking, summary=summary, cancelled=booking.status == Booking.Status.CANCELLED
            )
            event.add(
                "url",
                settings.SIKTA_BASE_URL
                + reverse("case_bookings", kwargs={"pk": booking.participant_id}),
            )
            calendar.add_component(event)
        return calendar.to_ical()
