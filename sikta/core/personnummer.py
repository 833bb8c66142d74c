"""Swedish personnummer and samordningsnummer as a value type.

Accepted input: 10 digits (YYMMDDNNNC) or 12 digits (YYYYMMDDNNNC), with or without a
separator before the last four digits. With 10 digits the separator decides the century:
'-' (or none) means younger than 100 on the reference date, '+' means 100 or older.
A samordningsnummer has 60 added to the day of birth. The check digit is the Luhn digit over
the last ten digits (python-stdnum computes it). The century digits are not covered by the
check digit, so a 12-digit number must also give a plausible birth date (not in the future,
not more than MAX_AGE years back).

The value is kept as 12 digits; `str()` gives the conventional YYYYMMDD-NNNN.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from stdnum import luhn

MAX_AGE = 130

_SHAPE = re.compile(r"^(?P<date>\d{6}|\d{8})(?P<sep>[-+]?)(?P<tail>\d{4})$")


class PersonnummerError(ValueError):
    """Why a string is not a personnummer; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_MESSAGES = {
    "characters": _(
        "A personal identity number may only contain digits, "
        "with a hyphen or plus sign before the last four."
    ),
    "length": _(
        "Enter the personal identity number with 10 or 12 digits, "
        "for example YYMMDD-NNNN or YYYYMMDD-NNNN."
    ),
    "separator": _("The hyphen or plus sign must stand right before the last four digits."),
    "date": _("The date of birth in the number does not exist. Check year, month and day."),
    "future": _("The date of birth in the number lies in the future."),
    "too_old": _("The date of birth in the number is more than %(max_age)s years ago."),
    "checksum": _(
        "The check digit (the last digit) does not match. Check that every digit is right."
    ),
}


def _error(code: str) -> PersonnummerError:
    message = _MESSAGES[code]
    if code == "too_old":
        message = message % {"max_age": MAX_AGE}
    return PersonnummerError(code, str(message))


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass(frozen=True, slots=True)
class Personnummer:
    """A valid personnummer or samordningsnummer, held as 12 digits."""

    digits: str

    @classmethod
    def parse(cls, value: str, *, today: dt.date | None = None) -> Personnummer:
        """Parse what a person typed; raise PersonnummerError saying what is wrong."""
        today = today or dt.date.today()
        text = "".join(str(value).split())  # spaces people type are not an error
        if not text:
            raise _error("length")
        if not re.fullmatch(r"[\d+-]+", text):
            raise _error("characters")
        match = _SHAPE.match(text)
        if match is None:
            digit_count = sum(ch.isdigit() for ch in text)
            if digit_count in (10, 12) and text.count("-") + text.count("+") == 1:
                raise _error("separator")
            raise _error("length")
        date_part, sep, tail = match["date"], match["sep"], match["tail"]
        if not luhn.is_valid(date_part[-6:] + tail):
            # Checked before the date: a single mistyped digit anywhere is then reported as
            # what it is, not as an impossible date.
            raise _error("checksum")
        if len(date_part) == 8:
            year, month, day = int(date_part[:4]), int(date_part[4:6]), int(date_part[6:])
            birth = _birth_date(year, month, day)
        else:
            birth = _infer_century(date_part, plus=sep == "+", today=today)
        if birth > today:
            raise _error("future")
        if _age(birth, today) > MAX_AGE:
            raise _error("too_old")
        return cls(f"{birth.year:04d}{date_part[-4:]}{tail}")

    @classmethod
    def is_valid(cls, value: str, *, today: dt.date | None = None) -> bool:
        try:
            cls.parse(value, today=today)
        except PersonnummerError:
            return False
        return True

    # --- what the number tells ---------------------------------------------------------
    @property
    def is_samordningsnummer(self) -> bool:
        return int(self.digits[6:8]) > 60

    @property
    def birth_date(self) -> dt.date:
        day = int(self.digits[6:8])
        if day > 60:
            day -= 60
        return dt.date(int(self.digits[:4]), int(self.digits[4:6]), day)

    def age_on(self, day: dt.date) -> int:
        """Age in whole years on `day` (a person turns a year older on their birthday)."""
        return _age(self.birth_date, day)

    @property
    def legal_gender(self) -> str:
        """'female' or 'male', from the second-last digit (even = female)."""
        return "female" if int(self.digits[10]) % 2 == 0 else "male"

    # --- formats -----------------------------------------------------------------------
    def __str__(self) -> str:
        return f"{self.digits[:8]}-{self.digits[8:]}"

    def short(self, *, today: dt.date | None = None) -> str:
        """The 10-digit form, with '+' for people who are 100 or older on `today`."""
        today = today or dt.date.today()
        sep = "+" if self.age_on(today) >= 100 else "-"
        return f"{self.digits[2:8]}{sep}{self.digits[8:]}"


def _birth_date(year: int, month: int, day: int) -> dt.date:
    if day > 60:  # samordningsnummer
        day -= 60
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _error("date") from None


def _infer_century(yymmdd: str, *, plus: bool, today: dt.date) -> dt.date:
    """The latest birth date with these YYMMDD not after `today` (a century earlier for '+')."""
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    year = today.year - (today.year - yy) % 100
    birth = _birth_date(year, month, day)
    if birth > today:
        birth = _birth_date(year - 100, month, day)
    if plus:
        birth = _birth_date(birth.year - 100, month, day)
    return birth


def luhn_digit(nine_digits: str) -> str:
    """The check digit for the nine digits YYMMDDNNN (for generating fictional numbers)."""
    return luhn.calc_check_digit(nine_digits)
