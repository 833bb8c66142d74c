"""Eligibility: a track's criteria (data, see EligibilityRule) evaluated against a referral.

Each criterion comes out met, not met or "needs assessment", with the reason in words. What the
form itself can check (age, kommun, who refers) is shown to the referrer before sending; the
samordnare sees every criterion.

What needs assessment is judged by the samordnare, and that judgement is stored as the
referral's steps, not per criterion: "Mark as assessed" (a ReferralEvent to "bedömd", with who,
when and the note), then the decision. `evaluate_referral` shows it in place of "needs
assessment": assessed by whom and when; met once the referral is accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from sikta.organisation.models import (
    EligibilityRule,
    IncomeSource,
    Kommun,
    ReferrerOrganisation,
    Track,
)
from sikta.referrals.models import Referral

Kind = EligibilityRule.Kind


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    ASSESS = "assess"
    # Needed assessment, and the samordnare has marked the referral assessed (not yet decided).
    ASSESSED = "assessed"

    @property
    def label(self) -> str:
        return {
            Outcome.MET: _("Met"),
            Outcome.NOT_MET: _("Not met"),
            Outcome.ASSESS: _("Needs assessment"),
            Outcome.ASSESSED: _("Judged by the coordinator"),
        }[self]


@dataclass(frozen=True)
class Facts:
    """What is known about a referral; None where the form has not said yet."""

    referral_date: dt.date
    birth_date: dt.date | None = None
    kommun: Kommun | None = None
    lives_in_programme_area: bool | None = None
    referrer: ReferrerOrganisation | None = None
    income_sources: tuple[IncomeSource, ...] = ()
    af_status: str = ""
    sick_leave: str = ""

    @classmethod
    def of(cls, referral: Referral) -> Facts:
        return cls(
            referral_date=timezone.localdate(referral.received_at),
            birth_date=referral.personnummer.birth_date,
            kommun=referral.kommun,
            lives_in_programme_area=True,
            referrer=referral.referrer_organisation,
            income_sources=tuple(referral.income_sources.all()),
            af_status=referral.af_status,
            sick_leave=referral.sick_leave,
        )


@dataclass(frozen=True)
class Result:
    rule: EligibilityRule
    label: str
    outcome: Outcome
    reason: str

    @property
    def field(self) -> str:
        """The form field this criterion is about, if the form can check it."""
        return FORM_FIELDS.get(self.rule.kind, "")


# The criteria the referral form can check itself, and the field each is about.
FORM_FIELDS = {Kind.AGE: "personnummer", Kind.RESIDENCE: "kommun", Kind.REFERRER: "organisation"}


@dataclass(frozen=True)
class Evaluation:
    results: list[Result] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        outcomes = {r.outcome for r in self.results}
        if Outcome.NOT_MET in outcomes:
            return Outcome.NOT_MET
        if Outcome.ASSESS in outcomes:
            return Outcome.ASSESS
        return Outcome.ASSESSED if Outcome.ASSESSED in outcomes else Outcome.MET

    def count(self, outcome: Outcome) -> int:
        return sum(r.outcome == outcome for r in self.results)

    @property
    def met(self) -> int:
        return self.count(Outcome.MET)

    @property
    def not_met(self) -> int:
        return self.count(Outcome.NOT_MET)

    @property
    def to_assess(self) -> int:
        return self.count(Outcome.ASSESS)

    def failures_by_field(self) -> dict[str, list[str]]:
        """Not-met criteria the form can check, by field: the referrer sees them at the field."""
        errors: dict[str, list[str]] = {}
        for result in self.results:
            if result.outcome == Outcome.NOT_MET and result.field:
                errors.setdefault(result.field, []).append(result.reason)
        return errors


def _age(rule: EligibilityRule, track: Track, facts: Facts) -> tuple[Outcome, str]:
    if facts.birth_date is None:
        return Outcome.ASSESS, _("The age is not known: no valid personal identity number.")
    born = facts.birth_date
    on = facts.referral_date
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    values = {"age": age, "min": track.min_age, "max": track.max_age, "track": track.short_label}
    if track.min_age <= age <= track.max_age:
        return Outcome.MET, _("%(age)s years old; %(track)s is for %(min)s–%(max)s.") % values
    return (
        Outcome.NOT_MET,
        _("The person is %(age)s years old; %(track)s is for people aged %(min)s–%(max)s.")
        % values,
    )


def _residence(rule: EligibilityRule, track: Track, facts: Facts) -> tuple[Outcome, str]:
    if facts.kommun is not None and facts.kommun.insats_id == track.insats_id:
        return Outcome.MET, _("Lives in %(kommun)s.") % {"kommun": facts.kommun.name}
    if facts.lives_in_programme_area is False:
        return (
            Outcome.NOT_MET,
            _(
                "The programme is for people registered in one of the county's municipalities; "
                "someone living elsewhere turns to their own municipality."
            ),
        )
    return Outcome.ASSESS, _("The municipality is not known yet.")


def _referrer(rule: EligibilityRule, track: Track, facts: Facts) -> tuple[Outcome, str]:
    if facts.referrer is None:
        return Outcome.ASSESS, _("It is not known who refers.")
    if track.may_be_referred_by(facts.referrer):
        return Outcome.MET, _("Referred from: %(org)s.") % {"org": facts.referrer.label}
    return Outcome.NOT_MET, track.referrer_notice or _("%(org)s cannot refer to this track.") % {
        "org": facts.referrer.label
    }


def _insurance(rule: EligibilityRule, track: Track, facts: Facts) -> tuple[Outcome, str]:
    insurers = set(rule.parameters.get("insurers", []))
    insuring = [s for s in facts.income_sources if s.insured_by and s.insured_by in insurers]
    if insuring:
        return Outcome.MET, _("Insured through: %(sources)s.") % {
            "sources": ", ".join(s.label for s in insuring)
        }
    if not facts.income_sources:
        return Outcome.ASSESS, _("The income source is not known.")
    if any(s.code == "annan" for s in facts.income_sources):
        return Outcome.ASSESS, _("Another income source: check how work training is insured.")
    return (
        Outcome.NOT_MET,
        _(
            "None of the income sources insures work training through the municipality or "
            "Försäkringskassan."
        ),
    )


def _labour_market(rule: EligibilityRule, track: Track, facts: Facts) -> tuple[Outcome, str]:
    params = rule.parameters
    af = Referral.AfStatus
    sick = Referral.SickLeave
    if facts.sick_leave in params.get("excluded_sick_leave", []):
        return (
            Outcome.NOT_MET,
            _(
                "On sick leave from a job where the employer's rehabilitation duty is not "
                "exhausted."
            ),
        )
    if facts.sick_leave in params.get("qualifying_sick_leave", []):
        return Outcome.MET, str(sick(facts.sick_leave).label) + "."
    if facts.af_status in params.get("excluded_af_statuses", []):
        return Outcome.NOT_MET, _("Registered as an active job seeker at Arbetsförmedlingen.")
    if not facts.af_status or facts.af_status == af.UNKNOWN or facts.sick_leave == sick.UNKNOWN:
        return Outcome.ASSESS, _(
            "The situation at Arbetsförmedlingen or the sick leave is unclear."
        )
    return Outcome.MET, _("Not an active job seeker at Arbetsförmedlingen.")


def _assessment(rule: EligibilityRule, track: Track, facts: Facts) -> tuple[Outcome, str]:
    return Outcome.ASSESS, _("Assessed by the coordinator in the first meeting.")


CHECKS: dict[str, Callable[[EligibilityRule, Track, Facts], tuple[Outcome, str]]] = {
    Kind.AGE: _age,
    Kind.RESIDENCE: _residence,
    Kind.REFERRER: _referrer,
    Kind.INSURANCE: _insurance,
    Kind.LABOUR_MARKET: _labour_market,
    Kind.ASSESSMENT: _assessment,
}


def _label(rule: EligibilityRule, track: Track) -> str:
    if rule.label:
        return rule.label
    if rule.kind == Kind.AGE:
        return _("Age %(min)s–%(max)s") % {"min": track.min_age, "max": track.max_age}
    return str(rule.get_kind_display())


def evaluate(track: Track, facts: Facts, *, kinds: Iterable[str] | None = None) -> Evaluation:
    """Every criterion of `track` (or only those of `kinds`) against `facts`."""
    wanted = set(kinds) if kinds is not None else None
    results = []
    for rule in track.eligibility_rules.all():
        if wanted is not None and rule.kind not in wanted:
            continue
        outcome, reason = CHECKS[rule.kind](rule, track, facts)
        results.append(Result(rule, _label(rule, track), outcome, reason))
    return Evaluation(results)


def _judgement(referral: Referral) -> tuple[Outcome, str] | None:
    """The samordnare's judgement of what needed assessment, from the referral's steps (see the
    module's docstring); None while it is not judged. Reads `referral.events.all()`, so a list
    can prefetch them."""
    events = list(referral.events.all())
    assessed = [e for e in events if e.to_status == Referral.Status.ASSESSED]
    if not assessed:
        return None
    assessment = assessed[-1]
    values = {
        "name": assessment.by_name or _("the coordinator"),
        "date": timezone.localdate(assessment.at).isoformat(),
    }
    reason = _("Assessed by %(name)s on %(date)s.") % values
    if assessment.note:
        reason = f"{reason} {assessment.note}"
    accepted = [e for e in events if e.to_status == Referral.Status.ACCEPTED]
    if referral.status == Referral.Status.ACCEPTED and accepted:
        decision = {
            "name": accepted[-1].by_name or _("the coordinator"),
            "date": timezone.localdate(accepted[-1].at).isoformat(),
        }
        met = _("Judged met: accepted by %(name)s on %(date)s.") % decision
        return Outcome.MET, f"{met} {reason}"
    return Outcome.ASSESSED, reason


def evaluate_referral(referral: Referral) -> Evaluation:
    """The criteria against the referral; what needed assessment shows the samordnare's
    judgement once there is one."""
    evaluation = evaluate(referral.track, Facts.of(referral))
    if not evaluation.to_assess:
        return evaluation
    judgement = _judgement(referral)
    if judgement is None:
        return evaluation
    outcome, reason = judgement
    return Evaluation(
        [
            Result(r.rule, r.label, outcome, reason) if r.outcome == Outcome.ASSESS else r
            for r in evaluation.results
        ]
    )
