"""Employers and work-training placements (arbetsträning), with their follow-ups."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sikta.casework.models import Authored
from sikta.organisation.models import IncomeSource
from sikta.participants.models import Participant


class Employer(Authored):
    class Sector(models.TextChoices):
        PRIVATE = "privat", _("Private")
        PUBLIC = "offentlig", _("Public")
        NON_PROFIT = "ideell", _("Non-profit")

    name = models.CharField(_("name"), max_length=200)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=11,
        unique=True,
        help_text=_("For example 556036-0793."),
    )
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class EmployerContact(models.Model):
    employer = models.ForeignKey(
        Employer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("employer")
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("role at the workplace"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Placement(Authored):
    class Status(models.TextChoices):
        PLANNED = "planerad", _("Planned")
        ONGOING = "pagar", _("Ongoing")
        PAUSED = "pausad", _("Paused")
        ENDED = "avslutad", _("Ended")
        # A planned placement that never began (the participant left before its start).
        CANCELLED = "installd", pgettext_lazy("placement", "Cancelled")

    CLOSED = (Status.ENDED, Status.CANCELLED)

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="placements",
        verbose_name=_("participant"),
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="placements", verbose_name=_("employer")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    tasks = models.TextField(_("tasks"), blank=True)
    supervisor = models.CharField(_("supervisor at the workplace"), max_length=200, blank=True)
    supervisor_phone = models.CharField(_("supervisor's phone"), max_length=30, blank=True)
    insured_by = models.CharField(
        _("insured by"), max_length=10, choices=IncomeSource.Insurer.choices
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        verbose_name = _("work-training placement")
        verbose_name_plural = _("work-training placements")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="placement_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} – {self.employer}"


class PlacementFollowUp(Authored):
    class With(models.TextChoices):
        PARTICIPANT = "deltagare", _("The participant")
        EMPLOYER = "arbetsgivare", _("The employer")
        BOTH = "bada", _("Participant and employer together")

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("placement")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    with_whom = models.CharField(_("with"), max_length=15, choices=With.choices)
    how_it_goes = models.TextField(_("how it is going"))
    next_step = models.TextField(_("next step"), blank=True)

    class Meta:
        verbose_name = _("follow-up of a placement")
        verbose_name_plural = _("follow-ups of placements")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.placement} {self.date}"
