"""Reads that several pages share. Aggregates name no person and may go to any role."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from sikta.access.roles import CASEWORKER_ROLES
from sikta.core.reads import Reader, read
from sikta.organisation.models import Insats, Lansdel, StaffMember, Track, label_of
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


# A caseload table shows at most this many caseworkers; "Lämna över ärenden" pages through all.
CASELOAD_ROWS = 100


def active_count(statuses: tuple[str, ...] = (Participant.Status.ACTIVE,)) -> Coalesce:
    """A staff member's participants in `statuses` (active ones by default), counted per
    staff member through the (assigned_to, status) index (a join and GROUP BY over every
    participant is far slower)."""
    count = (
        Participant.objects.filter(assigned_to=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("assigned_to")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


class CaseloadRow(NamedTuple):
    """A caseworker in the caseload table: names as read, role and länsdel in the active
    language."""

    first_name: str
    last_name: str
    role: str
    lansdel: str
    active_count: int

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Caseloads:
    """The first `CASELOAD_ROWS` caseworkers with their active participants, and how many
    there are in all."""

    rows: list[CaseloadRow]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)


def caseloads(insats: Insats | None, lansdel: Lansdel | None = None) -> Caseloads:
    """The caseload table of `insats` (and `lansdel`): `caseloads_reader`, read on its own."""
    return read(caseloads_reader(insats, lansdel))


def caseloads_reader(insats: Insats | None, lansdel: Lansdel | None = None) -> Reader[Caseloads]:
    """Coaches and koordinatorer of `insats` (every insats: None) with their number of active
    participants, at most CASELOAD_ROWS of them: read as tuples, no objects."""
    staff = StaffMember.objects.filter(is_active=True, role__code__in=CASEWORKER_ROLES)
    if insats is not None:
        staff = staff.filter(insats=insats)
    if lansdel is not None:
        staff = staff.filter(lansdel=lansdel)
    columns = ("first_name", "last_name", "role__name", "role__name_en", "area", "area_en")
    found, count = yield [
        staff.annotate(
            area=Coalesce("lansdel__name", Value("")),
            area_en=Coalesce("lansdel__name_en", Value("")),
            active=active_count(),
        )
        .order_by("lansdel__ordering", "role__ordering", "last_name", "first_name", "pk")
        .values(*columns, "active")[:CASELOAD_ROWS],
        # How many there are in all, counted apart: a window count on every row would make
        # the database number the whole staff, with their caseloads, before the cut (10 ms at
        # 4 500 caseworkers, where the cut table alone takes 2). Django leaves the constant
        # out of GROUP BY: one row, the count over all.
        staff.annotate(all=Value(1, output_field=IntegerField()))
        .values("all")
        .annotate(n=Count("pk"))
        .order_by(),
    ]
    rows = [
        CaseloadRow(first, last, label_of(role, role_en), label_of(area, area_en), active)
        for first, last, role, role_en, area, area_en, active in found.columns(*columns, "active")
    ]
    return Caseloads(rows, next(count.columns("n"), (0,))[0])


@dataclass(frozen=True)
class Caseworker:
    staff: StaffMember
    active: int
    capacity: int

    @property
    def is_full(self) -> bool:
        return self.active >= self.capacity


def caseworkers(
    insats: Insats,
    role: str,
    lansdel: Lansdel | None,
    *,
    exclude: StaffMember | None = None,
    limit: int | None = None,
    keep: Iterable[int] = (),
) -> list[Caseworker]:
    """The active caseworkers of `role` in `insats` and `lansdel`, least loaded first, each
    with their active participants and capacity. With `limit`, only that many least loaded,
    and after them those of `keep` (staff keys) who are further down."""
    staff = (
        StaffMember.objects.filter(is_active=True, insats=insats, role__code=role, lansdel=lansdel)
        .select_related("role")
        .annotate(active_count=active_count())
        .order_by("active_count", "last_name", "first_name", "pk")
    )
    if exclude is not None:
        staff = staff.exclude(pk=exclude.pk)
    found = list(staff if limit is None else staff[:limit])
    further = set(keep) - {s.pk for s in found}
    if limit is not None and further:
        found += staff.filter(pk__in=further)
    default = insats.default_caseload_capacity
    return [Caseworker(s, s.active_count, s.capacity or default) for s in found]


# Caseworkers offered to choose from (accepting a referral, reassigning, handing over): the
# least loaded this many; a pool of thousands would make the choice a list of thousands.
CASEWORKERS_OFFERED = 25


def caseworkers_for(case: Any, *, keep: Iterable[int] = ()) -> list[Caseworker]:
    """Who can carry `case` (a participant or a referral): the track's role in its länsdel,
    the CASEWORKERS_OFFERED least loaded (and those of `keep`, the ones chosen in a form
    sent)."""
    return caseworkers(
        case.track.insats,
        case.track.caseworker_role,
        case.kommun.lansdel,
        limit=CASEWORKERS_OFFERED,
        keep=keep,
    )


def offered_limit(offered: list[Caseworker]) -> int | None:
    """CASEWORKERS_OFFERED when `offered` was cut to it (the page says so), else None."""
    return CASEWORKERS_OFFERED if len(offered) >= CASEWORKERS_OFFERED else None


def chosen_staff(data: Any, *names: str) -> set[int]:
    """The staff numbers chosen in the fields `names` of a form sent (anything else left out:
    the form's own check refuses it)."""
    values = [data.get(name, "") for name in names]
    return {int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 19}
