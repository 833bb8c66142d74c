"""The organisation that runs an insats: areas, kommuner, tracks, roles, staff and financing.

All of it is data (see data/*.toml and the load_organisation command), so another
samordningsförbund can run its own insats on the same system.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sikta.access.roles import ASSOCIATION_ROLES, LANSDEL_ROLES, RoleCode


def english() -> bool:
    """Whether the active language is English (Swedish, the default, otherwise)."""
    return (translation.get_language() or "").split("-")[0] == "en"


class EnglishName(models.Model):
    """A name from the organisation file with its English label, shown in the English UI."""

    name_en = models.CharField(
        _("name in English"),
        max_length=200,
        blank=True,
        help_text=_("Shown instead of the name when English is chosen. Empty: the name."),
    )

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        return label_of(self.name, self.name_en)


def label_of(name: str, name_en: str) -> str:
    """A name in the active language: English if chosen and given, else Swedish."""
    return name_en if name_en and english() else name


class InsatsQuerySet(models.QuerySet["Insats"]):
    def current(self) -> Insats | None:
        """The programme the system runs now: the one that started last."""
        return self.order_by("-start_date").first()


class Insats(models.Model):
    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    owner = models.CharField(_("owner"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    max_months_per_participant = models.PositiveSmallIntegerField(
        _("longest time per participant (months)")
    )
    annual_budget_sek = models.PositiveIntegerField(_("yearly budget from the association (SEK)"))
    default_caseload_capacity = models.PositiveSmallIntegerField(
        _("default caseload capacity"),
        default=15,
        help_text=_("Active participants per coach or care coordinator, unless set per person."),
    )
    recent_referral_months = models.PositiveSmallIntegerField(
        _("months an earlier referral is flagged"),
        default=6,
        help_text=_("A new referral for someone referred within this many months is flagged."),
    )
    limit_warning_days = models.PositiveSmallIntegerField(
        _("days of warning before the longest time runs out"), default=30
    )
    no_contact_weeks = models.PositiveSmallIntegerField(
        _("weeks without contact before a reminder"), default=3
    )
    placement_follow_up_weeks = models.PositiveSmallIntegerField(
        _("weeks without follow-up of a work-training placement before a reminder"), default=2
    )
    survey_link_days = models.PositiveSmallIntegerField(
        _("days a personal survey link is valid"), default=30
    )
    exit_survey_days = models.PositiveSmallIntegerField(
        _("days after the exit the exit survey can be answered"), default=30
    )
    report_min_group = models.PositiveSmallIntegerField(
        _("smallest group shown in reports"),
        default=5,
        help_text=_("Smaller groups are suppressed so that nobody can be recognised."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("years a closed participant's record is kept"),
        default=5,
        help_text=_(
            "Counted from the last entry about the participant and rounded to the end of the "
            "following calendar year; then the record is removed (gallring)."
        ),
    )
    open_for_referral = models.BooleanField(
        _("open for referral"),
        default=True,
        help_text=_("Listed on the public referral page while the programme runs."),
    )
    consent_text = models.TextField(
        _("consent text"),
        blank=True,
        help_text=_("Shown next to the consent checkbox of every referral and kept with it."),
    )

    objects = InsatsQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme (insats)")
        verbose_name_plural = _("programmes (insatser)")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="insats_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def financing_totals(self) -> dict[str, Decimal]:
        """The plan's totals, summed from the rows: kommuner's, RAR's and the Region's share."""
        zero = Decimal(0)
        sums = self.financing_shares.aggregate(
            kommun=Sum("cofinancing_percent", filter=Q(funder=FinancingShare.Funder.KOMMUN)),
            region=Sum("cofinancing_percent", filter=Q(funder=FinancingShare.Funder.REGION)),
            rar=Sum("rar_percent"),
        )
        return {key: value or zero for key, value in sums.items()}


class Lansdel(EnglishName):
    insats = models.ForeignKey(
        Insats, on_delete=models.PROTECT, related_name="lansdelar", verbose_name=_("programme")
    )
    slug = models.SlugField(_("short name"))
    name = models.CharField(_("name"), max_length=100)
    main_town = models.CharField(
        _("main town"), max_length=100, help_text=_("Where the area's coordinators are based.")
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("county area (länsdel)")
        verbose_name_plural = _("county areas (länsdelar)")
        ordering = ["ordering", "name"]
        constraints = [
            models.UniqueConstraint(fields=["insats", "slug"], name="lansdel_unique_slug")
        ]

    def __str__(self) -> str:
        return self.label


class Kommun(models.Model):
    """A kommun as one insats covers it: the same kommun (kommunkod) is a row in each insats
    that works there, with that insats's länsdel, if it has länsdelar."""

    insats = models.ForeignKey(
        Insats, on_delete=models.PROTECT, related_name="kommuner", verbose_name=_("programme")
    )
    kommunkod = models.CharField(
        _("municipality code"),
        max_length=4,
        validators=[RegexValidator(r"^\d{4}$", _("A municipality code is four digits."))],
        help_text=_("The official four-digit code from Statistics Sweden (SCB)."),
    )
    name = models.CharField(_("name"), max_length=100)
    lansdel = models.ForeignKey(
        Lansdel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kommuner",
        verbose_name=_("county area"),
        help_text=_("Empty when the programme has no county areas."),
    )

    class Meta:
        verbose_name = _("municipality (kommun)")
        verbose_name_plural = _("municipalities (kommuner)")
        ordering = ["name", "insats_id"]
        constraints = [
            models.UniqueConstraint(fields=["insats", "kommunkod"], name="kommun_once_per_insats")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Added under a länsdel (its admin page): of the länsdel's insats.
        if self.insats_id is None and self.lansdel_id is not None:
            self.insats_id = self.lansdel.insats_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.lansdel_id and self.insats_id and self.lansdel.insats_id != self.insats_id:
            raise ValidationError({"lansdel": _("The county area belongs to another programme.")})


class Track(EnglishName):
    insats = models.ForeignKey(
        Insats, on_delete=models.PROTECT, related_name="tracks", verbose_name=_("programme")
    )
    slug = models.SlugField(_("short name"))
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name for lists"), max_length=50)
    short_name_en = models.CharField(
        _("short name for lists in English"), max_length=50, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    min_age = models.PositiveSmallIntegerField(_("lowest age"))
    max_age = models.PositiveSmallIntegerField(_("highest age"))
    age_note = models.CharField(_("note on the age range"), max_length=300, blank=True)
    caseworker_role = models.CharField(
        _("role that carries the cases"),
        max_length=20,
        choices=[
            (RoleCode.COACH, RoleCode.COACH.label),
            (RoleCode.KOORDINATOR, RoleCode.KOORDINATOR.label),
        ],
    )
    mapping_template = models.JSONField(
        _("kartläggning template"),
        default=list,
        blank=True,
        help_text=_("The headings of the kartläggning: a list of {key, label, help}."),
    )
    referral_intro = models.TextField(_("introduction on the referral form"), blank=True)
    referrers = models.ManyToManyField(
        "ReferrerOrganisation",
        blank=True,
        related_name="tracks",
        verbose_name=_("who may refer"),
        help_text=_("Empty: anyone may refer to this track."),
    )
    referrer_notice = models.TextField(
        _("notice to those who may not refer"),
        blank=True,
        help_text=_("Where someone from another organisation should turn instead."),
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["ordering", "name"]
        constraints = [
            models.UniqueConstraint(fields=["insats", "slug"], name="track_unique_slug"),
            models.CheckConstraint(
                condition=Q(max_age__gte=models.F("min_age")), name="track_age_range_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.short_label or self.label

    @property
    def short_label(self) -> str:
        """The short name in the active language: English if chosen and given, else Swedish."""
        return self.short_name_en if self.short_name_en and english() else self.short_name

    def other(self) -> Track | None:
        """The programme's other track (koordinering ↔ coachning), for redirects and moves."""
        return Track.objects.filter(insats_id=self.insats_id).exclude(pk=self.pk).first()

    def may_be_referred_by(self, organisation: ReferrerOrganisation | None) -> bool:
        allowed = {o.pk for o in self.referrers.all()}
        return not allowed or (organisation is not None and organisation.pk in allowed)


class CodedItem(EnglishName):
    """An item of one of the organisation's lists, matched on `code` when the file is loaded."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["ordering", "name"]

    def __str__(self) -> str:
        return self.label


class ReferrerOrganisation(CodedItem):
    """Where a referral comes from: kommun, Försäkringskassan, a relative, the person …"""

    class Meta(CodedItem.Meta):
        verbose_name = _("referring organisation")
        verbose_name_plural = _("referring organisations")


class IncomeSource(CodedItem):
    """A source of income (försörjning); some insure the person for work training."""

    class Insurer(models.TextChoices):
        KOMMUN = "kommun", _("The home municipality")
        FK = "fk", _("Försäkringskassan")

    insured_by = models.CharField(
        _("insures work training"), max_length=10, choices=Insurer.choices, blank=True
    )

    class Meta(CodedItem.Meta):
        verbose_name = _("income source")
        verbose_name_plural = _("income sources")


class EducationLevel(CodedItem):
    """Highest completed education, as Uppföljning Finsam asks it at the start."""

    class Meta(CodedItem.Meta):
        verbose_name = _("education level")
        verbose_name_plural = _("education levels")


class GoalArea(CodedItem):
    """An area a goal of the individual plan belongs to (work, studies, health …)."""

    class Meta(CodedItem.Meta):
        verbose_name = _("goal area")
        verbose_name_plural = _("goal areas")


class Outcome(CodedItem):
    """How a participant's time ends; `destination` ones count for the programme's goal."""

    destination = models.BooleanField(
        _("a destination of the goal"),
        default=False,
        help_text=_("One of the destinations the programme's quantitative goal counts."),
    )

    class Meta(CodedItem.Meta):
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")


class DeclineReason(CodedItem):
    """Why a referral was not accepted. The referrer is told it, so it never names health."""

    class Meta(CodedItem.Meta):
        verbose_name = _("reason for not accepting")
        verbose_name_plural = _("reasons for not accepting")


class EligibilityRule(models.Model):
    """One criterion of a track's target group; `sikta.referrals.eligibility` evaluates it.

    The kinds are the checks the system knows how to make; their values (who may refer, which
    insurers count, which labour-market situations qualify) are in `parameters`.
    """

    class Kind(models.TextChoices):
        AGE = "age", _("Age at the referral date (the track's age range)")
        RESIDENCE = "residence", _("Lives in one of the programme's municipalities")
        REFERRER = "referrer", _("Referred by an organisation allowed for the track")
        INSURANCE = "insurance", _("Insured for work training")
        LABOUR_MARKET = "labour_market", _("Labour-market and sick-leave situation")
        ASSESSMENT = "assessment", _("Assessed by the coordinator")

    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, related_name="eligibility_rules", verbose_name=_("track")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("criterion"), max_length=300, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("eligibility criterion")
        verbose_name_plural = _("eligibility criteria")
        ordering = ["track", "ordering", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["track", "ordering"], name="rule_unique_order")
        ]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class MemberParty(EnglishName):
    """A member of the förbund (a kommun, the Region, Försäkringskassan, Arbetsförmedlingen): the
    employer of staff who work cases, and so the controller (personuppgiftsansvarig) of the
    participants' records it works (finsam.se, Lagar och ramar → GDPR)."""

    class Kind(models.TextChoices):
        KOMMUN = "kommun", _("Municipality")
        REGION = "region", _("Region")
        FK = "fk", _("Försäkringskassan")
        AF = "af", _("Arbetsförmedlingen")

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    organisation_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    privacy_contact = models.CharField(
        _("data protection contact"),
        max_length=200,
        blank=True,
        help_text=_(
            "Where a participant turns about their data: the party's data protection officer."
        ),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("years a closed record is kept"),
        null=True,
        blank=True,
        help_text=_(
            "The party's own time for the records it is the controller of (its document "
            "management plan). Empty: the programme's."
        ),
    )

    class Meta:
        verbose_name = _("member party")
        verbose_name_plural = _("member parties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label


class ControllerRuleQuerySet(models.QuerySet["ControllerRule"]):
    def controller_for(
        self, insats: Insats, track: Track | None, lansdel: Lansdel | None
    ) -> MemberParty | None:
        """The controller of a case in `insats`, its `track` and `lansdel`: the most specific
        rule (track and länsdel, then track, then länsdel, then the whole insats)."""
        rules = [
            r
            for r in self.filter(insats=insats).select_related("party")
            if r.track_id in (None, getattr(track, "pk", None))
            and r.lansdel_id in (None, getattr(lansdel, "pk", None))
        ]
        if not rules:
            return None
        best = max(rules, key=lambda r: (r.track_id is not None, r.lansdel_id is not None))
        return best.party

    def referrals_of(self, party: MemberParty, prefix: str = "") -> Q:
        """The referrals not yet accepted whose case `party` will be the controller of, by what
        the rules name for their track and länsdel, as a filter (`prefix`: the way to one)."""
        found = Q(pk__in=[])
        for insats in Insats.objects.filter(controller_rules__isnull=False).distinct():
            for track in insats.tracks.all():
                for lansdel in [None, *insats.lansdelar.all()]:
                    if self.controller_for(insats, track, lansdel) == party:
                        found |= Q(**{f"{prefix}track": track, f"{prefix}kommun__lansdel": lansdel})
        return found


class ControllerRule(models.Model):
    """Which member party is the controller of the records of an insats (or of one of its
    tracks or länsdelar): the employer of the staff who work those cases."""

    insats = models.ForeignKey(
        Insats,
        on_delete=models.CASCADE,
        related_name="controller_rules",
        verbose_name=_("programme"),
    )
    track = models.ForeignKey(
        Track,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("track"),
    )
    lansdel = models.ForeignKey(
        Lansdel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("county area"),
    )
    party = models.ForeignKey(
        MemberParty, on_delete=models.PROTECT, related_name="rules", verbose_name=_("controller")
    )

    objects = ControllerRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("controller of the records")
        verbose_name_plural = _("controllers of the records")
        ordering = ["insats", "track", "lansdel"]

    def __str__(self) -> str:
        return str(self.party)


class Role(EnglishName):
    """A role's name and duties as the plan describes them; `code` ties it to the policy."""

    code = models.CharField(_("code"), max_length=20, choices=RoleCode.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("duties"), blank=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["ordering", "name"]

    def __str__(self) -> str:
        return self.label


class StaffMember(models.Model):
    """A person's role in one insats (and, if any, its länsdel). The same login may hold a
    role in each of several insatser — samordnare in one, coach in another — and each is a
    record of its own: a caseload, a capacity, an access scope. A record with no insats is a
    role of the förbund itself (insatsägare, insatsledare, styrgrupp across every insats): it
    sees aggregates, never a person (the member parties, not the förbund, are the controllers
    of the participants' data)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_records",
        verbose_name=_("login"),
    )
    insats = models.ForeignKey(
        Insats,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("programme"),
        help_text=_("Empty for a role of the association across all its programmes."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="staff", verbose_name=_("role")
    )
    lansdel = models.ForeignKey(
        Lansdel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("county area"),
        help_text=_("Empty for roles that span the whole programme."),
    )
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    position_percent = models.DecimalField(
        _("position, percent of full time"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("caseload capacity"),
        null=True,
        blank=True,
        help_text=_("Active participants this person can carry. Empty: the programme's default."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "insats"], name="staff_one_role_per_insats"),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(insats__isnull=True),
                name="staff_one_association_role",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        if self.lansdel_id and self.lansdel.insats_id != self.insats_id:
            raise ValidationError({"lansdel": _("The county area belongs to another programme.")})
        if self.role_id and self.insats_id is None and self.role.code not in ASSOCIATION_ROLES:
            raise ValidationError(
                {
                    "insats": _("A %(role)s works in a programme: choose it.")
                    % {"role": self.role.name.lower()}
                }
            )
        if (
            self.role_id
            and self.role.code in LANSDEL_ROLES
            and self.lansdel_id is None
            and self.insats_id is not None
            and self.insats.lansdelar.exists()
        ):
            raise ValidationError(
                {
                    "lansdel": _("A %(role)s works in one county area: choose it.")
                    % {"role": self.role.name.lower()}
                }
            )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class FinancingShare(models.Model):
    """One row of the plan's financing table, in percent of a full-time position."""

    class Funder(models.TextChoices):
        KOMMUN = "kommun", _("Municipality")
        REGION = "region", _("Region")

    insats = models.ForeignKey(
        Insats,
        on_delete=models.CASCADE,
        related_name="financing_shares",
        verbose_name=_("programme"),
    )
    funder = models.CharField(_("co-financed by"), max_length=10, choices=Funder.choices)
    kommun = models.ForeignKey(
        Kommun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="financing_shares",
        verbose_name=_("municipality"),
    )
    label = models.CharField(_("description"), max_length=200, blank=True)
    cofinancing_percent = models.DecimalField(
        _("co-financing (%)"), max_digits=6, decimal_places=1, default=Decimal(0)
    )
    rar_percent = models.DecimalField(
        _("RAR share (%)"), max_digits=6, decimal_places=1, default=Decimal(0)
    )

    class Meta:
        verbose_name = _("financing share")
        verbose_name_plural = _("financing")
        ordering = ["funder", "kommun__lansdel__ordering", "kommun__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(funder="region") | Q(kommun__isnull=False),
                name="financing_kommun_row_has_kommun",
            ),
            models.UniqueConstraint(
                fields=["insats", "kommun"],
                condition=Q(kommun__isnull=False),
                name="financing_one_row_per_kommun",
            ),
        ]

    def __str__(self) -> str:
        return self.label or str(self.kommun)
