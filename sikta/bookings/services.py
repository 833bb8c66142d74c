"""Writes of bookings and the reminders they send. Each takes the acting `Actor`, runs in
one transaction and writes its audit record; messages go into the outbox in the same
transaction, so a booking and what the participant is told about it never part."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_change, audit_record
from sikta.bookings import notices, sms
from sikta.bookings.models import Booking, CalendarFeed, ContactChoice, Message
from sikta.organisation.models import StaffMember
from sikta.participants.models import Participant

logger = logging.getLogger(__name__)

# A message claimed for sending this long ago, and never marked sent or failed, belongs to a
# sender that stopped mid-way: it may have gone out, so it is not sent again.
STALE_CLAIM = dt.timedelta(minutes=10)
BOOKING_FIELDS = ("kind", "starts_at", "duration_minutes", "mode", "place")


class BookingError(ValueError):
    pass


def contact_choice(participant: Participant) -> ContactChoice | None:
    """The participant's choice in force: the latest recorded."""
    return (
        ContactChoice.objects.filter(participant=participant).order_by("-created_at", "-pk").first()
    )


@transaction.atomic
def contact_choice_record(
    *, participant: Participant, data: dict[str, Any], actor: Actor
) -> ContactChoice:
    """Record how the participant wants reminders, with the phone and e-mail they gave."""
    changed = []
    for field in ("phone", "email"):
        if data.get(field) and data[field] != getattr(participant, field):
            setattr(participant, field, data[field])
            changed.append(field)
    if changed:
        participant.save(update_fields=changed)
    choice = ContactChoice.objects.create(
        participant=participant,
        by_sms=data["by_sms"],
        by_email=data["by_email"],
        name_insats=data["name_insats"],
        how=data["how"],
        given_on=data["given_on"],
        recorded_by=actor.user,
    )
    audit_change(
        actor, participant, "contact_choice", by_sms=choice.by_sms, by_email=choice.by_email
    )
    return choice


def _channels(participant: Participant) -> list[tuple[str, str]]:
    choice = contact_choice(participant)
    if choice is None:
        return []
    channels: list[tuple[str, str]] = []
    if choice.by_sms and participant.phone:
        channels.append((Message.Channel.SMS, participant.phone))
    if choice.by_email and participant.email:
        channels.append((Message.Channel.EMAIL, participant.email))
    return channels


def _enqueue(
    *,
    participant: Participant,
    purpose: str,
    booking: Booking | None,
    staff: StaffMember,
    send_after: dt.datetime,
    key: str,
    keeps_bookings: bool = False,
) -> list[Message]:
    """The messages for `purpose` on each channel the participant chose; a key already in
    the outbox is not written again (so a retried request or a second sender adds nothing)."""
    choice = contact_choice(participant)
    insats_name = participant.insats.name if choice and choice.name_insats else ""
    subject, body = notices.compose(
        purpose,
        booking=booking,
        staff=staff,
        insats_name=insats_name,
        keeps_bookings=keeps_bookings,
    )
    return _write(
        participant=participant,
        booking=booking,
        purpose=purpose,
        subject=subject,
        body=body,
        send_after=send_after,
        key=key,
    )


def _write(
    *,
    participant: Participant,
    booking: Booking | None,
    purpose: str,
    subject: str,
    body: str,
    send_after: dt.datetime,
    key: str,
) -> list[Message]:
    written = []
    for channel, recipient in _channels(participant):
        try:
            with transaction.atomic():
                written.append(
                    Message.objects.create(
                        participant=participant,
                        booking=booking,
                        channel=channel,
                        purpose=purpose,
                        key=f"{key}:{channel}"[:120],
                        recipient=recipient,
                        subject=subject,
                        body=body,
                        send_after=send_after,
                    )
                )
        except IntegrityError:
            continue
    return written


def tell_participant(
    *, participant: Participant, purpose: str, subject: str, body: str, key: str
) -> list[Message]:
    """A message of another app's (e.g. a survey reminder) to the participant, on each channel
    they chose, through the outbox; a key already written adds nothing. The caller writes the
    text: no health data, no track, no name of the participant."""
    return _write(
        participant=participant,
        booking=None,
        purpose=purpose,
        subject=subject,
        body=body,
        send_after=timezone.now(),
        key=key,
    )


def _booking_key(booking: Booking, purpose: str) -> str:
    return f"{booking.uid}:{booking.sequence}:{purpose}"


def _reminder_time(starts_at: dt.datetime) -> dt.datetime:
    """The day-before reminder: at SIKTA_REMINDER_HOUR the day before the meeting."""
    day_before = timezone.localtime(starts_at).date() - dt.timedelta(days=1)
    return timezone.make_aware(
        dt.datetime.combine(day_before, dt.time(settings.SIKTA_REMINDER_HOUR))
    )


def _notify_booking(booking: Booking, purpose: str) -> None:
    now = timezone.now()
    _enqueue(
        participant=booking.participant,
        purpose=purpose,
        booking=booking,
        staff=booking.staff,
        send_after=now,
        key=_booking_key(booking, purpose),
    )
    if purpose in (Message.Purpose.BOOKED, Message.Purpose.MOVED):
        _schedule_reminder(booking)


def _schedule_reminder(booking: Booking) -> None:
    """The day-before reminder, in the outbox until its hour; none for a meeting booked for
    today or tomorrow morning (the confirmation is the reminder)."""
    remind_at = _reminder_time(booking.starts_at)
    if remind_at > timezone.now():
        _enqueue(
            participant=booking.participant,
            purpose=Message.Purpose.DAY_BEFORE,
            booking=booking,
            staff=booking.staff,
            send_after=remind_at,
            key=_booking_key(booking, Message.Purpose.DAY_BEFORE),
        )


def _withdraw_pending(booking: Booking) -> int:
    return booking.messages.filter(status=Message.Status.PENDING).update(
        status=Message.Status.WITHDRAWN
    )


def _check_time(starts_at: dt.datetime) -> None:
    if starts_at < timezone.now() - dt.timedelta(minutes=5):
        raise BookingError("in the past")


@transaction.atomic
def booking_create(*, participant: Participant, data: dict[str, Any], actor: Actor) -> Booking:
    """Book a meeting with the participant; they are told (and reminded the day before)."""
    _check_time(data["starts_at"])
    booking = Booking.objects.create(
        participant=participant,
        staff=data["staff"],
        created_by=actor.user,
        **{field: data[field] for field in BOOKING_FIELDS},
    )
    _notify_booking(booking, Message.Purpose.BOOKED)
    audit_change(actor, participant, "booking.create", booking=booking.pk)
    return booking


def _locked(booking: Booking) -> Booking:
    locked = (
        Booking.objects.select_for_update()
        .select_related("participant", "staff")
        .get(pk=booking.pk)
    )
    if locked.status != Booking.Status.PLANNED:
        raise BookingError("not planned")
    return locked


@transaction.atomic
def booking_move(*, booking: Booking, data: dict[str, Any], actor: Actor) -> Booking:
    """Change the time, length or place; the participant is told if anything they need to
    know changed (the time or the place), and the day-before reminder follows the move."""
    booking = _locked(booking)
    _check_time(data["starts_at"])
    changes = {f: data[f] for f in BOOKING_FIELDS if data[f] != getattr(booking, f)}
    if not changes:
        return booking
    for field, value in changes.items():
        setattr(booking, field, value)
    booking.sequence += 1
    booking.save(update_fields=[*changes, "sequence"])
    _withdraw_pending(booking)
    if set(changes) & {"starts_at", "mode", "place"}:
        _notify_booking(booking, Message.Purpose.MOVED)
    else:  # only the kind or the length: no message, but the reminder stays
        _schedule_reminder(booking)
    audit_change(
        actor, booking.participant, "booking.move", booking=booking.pk, fields=sorted(changes)
    )
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, reason: str, actor: Actor) -> Booking:
    """Cancel a planned meeting; the participant is told, the reminder withdrawn."""
    booking = _locked(booking)
    booking.status = Booking.Status.CANCELLED
    booking.cancel_reason = reason
    booking.sequence += 1
    booking.outcome_at = timezone.now()
    booking.save(update_fields=["status", "cancel_reason", "sequence", "outcome_at"])
    _withdraw_pending(booking)
    if booking.starts_at > timezone.now():
        _notify_booking(booking, Message.Purpose.CANCELLED)
    audit_change(actor, booking.participant, "booking.cancel", booking=booking.pk)
    return booking


@transaction.atomic
def booking_outcome(*, booking: Booking, status: str, actor: Actor) -> Booking:
    """Afterwards: held, or the participant did not come (they get a kind "we missed you").
    A meeting cancelled on the day is recorded as cancelled, without a message."""
    booking = _locked(booking)
    if not booking.is_past and status != Booking.Status.CANCELLED:
        raise BookingError("not yet")
    booking.status = status
    booking.outcome_at = timezone.now()
    booking.save(update_fields=["status", "outcome_at"])
    _withdraw_pending(booking)
    if status == Booking.Status.NO_SHOW:
        _enqueue(
            participant=booking.participant,
            purpose=Message.Purpose.MISSED,
            booking=booking,
            staff=booking.staff,
            send_after=timezone.now(),
            key=_booking_key(booking, Message.Purpose.MISSED),
        )
    audit_change(actor, booking.participant, "booking.outcome", booking=booking.pk, status=status)
    return booking


def booking_link_journal(*, booking: Booking, entry: Any) -> None:
    """The journal entry written about a held meeting."""
    Booking.objects.filter(pk=booking.pk, journal_entry__isnull=True).update(journal_entry=entry)


def bookings_hand_over(*, participant: Participant, to: StaffMember) -> int:
    """The participant's coming meetings with their caseworker go to `to` (a hand-over): each
    keeps its time, its invitation is updated (a higher SEQUENCE) and the day-before reminder
    is written anew, naming the new contact person. Returns how many moved. Runs inside the
    hand-over's transaction, which writes the audit record."""
    coming = (
        Booking.objects.select_for_update()
        .filter(
            participant=participant,
            status=Booking.Status.PLANNED,
            starts_at__gt=timezone.now(),
        )
        .exclude(staff=to)
        .select_related("participant")
    )
    moved = 0
    for booking in coming:
        booking.staff = to
        booking.sequence += 1
        booking.save(update_fields=["staff", "sequence"])
        _withdraw_pending(booking)
        _schedule_reminder(booking)
        moved += 1
    return moved


def tell_new_contact(
    *, participant: Participant, staff: StaffMember, key: str, keeps_bookings: bool = False
) -> list[Message]:
    """Tell the participant who their contact person is now (after a hand-over), and that
    their booked times stay (now with the new contact person) if they have any."""
    return _enqueue(
        participant=participant,
        purpose=Message.Purpose.NEW_CONTACT,
        booking=None,
        staff=staff,
        send_after=timezone.now(),
        key=f"{key}:{Message.Purpose.NEW_CONTACT}",
        keeps_bookings=keeps_bookings,
    )


def reaches(participant: Participant) -> bool:
    """Whether a message to the participant goes anywhere (they chose a way, with the number
    or address on record)."""
    return bool(_channels(participant))


# --- the calendar feed --------------------------------------------------------------------


def feed_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_renew(*, staff: StaffMember, actor: Actor) -> str:
    """A new secret address for the staff member's calendar; the old one stops working. The
    token is returned once: only its digest is kept."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        staff=staff, defaults={"digest": feed_digest(token), "created_at": timezone.now()}
    )
    audit_record(actor=actor, action=AuditAction.CALENDAR_FEED, detail={"what": "renew"})
    return token


@transaction.atomic
def calendar_feed_revoke(*, staff: StaffMember, actor: Actor) -> None:
    CalendarFeed.objects.filter(staff=staff).delete()
    audit_record(actor=actor, action=AuditAction.CALENDAR_FEED, detail={"what": "revoke"})


# --- delivering the outbox ----------------------------------------------------------------


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** (attempts - 1), 240))


def recover_stale(*, now: dt.datetime | None = None) -> int:
    """Messages a stopped sender had claimed: perhaps sent, so never sent again — marked for
    the caseworker to check."""
    now = now or timezone.now()
    return Message.objects.filter(
        status=Message.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(
        status=Message.Status.UNCERTAIN,
        last_error="The sender stopped while sending; the message may not have arrived.",
    )


def _claim(message: Message, now: dt.datetime) -> bool:
    """Take the message for sending; False if another sender got there first."""
    return bool(
        Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
            status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _send(message: Message) -> str:
    if message.channel == Message.Channel.SMS:
        return sms.send_sms(to=message.recipient, text=message.body)
    email = EmailMessage(subject=message.subject, body=message.body, to=[message.recipient])
    booking = message.booking
    if booking is not None and message.purpose != Message.Purpose.MISSED:
        cancelled = booking.status == Booking.Status.CANCELLED
        email.attach(
            "kallelse.ics",
            notices.invitation(booking, to=message.recipient, cancelled=cancelled),
            "text/calendar; method=" + ("CANCEL" if cancelled else "REQUEST") + "; charset=utf-8",
        )
    email.send()
    return ""


def _failed(
    message: Message, attempts: int, now: dt.datetime, error: str, *, permanent: bool
) -> str:
    """Record a failed attempt: tried again later, or given up on (visible on the booking)."""
    final = permanent or attempts >= settings.SIKTA_MESSAGE_ATTEMPTS
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED if final else Message.Status.PENDING,
        send_after=now + _backoff(attempts),
        last_error=error[:500],
    )
    return "failed" if final else "retry"


def deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> Counter[str]:
    """Send what is due: each message is claimed (committed) before it is sent and marked
    after, so a crash in between leaves it 'being sent', never sent twice."""
    now = now or timezone.now()
    done: Counter[str] = Counter()
    due = (
        Message.objects.filter(status=Message.Status.PENDING, send_after__lte=now)
        .select_related("booking__staff", "participant")
        .order_by("send_after", "pk")[:limit]
    )
    for message in due:
        booking = message.booking
        if (
            message.purpose == Message.Purpose.DAY_BEFORE
            and booking is not None
            and (booking.status != Booking.Status.PLANNED or booking.starts_at <= now)
        ):
            Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
                status=Message.Status.WITHDRAWN
            )
            done["withdrawn"] += 1
            continue
        if not _claim(message, now):
            continue
        attempts = message.attempts + 1
        try:
            provider_id = _send(message)
        except sms.SmsError as error:
            done[_failed(message, attempts, now, str(error), permanent=error.permanent)] += 1
        except OSError as error:  # the mail server: refused, down, timed out
            done[_failed(message, attempts, now, f"mail server: {error}", permanent=False)] += 1
        else:
            Message.objects.filter(pk=message.pk).update(
                status=Message.Status.SENT,
                sent_at=timezone.now(),
                provider_id=provider_id[:100],
                last_error="",
            )
            done["sent"] += 1
    return done


def message_retry(*, message: Message, actor: Actor) -> None:
    """The caseworker sends a failed message again (e.g. after correcting the number)."""
    participant = message.participant
    recipient = participant.phone if message.channel == Message.Channel.SMS else participant.email
    updated = Message.objects.filter(
        pk=message.pk, status__in=[Message.Status.FAILED, Message.Status.UNCERTAIN]
    ).update(
        status=Message.Status.PENDING,
        send_after=timezone.now(),
        attempts=0,
        recipient=recipient or message.recipient,
    )
    if updated:
        audit_change(actor, message.participant, "message.retry", message=message.pk)
