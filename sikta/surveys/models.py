"""The participant survey: instruments as data, responses through a personal link or on paper."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sikta.participants.models import Participant


def _in_language(obj: object, field: str) -> str:
    english = translation.get_language() == "en"
    return getattr(obj, f"{field}_en" if english else f"{field}_sv") or getattr(obj, f"{field}_sv")


class SubGoal(models.Model):
    """A sub-goal of the plan that survey items measure (belief in own ability, …)."""

    code = models.SlugField(_("code"), unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sub-goal")
        verbose_name_plural = _("sub-goals")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")


class Instrument(models.Model):
    class Scoring(models.TextChoices):
        MEAN = "mean", _("Mean per sub-goal, 0–100 of each item's scale")
        WHO5 = "who5", _("WHO-5: raw 0–25 and percentage 0–100")

    code = models.SlugField(_("code"))
    version = models.PositiveSmallIntegerField(_("version"))
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    intro_sv = models.TextField(_("introduction (Swedish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    scoring = models.CharField(_("scoring"), max_length=10, choices=Scoring.choices)
    scale_min = models.SmallIntegerField(_("lowest answer"))
    scale_max = models.SmallIntegerField(_("highest answer"))
    labels_sv = models.JSONField(_("answer labels (Swedish)"), default=list)
    labels_en = models.JSONField(_("answer labels (English)"), default=list, blank=True)
    citation = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("survey instrument")
        verbose_name_plural = _("survey instruments")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_version")
        ]

    def __str__(self) -> str:
        return f"{self.name_sv} (v{self.version})"

    @property
    def name(self) -> str:
        return _in_language(self, "name")

    @property
    def intro(self) -> str:
        return _in_language(self, "intro")

    def choices(self) -> list[tuple[int, str]]:
        labels = _in_language(self, "labels")
        values = range(self.scale_min, self.scale_max + 1)
        return [(v, labels[i] if i < len(labels) else str(v)) for i, v in enumerate(values)]


class Item(models.Model):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="items", verbose_name=_("instrument")
    )
    code = models.SlugField(_("code"))
    ordering = models.PositiveSmallIntegerField(_("order"))
    subgoal = models.ForeignKey(
        SubGoal, on_delete=models.PROTECT, related_name="items", verbose_name=_("sub-goal")
    )
    text_sv = models.TextField(_("text (Swedish)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    reverse = models.BooleanField(_("reverse scored"), default=False)
    # An item may have its own answer scale; empty: the instrument's.
    scale_min = models.SmallIntegerField(_("lowest answer"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("highest answer"), null=True, blank=True)
    labels_sv = models.JSONField(_("answer labels (Swedish)"), default=list, blank=True)
    labels_en = models.JSONField(_("answer labels (English)"), default=list, blank=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["instrument", "ordering"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="item_code")]

    def __str__(self) -> str:
        return self.text_sv

    @property
    def text(self) -> str:
        return _in_language(self, "text")

    @property
    def scale(self) -> tuple[int, int]:
        if self.scale_min is not None and self.scale_max is not None:
            return self.scale_min, self.scale_max
        return self.instrument.scale_min, self.instrument.scale_max

    def choices(self) -> list[tuple[int, str]]:
        """The answers offered: the item's own scale, or the instrument's."""
        if self.scale_min is None or self.scale_max is None:
            return self.instrument.choices()
        labels = _in_language(self, "labels")
        values = range(self.scale_min, self.scale_max + 1)
        return [(v, labels[i] if i < len(labels) else str(v)) for i, v in enumerate(values)]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Response(models.Model):
    """One participant's answers to one instrument at one timepoint of their enrolment."""

    class Timepoint(models.TextChoices):
        START = "start", _("At enrolment (start)")
        EXIT = "exit", _("At exit")

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="survey_responses",
        verbose_name=_("participant"),
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="responses", verbose_name=_("instrument")
    )
    timepoint = models.CharField(_("timepoint"), max_length=5, choices=Timepoint.choices)
    # The enrolment the answers belong to: a participant enrolled again starts over.
    enrolment_start = models.DateField(_("enrolment start"))
    # Only a hash of the personal link's token is kept: the database alone opens no survey.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    on_paper = models.BooleanField(_("entered from a paper form by staff"), default=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["participant", "enrolment_start", "timepoint", "instrument"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "instrument", "timepoint", "enrolment_start"],
                name="one_response_per_timepoint",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.instrument.code} {self.timepoint}"

    def new_token(self) -> str:
        """A fresh personal link token; only its hash is stored."""
        token = secrets.token_urlsafe(24)
        self.token_hash = hash_token(token)
        return token

    @property
    def is_open(self) -> bool:
        return (
            self.completed_at is None
            and self.expires_at is not None
            and timezone.now() < self.expires_at
        )


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(_("answer"), null=True, blank=True)  # None: skipped
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.response} {self.item.code}={self.value}"


def current_instruments() -> list[Instrument]:
    """The newest version of each instrument."""
    newest = Instrument.objects.filter(code=models.OuterRef("code")).order_by("-version")
    return list(Instrument.objects.filter(version=models.Subquery(newest.values("version")[:1])))
