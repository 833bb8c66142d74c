"""Exports: what a spreadsheet would run as a formula is defused; everything else round-trips."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, strategies as st

from sikta.reports.exports import _cell, counted, csv_response

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


@pytest.mark.django_db  # closing a response signals the end of a request, which tidies the database
def test_an_export_is_counted_when_sent_in_full_and_when_cut_off() -> None:
    seen: list[tuple[int, bool]] = []
    whole = csv_response(counted(iter([["h"], [1], [2], [3]]), lambda *a: seen.append(a)), "x")
    b"".join(whole.streaming_content)
    assert seen == [(3, True)]
    seen.clear()
    cut = csv_response(counted(iter([["h"], [1], [2], [3]]), lambda *a: seen.append(a)), "x")
    stream = iter(cut.streaming_content)
    next(stream), next(stream), next(stream)  # the byte-order mark, the header, one row
    cut.close()  # the client went away
    assert seen == [(1, False)]
