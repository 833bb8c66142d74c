"""Case work on a participant: kartläggning, the plan's goals, the journal, the exit.

Nothing here is silently overwritten: a kartläggning is saved as a new version, a journal entry
is corrected by a new entry that keeps the old text, goals carry a version number so that two
people editing at once cannot overwrite each other.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.organisation.models import GoalArea, IncomeSource, Outcome, Track
from sikta.participants.models import Participant


class Authored(models.Model):
    """Who wrote it and when; the name is kept as it was, the login may go."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    author_name = models.CharField(_("written by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        abstract = True


class Mapping(Authored):
    """One version of the kartläggning: answers under the track's headings."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="mappings",
        verbose_name=_("participant"),
    )
    version = models.PositiveIntegerField(_("version"))
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="+")
    # [{key, label, text}] — the headings as they were, so a later template change keeps this.
    answers = models.JSONField(_("answers"), default=list)

    class Meta:
        verbose_name = _("kartläggning")
        verbose_name_plural = _("kartläggningar")
        ordering = ["participant", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "version"], name="mapping_version")
        ]

    def __str__(self) -> str:
        return f"{self.participant} v{self.version}"


class Goal(Authored):
    class Status(models.TextChoices):
        ONGOING = "pagar", _("Ongoing")
        REACHED = "uppnatt", _("Reached")
        PARTLY = "delvis", _("Partly reached")
        NOT_REACHED = "ej_uppnatt", _("Not reached")
        DROPPED = "avbrutet", _("Dropped")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="goals", verbose_name=_("participant")
    )
    text = models.TextField(_("goal"))
    area = models.ForeignKey(
        GoalArea, on_delete=models.PROTECT, related_name="goals", verbose_name=_("area")
    )
    own_words = models.TextField(_("in the participant's own words"), blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ONGOING
    )
    # Raised by every save: a form sent with an older number was based on an older goal.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["participant", "target_date", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class GoalFollowUp(Authored):
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("goal")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    note = models.TextField(_("follow-up"))

    class Meta:
        verbose_name = _("follow-up of a goal")
        verbose_name_plural = _("follow-ups of goals")
        ordering = ["goal", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.goal} {self.date}"


class JournalEntryQuerySet(models.QuerySet["JournalEntry"]):
    def current(self) -> JournalEntryQuerySet:
        """Entries as they stand now: corrected ones are replaced by their correction."""
        return self.filter(corrected_by__isnull=True)


class JournalEntry(Authored):
    class Kind(models.TextChoices):
        MEETING = "mote", _("Individual meeting")
        CALL = "telefon", _("Phone or video")
        GROUP = "grupp", _("Group activity")
        EMPLOYER = "arbetsgivare", _("Employer contact")
        AUTHORITY = "myndighet", _("Authority or care contact")
        OTHER = "annat", _("Other")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="journal", verbose_name=_("participant")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind of contact"), max_length=20, choices=Kind.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    note = models.TextField(_("note"))
    # A correction is a new entry; the one it corrects stays, pointing to it.
    corrected_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrects",
        verbose_name=_("corrected by"),
    )

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal")
        ordering = ["-date", "-created_at", "-pk"]
        indexes = [models.Index(fields=["participant", "date"])]

    def __str__(self) -> str:
        return f"{self.participant} {self.date} {self.kind}"

    def newest(self) -> JournalEntry:
        """The entry as it stands now, following its corrections."""
        entry = self
        while entry.corrected_by_id is not None:
            entry = JournalEntry.objects.get(pk=entry.corrected_by_id)
        return entry


class Exit(Authored):
    """Utskrivning: how and when the participant's time in the programme ended."""

    # A participant enrolled again after an exit gets a second one.
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="exits", verbose_name=_("participant")
    )
    # The enrolment this exit ends (none for exits recorded before enrolments were kept, and
    # not found); a participant enrolled again starts a new one.
    enrolment = models.OneToOneField(
        "participants.Enrolment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exit",
        verbose_name=_("enrolment"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, related_name="exits", verbose_name=_("outcome")
    )
    occupation_after = models.CharField(_("occupation after"), max_length=300, blank=True)
    income_after = models.ManyToManyField(
        IncomeSource, blank=True, related_name="+", verbose_name=_("income after")
    )
    care_contacts = models.TextField(_("contacts with complementary care providers"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("exit")
        verbose_name_plural = _("exits")
        ordering = ["participant", "end_date", "pk"]

    def __str__(self) -> str:
        return f"{self.participant} {self.end_date}"


class FinalDocument(Authored):
    """The slutdokumentation: what the coach writes, and the PDF as it was signed and handed out.

    The signed PDF is kept as it was, so what the participant and the handläggare received can
    always be shown again; a new version means a new document.
    """

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="final_documents",
        verbose_name=_("participant"),
    )
    summary = models.TextField(_("the time in the programme"))
    achieved = models.TextField(_("what was reached"))
    recommendations = models.TextField(_("recommendations for the next step"))
    pdf = models.BinaryField(_("signed document"), editable=False)
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)
    handed_to_participant_on = models.DateField(
        _("handed to the participant"), null=True, blank=True
    )
    handed_to_referrer_on = models.DateField(
        _("handed to the referring handläggare"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("final documentation")
        verbose_name_plural = _("final documentation")
        ordering = ["participant", "-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.participant} {self.signed_at:%Y-%m-%d}"


class Pause(Authored):
    """A pause in the participant's time (illness, care, a move …); it stops the year's clock."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("participant")
    )
    start_date = models.DateField(_("paused from"))
    end_date = models.DateField(_("resumed"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["participant", "start_date", "pk"]

    def __str__(self) -> str:
        return f"{self.participant} {self.start_date}"

    def days_until(self, day: dt.date) -> int:
        """Days of this pause up to `day` (the pause's own days, not counting the resume day)."""
        end = min(self.end_date or day, day)
        return max(0, (end - self.start_date).days)
