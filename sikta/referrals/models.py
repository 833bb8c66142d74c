"""Referrals (aktualiseringar): from the form to a decision, with every step kept."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.core.fields import PersonnummerField
from sikta.organisation.models import (
    DeclineReason,
    IncomeSource,
    Kommun,
    ReferrerOrganisation,
    Track,
)
from sikta.participants.models import Participant

# Unambiguous characters for reference numbers read out on the phone (no 0/O, 1/I/L).
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"{timezone.localdate().year}-{code}"


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=Referral.OPEN_STATUSES)


class Referral(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "mottagen", _("Received")
        INVITED = "kallad", _("Invited to a meeting")
        ASSESSED = "bedomd", _("Assessed")
        ACCEPTED = "antagen", _("Accepted")
        DECLINED = "ej_antagen", _("Not accepted")
        REDIRECTED = "hanvisad", _("Redirected to the other track")
        WITHDRAWN = "atertagen", _("Withdrawn")

    OPEN_STATUSES = (Status.RECEIVED, Status.INVITED, Status.ASSESSED)

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        PHONE = "phone", _("Phone or meeting, registered by the coordinator")
        CASEWORKER = "caseworker", _("From the participant's coach or care coordinator")

    class AfStatus(models.TextChoices):
        NOT_REGISTERED = "ej_inskriven", _("Not registered at Arbetsförmedlingen")
        REGISTERED = "inskriven", _("Registered, but not as an active job seeker")
        ACTIVE = "aktivt_sokande", _("Registered as an active job seeker")
        UNKNOWN = "vet_ej", _("Don't know")

    class SickLeave(models.TextChoices):
        NONE = "nej", _("Not on sick leave")
        UNEMPLOYED = "arbetslos", _("On sick leave without employment")
        EMPLOYER_DONE = (
            "anstalld_uttomd",
            _("On sick leave from a job; the employer's rehabilitation duty is exhausted"),
        )
        EMPLOYER_ONGOING = (
            "anstalld_ej_uttomd",
            _("On sick leave from a job; the employer's rehabilitation is ongoing"),
        )
        UNKNOWN = "vet_ej", _("Don't know")

    reference = models.CharField(
        _("reference number"), max_length=20, unique=True, default=new_reference
    )
    # The token of the form page the referral was sent from: the same form sent twice (double
    # click, back button) finds the referral it already made instead of making another.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("track")
    )
    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    meeting_at = models.DateTimeField(_("meeting"), null=True, blank=True)

    referrer_organisation = models.ForeignKey(
        ReferrerOrganisation,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("referred from"),
    )
    referrer_unit = models.CharField(_("organisation or unit"), max_length=200, blank=True)
    referrer_name = models.CharField(_("referrer's name"), max_length=200)
    referrer_email = models.EmailField(_("referrer's e-mail"), blank=True)
    referrer_phone = models.CharField(_("referrer's phone"), max_length=30, blank=True)

    personnummer = PersonnummerField(_("personal identity number"), db_index=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    kommun = models.ForeignKey(
        Kommun,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("municipality of residence"),
    )
    income_sources = models.ManyToManyField(
        IncomeSource, related_name="referrals", verbose_name=_("current income")
    )
    af_status = models.CharField(_("Arbetsförmedlingen"), max_length=20, choices=AfStatus.choices)
    sick_leave = models.CharField(_("sick leave"), max_length=20, choices=SickLeave.choices)
    support_needed = models.TextField(_("support needed"))
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_text = models.TextField(_("consent as given"), blank=True)

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.ForeignKey(
        DeclineReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("reason for not accepting"),
    )
    decision_note = models.TextField(_("note on the decision"), blank=True)
    # A participant referred on (koordinering → coachning): the referral they came in through.
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_by",
        verbose_name=_("continues from"),
    )
    redirected_to = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="redirected_from",
        verbose_name=_("redirected to"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("participant"),
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["kommun", "status"])]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def days_waiting(self) -> int:
        """Days since it came in: until today while open, until the decision after."""
        end = self.decided_at or timezone.now()
        return (timezone.localdate(end) - timezone.localdate(self.received_at)).days


class ReferralEvent(models.Model):
    """One step of a referral's history: who moved it from what to what, and when."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events", verbose_name=_("referral")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    by_name = models.CharField(_("by"), max_length=200, blank=True)
    from_status = models.CharField(
        _("from"), max_length=12, choices=Referral.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Referral.Status.choices)
    meeting_at = models.DateTimeField(_("meeting"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral history")
        ordering = ["at", "pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.referral} {self.from_status} → {self.to_status}"
