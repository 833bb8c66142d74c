"""Writing audit records. Every read, change and export of personal data calls these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from sikta.audit.models import AuditEvent
from sikta.core.net import client_ip


def _actor(request: HttpRequest | None, user: Any) -> dict[str, Any]:
    from sikta.access.policy import role_of

    user = user if user is not None else getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    role = role_of(user) if authenticated else None
    return {
        "user": user if authenticated else None,
        "username": user.get_username() if authenticated else "",
        "role": role or "",
        "ip_address": client_ip(request) if request is not None else None,
        "path": request.get_full_path()[:500] if request is not None else "",
    }


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    user: Any = None,
    participant: Any = None,
    referral: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit record. Without a request (commands, jobs) the address stays empty."""
    return AuditEvent.objects.create(
        action=action,
        participant=participant,
        referral=referral,
        detail=detail or {},
        **_actor(request, user),
    )


def audit_record_many(
    *,
    action: str,
    participants: Iterable[Any] = (),
    referrals: Iterable[Any] = (),
    request: HttpRequest | None = None,
    user: Any = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """One record per person shown, in one insert (a list page shows many people at once)."""
    actor = _actor(request, user)
    events = [
        AuditEvent(action=action, participant=p, detail=detail or {}, **actor) for p in participants
    ] + [AuditEvent(action=action, referral=r, detail=detail or {}, **actor) for r in referrals]
    AuditEvent.objects.bulk_create(events)
    return len(events)
