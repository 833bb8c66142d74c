"""Financing and staffing: positions from the plan, participants per position and cost per
participant, counted by hand; small counts hidden from all but the leads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sikta.organisation.models import Insats, Kommun
from sikta.participants.models import Participant
from sikta.reports.financing import financing
from tests.conftest import Personas
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def _lines(table) -> dict[str, object]:
    lines = {a.line.name: a.line for a in table.areas}
    lines.update({k.name: k for a in table.areas for k in a.kommuner})
    return lines


def test_the_plans_positions_and_the_cost_per_participant(personas: Personas) -> None:
    nykoping = Kommun.objects.get(name="Nyköping")
    ParticipantFactory(kommun=nykoping, start_date=dt.date(2026, 3, 1))
    ParticipantFactory(
        kommun=nykoping, start_date=dt.date(2025, 5, 1), end_date=dt.date(2026, 1, 15)
    )
    ParticipantFactory(  # left before the period: not served in it
        kommun=nykoping, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31)
    )
    table = financing(Insats.objects.current(), Participant.objects.all(), YEAR, minimum=None)
    assert table.totals == {
        "kommun": Decimal(625),
        "region": Decimal(300),
        "rar": Decimal(950),
    }
    assert table.budget == 9_000_000 and table.period_budget == 9_000_000
    lines = _lines(table)
    ny = lines["Nyköping"]
    assert (ny.cofinanced, ny.rar, ny.positions, ny.participants) == (100, 150, Decimal("2.5"), 2)
    assert ny.per_position == Decimal("0.8")
    # 150 of RAR's 950 %: 9 000 000 × 150 / 950 = 1 421 052,63 kr; for 2 participants:
    assert ny.cost_per_participant == 710_526
    # Södra: Nyköping 2, Trosa 1 (Alice); 175 % + 300 % = 4,75 positions.
    sodra = lines["Södra länsdelen"]
    assert (sodra.participants, sodra.positions) == (3, Decimal("4.75"))
    assert table.total.participants == 4  # and Bo in Strängnäs
    assert table.total.positions == Decimal("15.75")
    assert round(table.total.rar_cost) == 9_000_000


def test_half_a_year_costs_half_the_budget(personas: Personas) -> None:
    half = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))  # 181 days
    table = financing(Insats.objects.current(), Participant.objects.all(), half, minimum=None)
    assert table.period_budget == round(Decimal(9_000_000) * 181 / 365)


def test_small_counts_are_hidden_with_one_more_and_totals_that_would_tell(
    personas: Personas,
) -> None:
    nykoping = Kommun.objects.get(name="Nyköping")
    for _n in range(6):
        ParticipantFactory(kommun=nykoping, start_date=dt.date(2026, 2, 1))
    table = financing(Insats.objects.current(), Participant.objects.all(), YEAR, minimum=5)
    lines = _lines(table)
    # Trosa has 1 (Alice): hidden, and Nyköping's 6 too, or Södra's 7 would tell Trosa's.
    assert lines["Trosa"].participants is None and lines["Nyköping"].participants is None
    assert lines["Trosa"].cost_per_participant is None and lines["Nyköping"].per_position is None
    assert lines["Södra länsdelen"].participants == 7
    # Norra has only Bo (1): hidden, and its total with it; the whole programme's 8 would then
    # give Norra away (8 − 7), so it is hidden too.
    assert lines["Strängnäs"].participants is None
    assert lines["Norra länsdelen"].participants is None
    assert table.total.participants is None


def test_the_page_hides_small_counts_from_all_but_the_leads(personas: Personas) -> None:
    query = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    styrgrupp = personas.client("styrgrupp").get("/rapporter/finansiering/", query)
    assert styrgrupp.context["minimum"] == 5
    assert "&lt;5" in styrgrupp.content.decode()
    lead = personas.client("insatsledare").get("/rapporter/finansiering/", query)
    assert lead.context["minimum"] is None
    assert lead.context["table"].total.participants == 2
    assert "9\xa0000\xa0000\xa0kr" in lead.content.decode()
