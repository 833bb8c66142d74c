"""The case header's line about meetings: the next one booked, and how many were missed."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Min, Q
from django.utils import timezone

from sikta.bookings.models import Booking

register = template.Library()


@register.inclusion_tag("bookings/_case_line.html", takes_context=True)
def booking_line(context: template.Context, participant: Any) -> dict[str, Any]:
    """One query: the next planned meeting's time and the number of no-shows (not on the
    bookings page itself, which lists them)."""
    if context.get("section") == "bookings":
        return {}
    facts = Booking.objects.filter(participant=participant).aggregate(
        next_at=Min(
            "starts_at",
            filter=Q(status=Booking.Status.PLANNED, starts_at__gt=timezone.now()),
        ),
        no_shows=Count("pk", filter=Q(status=Booking.Status.NO_SHOW)),
    )
    return {"participant": participant, **facts}
