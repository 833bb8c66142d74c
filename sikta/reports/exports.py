"""Exports that stream: memory stays flat however many rows there are.

CSV is written line by line into the response. Excel cannot be streamed as it is written (the
file is a zip), so openpyxl's write-only workbook writes to a temporary file on disk, which is
then streamed out and removed.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    """Numbers stay numbers; text that a spreadsheet would run as a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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


def csv_response(lines: Iterable[list[Any]], filename: str) -> StreamingHttpResponse:
    # Semicolons and a byte-order mark: what Swedish Excel expects when the file is opened.
    writer = csv.writer(_Echo(), delimiter=";")

    def stream() -> Iterable[str]:
        try:
            yield "\ufeff"
            for line in lines:
                yield writer.writerow([_cell(v) for v in line])
        finally:
            close = getattr(lines, "close", None)
            if close is not None:  # a generator cut off: let it finish (and log) now
                close()

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(lines: Iterable[list[Any]], filename: str, sheet: str = "") -> FileResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    page = book.create_sheet(sheet or _("Report"))
    for line in lines:
        page.append([_cell(v) for v in line])
    # Removed when the response is closed, after the last byte is sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    book.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX)


def response(kind: str, lines: Iterable[list[Any]], filename: str) -> Any:
    return csv_response(lines, filename) if kind == "csv" else xlsx_response(lines, filename)
