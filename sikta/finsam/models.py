"""Uppföljning Finsam: that a participant has been registered there, at the start and at the end.

The national follow-up service has no interface to post to: somebody types the data in there.
Sikta gathers what it asks and keeps a checklist of who is registered, by whom and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.participants.models import Participant


class Registration(models.Model):
    class Kind(models.TextChoices):
        START = "start", _("Registered at the start")
        END = "end", _("De-registered at the end")

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="finsam_registrations",
        verbose_name=_("participant"),
    )
    kind = models.CharField(_("what"), max_length=5, choices=Kind.choices)
    # The enrolment it belongs to: a participant enrolled again is registered again.
    period_start = models.DateField(_("start of the period"))
    registered_on = models.DateField(_("registered in Uppföljning Finsam"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    recorded_by_name = models.CharField(_("marked by"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("marked"), default=timezone.now)

    class Meta:
        verbose_name = _("registration in Uppföljning Finsam")
        verbose_name_plural = _("registrations in Uppföljning Finsam")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "kind", "period_start"], name="finsam_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.get_kind_display()} {self.registered_on}"
