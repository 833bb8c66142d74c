"""Exports: what a spreadsheet would run as a formula is defused; everything else round-trips."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, strategies as st
from openpyxl import load_workbook

from sikta.reports import exports
from sikta.reports.exports import _NOT_XML, counted, csv_response, defused, xlsx_response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@given(st.text())
def test_text_never_starts_a_formula(text: str) -> None:
    cell = defused(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_numbers_stay_numbers(number: float) -> None:
    assert defused(number) == number


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
    assert back == [[defused(v) for v in line] for line in lines]


@pytest.mark.django_db  # closing a response signals the end of a request, which tidies the database
def test_an_export_is_counted_when_sent_in_full_and_when_cut_off(monkeypatch) -> None:
    monkeypatch.setattr(exports, "BATCH", 1)  # a piece of the response per row
    seen: list[tuple[int, bool]] = []
    whole = csv_response(counted(iter([["h"], [1], [2], [3]]), lambda *a: seen.append(a)), "x")
    b"".join(whole.streaming_content)
    assert seen == [(3, True)]
    seen.clear()
    cut = csv_response(counted(iter([["h"], [1], [2], [3]]), lambda *a: seen.append(a)), "x")
    stream = iter(cut.streaming_content)
    next(stream), next(stream)  # the byte-order mark with the header, one row
    cut.close()  # the client went away
    assert seen == [(1, False)]


@given(
    st.lists(
        st.lists(
            st.one_of(
                st.text(alphabet=st.characters(blacklist_categories=["Cs"])),
                st.integers(min_value=-(2**53), max_value=2**53),
                st.floats(allow_nan=False, allow_infinity=False),
            ),
            min_size=1,
            max_size=4,
        ),
        max_size=5,
    ),
    st.text(max_size=40),
)
def test_xlsx_reads_back_in_a_spreadsheet_library(lines: list[list[object]], sheet: str) -> None:
    """The sheet written here is read back by openpyxl as written: numbers as numbers, text
    defused, only characters XML cannot hold left out; any sheet name is made a valid one."""
    body = b"".join(xlsx_response(iter(lines), "x", sheet=sheet).streaming_content)
    rows = list(load_workbook(io.BytesIO(body), read_only=True).active.values)
    expected = []
    for line in lines:
        cells = []
        for v in line:
            v = defused(v)
            cells.append(_NOT_XML.sub("", v) or None if isinstance(v, str) else v)
        expected.append(tuple(cells))
    assert [tuple(row) for row in rows] == expected


def test_xlsx_streams_in_pieces(monkeypatch) -> None:
    monkeypatch.setattr(exports, "BATCH", 10)
    pieces = list(xlsx_response(iter([[n, f"rad {n}"] for n in range(100)]), "x").streaming_content)
    assert len(pieces) > 5
    sheet = load_workbook(io.BytesIO(b"".join(pieces)), read_only=True).active
    assert list(sheet.values)[99] == (99, "rad 99")
