"""Phone numbers: Swedish by default, stored as E.164, shown the Swedish way."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given, strategies as st

from sikta.core.phone import PhoneError, display_phone, parse_phone

MOBILE_PREFIXES = ["070", "072", "073", "076", "079"]


@given(
    prefix=st.sampled_from(MOBILE_PREFIXES),
    digits=st.text("0123456789", min_size=7, max_size=7),
    style=st.sampled_from(["{p}{d}", "{p}-{d3} {d2a} {d2b}", "+46{p1}{d}", "0046 {p1} {d}"]),
)
def test_any_way_of_writing_a_mobile_number_gives_one_e164(
    prefix: str, digits: str, style: str
) -> None:
    text = style.format(
        p=prefix, d=digits, d3=digits[:3], d2a=digits[3:5], d2b=digits[5:], p1=prefix[1:]
    )
    expected = f"+46{prefix[1:]}{digits}"
    assert parse_phone(text, mobile=True) == expected
    assert display_phone(expected).startswith(prefix + "-")
    assert parse_phone(display_phone(expected)) == expected


@given(st.text(max_size=40))
def test_anything_typed_is_a_number_or_a_clear_error(text: str) -> None:
    try:
        number = parse_phone(text)
    except PhoneError as error:
        assert error.message
    else:
        assert number.startswith("+") and number[1:].isdigit()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give a phone number."),
        ("abc", "That is not a phone number"),
        ("070-123", "it is not a number in use"),
        ("08-123 456 78", "mobile number"),
    ],
)
def test_errors_say_what_is_wrong(text: str, message: str) -> None:
    with translation.override("en"), pytest.raises(PhoneError) as caught:
        parse_phone(text, mobile=True)
    assert message in caught.value.message


def test_a_foreign_number_keeps_its_country_code() -> None:
    assert parse_phone("+47 412 34 567") == "+4741234567"
    assert display_phone("+4741234567").startswith("+47")
