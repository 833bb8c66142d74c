"""Reads that several pages share. Aggregates name no person and may go to any role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from sikta.access.roles import CASEWORKER_ROLES
from sikta.organisation.models import Insats, Lansdel, StaffMember, Track
from sikta.participants.models import Participant


@dataclass(frozen=True)
class CountTable:
    """Active participants per länsdel (rows; per kommun in an insats without länsdelar) and
    track (columns), with totals."""

    tracks: list[Track]
    rows: list[tuple[str, list[int], int]]
    column_totals: list[int]
    total: int
    by_kommun: bool = False


def active_counts(insats: Insats) -> CountTable:
    tracks = list(insats.tracks.all())
    areas: list[Any] = list(insats.lansdelar.all())
    by_kommun = not areas
    key = "kommun" if by_kommun else "kommun__lansdel"
    if by_kommun:
        areas = list(insats.kommuner.order_by("name"))
    counts = {
        (row[key], row["track"]): row["n"]
        for row in Participant.objects.active()
        .filter(track__insats=insats)
        .values(key, "track")
        .annotate(n=Count("pk"))
    }
    rows = []
    for area in areas:
        cells = [counts.get((area.pk, track.pk), 0) for track in tracks]
        rows.append((area.name if by_kommun else area.label, cells, sum(cells)))
    column_totals = [sum(row[1][i] for row in rows) for i in range(len(tracks))]
    return CountTable(tracks, rows, column_totals, sum(column_totals), by_kommun)


def caseloads(insats: Insats | None, lansdel: Lansdel | None = None) -> Any:
    """Coaches and koordinatorer of `insats` (every insats: None) with their number of active
    participants."""
    staff = StaffMember.objects.filter(is_active=True, role__code__in=CASEWORKER_ROLES)
    if insats is not None:
        staff = staff.filter(insats=insats)
    if lansdel is not None:
        staff = staff.filter(lansdel=lansdel)
    return (
        staff.select_related("role", "lansdel")
        .annotate(
            active_count=Count(
                "participants", filter=Q(participants__status=Participant.Status.ACTIVE)
            )
        )
        .order_by("lansdel__ordering", "role__ordering", "last_name", "first_name")
    )


@dataclass(frozen=True)
class Caseworker:
    staff: StaffMember
    active: int
    capacity: int

    @property
    def is_full(self) -> bool:
        return self.active >= self.capacity


def caseworkers(
    insats: Insats, role: str, lansdel: Lansdel | None, *, exclude: StaffMember | None = None
) -> list[Caseworker]:
    """The active caseworkers of `role` in `insats` and `lansdel`, least loaded first, each
    with their active participants and capacity."""
    staff = (
        StaffMember.objects.filter(is_active=True, insats=insats, role__code=role, lansdel=lansdel)
        .select_related("role")
        .annotate(
            active_count=Count(
                "participants", filter=Q(participants__status=Participant.Status.ACTIVE)
            )
        )
        .order_by("active_count", "last_name", "first_name")
    )
    if exclude is not None:
        staff = staff.exclude(pk=exclude.pk)
    default = insats.default_caseload_capacity
    return [Caseworker(s, s.active_count, s.capacity or default) for s in staff]


def caseworkers_for(case: Any) -> list[Caseworker]:
    """Who can carry `case` (a participant or a referral): the track's role in its länsdel."""
    return caseworkers(case.track.insats, case.track.caseworker_role, case.kommun.lansdel)
