"""What stays when a participant's record is removed on schedule (gallring).

One row per removed participant, written in the same transaction as the removal: the permanent
record that a removal happened, and the figures the dashboard needs to keep its counts right.
Nothing here identifies the person: no name, no personnummer, no free text, no link to any row
that could; the dates are those of the time in the programme, which the statistics count by.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.organisation.models import Kommun, Outcome, Track


class RemovedParticipant(models.Model):
    class Gender(models.TextChoices):
        FEMALE = "female", _("Women")
        MALE = "male", _("Men")

    removed_at = models.DateTimeField(_("removed"), default=timezone.now, db_index=True)
    removed_by = models.CharField(
        _("removed by"), max_length=150, help_text=_("The command or the user that removed it.")
    )
    gender = models.CharField(_("legal gender"), max_length=6, choices=Gender.choices)
    age_band = models.CharField(_("age band at the start"), max_length=10)
    kommun = models.ForeignKey(
        Kommun, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, related_name="+", verbose_name=_("track")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome"),
    )
    destination = models.BooleanField(_("reached a destination of the goal"), default=False)
    days_in_programme = models.PositiveIntegerField(_("days in the programme"))

    class Meta:
        verbose_name = _("removed participant")
        verbose_name_plural = _("removed participants")
        ordering = ["-removed_at", "-pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.removed_at:%Y-%m-%d} {self.kommun} {self.track}"
