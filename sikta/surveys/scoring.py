"""Scores of a response: WHO-5 by its manual; the programme's survey as a mean per sub-goal.

Items of the programme's survey may have different scales (1–5, 0–10), so each answer is put
on 0–100 of its own scale before the mean: 0 is the worst end, 100 the best.

The sums are kept in whole units, so that they are exact and add up as the answers are read:
an answer counts `a + b × value` units of its sub-goal, where a whole scale (0–100) is L units
and L the least common multiple of the instrument's scale spans (one step of a 1–5 item is
L/4 units, of a 0–10 item L/10). A mean is then one division of whole numbers, rounded once to
a tenth, halves up; WHO-5's units are its counted values (reverse items turned).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

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
    """Scores responses to one instrument: from their answers (`values`), or from the units its
    answers count (`counts`), added up per sub-goal (`of_units`).

    `items`: the instrument's items with their sub-goals read (default: all of them; WHO-5
    needs all of them, to know when one is missing)."""

    def __init__(self, instrument: Instrument, items: Iterable[Item] | None = None) -> None:
        self.instrument = instrument
        self.who5 = instrument.scoring == Instrument.Scoring.WHO5
        items = list(instrument.items.all() if items is None else items)
        self.size = len(items)
        # WHO-5 is one score, under its first item's sub-goal.
        self.first = items[0].subgoal.code if items else ""
        scales = {item.pk: _scale(item, instrument) for item in items}
        self.unit = 1 if self.who5 else math.lcm(*(high - low for low, high in scales.values()))
        # Per item: its sub-goal and the (a, b) of the units `a + b × value` an answer counts.
        self.counts: dict[int, tuple[str, int, int]] = {}
        for item in items:
            low, high = scales[item.pk]
            if self.who5:  # the counted value: a reverse item turned around on its scale
                step, origin = 1, low + high if item.reverse else 0
            else:  # steps above the worst end of its scale
                step = self.unit // (high - low)
                origin = (high if item.reverse else -low) * step
            code = self.first if self.who5 else item.subgoal.code
            self.counts[item.pk] = (code, origin, -step if item.reverse else step)

    def of_units(self, units: int, answered: int) -> Decimal | None:
        """A sub-goal's score from the sum of its answers' units and how many there were."""
        if self.who5:
            # The manual sums the five items (0–5 each) and multiplies by 4; with an item
            # missing there is no score.
            return Decimal(4 * units) if answered >= self.size else None
        whole = self.unit * answered
        # The mean percent, 100 × units / whole, in tenths, halves up.
        return Decimal((2000 * units + whole) // (2 * whole)).scaleb(-1)

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
        counts = self.counts
        sums: dict[str, list[int]] = {}
        for item, value in answers:
            if value is None:
                continue
            code, origin, step = counts[item]
            if (entry := sums.get(code)) is None:
                sums[code] = [origin + step * value, 1]
            else:
                entry[0] += origin + step * value
                entry[1] += 1
        if self.who5 and not sums:
            return {self.first: None}
        return {code: self.of_units(units, n) for code, (units, n) in sums.items()}
