"""The cell parsers, as property tests (the project's hypothesis profile, tests/conftest.py):
every way a date or a personnummer reaches a cell gives the same value back, and nothing a cell
can hold makes them fail other than with a message for people."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, strategies as st

from sikta.core.personnummer import Personnummer, luhn_digit
from sikta.imports.parsing import (
    EXCEL_EPOCH,
    CellError,
    excel_cell,
    parse_date,
    parse_personnummer,
)

TODAY = dt.date(2026, 6, 15)
dates = st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2099, 12, 31))


@given(dates)
def test_every_written_form_of_a_date(day: dt.date) -> None:
    for text in (
        day.isoformat(),
        f"{day.isoformat()} 00:00:00",
        f"{day:%Y%m%d}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day}.{day.month}.{day.year}",
        f"{day:%d.%m.%Y}",
        f"{day.year}/{day.month}/{day.day}",
        f"  {day.isoformat()} ",
    ):
        assert parse_date(text) == day, text


@given(dates)
def test_an_excel_date_cell_and_its_serial_number(day: dt.date) -> None:
    assert parse_date(excel_cell(dt.datetime.combine(day, dt.time(0, 0)))) == day
    serial = (day - EXCEL_EPOCH).days
    assert parse_date(str(serial)) == day
    assert parse_date(f"{serial}.0") == day
    assert parse_date(excel_cell(float(serial))) == day


@given(st.text(max_size=30))
@example("2025-02-30")
@example("31/12/99")
@example("12345")
@example("2025-13-01")
def test_any_text_is_a_date_or_a_message(text: str) -> None:
    try:
        parse_date(text)
    except CellError as error:
        assert error.message


@st.composite
def personnummer(draw: st.DrawFn) -> Personnummer:
    """A valid fictional number of someone 0–99 years old on TODAY (some samordningsnummer)."""
    birth = draw(st.dates(min_value=dt.date(1927, 1, 1), max_value=TODAY))
    serial = draw(st.integers(min_value=0, max_value=999))
    day = birth.day + (60 if draw(st.booleans()) else 0)
    nine = f"{birth:%y%m}{day:02d}{serial:03d}"
    return Personnummer(f"{birth.year}{nine[2:]}{luhn_digit(nine)}")


@given(personnummer())
def test_every_column_format_of_a_personnummer(number: Personnummer) -> None:
    digits = number.digits
    for text in (
        digits,  # 199001011234
        f"{digits[:8]}-{digits[8:]}",  # 19900101-1234
        f"{digits[2:8]}-{digits[8:]}",  # 900101-1234
        digits[2:],  # 9001011234
        f"{digits[:8]} {digits[8:]}",
        f"{digits}.0",  # a number cell written out by a CSV export
        excel_cell(int(digits)),  # a number cell of the workbook
        excel_cell(float(digits)),
    ):
        assert parse_personnummer(text, today=TODAY) == number, text


@given(personnummer())
def test_a_number_cell_that_lost_its_leading_zero(number: Personnummer) -> None:
    short = number.digits[2:]
    if short.startswith("0") and short[1] != "0":
        assert parse_personnummer(str(int(short)), today=TODAY) == number


@given(st.text(max_size=20))
@example("19900101-1235")
@example("1990-01-01")
def test_any_text_is_a_personnummer_or_a_message(text: str) -> None:
    try:
        parse_personnummer(text, today=TODAY)
    except CellError as error:
        assert error.message


def test_a_bad_check_digit_says_so() -> None:
    with pytest.raises(CellError) as caught:
        parse_personnummer("19900101-1235", today=TODAY)
    assert "kontrollsiffran" in caught.value.message.lower()
