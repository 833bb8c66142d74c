from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from sikta.core.personnummer import Personnummer, PersonnummerError, luhn_digit

TODAY = dt.date(2026, 11, 23)


def make(birth: dt.date, serial: int, *, coordination: bool = False) -> str:
    """The 12 digits for a birth date and three-digit serial (check digit computed)."""
    day = birth.day + (60 if coordination else 0)
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    return f"{birth.year:04d}{nine[2:]}{luhn_digit(nine)}"


births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999)


def error_code(text: str) -> str:
    with pytest.raises(PersonnummerError) as caught:
        Personnummer.parse(text, today=TODAY)
    return caught.value.code


# --- examples -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["19811218-9876", "198112189876", "811218-9876", "8112189876", " 811218 - 9876 "],
)
def test_it_accepts_the_usual_forms(text: str) -> None:
    assert Personnummer.parse(text, today=TODAY).digits == "198112189876"


def test_plus_means_a_hundred_or_older() -> None:
    pnr = Personnummer.parse("121212+1212", today=TODAY)
    assert pnr.digits == "191212121212"
    assert pnr.age_on(TODAY) == 113
    assert pnr.short(today=TODAY) == "121212+1212"


def test_ten_digits_without_plus_mean_younger_than_a_hundred() -> None:
    assert Personnummer.parse("1212121212", today=TODAY).digits == "201212121212"
    # Born in December 1926 would make a person 99 on TODAY: still the 1900s.
    assert (
        Personnummer.parse(make(dt.date(1926, 12, 1), 123)[2:], today=TODAY).birth_date.year == 1926
    )


def test_it_derives_birth_date_age_and_gender() -> None:
    pnr = Personnummer.parse("19811218-9876", today=TODAY)
    assert pnr.birth_date == dt.date(1981, 12, 18)
    assert pnr.age_on(dt.date(2026, 12, 17)) == 44
    assert pnr.age_on(dt.date(2026, 12, 18)) == 45
    assert pnr.legal_gender == "male"  # second-last digit 7 is odd
    assert str(pnr) == "19811218-9876"


def test_it_accepts_samordningsnummer() -> None:
    digits = make(dt.date(1990, 5, 4), 242, coordination=True)
    pnr = Personnummer.parse(digits, today=TODAY)
    assert pnr.is_samordningsnummer
    assert pnr.birth_date == dt.date(1990, 5, 4)
    assert pnr.legal_gender == "female"


def test_leap_day() -> None:
    assert Personnummer.parse(make(dt.date(2000, 2, 29), 101), today=TODAY).birth_date.day == 29
    assert error_code("190002291234"[:-1] + luhn_digit("000229123")) == "date"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "length"),
        ("19811218-987", "length"),
        ("1981121898761", "length"),
        ("19811218-98x6", "characters"),
        ("811218/9876", "characters"),
        ("8112-189876", "separator"),
        ("19811218-9875", "checksum"),
        ("19811318" + "9876", "checksum"),  # month 13: the check digit no longer matches
        (make(dt.date(1981, 1, 1), 0)[:4] + "1301" + "0000", "checksum"),
        ("20991218" + make(dt.date(1999, 12, 18), 987)[8:], "future"),
        ("18501218" + make(dt.date(1950, 12, 18), 987)[8:], "too_old"),
    ],
)
def test_it_names_what_is_wrong(text: str, code: str) -> None:
    assert error_code(text) == code


def test_an_impossible_date_with_a_right_check_digit() -> None:
    nine = "811318987"  # month 13
    assert error_code(f"19{nine}{luhn_digit(nine)}") == "date"


def test_messages_are_swedish_by_default() -> None:
    from django.utils import translation

    with translation.override("sv"), pytest.raises(PersonnummerError) as caught:
        Personnummer.parse("19811218-9875", today=TODAY)
    assert "Kontrollsiffran" in caught.value.message


# --- properties ---------------------------------------------------------------------------


@given(births, serials, st.booleans())
def test_round_trip_in_every_form(birth: dt.date, serial: int, coordination: bool) -> None:
    digits = make(birth, serial, coordination=coordination)
    pnr = Personnummer.parse(digits, today=TODAY)
    assert pnr.digits == digits
    assert Personnummer.parse(str(pnr), today=TODAY) == pnr
    assert Personnummer.parse(pnr.short(today=TODAY), today=TODAY) == pnr
    assert (
        Personnummer.parse(pnr.short(today=TODAY).replace("-", ""), today=TODAY).digits[2:]
        == digits[2:]
    )
    assert pnr.birth_date == birth
    assert pnr.is_samordningsnummer == coordination
    assert pnr.legal_gender == ("female" if serial % 2 == 0 else "male")


@given(
    births, serials, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9)
)
def test_every_single_digit_corruption_is_rejected(
    birth: dt.date, serial: int, position: int, delta: int
) -> None:
    """Any one of the ten checked digits changed to any other digit: never accepted."""
    digits = make(birth, serial)
    checked = list(digits[2:])
    checked[position] = str((int(checked[position]) + delta) % 10)
    corrupted = digits[:2] + "".join(checked)
    assert not Personnummer.is_valid(corrupted, today=TODAY)
    assert not Personnummer.is_valid(corrupted[2:8] + "-" + corrupted[8:], today=TODAY)


@given(st.text(max_size=20))
def test_arbitrary_text_either_parses_or_gives_a_known_error(text: str) -> None:
    try:
        pnr = Personnummer.parse(text, today=TODAY)
    except PersonnummerError as error:
        assert error.code in {
            "characters",
            "length",
            "separator",
            "date",
            "future",
            "too_old",
            "checksum",
        }
    else:
        assert len(pnr.digits) == 12 and pnr.digits.isdigit()
        assert pnr.birth_date <= TODAY
