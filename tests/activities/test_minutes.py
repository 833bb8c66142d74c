"""Minutes: only real PDF/DOCX/ODT/TXT within the limit are kept; downloads never render."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sikta.activities.models import Activity, Minutes
from sikta.audit.models import AuditEvent
from sikta.organisation.models import Lansdel
from tests.activities.conftest import MakeActivity
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def meeting(make_activity: MakeActivity) -> Activity:
    return make_activity("styrgrupp_lokal", "2026-03-10", "sodra", held="2026-03-10")


def post_minutes(
    personas: Personas, meeting: Activity, *files: SimpleUploadedFile, who: str = "samordnare_sodra"
):
    return personas.client(who).post(
        f"/aktivitetsplan/{meeting.pk}/anteckningar/", {"upload-minutes": list(files)}
    )


@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("Minnesanteckningar mars.pdf", PDF, "application/pdf"),
        (
            "protokoll.DOCX",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("anteckningar.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("anteckningar.txt", "Möte i Nyköping.\n".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_minutes_are_kept_as_uploaded(
    personas: Personas, meeting: Activity, name: str, content: bytes, stored_type: str
) -> None:
    # The browser's type is ignored: ours comes from the checked file.
    response = post_minutes(personas, meeting, upload(name, content, "text/html"))
    assert response.status_code == 302
    kept = Minutes.objects.get()
    assert (kept.filename, bytes(kept.content), kept.content_type, kept.size) == (
        name,
        content,
        stored_type,
        len(content),
    )
    assert kept.sha256 == hashlib.sha256(content).hexdigest()
    assert kept.uploaded_by == personas.samordnare_sodra.user
    assert kept.uploaded_by_name == personas.samordnare_sodra.full_name
    event = AuditEvent.objects.get(action="activities.manage")
    assert event.detail == {
        "what": "minutes.upload",
        "activity": meeting.pk,
        "minutes": kept.pk,
        "filename": name,
        "size": len(content),
        "sha256": kept.sha256,
    }
    assert event.username == "samordnare_sodra"


def test_several_files_at_once(personas: Personas, meeting: Activity) -> None:
    response = post_minutes(personas, meeting, upload("a.pdf", PDF), upload("b.txt", b"ok"))
    assert response.status_code == 302
    assert sorted(Minutes.objects.values_list("filename", flat=True)) == ["a.pdf", "b.txt"]
    assert AuditEvent.objects.filter(action="activities.manage").count() == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("program.exe", b"MZ\x90\x00\x03"),
        ("sida.html", b"<html><script>alert(1)</script></html>"),
        ("bild.png", b"\x89PNG\r\n\x1a\n"),
        ("utan-filandelse", PDF),
        ("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),  # a renamed .exe
        ("sida.pdf", b"<!DOCTYPE html><html><body>%PDF-</body></html>"),  # HTML as PDF
        ("arkiv.docx", zipped({"evil.exe": b"MZ"})),  # a zip, but no Word document
        ("arkiv.odt", DOCX),  # a Word document named .odt
        ("program.docx", b"MZ\x90\x00"),
        ("binar.txt", b"text\x00with a NUL"),
        ("latin1.txt", "Möte".encode("latin-1")),
        ("tom.pdf", b""),
    ],
)
def test_other_files_are_refused_by_the_field(
    personas: Personas, meeting: Activity, name: str, content: bytes
) -> None:
    response = post_minutes(personas, meeting, upload(name, content))
    assert response.status_code == 400
    errors = response.context["minutes_form"].errors["minutes"]
    assert errors and name in errors[0] or name == "tom.pdf"
    body = response.content.decode()
    assert 'id="id_upload-minutes_error"' in body
    assert 'aria-invalid="true"' in body
    assert not Minutes.objects.exists()
    assert not AuditEvent.objects.filter(action="activities.manage").exists()


def test_one_bad_file_keeps_none(personas: Personas, meeting: Activity) -> None:
    response = post_minutes(personas, meeting, upload("a.pdf", PDF), upload("b.pdf", b"MZ\x90\x00"))
    assert response.status_code == 400
    assert not Minutes.objects.exists()


def test_nothing_chosen(personas: Personas, meeting: Activity) -> None:
    response = post_minutes(personas, meeting)
    assert response.status_code == 400
    assert response.context["minutes_form"].errors["minutes"]


def test_the_size_limit(personas: Personas, meeting: Activity, settings) -> None:
    settings.SIKTA_MINUTES_MAX_BYTES = 1000
    exactly = PDF + b" " * (1000 - len(PDF))
    assert post_minutes(personas, meeting, upload("ok.pdf", exactly)).status_code == 302
    response = post_minutes(personas, meeting, upload("stor.pdf", exactly + b" "))
    assert response.status_code == 400
    assert "stor.pdf" in response.context["minutes_form"].errors["minutes"][0]
    assert list(Minutes.objects.values_list("filename", flat=True)) == ["ok.pdf"]


def test_the_default_limit_is_ten_megabytes(personas: Personas, meeting: Activity) -> None:
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = post_minutes(personas, meeting, upload("stor.pdf", big))
    assert response.status_code == 400
    assert "10 MB" in response.context["minutes_form"].errors["minutes"][0]


def test_a_refused_file_on_the_form_keeps_what_was_typed(personas: Personas) -> None:
    data = {
        "kind": "styrgrupp_lokal",
        "lansdel": Lansdel.objects.get(slug="sodra").pk,
        "title": "Extra möte om samverkan",
        "planned_date": "2026-03-10",
        "status": "held",
        "held_date": "2026-03-10",
        "place": "Gnesta kommunhus",
        "note": "Kort anteckning",
        "minutes": upload("program.pdf", b"MZ\x90\x00"),
    }
    response = personas.client("samordnare_sodra").post("/aktivitetsplan/ny/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["minutes"]
    body = response.content.decode()
    assert 'id="id_minutes_error"' in body
    for typed in ("Extra möte om samverkan", "Gnesta kommunhus", "Kort anteckning", "2026-03-10"):
        assert typed in body
    assert not Activity.objects.exists()
    # With a good file the meeting and its minutes are saved together.
    data["minutes"] = upload("mars.pdf", PDF)
    assert personas.client("samordnare_sodra").post("/aktivitetsplan/ny/", data).status_code == 302
    assert Activity.objects.get().minutes.get().filename == "mars.pdf"


def test_marking_held_with_minutes(personas: Personas, make_activity: MakeActivity) -> None:
    meeting = make_activity("styrgrupp_lokal", "2026-03-10", "sodra")
    response = personas.client("samordnare_sodra").post(
        f"/aktivitetsplan/{meeting.pk}/genomford/",
        {"held-held_date": "2026-03-10", "held-minutes": [upload("mars.pdf", PDF)]},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.minutes.count() == 1


def test_download_headers(personas: Personas, meeting: Activity) -> None:
    post_minutes(personas, meeting, upload("Minnesanteckningar å mars.pdf", PDF))
    kept = Minutes.objects.get()
    for persona in ("styrgrupp", "utvarderare", "coach_sodra", "samordnare_norra"):
        response = personas.client(persona).get(
            f"/aktivitetsplan/{meeting.pk}/anteckningar/{kept.pk}/"
        )
        assert response.status_code == 200
        assert response.content == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert 'filename="Minnesanteckningar a mars.pdf"' in disposition
        assert "filename*=UTF-8''Minnesanteckningar%20%C3%A5%20mars.pdf" in disposition


def test_a_stored_type_outside_the_list_is_served_as_bytes(
    personas: Personas, meeting: Activity
) -> None:
    kept = Minutes.objects.create(
        activity=meeting, content=b"<html>", filename="x.pdf", content_type="text/html", size=6
    )
    response = personas.client("styrgrupp").get(
        f"/aktivitetsplan/{meeting.pk}/anteckningar/{kept.pk}/"
    )
    assert response["Content-Type"] == "application/octet-stream"


def test_minutes_belong_to_their_meeting(
    personas: Personas, meeting: Activity, make_activity: MakeActivity
) -> None:
    kept = Minutes.objects.create(
        activity=meeting, content=PDF, filename="a.pdf", content_type="application/pdf", size=1
    )
    other = make_activity("styrgrupp_central", "2026-03-10")
    client = personas.client("styrgrupp")
    assert client.get(f"/aktivitetsplan/{other.pk}/anteckningar/{kept.pk}/").status_code == 404


def test_a_file_names_no_folder(personas: Personas, meeting: Activity) -> None:
    post_minutes(personas, meeting, upload("../../etc/anteckningar.pdf", PDF))
    assert Minutes.objects.get().filename == "anteckningar.pdf"


def test_minutes_are_deleted_and_logged(personas: Personas, meeting: Activity) -> None:
    post_minutes(personas, meeting, upload("fel fil.pdf", PDF))
    kept = Minutes.objects.get()
    url = f"/aktivitetsplan/{meeting.pk}/anteckningar/{kept.pk}/ta-bort/"
    assert personas.client("samordnare_norra").post(url).status_code == 404
    assert personas.client("styrgrupp").post(url).status_code == 403
    assert Minutes.objects.exists()
    response = personas.client("samordnare_sodra").post(url)
    assert response.status_code == 302
    assert not Minutes.objects.exists()
    deleted = AuditEvent.objects.get(detail__what="minutes.delete")
    assert deleted.action == "activities.manage"
    assert deleted.detail["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert deleted.detail["filename"] == "fel fil.pdf"


def test_samordnare_of_another_lansdel_cannot_upload(personas: Personas, meeting: Activity) -> None:
    response = post_minutes(personas, meeting, upload("a.pdf", PDF), who="samordnare_norra")
    assert response.status_code == 404
    response = post_minutes(personas, meeting, upload("a.pdf", PDF), who="styrgrupp")
    assert response.status_code == 403
    assert not Minutes.objects.exists()


def test_the_page_tells_not_to_name_participants(personas: Personas, meeting: Activity) -> None:
    body = personas.client("samordnare_sodra").get(f"/aktivitetsplan/{meeting.pk}/").content
    assert b"do not name participants" in body
    assert b'enctype="multipart/form-data"' in body
