"""Scores of a response: WHO-5 by its manual; the programme's survey as a mean per sub-goal.

Items of the programme's survey may have different scales (1–5, 0–10), so each answer is put
on 0–100 of its own scale before the mean: 0 is the worst end, 100 the best.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sikta.surveys.models import Instrument, Item


@dataclass(frozen=True)
class Score:
    """A score for one sub-goal; `raw` and `percent` only for WHO-5."""

    subgoal: str
    value: Decimal | None
    raw: int | None = None
    percent: int | None = None


def _scale(item: Item, instrument: Instrument) -> tuple[int, int]:
    if item.scale_min is not None and item.scale_max is not None:
        return item.scale_min, item.scale_max
    return instrument.scale_min, instrument.scale_max


def item_value(item: Item, value: int, instrument: Instrument) -> int:
    """The value counted: reverse items turned around on their scale."""
    low, high = _scale(item, instrument)
    return low + high - value if item.reverse else value


def item_percent(item: Item, value: int, instrument: Instrument) -> Decimal:
    """The counted value as 0–100 of the item's scale."""
    low, high = _scale(item, instrument)
    return Decimal(100 * (item_value(item, value, instrument) - low)) / (high - low)


def score(instrument: Instrument, answers: Iterable[tuple[Item, int | None]]) -> list[Score]:
    answered = [(item, value) for item, value in answers if value is not None]
    if instrument.scoring == Instrument.Scoring.WHO5:
        items = list(instrument.items.all())
        # The manual sums the five items (0–5 each) and multiplies by 4; with an item
        # missing there is no score.
        if len(answered) < len(items):
            return [Score(items[0].subgoal.code if items else "", None)]
        raw = sum(item_value(item, value, instrument) for item, value in answered)
        percent = raw * 4
        return [Score(answered[0][0].subgoal.code, Decimal(percent), raw=raw, percent=percent)]
    by_subgoal: dict[str, list[Decimal]] = defaultdict(list)
    for item, value in answered:
        by_subgoal[item.subgoal.code].append(item_percent(item, value, instrument))
    return [
        Score(code, (sum(vs) / len(vs)).quantize(Decimal("0.1"), ROUND_HALF_UP))
        for code, vs in by_subgoal.items()
    ]
