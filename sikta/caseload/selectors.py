"""Reads for handing over a caseload, each starting from the access policy's scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from sikta.access.policy import handover_staff_scope, participant_scope
from sikta.organisation.models import StaffMember
from sikta.participants.models import Participant
from sikta.participants.selectors import (
    CASEWORKERS_OFFERED,
    Caseworker,
    active_count,
    caseworkers,
)


def handover_staff(user: Any) -> QuerySet[StaffMember]:
    """The caseworkers whose caseload `user` may hand over, with their enrolled participants
    (`enrolled_count`): the active ones, and those who have left but still carry cases."""
    return (
        StaffMember.objects.filter(handover_staff_scope(user))
        .annotate(enrolled_count=active_count(tuple(Participant.ENROLLED)))
        .filter(Q(is_active=True) | Q(enrolled_count__gt=0))
        .select_related("role", "lansdel")
        .order_by("-is_active", "lansdel__ordering", "role__ordering", "last_name", "first_name")
    )


def caseload_of(user: Any, staff: StaffMember) -> QuerySet[Participant]:
    """`staff`'s enrolled participants that `user` may see."""
    return (
        Participant.objects.filter(participant_scope(user))
        .enrolled()
        .filter(assigned_to=staff)
        .select_related("kommun__lansdel", "track", "insats")
        .order_by("last_name", "first_name", "pk")
    )


def receivers_for(staff: StaffMember, *, keep: Iterable[int] = ()) -> list[Caseworker]:
    """Who can take over `staff`'s participants: the active caseworkers of the same role, insats
    and länsdel, least loaded first — the CASEWORKERS_OFFERED least loaded, and after them those of
    `keep` (the ones chosen in the form sent) who are further down. Each is a choice on every
    participant's row."""
    assert staff.insats is not None  # a caseworker works in an insats
    return caseworkers(
        staff.insats,
        staff.role.code,
        staff.lansdel,
        exclude=staff,
        limit=CASEWORKERS_OFFERED,
        keep=keep,
    )
