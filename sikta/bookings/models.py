"""Bookings: what is planned with a participant, and the reminders sent about it.

A booking is a meeting the caseworker has planned (the journal records what happened). The
participant is reminded the way they chose (`ContactChoice`), by messages in an outbox
(`Message`) that a long-running command delivers: each message is written once, with a key
that makes writing it twice impossible, and is claimed before it is sent, so a restart never
sends it again.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.organisation.models import StaffMember
from sikta.participants.models import Consent, Participant


class ContactChoice(models.Model):
    """How the participant wants to be reminded, as they chose it (consent to be contacted
    that way). A change is a new record; the latest is the one in force."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="contact_choices",
        verbose_name=_("participant"),
    )
    by_sms = models.BooleanField(_("reminders by text message"), default=False)
    by_email = models.BooleanField(_("reminders by e-mail"), default=False)
    name_insats = models.BooleanField(
        _("the programme's name may be in the messages"),
        default=False,
        help_text=_("Otherwise a reminder says only who the meeting is with, when and where."),
    )
    how = models.CharField(_("how"), max_length=10, choices=Consent.How.choices)
    given_on = models.DateField(_("given"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("choice of reminders")
        verbose_name_plural = _("choices of reminders")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.given_on}"


class BookingQuerySet(models.QuerySet["Booking"]):
    def planned(self) -> BookingQuerySet:
        return self.filter(status=Booking.Status.PLANNED)

    def between(self, start: dt.datetime, end: dt.datetime) -> BookingQuerySet:
        return self.filter(starts_at__gte=start, starts_at__lt=end)


class Booking(models.Model):
    class Kind(models.TextChoices):
        MEETING = "samtal", _("Individual meeting")
        EMPLOYER_VISIT = "arbetsgivare", _("Visit to the employer")
        PLACEMENT_FOLLOW_UP = "arbetstraning", _("Follow-up of work training")
        AUTHORITY = "handlaggare", _("Meeting with a case officer")
        OTHER = "annat", _("Other meeting")

    class Mode(models.TextChoices):
        PLACE = "plats", _("At a place")
        PHONE = "telefon", _("By phone")
        VIDEO = "video", _("By video")

    class Status(models.TextChoices):
        PLANNED = "planerad", _("Planned")
        HELD = "genomford", _("The meeting was held")
        NO_SHOW = "uteblev", _("Did not come")
        CANCELLED = "installd", _("Cancelled")

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="bookings",
        verbose_name=_("participant"),
    )
    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("with"),
    )
    kind = models.CharField(_("kind of meeting"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=60)
    mode = models.CharField(_("where"), max_length=10, choices=Mode.choices, default=Mode.PLACE)
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    # The iCalendar identity of the meeting: the same UID, a higher SEQUENCE when it moves.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    journal_entry = models.OneToOneField(
        "casework.JournalEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booking",
        verbose_name=_("journal entry"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("booked"), default=timezone.now)
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["staff", "starts_at"]),
            models.Index(fields=["participant", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="booking_length_sensible",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def awaits_outcome(self) -> bool:
        return self.status == self.Status.PLANNED and self.is_past


class Message(models.Model):
    """One reminder or notice to a participant, in the outbox until it is sent."""

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        EMAIL = "epost", _("E-mail")

    class Purpose(models.TextChoices):
        BOOKED = "bokad", _("Booking confirmed")
        MOVED = "flyttad", _("Booking moved")
        CANCELLED = "installd", _("Booking cancelled")
        DAY_BEFORE = "dagen-fore", _("Reminder the day before")
        MISSED = "uteblev", _("We missed you")
        NEW_CONTACT = "ny-kontakt", _("New contact person")
        SURVEY = "enkat", _("Survey reminder")

    class Status(models.TextChoices):
        PENDING = "vantar", _("Waiting to be sent")
        SENDING = "skickas", _("Being sent")
        SENT = "skickat", _("Sent")
        FAILED = "misslyckat", _("Could not be sent")
        UNCERTAIN = "oklart", _("Perhaps not sent")
        WITHDRAWN = "aterkallat", _("Not needed any more")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="messages", verbose_name=_("to")
    )
    booking = models.ForeignKey(
        Booking,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("booking"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    # What makes the message unique: written twice, the second write fails.
    key = models.CharField(max_length=120, unique=True, editable=False)
    # Written by the system from the booking and the participant's choice, never typed.
    recipient = models.CharField(_("recipient"), max_length=254, editable=False)
    subject = models.CharField(_("subject"), max_length=200, blank=True, editable=False)
    body = models.TextField(_("text"), editable=False)
    send_after = models.DateTimeField(_("to be sent"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("what went wrong"), max_length=500, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=100, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("message to a participant")
        verbose_name_plural = _("messages to participants")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_channel_display()})"

    @property
    def is_problem(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.UNCERTAIN) or (
            self.status == self.Status.PENDING and self.attempts > 0
        )


class CalendarFeed(models.Model):
    """A caseworker's private calendar address: only the digest of its secret is kept; a new
    address revokes the old one."""

    staff = models.OneToOneField(
        StaffMember, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("for")
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.staff)
