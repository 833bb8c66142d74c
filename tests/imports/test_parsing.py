"""Reading the uploaded file: Excel and CSV as Swedish offices write them, and the files that
are refused (with the Swedish message the upload form shows)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from sikta.imports import parsing
from sikta.imports.parsing import read_upload
from tests.imports.support import HEADERS, csv_bytes, dashed, pnr, upload, xlsx

ROW = [dashed(pnr(1)), "Åsa", "Öberg", "Nyköping", "Coachning", "2025-03-01", "Coach", "", ""]


def refusal(content: bytes, name: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        read_upload(upload(content, name))
    return caught.value


def test_xlsx_with_date_cells_and_numbers() -> None:
    content = xlsx(
        [
            [int(pnr(1)), "Åsa", "Öberg", "Nyköping", "Coachning", dt.datetime(2025, 3, 1)],
            [dashed(pnr(2)), "Bo", "Ek", "Trosa", "Coachning", dt.date(2025, 4, 2)],
        ]
    )
    table = read_upload(upload(content, "lista.xlsx"))
    assert table.filename == "lista.xlsx"
    assert table.headers == HEADERS
    assert [row["n"] for row in table.rows] == [2, 3]
    first = table.rows[0]["cells"]
    assert first[0] == pnr(1)  # a number cell: all its digits, no ".0"
    assert first[5] == "2025-03-01"  # a date cell as an ISO date
    assert table.rows[1]["cells"][5] == "2025-04-02"
    assert len(first) == len(HEADERS)  # empty cells at the end are kept as ""


def test_xlsx_skips_empty_rows_and_keeps_row_numbers() -> None:
    content = xlsx([ROW, [None] * 9, ROW])
    table = read_upload(upload(content, "lista.xlsx"))
    assert [row["n"] for row in table.rows] == [2, 4]


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [
        (";", "utf-8-sig"),  # Swedish Excel's "CSV UTF-8"
        (";", "cp1252"),  # Swedish Excel's plain "CSV (semikolonavgränsad)"
        (",", "utf-8"),
        (",", "latin-1"),
        ("\t", "utf-16"),  # Excel's "Unicode text"
    ],
)
def test_csv_separators_and_encodings(delimiter: str, encoding: str) -> None:
    content = csv_bytes([ROW], delimiter=delimiter, encoding=encoding)
    table = read_upload(upload(content, "lista.csv"))
    assert table.headers == HEADERS
    assert table.rows[0]["cells"][:4] == [dashed(pnr(1)), "Åsa", "Öberg", "Nyköping"]


def test_csv_quoted_cells_with_the_separator() -> None:
    content = csv_bytes([[*ROW[:3], "Nyköping; centrum", *ROW[4:]]])
    table = read_upload(upload(content, "lista.csv"))
    assert table.rows[0]["cells"][3] == "Nyköping; centrum"


def test_control_characters_and_spaces_are_cleaned() -> None:
    content = csv_bytes([[" 19880101-1234 ", "Åsa\x07", "Öberg   Lind", *ROW[3:]]])
    cells = read_upload(upload(content, "lista.csv")).rows[0]["cells"]
    assert cells[:3] == ["19880101-1234", "Åsa", "Öberg Lind"]


def test_separator_guess() -> None:
    assert parsing.separator("a;b;c\n1;2;3") == ";"
    assert parsing.separator("a,b,c") == ","
    assert parsing.separator("a\tb") == "\t"
    assert parsing.separator('"a;b",c,d') == ","  # inside quotes does not count
    assert parsing.separator("ensam") == ";"


@pytest.mark.parametrize(
    ("name", "content", "code", "says"),
    [
        ("lista.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "format", "Excel-arbetsbok (.xlsx)"),
        ("lista.pdf", b"%PDF-1.4", "extension", "Excelfil (.xlsx) eller en CSV-fil"),
        ("lista.xlsx", b"MZ\x90\x00" + b"\x00" * 100, "content", "inte en giltig XLSX-fil"),
        ("lista.xlsx", b"PK\x03\x04 not really a zip", "content", "inte en giltig XLSX-fil"),
        ("lista.csv", b"<!DOCTYPE html><html><script>alert(1)</script>", "content", "CSV"),
        ("lista.csv", b"MZ\x00\x00\x00binary", "content", "inte en giltig CSV-fil"),
        ("lista.csv", b"", "empty", "är tom"),
        ("lista.csv", "Personnummer;Förnamn\n".encode(), "no_rows", "inga rader"),
    ],
)
def test_refused_files(name: str, content: bytes, code: str, says: str) -> None:
    error = refusal(content, name)
    assert error.code == code
    assert says in error.message % (error.params or {})


def test_a_docx_named_xlsx_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert refusal(out.getvalue(), "lista.xlsx").code == "content"


def test_a_zip_that_unpacks_too_far_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "MAX_UNPACKED", 10_000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 50_000)
    assert refusal(out.getvalue(), "lista.xlsx").code == "content"


def test_a_broken_workbook_is_unreadable() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "this is not xml")
    error = refusal(out.getvalue(), "lista.xlsx")
    assert error.code == "unreadable"
    assert "kunde inte läsas" in error.message


def test_size_and_row_limits(settings) -> None:
    settings.SIKTA_IMPORT_MAX_BYTES = 200
    big = csv_bytes([ROW] * 10)
    error = refusal(big, "lista.csv")
    assert error.code == "size" and "större än" in error.message
    settings.SIKTA_IMPORT_MAX_BYTES = 2_000_000
    settings.SIKTA_IMPORT_MAX_ROWS = 3
    assert refusal(csv_bytes([ROW] * 4), "lista.csv").code == "rows"
    assert len(read_upload(upload(csv_bytes([ROW] * 3), "lista.csv")).rows) == 3


def test_headers_without_a_name_get_the_column_letter() -> None:
    content = csv_bytes([["1", "2", "3"]], headers=["Personnummer", "", "Kommun"])
    table = read_upload(upload(content, "lista.csv"))
    assert table.headers == ["Personnummer", "Kolumn B", "Kommun"]


def test_column_letters() -> None:
    assert [parsing.column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
    ]
