"""The hash chain over the audit log: each record's hash covers its content and the previous hash.

A record changed in the database after the fact no longer matches its own hash; a record deleted
leaves the next one pointing at a hash that is not its predecessor's. Inserts are serialised
(`chain_lock`) so that two requests never chain to the same head and fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connections

if TYPE_CHECKING:
    from sikta.audit.models import AuditEvent

GENESIS = "0" * 64
# Key of the PostgreSQL advisory lock that serialises appends to the chain (any fixed number).
ADVISORY_LOCK_KEY = 0x51C7A_A0D17


def canonical(event: Any) -> str:
    """The record's content as one deterministic string (the same after a round trip)."""
    at = event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    ip = str(ipaddress.ip_address(event.ip_address)) if event.ip_address else None
    content = {
        "sequence": event.sequence,
        "at": at,
        "user_id": event.user_id,
        "username": event.username,
        "role": event.role,
        "action": event.action,
        "participant_id": event.participant_id,
        "referral_id": event.referral_id,
        "ip": ip,
        "path": event.path,
        "detail": event.detail,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


def record_hash(previous_hash: str, event: Any) -> str:
    return hashlib.sha256((previous_hash + canonical(event)).encode()).hexdigest()


def chain_lock(using: str = "default") -> None:
    """Serialise appends until the end of the current transaction (call inside atomic()).

    PostgreSQL: a transaction-level advisory lock. SQLite: the settings open every transaction
    with BEGIN IMMEDIATE, so the atomic() block around the append already holds the write lock.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def link(events: Iterable[AuditEvent], *, using: str = "default") -> None:
    """Give `events` their sequence numbers and hashes after the current head (lock held)."""
    from sikta.audit.models import AuditEvent

    head = (
        AuditEvent.objects.using(using)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    sequence, previous = head if head else (0, GENESIS)
    for event in events:
        sequence += 1
        event.sequence = sequence
        event.previous_hash = previous
        event.hash = previous = record_hash(previous, event)


@dataclass(frozen=True)
class ChainReport:
    count: int  # records verified, counting those of the check it continued from
    broken_pk: int | None = None
    broken_at: dt.datetime | None = None
    problem: str = ""  # "content", "link", "missing" or "changed"
    message: str = ""
    # The last record verified (where a later check may continue from); `more`: the check
    # stopped at its limit before the end of the log.
    through_pk: int | None = None
    through_sequence: int | None = None
    through_hash: str = ""
    more: bool = False
    verified: int = 0  # records verified by this check itself

    @property
    def ok(self) -> bool:
        return self.broken_pk is None


def verify_chain(
    *,
    chunk_size: int = 2000,
    using: str = "default",
    since: Any = None,
    limit: int | None = None,
) -> ChainReport:
    """Recompute the chain in pk order, in chunks; report the first broken link.

    From the first record, or with `since` (a `ChainCheck` that found the chain intact) from
    the record after the one it verified last — which must still carry the hash it had then.
    With `limit`, at most that many records (`more` says whether some are left)."""
    from sikta.audit.models import AuditEvent

    previous, expected_sequence, count, last_pk = GENESIS, 1, 0, 0
    # Continuing: the first chunk begins with the record verified last, to see it unchanged.
    resuming = since is not None and since.through_pk is not None
    if resuming:
        previous, count, last_pk = since.through_hash, since.count, since.through_pk
        expected_sequence = (since.through_sequence or 0) + 1
    fields = [f.attname for f in AuditEvent._meta.concrete_fields]
    start = count
    # The record verified last: pk, sequence, hash.
    through = (
        (since.through_pk, since.through_sequence, previous) if resuming else (None, None, previous)
    )

    def report(**found: Any) -> ChainReport:
        return ChainReport(
            count=count,
            through_pk=through[0],
            through_sequence=through[1],
            through_hash=through[2],
            verified=count - start,
            **found,
        )

    while True:
        size = chunk_size if limit is None else min(chunk_size, start + limit - count)
        if size <= 0:
            more = AuditEvent.objects.using(using).filter(pk__gt=last_pk).exists()
            return report(more=more)
        # Resuming, the record verified last comes first, one more than the chunk.
        after, size = ({"pk__gte": last_pk}, size + 1) if resuming else ({"pk__gt": last_pk}, size)
        chunk = list(
            AuditEvent.objects.using(using).filter(**after).order_by("pk").only(*fields)[:size]
        )
        if resuming:
            resuming = False
            if not chunk or chunk[0].pk != last_pk or chunk[0].hash != previous:
                return report(
                    broken_pk=last_pk,
                    problem="changed",
                    message="the record verified last is changed or gone since it was verified",
                )
            chunk = chunk[1:]
        if not chunk:
            return report()
        for event in chunk:
            problem = ""
            if record_hash(event.previous_hash, event) != event.hash:
                problem, message = "content", "the record's content does not match its hash"
            elif event.previous_hash != previous:
                if event.sequence is not None and event.sequence > expected_sequence:
                    missing = event.sequence - expected_sequence
                    problem = "missing"
                    message = (
                        f"{missing} record(s) before this one are missing "
                        f"(sequence {expected_sequence} expected, found {event.sequence})"
                    )
                else:
                    problem, message = "link", "previous_hash is not the previous record's hash"
            if problem:
                return report(
                    broken_pk=event.pk, broken_at=event.at, problem=problem, message=message
                )
            previous = event.hash
            expected_sequence = (event.sequence or expected_sequence) + 1
            count += 1
            through = (event.pk, event.sequence, event.hash)
        last_pk = chunk[-1].pk


def save_check(report: ChainReport, *, complete: bool, using: str = "default") -> Any:
    """Keep `report` as a `ChainCheck`: a later check continues from it if it found the chain
    intact."""
    from sikta.audit.models import ChainCheck

    return ChainCheck.objects.using(using).create(
        complete=complete,
        count=report.count,
        through_pk=report.through_pk,
        through_sequence=report.through_sequence,
        through_hash=report.through_hash,
        broken_pk=report.broken_pk,
        problem=report.problem,
        message=report.message[:200],
    )
