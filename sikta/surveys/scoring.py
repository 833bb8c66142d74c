"""Scores of a response: WHO-5 by its manual; the programme's survey as a mean per sub-goal.

Items of the programme's survey may have different scales (1–5, 0–10), so each answer is put
on 0–100 of its own scale before the mean: 0 is the worst end, 100 the best.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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
    """The scores of one response (its answers with their items, sub-goals read)."""
    answers = list(answers)
    given = {item.pk: item for item, _value in answers}
    if instrument.scoring == Instrument.Scoring.WHO5:  # all its items, the answered as given
        items = [given.get(item.pk, item) for item in instrument.items.all()]
    else:
        items = list(given.values())
    return Scorer(instrument, items).score((item.pk, value) for item, value in answers)


class Scorer:
    """Scores many responses to one instrument: what an answer counts (its sub-goal, its
    value turned and put on 0–100) is worked out once per item and value, not per answer.

    `items`: the instrument's items with their sub-goals read (default: all of them; WHO-5
    needs all of them, to know when one is missing)."""

    def __init__(self, instrument: Instrument, items: Iterable[Item] | None = None) -> None:
        self.instrument = instrument
        self.who5 = instrument.scoring == Instrument.Scoring.WHO5
        self.items = {
            item.pk: item for item in (instrument.items.all() if items is None else items)
        }
        self.counted: dict[tuple[int, int], tuple[str, int, Decimal]] = {}

    def _count(self, item_id: int, value: int) -> tuple[str, int, Decimal]:
        """An answer's sub-goal, counted value and its 0–100 (read once per item and value)."""
        key = (item_id, value)
        if (found := self.counted.get(key)) is None:
            item = self.items[item_id]
            found = self.counted[key] = (
                item.subgoal.code,
                item_value(item, value, self.instrument),
                item_percent(item, value, self.instrument),
            )
        return found

    def score(self, answers: Iterable[tuple[int, int | None]]) -> list[Score]:
        """The scores of one response from its (item key, value) pairs."""
        return [
            Score(code, value, raw=int(value) // 4, percent=int(value))
            if self.who5 and value is not None
            else Score(code, value)
            for code, value in self.values(answers).items()
        ]

    def values(self, answers: Iterable[tuple[int, int | None]]) -> dict[str, Decimal | None]:
        """The scores of one response by sub-goal (for many responses: no object per score)."""
        counted = self.counted
        found = [
            counted.get((item, value)) or self._count(item, value)
            for item, value in answers
            if value is not None
        ]
        if self.who5:
            # The manual sums the five items (0–5 each) and multiplies by 4; with an item
            # missing there is no score.
            if len(found) < len(self.items):
                first = next(iter(self.items.values()), None)
                return {first.subgoal.code if first else "": None}
            return {found[0][0]: Decimal(4 * sum(value for _code, value, _percent in found))}
        sums: dict[str, list[Any]] = {}
        for code, _value, percent in found:
            if (entry := sums.get(code)) is None:
                sums[code] = [percent, 1]
            else:
                entry[0] += percent
                entry[1] += 1
        return {
            code: (total / n).quantize(TENTH, ROUND_HALF_UP) for code, (total, n) in sums.items()
        }


TENTH = Decimal("0.1")
