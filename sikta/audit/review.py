"""Log review (logguppföljning): a random sample of staff reads, each marked justified or not.

A read is "outside the reader's caseload" when a coach or koordinator read a participant not
assigned to them at that moment (Assignment history; a current assignment, participant.assigned_to,
that no history row records counts too, its start being unknown), or a samordnare read a
participant or referral outside their länsdel. Those come first in the review.

Reads of a person with protected identity (skyddad identitet: the audit record's detail carries
the flag) are not left to chance: every one in the period is added to the random sample (up to
MAX_PROTECTED_READS), and they come right after the reads outside the caseload.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from sikta.access.policy import audit_scope, insats_of
from sikta.access.roles import RoleCode
from sikta.audit.models import (
    PROTECTED_FLAG,
    STAFF_READS,
    AuditAction,
    AuditEvent,
    LogReview,
    LogReviewItem,
)
from sikta.audit.services import Actor, audit_record
from sikta.core.dates import on_days
from sikta.organisation.models import ControllerRule, MemberParty

DEFAULT_SAMPLE_SIZE = 25
# Reads of protected people added to a review besides the random sample, at most.
MAX_PROTECTED_READS = 500


def protected_reads(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """The records in `events` about a person with protected identity."""
    return events.filter(**{f"detail__{PROTECTED_FLAG}": True})


def controller_records(party: MemberParty) -> Q:
    """The audit records about the participants and referrals `party` is the controller of."""
    return (
        Q(participant__controller=party)
        | Q(referral__participant__controller=party)
        | (
            Q(referral__isnull=False, referral__participant__isnull=True)
            & ControllerRule.objects.referrals_of(party, "referral__")
        )
    )


def staff_reads(
    *, period_from: dt.date, period_to: dt.date, scope: Q | None = None
) -> QuerySet[AuditEvent]:
    """Staff reads of people's data in the period (dates inclusive, local time), within
    `scope` (the reviewer's: sikta.access.policy.audit_scope)."""
    return AuditEvent.objects.filter(
        scope if scope is not None else Q(),
        on_days("at", period_from, period_to),
        action__in=STAFF_READS,
    ).exclude(user=None)


def with_caseload_flag(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Annotate `outside_caseload` on each read, from the reader's role at the time of the read."""
    from sikta.participants.models import Assignment, Participant
    from sikta.referrals.models import Referral

    assigned_then = Assignment.objects.filter(
        participant_id=OuterRef("participant_id"),
        staff__user_id=OuterRef("user_id"),
        started_at__lte=OuterRef("at"),
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=OuterRef("at")))
    # The current assignment (participant.assigned_to, what access is granted by) when no
    # history row records it: demo data and cases assigned before the history was kept. Its
    # start is unknown, so it covers the reader's reads; one with a history row counts only
    # from that row's start (assigned_then).
    assigned_now_unrecorded = Participant.objects.filter(
        pk=OuterRef("participant_id"), assigned_to__user_id=OuterRef("user_id")
    ).exclude(
        Exists(
            Assignment.objects.filter(
                participant_id=OuterRef("pk"), staff_id=OuterRef("assigned_to_id")
            )
        )
    )
    participant_in_lansdel = Participant.objects.filter(
        pk=OuterRef("participant_id"), kommun__lansdel__staff__user_id=OuterRef("user_id")
    )
    referral_in_lansdel = Referral.objects.filter(
        pk=OuterRef("referral_id"), kommun__lansdel__staff__user_id=OuterRef("user_id")
    )
    caseworker = Q(role__in=[RoleCode.COACH, RoleCode.KOORDINATOR])
    samordnare = Q(role=RoleCode.SAMORDNARE)
    return events.annotate(
        outside_caseload=Coalesce(
            Case(
                When(
                    caseworker
                    & Q(participant__isnull=False)
                    & ~Exists(assigned_then)
                    & ~Exists(assigned_now_unrecorded),
                    then=Value(True),
                ),
                When(
                    samordnare & Q(participant__isnull=False) & ~Exists(participant_in_lansdel),
                    then=Value(True),
                ),
                When(
                    samordnare & Q(referral__isnull=False) & ~Exists(referral_in_lansdel),
                    then=Value(True),
                ),
                default=Value(False),
            ),
            Value(False),
        )
    )


def review_draw(
    *,
    user: Any,
    period_from: dt.date,
    period_to: dt.date,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    note: str = "",
    controller: MemberParty | None = None,
    actor: Actor | None = None,
) -> LogReview:
    """Draw a random sample of the period's staff reads into a new review, and log that: of
    the records of one `controller` if given (each member party follows up the reads of what
    it is personuppgiftsansvarig for), else of every record of the reviewer's insats."""
    scope = audit_scope(user)
    if controller is not None:
        scope &= controller_records(controller)
    with transaction.atomic():
        review = LogReview.objects.create(
            controller=controller,
            insats=insats_of(user),
            period_from=period_from,
            period_to=period_to,
            sample_size=sample_size,
            drawn_by=user,
            drawn_by_name=user.get_username(),
            note=note,
        )
        # The database draws the sample; only the chosen rows come back.
        reads = with_caseload_flag(
            staff_reads(period_from=period_from, period_to=period_to, scope=scope)
        )
        sample = reads.order_by("?").values_list("pk", "at", "outside_caseload")[:sample_size]
        protected = list(
            protected_reads(reads)
            .order_by("at", "pk")
            .values_list("pk", "at", "outside_caseload")[:MAX_PROTECTED_READS]
        )
        flagged = {row[0] for row in protected}
        chosen = {row[0]: row for row in [*sample, *protected]}
        rows = sorted(
            chosen.values(), key=lambda row: (not row[2], row[0] not in flagged, row[1], row[0])
        )
        LogReviewItem.objects.bulk_create(
            LogReviewItem(review=review, event_id=pk, outside_caseload=outside)
            for pk, _at, outside in rows
        )
        audit_record(
            actor=actor,
            user=user,
            action=AuditAction.AUDIT_REVIEW,
            detail={
                "op": "draw",
                "review": review.pk,
                "from": period_from.isoformat(),
                "to": period_to.isoformat(),
                "sample_size": sample_size,
                "controller": controller.code if controller is not None else None,
                "drawn": len(rows),
                "protected_reads": len(flagged),
            },
        )
    return review


def review_item_mark(
    *,
    item: LogReviewItem,
    user: Any,
    justified: bool,
    comment: str = "",
    actor: Actor | None = None,
) -> LogReviewItem:
    """Record the reviewer's judgement of one read; the review is complete when all are marked."""
    with transaction.atomic():
        item.justified = justified
        item.comment = comment
        item.reviewed_by_name = user.get_username()
        item.reviewed_at = timezone.now()
        item.save(update_fields=["justified", "comment", "reviewed_by_name", "reviewed_at"])
        review = item.review
        if review.completed_at is None and not review.items.filter(justified=None).exists():
            review.completed_at = timezone.now()
            review.save(update_fields=["completed_at"])
        audit_record(
            actor=actor,
            user=user,
            action=AuditAction.AUDIT_REVIEW,
            detail={
                "op": "mark",
                "review": review.pk,
                "item": item.pk,
                "event": item.event_id,
                "justified": justified,
            },
        )
    return item
