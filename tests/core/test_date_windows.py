"""Dates that make no sense are refused, next to the field, with what was typed kept."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, strategies as st

from sikta.core.dates import add_years, date_window
from sikta.organisation.models import GoalArea, Lansdel
from sikta.referrals.models import Referral
from tests.conftest import Personas
from tests.factories import ReferralFactory

TODAY = timezone.localdate()
PROGRAMME_START = "2023-10-01"  # sikta_mot_arbetslivet.toml
PROGRAMME_END = "2028-09-30"


def days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


def _employer() -> int:
    from sikta.worktraining.models import Employer

    return Employer.objects.get_or_create(
        organisation_number="212000-0142", defaults={"name": "Kafé", "sector": "privat"}
    )[0].pk


@dataclass
class Case:
    persona: str
    url: Callable[[Personas], str]
    data: Callable[[Personas], dict[str, Any]]
    field: str  # the name posted (with any prefix)
    kept: str  # a typed value the page shows again
    early: str
    early_message: str
    late: str
    late_message: str


def _alice(name: str) -> Callable[[Personas], str]:
    return lambda p: reverse(name, args=[p.alice_sodra.pk])


def _referral(name: str, status: str) -> Callable[[Personas], str]:
    def url(p: Personas) -> str:
        referral = ReferralFactory(status=status)
        return reverse(
            name, args=[referral.pk, "kalla"] if name == "referral_change" else [referral.pk]
        )

    return url


CASES = {
    "journal entry": Case(
        "coach_sodra",
        _alice("case_journal"),
        lambda p: {"kind": "mote", "duration_minutes": "30", "note": "Samtal om praktiken"},
        "date",
        "Samtal om praktiken",
        "2019-05-01",
        f"Datumet kan inte ligga före insatsens start ({PROGRAMME_START}).",
        days(1),
        "En journalanteckning gäller något som redan har hänt.",
    ),
    "goal target date": Case(
        "coach_sodra",
        _alice("case_plan"),
        lambda p: {
            "new-text": "Arbetsträna två dagar i veckan",
            "new-area": GoalArea.objects.get(code="arbete").pk,
            "new-status": "pagar",
        },
        "new-target_date",
        "Arbetsträna två dagar i veckan",
        "2019-06-01",
        "Målet kan inte ha ett datum som redan passerat.",
        days(3 * 366),
        f"Målet kan inte ha ett datum efter att insatsen slutar ({PROGRAMME_END}).",
    ),
    "consent given": Case(
        "coach_sodra",
        _alice("case_consent"),
        lambda p: {
            "give-processing": "on",
            "give-how": "papper",
            "give-text": "Samtycker muntligt till kontakt",
        },
        "give-given_on",
        "Samtycker muntligt till kontakt",
        "2019-02-01",
        f"Datumet kan inte ligga före insatsens start ({PROGRAMME_START}).",
        days(1),
        "Datumet får inte ligga i framtiden.",
    ),
    "pause start": Case(
        "coach_sodra",
        _alice("case_pause"),
        lambda p: {"pause-reason": "Sjukhusvistelse"},
        "pause-start_date",
        "Sjukhusvistelse",
        "2024-06-01",  # after the programme's start, before Alice's enrolment
        "Pausen kan inte börja före inskrivningsdatumet (2025-03-01).",
        days(1),
        "En paus börjar i dag eller tidigare: tiden pausas nu.",
    ),
    "placement start": Case(
        "coach_sodra",
        _alice("case_placements"),
        lambda p: {
            "employer": _employer(),
            "status": "planerad",
            "hours_per_week": "12,5",
            "insured_by": "kommun",
            "tasks": "Lager och kassa",
        },
        "start_date",
        "Lager och kassa",
        days(-10),
        "En planerad arbetsträning kan inte börja på ett datum som redan passerat.",
        days(2 * 366),
        "Datumet kan inte ligga mer än ett år fram i tiden.",
    ),
    "planned meeting": Case(
        "samordnare_sodra",
        lambda p: "/aktivitetsplan/ny/",
        lambda p: {
            "kind": "styrgrupp_lokal",
            "lansdel": Lansdel.objects.get(slug="sodra").pk,
            "title": "Vårens första möte",
            "status": "planned",
            "held_date": "",
            "place": "Nyköping",
        },
        "planned_date",
        "Vårens första möte",
        days(-10),
        "Ett planerat möte kan inte ha ett datum som redan passerat.",
        days(3 * 366),
        "Datumet kan inte ligga mer än två år fram i tiden.",
    ),
    "invitation meeting": Case(
        "samordnare_sodra",
        _referral("referral_change", Referral.Status.RECEIVED),
        lambda p: {"note": "Ta med legitimation"},
        "meeting_at",
        "Ta med legitimation",
        days(-2) + "T10:00",
        "Mötestiden har redan passerat: välj en tid framåt.",
        days(400) + "T10:00",
        "Ange ett mötesdatum inom ett år från i dag.",
    ),
    "enrolment date": Case(
        "samordnare_sodra",
        _referral("referral_accept", Referral.Status.ASSESSED),
        lambda p: {
            "caseworker": p.coach_sodra.pk,
            "consent_confirmed": "on",
            "note": "Börjar efter helgen",
        },
        "start_date",
        "Börjar efter helgen",
        days(-5),  # the referral came in today
        f"Inskrivningsdatumet kan inte ligga före den dag aktualiseringen kom in ({TODAY}).",
        days(31),
        "Inskrivningsdatumet kan inte ligga mer än 30 dagar fram i tiden.",
    ),
}


def error_next_to(body: str, field: str) -> list[str]:
    """The messages in the error list tied to the field (its id is the input's id + _error)."""
    block = re.search(rf'<ul class="errorlist" id="id_{re.escape(field)}_error">(.*?)</ul>', body)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


@pytest.mark.django_db
@pytest.mark.parametrize("end", ["early", "late"])
@pytest.mark.parametrize("name", list(CASES))
def test_a_date_outside_the_window_is_refused_by_the_field(
    personas: Personas, name: str, end: str
) -> None:
    case = CASES[name]
    url = case.url(personas)
    value, message = getattr(case, end), getattr(case, f"{end}_message")
    response = personas.client(case.persona).post(url, {**case.data(personas), case.field: value})
    assert response.status_code == 400
    body = response.content.decode()
    assert error_next_to(body, case.field) == [message]
    assert case.kept in body  # what was typed is still there
    assert f'value="{value}"' in body  # and so is the refused date, to be corrected


# --- the helper -------------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@given(value=dates, a=dates, b=dates)
def test_date_window_accepts_exactly_the_days_between_the_bounds(
    value: dt.date, a: dt.date, b: dt.date
) -> None:
    earliest, latest = min(a, b), max(a, b)
    try:
        date_window(value, earliest=earliest, latest=latest, too_early="early %(date)s")
    except ValidationError as error:
        assert not earliest <= value <= latest
        assert error.code == ("too_early" if value < earliest else "too_late")
        if value < earliest:
            assert error.messages == [f"early {earliest.isoformat()}"]
    else:
        assert earliest <= value <= latest


@given(value=dates, bound=dates)
def test_an_open_side_never_refuses(value: dt.date, bound: dt.date) -> None:
    date_window(value, earliest=min(value, bound))
    date_window(value, latest=max(value, bound))
    date_window(value)
    date_window(None, earliest=bound, latest=bound)


@given(day=dates, years=st.integers(min_value=0, max_value=50))
def test_add_years_keeps_the_day_or_the_end_of_february(day: dt.date, years: int) -> None:
    later = add_years(day, years)
    assert later.year == day.year + years and later.month == day.month
    assert later.day == day.day or (day.month, day.day, later.day) == (2, 29, 28)
