"""Reads of bookings, each starting from the access policy's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sikta.access.policy import booking_scope, group_scope, staff_of
from sikta.access.roles import CASEWORKER_ROLES
from sikta.bookings.models import Booking, BookingQuerySet
from sikta.organisation.models import StaffMember


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def week_bookings(user: Any, monday: dt.date, staff: StaffMember | None) -> BookingQuerySet:
    """The bookings of the week starting `monday` that `user` may see (of `staff` if given)."""
    start = _midnight(monday)
    bookings = Booking.objects.filter(booking_scope(user)).between(
        start, start + dt.timedelta(days=7)
    )
    if staff is not None:
        bookings = bookings.filter(staff=staff)
    # The kommun: whether a protected participant's name may be shown depends on its länsdel.
    return bookings.select_related("participant__kommun", "staff").order_by("starts_at", "pk")


def todays_bookings(user: Any, *, limit: int = 50) -> list[Booking]:
    """For the start page: today's bookings `user` may see — a caseworker's own."""
    start = _midnight(timezone.localdate())
    bookings = Booking.objects.filter(booking_scope(user)).between(
        start, start + dt.timedelta(days=1)
    )
    me = staff_of(user)
    if me is not None and me.role.code in CASEWORKER_ROLES:
        bookings = bookings.filter(staff=me)
    return list(
        bookings.select_related("participant__kommun", "staff").order_by("starts_at", "pk")[:limit]
    )


def groups_of(user: Any) -> Any:
    """The group activities whose sessions belong in `user`'s calendar."""
    from sikta.groups.models import Group

    return Group.objects.filter(group_scope(user)).values("pk")


# The journal's kind of contact for each kind of meeting (by phone or video: a call).
JOURNAL_KIND = {
    Booking.Kind.MEETING: "mote",
    Booking.Kind.EMPLOYER_VISIT: "arbetsgivare",
    Booking.Kind.PLACEMENT_FOLLOW_UP: "arbetsgivare",
    Booking.Kind.AUTHORITY: "myndighet",
    Booking.Kind.OTHER: "annat",
}


def held_booking(participant: Any, value: str | None) -> Booking | None:
    """The participant's held meeting, not yet in the journal, named by `value` (?bokning=)."""
    if not value or not value.isascii() or not value.isdigit():
        return None
    return participant.bookings.filter(
        pk=int(value), status=Booking.Status.HELD, journal_entry__isnull=True
    ).first()


def journal_initial(booking: Booking) -> dict[str, Any]:
    """The journal entry about a held meeting, filled in as far as the booking knows."""
    kind = JOURNAL_KIND[Booking.Kind(booking.kind)]
    if booking.kind == Booking.Kind.MEETING and booking.mode != Booking.Mode.PLACE:
        kind = "telefon"
    return {
        "date": timezone.localtime(booking.starts_at).date(),
        "kind": kind,
        "duration_minutes": booking.duration_minutes,
    }
