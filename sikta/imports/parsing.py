"""Reading an uploaded list into a header row and rows of text, and the cell parsers.

A list comes as Excel (.xlsx, read with openpyxl in read-only mode) or as CSV (Python's csv:
`;` as Swedish Excel writes it, or `,` or tab; UTF-8 with or without a byte-order mark, UTF-16
as Excel's "Unicode text", else Windows-1252/Latin-1). Nothing is written to disk: the upload is
read from memory and what is kept between the steps is the rows as text (ImportBatch).

The cell parsers take what people and Excel put in a cell: dates as Excel date cells (already
turned into ISO text here), ISO text, 20250301, 1/3/2025, 1.3.2025 or an Excel serial number;
personnummer with 10 or 12 digits, with or without a hyphen, or as a number that lost its
leading zero.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from sikta.activities.uploads import MARKUP_SIGNS, clean_filename, megabytes
from sikta.core.personnummer import Personnummer, PersonnummerError

# Below Django's FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): a file taken is never spooled to disk.
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_ROWS = 2000
MAX_COLUMNS = 60
MAX_CELL = 500
# What the parts of an .xlsx may unpack to: a small file that unpacks to gigabytes is refused.
MAX_UNPACKED = 64 * 1024 * 1024

XLSX = ".xlsx"
CSV = ".csv"
EXTENSIONS = (XLSX, CSV)


def max_bytes() -> int:
    return int(getattr(settings, "SIKTA_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def megabytes_limit() -> str:
    """The size limit in MB the Swedish way (2, 2,5)."""
    return megabytes(max_bytes())


def max_rows() -> int:
    return int(getattr(settings, "SIKTA_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


@dataclass
class Table:
    """A list as read: the header row's names and the data rows (their row number in the file,
    as Excel shows it, and their cells as text, as many as there are headers)."""

    filename: str
    headers: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


def _refused(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def read_upload(upload: UploadedFile) -> Table:
    """The list in `upload`, or ValidationError saying in plain words what is wrong."""
    filename = clean_filename(upload.name or "") if upload.name else "lista"
    extension = PurePosixPath(filename).suffix.lower()
    if extension in (".xls", ".xlsm", ".xlsb", ".ods", ".numbers"):
        raise _refused(
            _(
                "“%(name)s” is in a format that cannot be read: save it in Excel as "
                "“Excel workbook (.xlsx)” or as “CSV (semicolon separated)” and upload it again."
            )
            % {"name": filename},
            "format",
        )
    if extension not in EXTENSIONS:
        raise _refused(
            _("“%(name)s” cannot be imported: upload an Excel file (.xlsx) or a CSV file (.csv).")
            % {"name": filename},
            "extension",
        )
    limit = max_bytes()
    too_large = _("“%(name)s” is larger than %(mb)s MB: split the list into several files.") % {
        "name": filename,
        "mb": megabytes(limit),
    }
    if upload.size is None or upload.size > limit:
        raise _refused(too_large, "size")
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise _refused(too_large, "size")
    if not content:
        raise _refused(_("“%(name)s” is empty.") % {"name": filename}, "empty")
    not_what_it_says = _refused(
        _(
            "“%(name)s” is not what its name says: its content is not a valid %(kind)s file. "
            "Save it again from Excel and upload it once more."
        )
        % {"name": filename, "kind": extension[1:].upper()},
        "content",
    )
    if extension == XLSX:
        if not _is_xlsx(content):
            raise not_what_it_says
        grid = _xlsx_rows(content, filename)
    else:
        text = _decode(content)
        if text is None or _looks_like_markup(text):
            raise not_what_it_says
        grid = _csv_rows(text, filename)
    return _table(filename, grid)


# --- Excel --------------------------------------------------------------------------------


def _is_xlsx(content: bytes) -> bool:
    """A zip with a workbook in it, that does not unpack to more than MAX_UNPACKED."""
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    names = {info.filename for info in infos}
    unpacked = sum(info.file_size for info in infos)
    return {"[Content_Types].xml", "xl/workbook.xml"} <= names and unpacked <= MAX_UNPACKED


def _unreadable(filename: str) -> ValidationError:
    return _refused(
        _(
            "“%(name)s” could not be read: it may be damaged or protected with a password. "
            "Open it in Excel, save it again as .xlsx and upload it once more."
        )
        % {"name": filename},
        "unreadable",
    )


def _xlsx_rows(content: bytes, filename: str) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    limit = max_rows()
    grid: list[tuple[int, list[str]]] = []
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise _unreadable(filename) from error
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise _refused(_("“%(name)s” has no sheet.") % {"name": filename}, "empty")
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [excel_cell(v) for v in values[:MAX_COLUMNS]]
            if any(cells):
                grid.append((number, cells))
            if len(grid) > limit + 1:
                break
    except ValidationError:
        raise
    except Exception as error:  # a sheet that breaks while it is read
        raise _unreadable(filename) from error
    finally:
        book.close()
    return grid


def excel_cell(value: Any) -> str:
    """An Excel cell as text: a date cell as an ISO date, a whole number without decimals."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return clean_text(str(value))


def clean_text(text: str) -> str:
    """A cell's text without control characters (NUL included) and surrounding space, at most
    MAX_CELL characters."""
    cleaned = "".join(
        " " if ch in "\t\r\n" else ch
        for ch in unicodedata.normalize("NFC", text)
        if ch in "\t\r\n" or unicodedata.category(ch)[0] != "C"
    )
    return " ".join(cleaned.split())[:MAX_CELL]


# --- CSV ----------------------------------------------------------------------------------


def _decode(content: bytes) -> str | None:
    """The text of a CSV file, or None if it is not text at all."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in content:
        return None
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _looks_like_markup(text: str) -> bool:
    start = text[:1024].lower().encode("utf-8", "replace")
    return any(sign in start for sign in MARKUP_SIGNS)


def separator(text: str) -> str:
    """The separator of a CSV text, counted on its first line outside quotes: `;` (Swedish
    Excel), `,` or tab; `;` when the line has none."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = dict.fromkeys(";,\t", 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda ch: (counts[ch], ch == ";"))
    return best if counts[best] else ";"


def _csv_rows(text: str, filename: str) -> list[tuple[int, list[str]]]:
    limit = max_rows()
    grid: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text))
    try:
        for number, values in enumerate(reader, start=1):
            cells = [clean_text(v) for v in values[:MAX_COLUMNS]]
            if any(cells):
                grid.append((number, cells))
            if len(grid) > limit + 1:
                break
    except csv.Error as error:
        raise _refused(
            _("“%(name)s” could not be read as CSV: %(reason)s.")
            % {"name": filename, "reason": error},
            "unreadable",
        ) from error
    return grid


# --- the table ----------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """A, B, …, Z, AA, … as Excel names the columns (0-based index)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _table(filename: str, grid: list[tuple[int, list[str]]]) -> Table:
    if len(grid) < 2:
        raise _refused(
            _(
                "“%(name)s” has no rows under its header row. The first row holds the column "
                "names (Personnummer, Förnamn …), each row below one person or employer."
            )
            % {"name": filename},
            "no_rows",
        )
    limit = max_rows()
    if len(grid) - 1 > limit:
        raise _refused(
            _("“%(name)s” has more than %(limit)s rows: split the list into several files.")
            % {"name": filename, "limit": limit},
            "rows",
        )
    _number, header = grid[0]
    width = max(len(cells) for _n, cells in grid)
    names = [
        (header[i] if i < len(header) and header[i] else "")
        or _("Column %(letter)s") % {"letter": column_letter(i)}
        for i in range(width)
    ]
    rows = [
        {"n": number, "cells": [*cells, *[""] * (width - len(cells))]} for number, cells in grid[1:]
    ]
    return Table(filename=filename, headers=names, rows=rows)


# --- cell parsers -------------------------------------------------------------------------


class CellError(ValueError):
    """Why a cell cannot be taken; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Excel counts days from 1899-12-30 (with its 1900 leap-year bug folded in).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# The serial numbers taken as dates: 1954-10-03 … 2119-01-10. A plain number outside is no date.
_SERIALS = range(20_000, 80_000)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SLASHED_ISO = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Day first, as Swedes write it when they do not write ISO: 1/3/2025, 1.3.2025, 01-03-2025.
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")


def parse_date(text: str) -> dt.date:
    """A date from a cell, or CellError saying how to write it."""
    value = text.strip()
    for pattern, order in (
        (_ISO, (1, 2, 3)),
        (_SLASHED_ISO, (1, 2, 3)),
        (_COMPACT, (1, 2, 3)),
        (_DAY_FIRST, (3, 2, 1)),
    ):
        match = pattern.match(value)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            try:
                return dt.date(year, month, day)
            except ValueError:
                break
    else:
        serial = _SERIAL.match(value)
        if serial and int(serial.group(1)) in _SERIALS:
            return EXCEL_EPOCH + dt.timedelta(days=int(serial.group(1)))
    raise CellError(
        _("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2025-03-01.") % {"value": value}
    )


def parse_personnummer(text: str, *, today: dt.date | None = None) -> Personnummer:
    """A personnummer from a cell: 10 or 12 digits, with or without a hyphen (the project's own
    parser), or as a number Excel stored (a trailing .0, a leading zero lost: 9 digits)."""
    value = "".join(text.split())
    if re.fullmatch(r"\d+\.0+", value):
        value = value.split(".")[0]
    if re.fullmatch(r"\d{9}", value):
        value = "0" + value
    try:
        return Personnummer.parse(value, today=today)
    except PersonnummerError as error:
        raise CellError(error.message) from None
