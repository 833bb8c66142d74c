"""Writing audit records. Every read, change and export of personal data calls these.

A record about a person with protected identity (skyddad identitet) is flagged here, in one
place for every view: `detail["protected_identity"] = True`. The flag is part of the detail
and so of the record's hash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from sikta.audit.models import PROTECTED_FLAG, AuditAction, AuditEvent
from sikta.core.net import client_ip


@dataclass(frozen=True)
class Actor:
    """Who acts, for a service that writes audit records: the user, and where from (the
    request's address and page). Services take this instead of the whole request."""

    user: Any
    ip_address: str | None = None
    path: str = ""
    bare_path: str = ""  # without the query string: for records about protected people

    @classmethod
    def of(cls, request: HttpRequest) -> Actor:
        return cls(
            user=request.user,
            ip_address=client_ip(request),
            path=request.get_full_path()[:500],
            bare_path=request.path[:500],
        )


def _actor(request: HttpRequest | Actor | None, user: Any) -> dict[str, Any]:
    from sikta.access.staff import role_of

    if isinstance(request, Actor):
        actor = request
        authenticated = actor.user is not None and actor.user.is_authenticated
        role = role_of(actor.user) if authenticated else None
        return {
            "user": actor.user if authenticated else None,
            "username": actor.user.get_username() if authenticated else "",
            "role": role or "",
            "ip_address": actor.ip_address,
            "path": actor.path,
        }
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


def _is_protected(participant: Any = None, referral: Any = None) -> bool:
    from sikta.access.protection import referral_is_protected

    if participant is not None and getattr(participant, "protected_identity", False):
        return True
    return referral is not None and referral_is_protected(referral)


def _page(
    actor: dict[str, Any], request: HttpRequest | Actor | None, protected: bool
) -> dict[str, Any]:
    """A record about a protected person keeps the page without its query string: a search
    (`?q=<name or personnummer>`) would otherwise show, to whoever reads the log, who the
    masked "Protected identity #id" is."""
    if protected and isinstance(request, Actor):
        return {**actor, "path": request.bare_path}
    if protected and request is not None:
        return {**actor, "path": request.path[:500]}
    return actor


def _flagged(detail: dict[str, Any] | None, protected: bool) -> dict[str, Any]:
    """A fresh detail dict per record, with the flag when the person is protected."""
    return {**(detail or {}), PROTECTED_FLAG: True} if protected else dict(detail or {})


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor: Actor | None = None,
    user: Any = None,
    participant: Any = None,
    referral: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit record. A view passes its `request`, a service the `actor` it was
    given; without either (commands, jobs) the address stays empty."""
    source: HttpRequest | Actor | None = actor if actor is not None else request
    protected = _is_protected(participant, referral)
    return AuditEvent.objects.create(
        action=action,
        participant=participant,
        referral=referral,
        detail=_flagged(detail, protected),
        **_page(_actor(source, user), source, protected),
    )


def audit_change(actor: Actor, participant: Any, what: str, **detail: Any) -> AuditEvent:
    """The record of a change to a participant's case: `what` changed, with `detail`."""
    return audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_CHANGE,
        participant=participant,
        detail={"what": what, **detail},
    )


def audit_record_many(
    *,
    action: str,
    participants: Iterable[Any] = (),
    referrals: Iterable[Any] = (),
    request: HttpRequest | None = None,
    actor: Actor | None = None,
    user: Any = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """One record per person shown, in one insert (a list page shows many people at once)."""
    from sikta.access.protection import note_referral_protection

    source: HttpRequest | Actor | None = actor if actor is not None else request
    who = _actor(source, user)
    referrals = list(referrals)
    note_referral_protection(referrals)
    events = [
        AuditEvent(
            action=action,
            participant=p,
            detail=_flagged(detail, protected),
            **_page(who, source, protected),
        )
        for p in participants
        for protected in [_is_protected(p)]
    ] + [
        AuditEvent(
            action=action,
            referral=r,
            detail=_flagged(detail, protected),
            **_page(who, source, protected),
        )
        for r in referrals
        for protected in [_is_protected(referral=r)]
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)
