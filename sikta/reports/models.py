"""The lägesrapport: a status report for the steering groups, for a period and an area.

Its figures are counted when it is shown, from the data as it is then; only the comments the
samordnare writes are stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.organisation.models import Lansdel


class StatusReport(models.Model):
    # The comment fields, in the order the report shows them.
    TEXT_FIELDS = ("summary", "activities", "challenges", "next_period")

    insats = models.ForeignKey(
        "organisation.Insats",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_reports",
        verbose_name=_("programme"),
        help_text=_("Empty: the whole association, every programme side by side."),
    )
    lansdel = models.ForeignKey(
        Lansdel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_reports",
        verbose_name=_("county area"),
        help_text=_("Empty: the whole programme."),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    summary = models.TextField(_("Summary: the situation"), blank=True)
    activities = models.TextField(_("Activities and collaboration"), blank=True)
    challenges = models.TextField(_("Challenges and risks"), blank=True)
    next_period = models.TextField(_("Ahead of the next period"), blank=True)
    # The names are kept as they were; the login may go.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    author_name = models.CharField(_("started by"), max_length=200, blank=True)
    updated_by_name = models.CharField(_("last changed by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    # A draft is seen only by those who may write it; the steering groups see it once published.
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by_name = models.CharField(_("published by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("status report (lägesrapport)")
        verbose_name_plural = _("status reports (lägesrapporter)")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="status_report_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_name} {self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A länsdel's report is of the länsdel's insats.
        if self.insats_id is None and self.lansdel is not None:
            self.insats_id = self.lansdel.insats_id
        super().save(*args, **kwargs)

    @property
    def area_name(self) -> str:
        if self.lansdel is not None:
            return self.lansdel.name
        if self.insats_id:
            return str(_("The whole programme"))
        return str(_("The whole association (every programme)"))
