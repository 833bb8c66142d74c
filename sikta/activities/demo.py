"""Fictional demo meetings for the activity plan: the last and the current half-year."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction

from sikta.activities.models import Activity, Kind, Minutes
from sikta.activities.plan import HalfYear
from sikta.activities.uploads import CONTENT_TYPES
from sikta.organisation.models import Insats

# (kind, länsdel slug or None, month of the half-year 1–6, day, title: empty shows the kind)
_PLAN: list[tuple[str, str | None, int, int, str]] = [
    (Kind.CENTRAL_STEERING, None, 2, 12, ""),
    (Kind.CENTRAL_STEERING, None, 5, 20, ""),
    *(
        (Kind.LOCAL_STEERING, slug, month, day, "")
        for slug, day in (("sodra", 8), ("norra", 14), ("vastra", 22))
        for month in (1, 3, 5)
    ),
    (Kind.TRAINING, None, 2, 26, "Utbildning: motiverande samtal"),
    (Kind.TRAINING, "norra", 4, 16, "Utbildning: NPF i arbetslivet"),
    (Kind.STAFF_MEETING, None, 1, 28, ""),
    (Kind.STAFF_MEETING, None, 3, 4, ""),
    (Kind.STAFF_MEETING, None, 4, 29, ""),
    (Kind.STAFF_MEETING, None, 6, 3, ""),
    (Kind.CONFERENCE, None, 5, 7, "Länskonferens Finsam"),
]

# What the minutes call a meeting without its own title (the demo data is Swedish).
_NAMES = {
    Kind.CENTRAL_STEERING: "Länsövergripande styrgrupp",
    Kind.LOCAL_STEERING: "Lokal styrgrupp",
    Kind.STAFF_MEETING: "Personalträff",
}

_MINUTES = """Minnesanteckningar – {title} ({day})
(Fiktiva demoanteckningar.)

1. Lägesbild: antal aktualiseringar och inskrivna per spår, utan enskilda personer.
2. Samverkan: rutin för kontakt med Försäkringskassan och kommunernas arbetsmarknadsenheter.
3. Nästa möte: enligt planen.
"""


@transaction.atomic
def seed_activities(*, insats: Insats, today: dt.date) -> int:
    """Meetings of the half-year before `today`'s and of `today`'s own; those before `today`
    held (one in eight cancelled), most held ones with a small text file of minutes.

    Does nothing if the programme already has activities. Returns how many were created.
    """
    if Activity.objects.filter(insats=insats).exists():
        return 0
    lansdelar = {lansdel.slug: lansdel for lansdel in insats.lansdelar.all()}
    current = HalfYear.containing(today)
    created = 0
    for half in (current.previous(), current):
        for n, (kind, slug, month, day, title) in enumerate(_PLAN):
            if slug is not None and slug not in lansdelar:
                continue
            planned = dt.date(half.year, month + (0 if half.half == 1 else 6), day)
            past = planned < today
            cancelled = past and n % 8 == 7
            activity = Activity.objects.create(
                insats=insats,
                kind=kind,
                lansdel=lansdelar[slug] if slug else None,
                title=title,
                planned_date=planned,
                status=(
                    Activity.Status.CANCELLED
                    if cancelled
                    else Activity.Status.HELD
                    if past
                    else Activity.Status.PLANNED
                ),
                held_date=planned if past and not cancelled else None,
                place="Nyköping" if slug in (None, "sodra") else lansdelar[slug].main_town,
                author_name="Demo",
            )
            created += 1
            if activity.status == Activity.Status.HELD and n % 3 != 2:
                name = title or _NAMES[kind] + (f", {lansdelar[slug].name}" if slug else "")
                text = _MINUTES.format(title=name, day=planned.isoformat()).encode()
                Minutes.objects.create(
                    activity=activity,
                    content=text,
                    filename=f"minnesanteckningar-{planned.isoformat()}.txt",
                    content_type=CONTENT_TYPES[".txt"],
                    size=len(text),
                    sha256=hashlib.sha256(text).hexdigest(),
                    uploaded_by_name="Demo",
                )
    return created
