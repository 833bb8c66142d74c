from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.core.fields import PersonnummerField
from sikta.organisation.models import EducationLevel, Kommun, StaffMember, Track


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def active(self) -> ParticipantQuerySet:
        return self.filter(status=Participant.Status.ACTIVE)

    def enrolled(self) -> ParticipantQuerySet:
        """Active or paused: still in the programme, still someone's case."""
        return self.filter(status__in=Participant.ENROLLED)


class Participant(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    ENROLLED = (Status.ACTIVE, Status.PAUSED)

    # A person's participation in one insats: the same person may take part in another insats
    # too (a record of its own there, with its own controller and staff).
    insats = models.ForeignKey(
        "organisation.Insats",
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("programme"),
    )
    # The member party that is personuppgiftsansvarig for this record (ControllerRule).
    controller = models.ForeignKey(
        "organisation.MemberParty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("controller (personuppgiftsansvarig)"),
    )
    personnummer = PersonnummerField(_("personal identity number"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    kommun = models.ForeignKey(
        Kommun,
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("municipality of residence"),
    )
    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, related_name="participants", verbose_name=_("track")
    )
    assigned_to = models.ForeignKey(
        StaffMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("coach or care coordinator"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    education_level = models.ForeignKey(
        EducationLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("education level"),
        help_text=_("Highest completed education, for Uppföljning Finsam."),
    )
    start_date = models.DateField(_("start date"), default=dt.date.today)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Skyddad identitet (protected identity): name, personnummer and contact details are shown
    # only to the responsible staff member and the samordnare of the participant's länsdel
    # (sikta.access.policy.may_see_identity); everyone else sees `masked_name`.
    protected_identity = models.BooleanField(
        _("protected identity"),
        default=False,
        help_text=_(
            "Name, personal identity number and contact details are shown only to the "
            "responsible coach or care coordinator and the samordnare of the county area."
        ),
    )
    protected_identity_since = models.DateTimeField(
        _("protected identity since"), null=True, blank=True, editable=False
    )
    protected_identity_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("protected identity changed by"),
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["assigned_to", "status"]),
            models.Index(fields=["kommun", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["insats", "personnummer"], name="participant_once_per_insats"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """The name to show, masked for a protected identity: the safe default wherever the
        reader is not known (e-mails, PDFs, messages). Pages that know the reader use the
        `participant_name` template tag, which asks the access policy."""
        return self.masked_name if self.protected_identity else self.legal_name

    @property
    def legal_name(self) -> str:
        """The real name, whoever reads it: only behind sikta.access.policy.may_see_identity."""
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_name(self) -> str:
        """What stands in for a protected person's name: no name, only the case number."""
        return _("Protected identity #%(id)s") % {"id": self.pk}

    def age_on(self, day: dt.date | None = None) -> int:
        return self.personnummer.age_on(day or timezone.localdate())

    @property
    def days_in_programme(self) -> int:
        end = self.end_date or timezone.localdate()
        return (end - self.start_date).days


class Enrolment(models.Model):
    """One enrolment (inskrivning) in the insats: from its start to its exit. A person enrolled
    again after an exit gets a new one; the earlier stays as it was. The participant's own
    start and end dates are those of the latest enrolment (what lists and limits count by)."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("participant"),
    )
    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, related_name="+", verbose_name=_("track")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referral"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["participant", "start_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(end_date__isnull=True),
                name="one_open_enrolment",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="enrolment_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        end = f"{self.end_date:%Y-%m-%d}" if self.end_date else "…"
        return f"{self.start_date:%Y-%m-%d} – {end}"


class Assignment(models.Model):
    """Who was responsible for a participant, from when to when; reassignment keeps the past."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("participant"),
    )
    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("coach or care coordinator"),
    )
    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, related_name="+", verbose_name=_("track")
    )
    started_at = models.DateTimeField(_("from"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.participant} – {self.staff}"


class Consent(models.Model):
    """What the participant consented to, when and how, and when it was withdrawn.

    A record is never rewritten to say less than was given: withdrawing one purpose ends the
    record (withdrawn_on) and starts a new one with the purposes that remain.
    """

    class How(models.TextChoices):
        WEB = "webb", _("Written, on the web referral form")
        PAPER = "papper", _("Written, on paper")
        ORAL = "muntligt", _("Orally, noted by staff")

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("participant"),
    )
    text = models.TextField(_("consent as given"))
    given_on = models.DateField(_("given"))
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("referral"),
    )
    how = models.CharField(_("how"), max_length=10, choices=How.choices, default=How.WEB)
    processing = models.BooleanField(_("processing in the programme"), default=True)
    finsam = models.BooleanField(_("registration in Uppföljning Finsam"), default=False)
    contact_organisations = models.CharField(
        _("contact with organisations"),
        max_length=500,
        blank=True,
        help_text=_(
            "The organisations we may contact about the participant, e.g. Försäkringskassan."
        ),
    )
    withdrawn_on = models.DateField(_("withdrawn"), null=True, blank=True)
    withdrawn_note = models.TextField(_("note on the withdrawal"), blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawal recorded by"),
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["given_on", "pk"]

    def __str__(self) -> str:
        return f"{self.participant} {self.given_on}"
