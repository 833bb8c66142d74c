"""The scorer of many responses gives exactly what scoring each response afresh gives: WHO-5's
raw score × 4 with every item answered, otherwise the mean per sub-goal of each answer put on
0–100 of its scale (reverse items turned), to one decimal, halves up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, strategies as st

from sikta.surveys.models import Instrument, Item, SubGoal
from sikta.surveys.scoring import Scorer

SUBGOALS = [SubGoal(pk=n, code=code) for n, code in enumerate(["tilltro", "studier", "halsa"], 1)]
SCALES = [(None, None), (0, 10), (1, 5), (1, 7), (0, 3)]


def reference(instrument: Instrument, items: list[Item], answers: list[tuple[int, int | None]]):
    """Scores worked out the long way, one answer at a time."""
    by_pk = {item.pk: item for item in items}
    answered = [(by_pk[pk], value) for pk, value in answers if value is not None]

    def scale(item: Item) -> tuple[int, int]:
        if item.scale_min is not None:
            return item.scale_min, item.scale_max
        return instrument.scale_min, instrument.scale_max

    def counted(item: Item, value: int) -> int:
        low, high = scale(item)
        return low + high - value if item.reverse else value

    if instrument.scoring == Instrument.Scoring.WHO5:
        if len(answered) < len(items):
            return {items[0].subgoal.code: None}
        return {answered[0][0].subgoal.code: Decimal(4 * sum(counted(i, v) for i, v in answered))}
    means: dict[str, list[Decimal]] = {}
    for item, value in answered:
        low, high = scale(item)
        means.setdefault(item.subgoal.code, []).append(
            Decimal(100 * (counted(item, value) - low)) / (high - low)
        )
    return {
        code: (sum(vs) / len(vs)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        for code, vs in means.items()
    }


@st.composite
def responses(draw: st.DrawFn) -> tuple[Instrument, list[Item], list[list[tuple[int, int | None]]]]:
    who5 = draw(st.booleans())
    instrument = Instrument(
        pk=1,
        scoring=Instrument.Scoring.WHO5 if who5 else Instrument.Scoring.MEAN,
        scale_min=0 if who5 else 1,
        scale_max=5,
    )
    items = []
    for pk in range(1, draw(st.integers(1, 8)) + 1):
        low, high = (None, None) if who5 else draw(st.sampled_from(SCALES))
        items.append(
            Item(
                pk=pk,
                instrument=instrument,
                subgoal=SUBGOALS[0] if who5 else draw(st.sampled_from(SUBGOALS)),
                reverse=draw(st.booleans()),
                scale_min=low,
                scale_max=high,
            )
        )

    def answer(item: Item) -> st.SearchStrategy[tuple[int, int | None]]:
        low = instrument.scale_min if item.scale_min is None else item.scale_min
        high = instrument.scale_max if item.scale_max is None else item.scale_max
        return st.tuples(st.just(item.pk), st.none() | st.integers(low, high))

    one = st.permutations(items).flatmap(
        lambda order: st.tuples(*(answer(item) for item in order)).map(list)
    )
    return instrument, items, draw(st.lists(one, min_size=1, max_size=5))


@given(responses())
def test_the_scorer_gives_what_each_response_scored_afresh_gives(case) -> None:
    instrument, items, answers = case
    scorer = Scorer(instrument, items)  # one scorer for all: what it remembers must not leak
    for given_answers in answers:
        assert scorer.values(given_answers) == reference(instrument, items, given_answers)
        scores = scorer.score(given_answers)
        assert {s.subgoal: s.value for s in scores} == reference(instrument, items, given_answers)
        if instrument.scoring == Instrument.Scoring.WHO5 and scores[0].value is not None:
            assert scores[0].percent == scores[0].raw * 4 == scores[0].value
