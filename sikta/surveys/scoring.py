"""Scores of a response: WHO-5 by its manual; the programme's survey as a mean per sub-goal."""

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


def item_value(item: Item, value: int, instrument: Instrument) -> int:
    """The value counted: reverse items turned around on the instrument's scale."""
    return instrument.scale_min + instrument.scale_max - value if item.reverse else value


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
    by_subgoal: dict[str, list[int]] = defaultdict(list)
    for item, value in answered:
        by_subgoal[item.subgoal.code].append(item_value(item, value, instrument))
    return [
        Score(code, (Decimal(sum(vs)) / len(vs)).quantize(Decimal("0.01"), ROUND_HALF_UP))
        for code, vs in by_subgoal.items()
    ]
