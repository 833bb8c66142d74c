"""Scoring with hand-computed values: WHO-5 per its manual, reverse items, means per sub-goal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sikta.surveys.models import Instrument
from sikta.surveys.scoring import score

pytestmark = pytest.mark.django_db


def answers(code: str, values: dict[str, int | None]) -> tuple[Instrument, list]:
    instrument = Instrument.objects.get(code=code)
    items = {i.code: i for i in instrument.items.select_related("subgoal")}
    return instrument, [(items[c], v) for c, v in values.items()]


@pytest.mark.parametrize(
    ("values", "raw", "percent"),
    [
        ((5, 5, 5, 5, 5), 25, 100),
        ((0, 0, 0, 0, 0), 0, 0),
        ((3, 2, 4, 1, 3), 13, 52),  # 3+2+4+1+3 = 13; × 4 = 52
        ((2, 2, 2, 2, 2), 10, 40),
    ],
)
def test_who5_raw_and_percentage(values: tuple[int, ...], raw: int, percent: int) -> None:
    instrument, given = answers("who5", {f"who5_{n}": v for n, v in enumerate(values, start=1)})
    (result,) = score(instrument, given)
    assert (result.raw, result.percent, result.value) == (raw, percent, Decimal(percent))
    assert result.subgoal == "valmaende"


def test_who5_with_an_item_missing_has_no_score() -> None:
    instrument, given = answers(
        "who5", {"who5_1": 3, "who5_2": None, "who5_3": 4, "who5_4": 1, "who5_5": 3}
    )
    (result,) = score(instrument, given)
    assert result.value is None and result.raw is None


def test_the_programmes_survey_turns_reverse_items_and_means_per_subgoal() -> None:
    # On 1–5, an answer a is (a − 1) / 4 × 100. tilltro_2 ("I often doubt …") is reverse
    # scored: 2 counts as 1 + 5 − 2 = 4. tilltro: (50 + 75) / 2 = 62.5; arbetsmarknad:
    # (100 + 75) / 2 = 87.5.
    instrument, given = answers(
        "sikta",
        {
            "tilltro_1": 3,
            "tilltro_2": 2,
            "arbetsmarknad_1": 5,
            "arbetsmarknad_2": 4,
            "studier_1": None,
        },
    )
    scores = {s.subgoal: s.value for s in score(instrument, given)}
    assert scores == {"tilltro": Decimal("62.5"), "arbetsmarknad": Decimal("87.5")}


def test_items_on_different_scales_are_put_on_one() -> None:
    # valmaende_1 on 1–5: 4 → 75; valmaende_2 on 0–10: 6 → 60. Mean 67.5.
    instrument, given = answers("sikta", {"valmaende_1": 4, "valmaende_2": 6})
    assert {s.subgoal: s.value for s in score(instrument, given)} == {"valmaende": Decimal("67.5")}


def test_a_skipped_item_does_not_count() -> None:
    instrument, given = answers("sikta", {"nasta_steg_1": 4, "nasta_steg_2": None})
    assert {s.subgoal: s.value for s in score(instrument, given)} == {"nasta_steg": Decimal("75.0")}
