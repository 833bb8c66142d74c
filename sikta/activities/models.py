"""The activity plan: the plan's yearly activities and the steering-group meetings, planned and
held, with their minutes (minnesanteckningar).

What the plan asks for per half-year (ActivityTarget) is organisation data, loaded from the
organisation file; the activities themselves are entered by the samordnare and the leads.
Nothing here names a participant: minutes are about the programme, never about a person.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.casework.models import Authored
from sikta.organisation.models import Insats, Lansdel


class Kind(models.TextChoices):
    CENTRAL_STEERING = "styrgrupp_central", _("Central steering group")
    LOCAL_STEERING = "styrgrupp_lokal", _("Local steering group")
    TRAINING = "utbildning", _("Training")
    STAFF_MEETING = "personaltraff", _("Staff meeting")
    CONFERENCE = "konferens", _("Conference")


# A local steering group meeting always belongs to a länsdel, a central one never does; the other
# kinds may be for the whole programme or for one länsdel.
LANSDEL_REQUIRED = frozenset({Kind.LOCAL_STEERING})
LANSDEL_FORBIDDEN = frozenset({Kind.CENTRAL_STEERING})


class ActivityTarget(models.Model):
    """How many of a kind the plan asks for per half-year, for the programme or per länsdel."""

    class Per(models.TextChoices):
        PROGRAMME = "programme", _("for the whole programme")
        LANSDEL = "lansdel", _("per county area")

    insats = models.ForeignKey(
        Insats,
        on_delete=models.CASCADE,
        related_name="activity_targets",
        verbose_name=_("programme"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    per = models.CharField(_("counted"), max_length=10, choices=Per.choices)
    min_per_half_year = models.PositiveSmallIntegerField(_("at least, per half-year"))
    max_per_half_year = models.PositiveSmallIntegerField(_("at most, per half-year"))
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("activity plan target")
        verbose_name_plural = _("activity plan targets")
        ordering = ["ordering", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["insats", "kind"], name="activitytarget_unique_kind"),
            models.CheckConstraint(
                condition=Q(max_per_half_year__gte=models.F("min_per_half_year")),
                name="activitytarget_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityQuerySet(models.QuerySet["Activity"]):
    def with_date(self) -> ActivityQuerySet:
        """Annotate `on_day`: the day it was held if it was, else the day it is planned for."""
        return self.annotate(on_day=Coalesce("held_date", "planned_date"))

    def between(self, start: dt.date, end: dt.date) -> ActivityQuerySet:
        return self.with_date().filter(on_day__gte=start, on_day__lte=end)


class Activity(Authored):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    insats = models.ForeignKey(
        Insats, on_delete=models.PROTECT, related_name="activities", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    lansdel = models.ForeignKey(
        Lansdel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("county area"),
        help_text=_(
            "Required for a local steering group; empty for the central steering group and for "
            "activities of the whole programme."
        ),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("For example “Spring meeting”. Empty: the kind is shown."),
    )
    planned_date = models.DateField(_("planned date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    held_date = models.DateField(_("date held"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    note = models.TextField(_("short note"), blank=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity or meeting")
        verbose_name_plural = _("activities and meetings")
        ordering = ["planned_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=Kind.LOCAL_STEERING) | Q(lansdel__isnull=False),
                name="activity_local_has_lansdel",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.CENTRAL_STEERING) | Q(lansdel__isnull=True),
                name="activity_central_has_no_lansdel",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_date__isnull=False),
                name="activity_held_has_date",
            ),
        ]
        indexes = [models.Index(fields=["insats", "planned_date"])]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.display_title}"

    @property
    def on(self) -> dt.date:
        """The day that places it in a half-year: when it was held, else when it is planned."""
        return self.held_date or self.planned_date

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        label = str(self.get_kind_display())
        return f"{label}, {self.lansdel}" if self.lansdel_id else label


class Minutes(models.Model):
    """One uploaded file of minutes, kept in the database as it was uploaded."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="minutes", verbose_name=_("meeting")
    )
    content = models.BinaryField(_("file"), editable=False)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["activity", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename
