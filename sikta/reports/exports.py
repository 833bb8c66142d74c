"""Exports that stream: memory stays flat however many rows there are.

CSV is written into the response a few hundred rows at a time. Excel (.xlsx) is a zip of XML
parts; its worksheet is written row by row into a zip that streams straight into the response
(zipfile writes to a stream it cannot seek with data descriptors), so no file is built first.

The worksheet is written here rather than by openpyxl or XlsxWriter: both spend about 6 µs per
cell, which is 9 s for the evaluator's 100 000 rows of 15 columns against 0.2 s for the
database to read them; this writer needs a tenth of that. It writes only what an export needs
— one sheet of numbers and inline text — and the tests read every file back with openpyxl.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any
from xml.sax.saxutils import escape

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
# Rows gathered before a piece of the response is handed on.
BATCH = 500
# What a spreadsheet would run as a formula at the start of a cell.
_FORMULA = frozenset("=+-@\t\r")
# Characters XML 1.0 cannot hold (control characters other than tab and line breaks): left out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def defused(value: Any) -> Any:
    """A cell's value as written: numbers stay numbers; text that a spreadsheet would run as a
    formula gets an apostrophe first."""
    kind = type(value)
    if kind is str:
        return "'" + value if value[:1] in _FORMULA else value
    if kind is int or kind is float or kind is Decimal:
        return value
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text[:1] in _FORMULA else text


def counted(
    lines: Iterable[list[Any]], done: Callable[[int, bool], object], *, header: int = 1
) -> Iterator[list[Any]]:
    """`lines`, passed on; when the export ends — sent in full, or cut off by the client — `done`
    gets the number of data rows sent (the first `header` lines not counted) and whether all
    were. An export is audited with its real row count, however it ends."""
    sent, complete = 0, False
    try:
        for line in lines:
            sent += 1  # handed on: counted even if the client goes away before the next
            yield line
        complete = True
    finally:
        done(max(sent - header, 0), complete)


def _closing(lines: Iterable[list[Any]], body: Iterator[Any]) -> Iterator[Any]:
    """`body`; if it is cut off (the client went away), `lines` is closed at once, so that a
    generator behind it finishes (and logs) now."""
    try:
        yield from body
    finally:
        close = getattr(lines, "close", None)
        if close is not None:
            close()


def _csv(lines: Iterable[list[Any]], checked: bool) -> Iterator[str]:
    buffer = io.StringIO()
    # Semicolons and a byte-order mark: what Swedish Excel expects when the file is opened.
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    lines = iter(lines)
    while batch := list(islice(lines, BATCH)):
        writer.writerows(batch if checked else ([defused(v) for v in line] for line in batch))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_response(
    lines: Iterable[list[Any]], filename: str, *, checked: bool = False
) -> StreamingHttpResponse:
    """`checked`: every value of `lines` has been through `defused` where it was made (the
    evaluator's rows, whose texts are a few names made safe once), so no cell is checked
    again here."""
    response = StreamingHttpResponse(
        _closing(lines, _csv(lines, checked)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class _Pipe(io.RawIOBase):
    """Where the zip is written: what has come since it was last emptied (cannot seek)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def empty(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _xml_cell(value: Any) -> str:
    """A cell of the sheet: a number, or inline text (escaped; the characters XML cannot hold
    left out). `value` has been through `_cell` (or was made safe where it was made)."""
    kind = type(value)
    if kind is str:
        if _PLAIN.fullmatch(value):
            return f'<c t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
    elif (kind is int or kind is float or kind is Decimal) or (
        isinstance(value, int | float) and not isinstance(value, bool)
    ):
        return f"<c><v>{value}</v></c>"
    text = _NOT_XML.sub("", str(value))
    if not text:
        return "<c/>"
    text = escape(text, {"\r": "&#13;"})  # a bare CR would be read back as a line feed
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


# Text that goes into the sheet as it is: nothing to escape or leave out (most cells).
_PLAIN = re.compile("[^<>&\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]+")


_NS = "http://schemas.openxmlformats.org/"
_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_NS}package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_NS}package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{_NS}officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_NS}package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{_NS}officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
_WORKBOOK = (
    f'<workbook xmlns="{_NS}spreadsheetml/2006/main" '
    f'xmlns:r="{_NS}officeDocument/2006/relationships"><sheets>'
    '<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _xlsx(lines: Iterable[list[Any]], sheet: str, checked: bool) -> Iterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, xml in _PARTS.items():
            book.writestr(name, _DECLARATION + xml)
        # A sheet name: at most 31 characters, none of []:*?/\, no apostrophe at either end.
        name = _NOT_XML.sub("", "".join(c for c in sheet if c not in "[]:*?/\\"))
        name = name.strip("'")[:31].strip("'") or "Blad1"
        name = escape(name, {'"': "&quot;"})
        book.writestr("xl/workbook.xml", _DECLARATION + _WORKBOOK.format(name=name))
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(
                (
                    _DECLARATION + f'<worksheet xmlns="{_NS}spreadsheetml/2006/main"><sheetData>'
                ).encode()
            )
            rows: list[str] = []
            for line in lines:
                cells = line if checked else [defused(v) for v in line]
                rows.append("<row>" + "".join([_xml_cell(v) for v in cells]) + "</row>")
                if len(rows) == BATCH:
                    part.write("".join(rows).encode())
                    rows = []
                    yield pipe.empty()
            part.write(("".join(rows) + "</sheetData></worksheet>").encode())
    yield pipe.empty()


def xlsx_response(
    lines: Iterable[list[Any]], filename: str, sheet: str = "", *, checked: bool = False
) -> StreamingHttpResponse:
    """`checked`: as for `csv_response`."""
    response = StreamingHttpResponse(
        _closing(lines, _xlsx(lines, sheet or _("Report"), checked)), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def response(kind: str, lines: Iterable[list[Any]], filename: str, *, checked: bool = False) -> Any:
    if kind == "csv":
        return csv_response(lines, filename, checked=checked)
    return xlsx_response(lines, filename, checked=checked)
