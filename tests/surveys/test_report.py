"""The aggregate before/after: pairing, hand-computed statistics, suppression, response rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from sikta.organisation.models import Track
from sikta.participants.models import Participant
from sikta.surveys.models import Answer, Instrument, Response
from sikta.surveys.reports import pairs, response_rates, summarise
from tests.conftest import Personas
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sikta() -> Instrument:
    return Instrument.objects.get(code="sikta")


def answer(
    participant: Participant, instrument: Instrument, timepoint: str, value: int | None
) -> None:
    response = Response.objects.create(
        participant=participant,
        instrument=instrument,
        timepoint=timepoint,
        enrolment_start=participant.start_date,
        completed_at=timezone.now(),
    )
    if value is not None:
        Answer.objects.create(
            response=response, item=instrument.items.get(code="valmaende_1"), value=value
        )


def test_pairs_and_their_statistics(sikta) -> None:
    # Well-being (one item) start → exit: +2, +1, 0, −1, +3, and one without an exit answer.
    for start, end in [(2, 4), (3, 4), (3, 3), (4, 3), (1, 4), (2, None)]:
        p = ParticipantFactory()
        answer(p, sikta, "start", start)
        if end is not None:
            answer(p, sikta, "exit", end)
    found = pairs(sikta, Participant.objects.all())
    assert len(found) == 5
    (summary,) = summarise(found, group_by="all", min_group=5)
    assert summary.n == 5 and not summary.suppressed
    # On 0–100 of the 1–5 scale one step is 25: (50 + 25 + 0 − 25 + 75) / 5 = 25.
    assert summary.mean == Decimal("25.00")
    assert summary.median == Decimal("25.00")
    assert (summary.improved, summary.unchanged, summary.worse) == (60, 20, 20)


def test_small_groups_are_suppressed(sikta) -> None:
    koordinering = Track.objects.get(slug="koordinering")
    for n in range(6):
        p = ParticipantFactory(track=koordinering if n < 2 else Track.objects.get(slug="coachning"))
        answer(p, sikta, "start", 2)
        answer(p, sikta, "exit", 3)
    by_track = {
        s.group: s
        for s in summarise(pairs(sikta, Participant.objects.all()), group_by="track", min_group=5)
    }
    assert by_track["Koordinering"].suppressed and by_track["Koordinering"].mean is None
    assert by_track["Coachning"].suppressed  # 4 pairs, still fewer than 5
    assert summarise(pairs(sikta, Participant.objects.all()), group_by="all", min_group=5)[0].n == 6


def test_an_earlier_enrolments_start_does_not_pair_with_a_later_exit(sikta) -> None:
    p = ParticipantFactory(start_date=dt.date(2025, 1, 1))
    answer(p, sikta, "start", 1)
    p.start_date = dt.date(2026, 1, 1)
    p.save()
    answer(p, sikta, "exit", 5)
    assert pairs(sikta, Participant.objects.all()) == []


def test_the_report_page_shows_no_person(personas: Personas, sikta) -> None:
    for _ in range(5):
        p = ParticipantFactory(first_name="Hemlig")
        answer(p, sikta, "start", 2)
        answer(p, sikta, "exit", 4)
    response = personas.client("styrgrupp").get(
        "/rapporter/enkat/",
        {
            "instrument": sikta.pk,
            "group_by": "all",
            "date_from": "2023-10-01",
            "date_to": "2030-01-01",
        },
    )
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row["s"].n == 5 and row["s"].mean == Decimal("50.00")
    assert "Hemlig" not in response.content.decode()


def test_response_rates_per_lansdel(sikta) -> None:
    period = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    answered = ParticipantFactory(start_date=dt.date(2026, 2, 1))  # Nyköping: Södra
    ParticipantFactory(start_date=dt.date(2026, 3, 1))
    ParticipantFactory(start_date=dt.date(2025, 3, 1))  # before the period: not due
    answer(answered, sikta, "start", 3)
    rates = {
        (r.lansdel, r.timepoint): (r.answered, r.due, r.percent)
        for r in response_rates(Participant.objects.all(), period=period)
    }
    assert rates[("Södra länsdelen", "start")] == (1, 2, 50)


def test_the_dashboard_summarises_the_survey(personas: Personas, sikta) -> None:
    # The same five pairs as above, answered today: on the dashboard for this year.
    for start, end in [(2, 4), (3, 4), (3, 3), (4, 3), (1, 4)]:
        p = ParticipantFactory()
        answer(p, sikta, "start", start)
        answer(p, sikta, "exit", end)
    response = personas.client("styrgrupp").get("/rapporter/")
    surveys = dict(response.context["surveys"])
    (wellbeing,) = [s for name, s in surveys[sikta] if not s.suppressed]
    assert (wellbeing.n, wellbeing.mean, wellbeing.improved, wellbeing.worse) == (
        5,
        Decimal("25.00"),
        60,
        20,
    )
    assert "+25.00" in response.content.decode() or "+25,00" in response.content.decode()


def test_response_rates_hide_small_counts_and_what_gives_them_away(sikta) -> None:
    """The defect: "Södra · Vid utskrivning 4 / 3 / 75 %" was shown to everyone."""
    period = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    people = [ParticipantFactory(start_date=dt.date(2026, 2, 1)) for _ in range(9)]
    for p in people[:8]:
        answer(p, sikta, "start", 3)
    ParticipantFactory(start_date=dt.date(2026, 3, 1))  # a tenth, not answered
    rates = {
        (r.lansdel, r.timepoint): (str(r.answered), str(r.due), r.percent)
        for r in response_rates(Participant.objects.all(), period=period, minimum=5)
    }
    # 10 due, 8 answered, 2 not: the 2 would be 10 − 8, so the 8 is hidden as "–".
    assert rates[("Södra länsdelen", "start")] == ("–", "10", None)
    exact = response_rates(Participant.objects.all(), period=period)
    assert [(r.answered, r.due) for r in exact if r.timepoint == "start"] == [(8, 10)]
