"""Demo bookings: this week's and next week's meetings of the active participants, some that
have passed without an outcome, and reminder choices with fictional numbers (the 070-17 40 6xx
series that PTS keeps for fiction)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from sikta.bookings.models import Booking, ContactChoice
from sikta.participants.models import Participant

PLACES = ["Drottninggatan 12, Nyköping", "Storgatan 3, Trosa", "Biblioteket, Strängnäs"]
HOURS = [9, 10, 13, 14, 15]


def seed_bookings(*, rng: random.Random, today: dt.date, limit: int = 120) -> int:
    """Bookings for the first `limit` active participants that have none. Returns how many."""
    participants = list(
        Participant.objects.filter(
            status=Participant.Status.ACTIVE, assigned_to__isnull=False, bookings__isnull=True
        ).order_by("pk")[:limit]
    )
    monday = today - dt.timedelta(days=today.weekday())
    bookings, choices = [], []
    for n, p in enumerate(participants):
        if rng.random() < 0.6:
            choices.append(
                ContactChoice(
                    participant=p,
                    by_sms=True,
                    by_email=rng.random() < 0.3,
                    how="muntligt",
                    given_on=p.start_date,
                )
            )
            p.phone = f"+467017406{n % 95 + 5:02d}"
        for _ in range(rng.randint(0, 2)):
            day = monday + dt.timedelta(days=rng.randrange(0, 12))
            if day.weekday() >= 5:
                continue
            starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.choice(HOURS))))
            past = starts_at < timezone.now()
            mode = rng.choice([Booking.Mode.PLACE, Booking.Mode.PLACE, Booking.Mode.PHONE])
            bookings.append(
                Booking(
                    participant=p,
                    staff=p.assigned_to,
                    kind=rng.choice(Booking.Kind.values),
                    starts_at=starts_at,
                    duration_minutes=rng.choice([30, 45, 60]),
                    mode=mode,
                    place=rng.choice(PLACES) if mode == Booking.Mode.PLACE else "",
                    # Some of the past week's meetings still wait for their outcome.
                    status=rng.choice(
                        [Booking.Status.HELD, Booking.Status.NO_SHOW, Booking.Status.PLANNED]
                    )
                    if past
                    else Booking.Status.PLANNED,
                )
            )
    Participant.objects.bulk_update([p for p in participants if p.phone], ["phone"])
    ContactChoice.objects.bulk_create(choices)
    Booking.objects.bulk_create(bookings)
    return len(bookings)
