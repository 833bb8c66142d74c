"""The eligibility rules, table-driven: the seeds' example participants and the edge cases."""

from __future__ import annotations

import datetime as dt

import pytest

from sikta.organisation.models import (
    EligibilityRule,
    IncomeSource,
    Kommun,
    ReferrerOrganisation,
    Track,
)
from sikta.referrals.eligibility import Facts, Outcome, evaluate, evaluate_referral
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

Kind = EligibilityRule.Kind
TODAY = dt.date(2026, 11, 24)
MET, NOT_MET, ASSESS = Outcome.MET, Outcome.NOT_MET, Outcome.ASSESS


def born_years_ago(years: int, *, days_after_birthday: int = 40) -> dt.date:
    """A birth date that makes someone exactly `years` old on TODAY."""
    return TODAY.replace(year=TODAY.year - years) - dt.timedelta(days=days_after_birthday)


def facts(
    *,
    age: int | None = 30,
    kommun: str | None = "Nyköping",
    outside: bool = False,
    referrer: str | None = "kommun",
    income: tuple[str, ...] = ("ekonomiskt_bistand",),
    af: str = "ej_inskriven",
    sick: str = "nej",
    birth: dt.date | None = None,
) -> Facts:
    return Facts(
        referral_date=TODAY,
        birth_date=birth or (born_years_ago(age) if age is not None else None),
        kommun=Kommun.objects.get(name=kommun) if kommun else None,
        lives_in_programme_area=False if outside else None,
        referrer=ReferrerOrganisation.objects.get(code=referrer) if referrer else None,
        income_sources=tuple(IncomeSource.objects.filter(code__in=income)),
        af_status=af,
        sick_leave=sick,
    )


def outcomes(track: str, the_facts: Facts) -> dict[str, Outcome]:
    evaluation = evaluate(Track.objects.get(slug=track), the_facts)
    return {result.rule.kind: result.outcome for result in evaluation.results}


# The examples of the programme's web page; each comes out eligible (nothing "not met"; the
# health and readiness criteria are for the samordnare to assess in the first meeting).
SEED_EXAMPLES = {
    # Kim, 25, at home for seven years; the mother calls.
    "Kim → koordinering": (
        "koordinering",
        {"age": 25, "kommun": "Katrineholm", "referrer": "anhorig", "income": ("anhoriga",)},
    ),
    # Liam, 27, anxiety, supported by his parents; a nurse at the health centre refers.
    "Liam → koordinering": (
        "koordinering",
        {"age": 27, "kommun": "Eskilstuna", "referrer": "region", "income": ("anhoriga",)},
    ),
    # Kalle: aktivitetsersättning from FK, left Arbetsförmedlingen; FK's handläggare refers.
    "Kalle → coachning": (
        "coachning",
        {"age": 26, "kommun": "Strängnäs", "referrer": "fk", "income": ("aktivitetsersattning",)},
    ),
    # Sara: ekonomiskt bistånd, on sick leave without a job for five years; the kommun refers.
    "Sara → coachning": (
        "coachning",
        {
            "age": 44,
            "kommun": "Nyköping",
            "referrer": "kommun",
            "income": ("ekonomiskt_bistand",),
            "sick": "arbetslos",
        },
    ),
}


@pytest.mark.parametrize("name", SEED_EXAMPLES)
def test_the_web_pages_examples_are_eligible(name: str) -> None:
    track, kwargs = SEED_EXAMPLES[name]
    result = outcomes(track, facts(**kwargs))
    assert NOT_MET not in result.values(), result
    assert result[Kind.AGE] == MET and result[Kind.RESIDENCE] == MET
    if track == "coachning":
        assert result[Kind.REFERRER] == MET
        assert result[Kind.INSURANCE] == MET
        assert result[Kind.LABOUR_MARKET] == MET
    assert result[Kind.ASSESSMENT] == ASSESS


# (track, facts, the criterion, its outcome)
CASES = [
    # Age at the referral date, inclusive at both ends, from the track's configured range.
    ("koordinering", {"age": 18}, Kind.AGE, MET),
    ("koordinering", {"age": 29}, Kind.AGE, MET),
    ("koordinering", {"age": 31}, Kind.AGE, NOT_MET),
    ("koordinering", {"age": 17}, Kind.AGE, NOT_MET),
    ("koordinering", {"birth": TODAY.replace(year=TODAY.year - 30)}, Kind.AGE, NOT_MET),
    (
        "koordinering",
        {"birth": TODAY.replace(year=TODAY.year - 30) + dt.timedelta(days=1)},
        Kind.AGE,
        MET,
    ),
    ("coachning", {"age": 65}, Kind.AGE, MET),
    ("coachning", {"age": 66}, Kind.AGE, NOT_MET),
    ("coachning", {"age": None}, Kind.AGE, ASSESS),
    # Residence: one of the county's kommuner.
    ("koordinering", {"kommun": "Vingåker"}, Kind.RESIDENCE, MET),
    ("koordinering", {"kommun": None, "outside": True}, Kind.RESIDENCE, NOT_MET),
    ("coachning", {"kommun": None, "outside": True}, Kind.RESIDENCE, NOT_MET),
    ("coachning", {"kommun": None}, Kind.RESIDENCE, ASSESS),
    # Who refers: coachning only from kommun or Försäkringskassan.
    ("coachning", {"referrer": "kommun"}, Kind.REFERRER, MET),
    ("coachning", {"referrer": "fk"}, Kind.REFERRER, MET),
    ("coachning", {"referrer": "af"}, Kind.REFERRER, NOT_MET),
    ("coachning", {"referrer": "region"}, Kind.REFERRER, NOT_MET),
    ("coachning", {"referrer": "anhorig"}, Kind.REFERRER, NOT_MET),
    ("coachning", {"referrer": None}, Kind.REFERRER, ASSESS),
    # Insurance for work training through the home kommun or FK.
    ("coachning", {"income": ("sjukersattning",)}, Kind.INSURANCE, MET),
    ("coachning", {"income": ("livranta", "lon")}, Kind.INSURANCE, MET),
    ("coachning", {"income": ("arbetsmarknadsenhet",)}, Kind.INSURANCE, MET),
    ("coachning", {"income": ("lon",)}, Kind.INSURANCE, NOT_MET),
    ("coachning", {"income": ("aktivitetsstod",)}, Kind.INSURANCE, NOT_MET),
    ("coachning", {"income": ("annan",)}, Kind.INSURANCE, ASSESS),
    ("coachning", {"income": ()}, Kind.INSURANCE, ASSESS),
    # Labour market: not an active job seeker, or on sick leave with no employer duty left.
    ("coachning", {"af": "aktivt_sokande"}, Kind.LABOUR_MARKET, NOT_MET),
    ("coachning", {"af": "inskriven"}, Kind.LABOUR_MARKET, MET),
    ("coachning", {"af": "aktivt_sokande", "sick": "arbetslos"}, Kind.LABOUR_MARKET, MET),
    ("coachning", {"sick": "anstalld_uttomd"}, Kind.LABOUR_MARKET, MET),
    ("coachning", {"sick": "anstalld_ej_uttomd"}, Kind.LABOUR_MARKET, NOT_MET),
    ("coachning", {"af": "vet_ej"}, Kind.LABOUR_MARKET, ASSESS),
]


@pytest.mark.parametrize(("track", "kwargs", "kind", "expected"), CASES)
def test_criterion(track: str, kwargs: dict, kind: str, expected: Outcome) -> None:
    assert outcomes(track, facts(**kwargs))[kind] == expected


def test_koordinering_asks_nothing_of_the_referrer_or_the_income() -> None:
    kinds = set(outcomes("koordinering", facts(referrer="af", income=("lon",))))
    assert Kind.REFERRER not in kinds and Kind.INSURANCE not in kinds


def test_every_result_says_why_in_swedish() -> None:
    evaluation = evaluate(Track.objects.get(slug="koordinering"), facts(age=31))
    age = next(r for r in evaluation.results if r.rule.kind == Kind.AGE)
    assert age.label == "Ålder 18–29"
    assert "31 år" in age.reason and "18–29" in age.reason
    assert evaluation.outcome == NOT_MET


def test_the_rules_are_data() -> None:
    coachning = Track.objects.get(slug="coachning")
    coachning.max_age = 64  # the plan's older limit
    coachning.save()
    assert outcomes("coachning", facts(age=65))[Kind.AGE] == NOT_MET

    coachning.referrers.add(ReferrerOrganisation.objects.get(code="af"))
    assert outcomes("coachning", facts(referrer="af"))[Kind.REFERRER] == MET

    coachning.eligibility_rules.filter(kind=Kind.INSURANCE).delete()
    assert Kind.INSURANCE not in outcomes("coachning", facts(income=("lon",)))


def test_a_saved_referral_is_evaluated_on_its_own_date() -> None:
    referral = ReferralFactory(personnummer="19900101-0017", income=["sjukpenning"])
    evaluation = evaluate_referral(referral)
    assert {r.rule.kind: r.outcome for r in evaluation.results}[Kind.INSURANCE] == MET
    assert evaluation.outcome == ASSESS
