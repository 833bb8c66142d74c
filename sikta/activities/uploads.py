"""Checking uploaded minutes, and serving them back.

Only PDF, Word (.docx), OpenDocument text (.odt) and plain text are taken, and only when the
content is what the name says: the browser's content type is never trusted, the type we store
and serve comes from our own allow-list.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.utils.translation import gettext as _

# The largest file taken, unless settings.SIKTA_MINUTES_MAX_BYTES says otherwise.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
# Extension → the content type stored and served. Nothing else is accepted or served.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": DOCX,
    ".odt": ODT,
    ".txt": "text/plain; charset=utf-8",
}
SERVED_TYPES = frozenset(CONTENT_TYPES.values())


def max_bytes() -> int:
    return int(getattr(settings, "SIKTA_MINUTES_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content: bytes
    content_type: str
    size: int
    sha256: str


def clean_filename(name: str) -> str:
    """The file's own name: no folders, no control characters, at most 255 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    )
    base = base.strip().strip(".") or "anteckningar"
    if len(base) > 255:
        stem, dot, ext = base.rpartition(".")
        base = f"{stem[: 255 - len(ext) - 1]}.{ext}" if dot and len(ext) < 10 else base[:255]
    return base


def _is_docx(content: bytes) -> bool:
    names = _zip_names(content)
    return names is not None and {"[Content_Types].xml", "word/document.xml"} <= names


def _is_odt(content: bytes) -> bool:
    if _zip_names(content) is None:
        return False
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        try:
            with archive.open("mimetype") as entry:
                return entry.read(100).strip() == ODT.encode()
        except (KeyError, zipfile.BadZipFile, RuntimeError, OSError, ValueError):
            return False


def _zip_names(content: bytes) -> set[str] | None:
    if not content.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# What a browser that guesses the type from the content (ignoring the type we send) looks for
# at the start of a file to render it as a web page. A PDF or text file that starts like one is
# refused: whatever it is, it is not plain minutes, and it must not become a page on our site.
MARKUP_SIGNS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<object",
    b"<embed",
)


def _looks_like_markup(content: bytes) -> bool:
    start = content[:1024].lower()
    return any(sign in start for sign in MARKUP_SIGNS)


SNIFFERS = {
    ".pdf": lambda content: content.startswith(b"%PDF-"),
    ".docx": _is_docx,
    ".odt": _is_odt,
    ".txt": _is_text,
}


def check_upload(upload: UploadedFile) -> CheckedFile:
    """The upload as we will keep it, or ValidationError saying in plain words what is wrong."""
    filename = clean_filename(upload.name or "")
    extension = PurePosixPath(filename).suffix.lower()
    if extension not in CONTENT_TYPES:
        raise ValidationError(
            _(
                "“%(name)s” cannot be kept: upload minutes as PDF, Word (.docx), "
                "OpenDocument (.odt) or text (.txt)."
            )
            % {"name": filename},
            code="extension",
        )
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)s MB: make it smaller, or split it.")
            % {"name": filename, "mb": megabytes(limit)},
            code="size",
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)s MB: make it smaller, or split it.")
            % {"name": filename, "mb": megabytes(limit)},
            code="size",
        )
    if not content:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": filename}, code="empty")
    if not SNIFFERS[extension](content) or (
        extension in (".pdf", ".txt") and _looks_like_markup(content)
    ):
        raise ValidationError(
            _(
                "“%(name)s” is not what its name says: its content is not a %(kind)s file. "
                "Save it again as %(kind)s and upload it once more."
            )
            % {"name": filename, "kind": extension[1:].upper()},
            code="content",
        )
    return CheckedFile(
        filename=filename,
        content=content,
        content_type=CONTENT_TYPES[extension],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def megabytes(limit: int | None = None) -> str:
    """The limit in MB the Swedish way: 10, 2,5."""
    value = (max_bytes() if limit is None else limit) / (1024 * 1024)
    return f"{value:g}".replace(".", ",")


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the real one per RFC 5987/6266."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(c if c.isalnum() or c in " ._-()" else "_" for c in ascii_name).strip()
    return (
        f'attachment; filename="{ascii_name or "anteckningar"}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


def download_response(*, content: bytes, filename: str, content_type: str) -> HttpResponse:
    """The file as an attachment, never rendered in the browser, typed only from our list."""
    served_type = content_type if content_type in SERVED_TYPES else "application/octet-stream"
    response = HttpResponse(bytes(content), content_type=served_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Its own policy, replacing the site's: nothing loads, nothing runs, nothing frames it.
    response["Content-Security-Policy"] = (
        "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(content))
    return response
