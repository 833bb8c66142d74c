"""File uploads: the minutes of the activity plan are the only upload, and the only files kept
are what their names say; they come back only as downloads, and only to those who may read.

(tests/activities/test_minutes.py tests the minutes' checks through the upload form in detail;
here every way in takes the same hostile files, and the answers are looked at as an attacker
would.)

- Every form that takes files (planning, changing, marking as held, uploading) refuses an .exe
  or a web page named .pdf, a PDF that starts as a web page, a web page named .txt, an SVG, an
  empty file and one over the size limit: 400, the error next to the file field, and nothing
  written to the database;
- a refused file is never echoed back into the page;
- only those who may change the activity upload, and the rest are refused without a write;
- a kept file is served as an attachment, with a type from our list whatever the browser said,
  nosniff, a sandboxing CSP of its own, no-store, a filename that cannot break the header —
  and only to the roles MATRIX lets read the activity plan.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sikta.activities.models import Activity, Minutes
from tests.access.test_url_matrix import MATRIX, OK, outcome
from tests.conftest import ALL_PERSONAS, Personas
from tests.security.support import body, directives, header_problems, writes

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
SCRIPT = b"<script>alert(document.cookie)</script>"

HOSTILE = {
    "exe named .pdf": ("protokoll.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50),
    "web page named .pdf": ("protokoll.pdf", b"<!DOCTYPE html><html><body>" + SCRIPT),
    "PDF/HTML polyglot": ("protokoll.pdf", b"%PDF-1.4\n<html><body>" + SCRIPT + b"\n%%EOF"),
    "web page named .txt": ("protokoll.txt", b"<html>" + SCRIPT + b"</html>"),
    "SVG named .txt": ("protokoll.txt", b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT),
    "an .html file": ("protokoll.html", b"<html>" + SCRIPT),
    "an .svg file": ("protokoll.svg", b"<svg>" + SCRIPT + b"</svg>"),
    "empty": ("protokoll.pdf", b""),
    "too large": ("protokoll.pdf", PDF + b"0" * 2000),
}
LIMIT = 1000  # bytes: SIKTA_MINUTES_MAX_BYTES for these tests


@pytest.fixture
def meeting(personas: Personas) -> Activity:
    sodra = personas.samordnare_sodra.lansdel
    return sodra.activities.create(
        insats=sodra.insats, kind="styrgrupp_lokal", planned_date="2026-03-10"
    )


def _activity_fields(personas: Personas) -> dict[str, Any]:
    """A complete, valid activity form: only the file can be wrong."""
    return {
        "kind": "styrgrupp_lokal",
        "lansdel": personas.samordnare_sodra.lansdel.pk,
        "title": "Lokal styrgrupp",
        "planned_date": "2026-03-10",
        "status": "held",
        "held_date": "2026-03-10",
        "place": "Nyköping",
        "note": "",
    }


def _ways_in(personas: Personas, meeting: Activity) -> dict[str, tuple[str, str, dict]]:
    """name: (URL, file field, the other fields of the form, all valid)."""
    fields = _activity_fields(personas)
    return {
        "plan an activity": ("/aktivitetsplan/ny/", "minutes", fields),
        "change an activity": (f"/aktivitetsplan/{meeting.pk}/andra/", "minutes", fields),
        "mark as held": (
            f"/aktivitetsplan/{meeting.pk}/genomford/",
            "held-minutes",
            {"held-held_date": "2026-03-10"},
        ),
        "upload": (f"/aktivitetsplan/{meeting.pk}/anteckningar/", "upload-minutes", {}),
    }


def test_the_valid_forms_are_valid(personas: Personas, meeting: Activity, settings: Any) -> None:
    """The forms below differ from an accepted one by their file only."""
    client = personas.client("samordnare_sodra")
    for way, (url, field, data) in _ways_in(personas, meeting).items():
        upload = SimpleUploadedFile("protokoll.pdf", PDF, "application/pdf")
        response = client.post(url, {**data, field: upload})
        assert response.status_code == 302, (way, response.status_code)
    assert Minutes.objects.count() == 4


@pytest.mark.parametrize("what", sorted(HOSTILE))
def test_hostile_files_are_refused_everywhere(
    personas: Personas, meeting: Activity, settings: Any, what: str
) -> None:
    settings.SIKTA_MINUTES_MAX_BYTES = LIMIT
    name, content = HOSTILE[what]
    client = personas.client("samordnare_sodra")
    meeting_before = Activity.objects.values().get(pk=meeting.pk)
    for way, (url, field, data) in _ways_in(personas, meeting).items():
        # The browser's type is the attacker's to choose: claim the harmless one.
        upload = SimpleUploadedFile(name, content, content_type="application/pdf")
        with writes() as wrote:
            response = client.post(url, {**data, field: upload})
        assert response.status_code == 400, (way, response.status_code)
        page = body(response).decode()
        assert f'id="id_{field}_error"' in page, way  # the message is at the file field
        error = re.search(rf'id="id_{field}_error"[^>]*>(.*?)</', page, re.DOTALL)
        assert error and error.group(1).strip(), way
        if what != "empty":  # Django's own words for that: "The submitted file is empty."
            assert name in error.group(1), (way, error.group(1))
        assert "alert(document.cookie)" not in page, way  # the content is never echoed
        assert not wrote, (way, wrote)
    assert not Minutes.objects.exists()
    assert Activity.objects.count() == 1
    assert Activity.objects.values().get(pk=meeting.pk) == meeting_before


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_only_managers_upload(personas: Personas, meeting: Activity, persona: str) -> None:
    client = personas.client(persona)
    upload = SimpleUploadedFile("protokoll.pdf", PDF, "application/pdf")
    with writes() as wrote:
        response = client.post(
            f"/aktivitetsplan/{meeting.pk}/anteckningar/", {"upload-minutes": upload}
        )
    # MATRIX: the leads, and the samordnare of the meeting's länsdel, manage it.
    may = MATRIX["activity_edit"][1][persona] == OK
    if may:
        assert response.status_code == 302
        assert Minutes.objects.count() == 1
    else:
        assert response.status_code in (403, 404) or response["Location"].startswith(
            "/konto/logga-in/"
        )
        assert not wrote and not Minutes.objects.exists()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_kept_files_are_downloads_for_readers_only(
    personas: Personas, meeting: Activity, persona: str
) -> None:
    # Uploaded as a browser claiming HTML: what we serve comes from our list.
    personas.client("samordnare_sodra").post(
        f"/aktivitetsplan/{meeting.pk}/anteckningar/",
        {"upload-minutes": SimpleUploadedFile("Protokoll mars.txt", b"Mote.\n", "text/html")},
    )
    kept = Minutes.objects.get()
    response = personas.client(persona).get(f"/aktivitetsplan/{meeting.pk}/anteckningar/{kept.pk}/")
    assert outcome(response) == MATRIX["activity_minutes"][1][persona]
    if response.status_code != 200:
        assert b"Mote." not in body(response)
        return
    assert body(response) == b"Mote.\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    policy = directives(response["Content-Security-Policy"])
    assert "sandbox" in policy and policy["default-src"] == ["'none'"]
    assert not header_problems(response)


def test_a_filename_cannot_break_the_header(personas: Personas, meeting: Activity) -> None:
    """A name with quotes, a semicolon and line breaks (stored as is, not via the form)."""
    kept = Minutes.objects.create(
        activity=meeting,
        content=PDF,
        filename='a"; filename="x.html\r\nSet-Cookie: stulen=1\r\n.pdf',
        content_type="application/pdf",
        size=len(PDF),
    )
    response = personas.client("styrgrupp").get(
        f"/aktivitetsplan/{meeting.pk}/anteckningar/{kept.pk}/"
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    ascii_name = re.match(
        r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)$', disposition
    )
    assert ascii_name, disposition
    assert "Set-Cookie" not in response.headers and not response.cookies.get("stulen")


def test_the_minutes_are_the_only_upload() -> None:
    """If another view starts taking files, it must be looked at (and tested here)."""
    signs = re.compile(r"request\.FILES|forms\.FileField|forms\.ImageField|models\.FileField")
    found = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "sikta").rglob("*.py")
        if "migrations" not in path.parts and signs.search(path.read_text(encoding="utf-8"))
    )
    assert found == [
        "sikta/activities/forms.py",
        "sikta/activities/views.py",
        "sikta/imports/forms.py",  # the list to import: test_import_refuses_hostile_files
        "sikta/imports/views.py",
    ], found


# The import from Excel reads a list and keeps its cells as text (never the file): besides the
# files above, what could pass for a list.
IMPORT_HOSTILE = {
    **HOSTILE,
    "exe named .xlsx": ("lista.xlsx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50),
    "web page named .csv": ("lista.csv", b"<!DOCTYPE html><html><body>" + SCRIPT),
    "SVG named .csv": ("lista.csv", b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT),
    "too large .csv": ("lista.csv", b"Personnummer;Namn\n" + b"1;a\n" * 500),
}


@pytest.mark.parametrize("what", sorted(IMPORT_HOSTILE))
def test_import_refuses_hostile_files(personas: Personas, settings: Any, what: str) -> None:
    settings.SIKTA_IMPORT_MAX_BYTES = LIMIT
    name, content = IMPORT_HOSTILE[what]
    client = personas.client("samordnare_sodra")
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    with writes() as wrote:
        response = client.post("/importera/", {"kind": "deltagare", "file": upload})
    assert response.status_code == 400, response.status_code
    page = body(response).decode()
    error = re.search(r'id="id_file_error"[^>]*>(.*?)</ul>', page, re.DOTALL)
    assert error and error.group(1).strip()
    if what != "empty":
        assert name in error.group(1), error.group(1)
    assert "alert(document.cookie)" not in page  # the content is never echoed
    assert not wrote, wrote
