"""Phone numbers: parsed as Swedish unless they carry a country code, kept as E.164."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

REGION = "SE"


class PhoneError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_phone(text: str, *, mobile: bool = False) -> str:
    """The number in E.164 (+46701234567), or PhoneError with a Swedish-first message.
    `mobile`: a number that can receive text messages."""
    cleaned = text.strip()
    if not cleaned:
        raise PhoneError(str(_("Give a phone number.")))
    try:
        number = phonenumbers.parse(cleaned, REGION)
    except phonenumbers.NumberParseException:
        raise PhoneError(str(_("That is not a phone number, e.g. 070-123 45 67."))) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(str(_("Check the number: it is not a number in use, e.g. 070-123 45 67.")))
    if mobile and phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise PhoneError(str(_("Text messages need a mobile number, e.g. 070-123 45 67.")))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(value: str) -> str:
    """A stored number as Swedes write it (070-123 45 67), abroad with its country code; what
    cannot be parsed is shown as it was typed."""
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 46:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class PhoneField(forms.CharField):
    """A phone number field that cleans to E.164, showing the number in the Swedish way."""

    def __init__(self, *, mobile: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.mobile = mobile
        self.widget.attrs.setdefault("autocomplete", "tel")
        self.widget.attrs.setdefault("inputmode", "tel")

    def prepare_value(self, value: Any) -> Any:
        return display_phone(value) if isinstance(value, str) and value.startswith("+") else value

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return ""
        try:
            return parse_phone(value, mobile=self.mobile)
        except PhoneError as error:
            raise forms.ValidationError(error.message, code="phone") from None
