"""Who the signed-in user works as: their staff records (one per insats they hold a role in,
and one for a role of the förbund) and the one chosen for the session. No access rule lives
here (that is sikta.access.policy); the audit trail reads the role from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import F

from sikta.access.roles import RoleCode

if TYPE_CHECKING:
    from sikta.organisation.models import Insats, Lansdel, StaffMember


def staff_records(user: Any) -> list[StaffMember]:
    """The user's active staff records: one per insats they hold a role in (and one for a role
    of the förbund). Cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return []
    if not hasattr(user, "_sikta_records"):
        from sikta.organisation.models import StaffMember

        user._sikta_records = list(
            StaffMember.objects.select_related("role", "lansdel", "insats")
            .filter(user=user, is_active=True)
            .order_by(F("insats__name").asc(nulls_last=True), "pk")
        )
    return user._sikta_records


def choose_record(user: Any, record_pk: int | None) -> None:
    """Work as the record `record_pk` (one of the user's own; the session keeps the choice and
    `sikta.access.middleware` brings it back on every request). Unknown: the first record."""
    user._sikta_chosen = record_pk
    if hasattr(user, "_sikta_staff"):
        del user._sikta_staff


def staff_of(user: Any) -> StaffMember | None:
    """The staff record the user works as now, or None."""
    records = staff_records(user)
    if not records:
        return None
    if not hasattr(user, "_sikta_staff"):
        chosen = getattr(user, "_sikta_chosen", None)
        user._sikta_staff = next((r for r in records if r.pk == chosen), records[0])
    return user._sikta_staff


def insats_of(user: Any) -> Insats | None:
    """The insats the user works in now; None for a role of the förbund (or no role)."""
    staff = staff_of(user)
    return staff.insats if staff is not None else None


def role_of(user: Any) -> RoleCode | None:
    staff = staff_of(user)
    return RoleCode(staff.role.code) if staff is not None else None


def lansdel_of(user: Any) -> Lansdel | None:
    staff = staff_of(user)
    return staff.lansdel if staff is not None else None
