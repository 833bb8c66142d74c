"""Group activities (e.g. a course on mental health): sessions, leaders, attendance."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.casework.models import Authored, JournalEntry
from sikta.organisation.models import Lansdel, StaffMember
from sikta.participants.models import Participant


class Group(Authored):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    insats = models.ForeignKey(
        "organisation.Insats",
        on_delete=models.PROTECT,
        related_name="groups",
        verbose_name=_("programme"),
    )
    lansdel = models.ForeignKey(
        Lansdel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("county area"),
        help_text=_("Empty for a group for the whole county."),
    )
    leaders = models.ManyToManyField(
        StaffMember, related_name="led_groups", verbose_name=_("leaders")
    )
    members = models.ManyToManyField(
        Participant, blank=True, related_name="activity_groups", verbose_name=_("participants")
    )

    class Meta:
        verbose_name = _("group activity")
        verbose_name_plural = _("group activities")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("group")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["group", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.group} {self.date}"


class Attendance(models.Model):
    """Whether a participant came to a session; the journal entry it wrote for them."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("participant"),
    )
    present = models.BooleanField(_("present"))
    journal_entry = models.OneToOneField(
        JournalEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="attendance"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.participant}"
