"""Building the files a samordnare would upload: Excel workbooks and CSV texts, with fictional
people (personnummer made the way the factories make them)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import fictional_personnummer

HEADERS = [
    "Personnummer",
    "Förnamn",
    "Efternamn",
    "Kommun",
    "Spår",
    "Startdatum",
    "Coach",
    "Slutdatum",
    "Utfall",
]

# The column of each field in a file with HEADERS (an import batch's mapping).
MAPPING = {
    field: column
    for column, field in enumerate(
        [
            "personnummer",
            "first_name",
            "last_name",
            "kommun",
            "track",
            "start_date",
            "caseworker",
            "end_date",
            "outcome",
        ]
    )
}

EMPLOYER_HEADERS = [
    "Arbetsgivare",
    "Organisationsnummer",
    "Sektor",
    "Adress",
    "Kontaktperson",
    "Roll",
    "E-post",
    "Anteckningar",
]


def pnr(n: int, *, year: int = 1988) -> str:
    """A valid fictional personnummer (12 digits) no factory makes (they use 1990 and 1995)."""
    return fictional_personnummer(9000 + n, year=year)


def dashed(number: str) -> str:
    return f"{number[:8]}-{number[8:]}"


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(headers if headers is not None else HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(
    rows: list[list[Any]],
    headers: list[str] | None = None,
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers if headers is not None else HEADERS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode(encoding)


def upload(content: bytes, name: str = "deltagare.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def person(
    n: int,
    *,
    first: str | None = None,
    last: str = "Importsson",
    kommun: str = "Trosa",
    track: str = "Coachning",
    start: Any = "2025-03-01",
    caseworker: str = "coach_sodra Personal",
    end: Any = None,
    outcome: str | None = None,
) -> list[Any]:
    """A row in HEADERS' order."""
    return [
        dashed(pnr(n)),
        first or f"Importerad{n}",
        last,
        kommun,
        track,
        start,
        caseworker,
        end,
        outcome,
    ]
