"""Exports: what a spreadsheet would run as a formula is defused; everything else round-trips."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from sikta.reports.exports import _cell, csv_response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@given(st.text())
def test_text_never_starts_a_formula(text: str) -> None:
    cell = _cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_numbers_stay_numbers(number: float) -> None:
    assert _cell(number) == number


@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_categories=["Cs"])), min_size=1, max_size=4
        ),
        max_size=5,
    )
)
def test_csv_round_trips_what_is_not_a_formula(lines: list[list[str]]) -> None:
    response = csv_response(iter(lines), "x")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    back = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))
    assert back == [[_cell(v) for v in line] for line in lines]
