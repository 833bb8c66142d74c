"""Portable backups: every table as Django JSON, gzip-compressed, with a manifest.

The same file restores into SQLite or PostgreSQL (and from one into the other). Primary keys are
kept as they are, so the audit log's links to removed participants and users, and its hash
chain, come back unchanged. Content types and permissions are in the file too, with their keys:
they are derived rows that `migrate` recreates, so a restore replaces them with the saved ones
rather than matching them by natural key (which fails on audit rows whose user is gone).

File layout: line 1 is the manifest (JSON); the rest is a Django JSON fixture, as `dumpdata`
writes but with times to the microsecond (the audit hash chain covers them).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

FORMAT = "sikta-backup/1"
# Logins in progress: not worth restoring, and a restored session would log someone in.
EXCLUDED = ["sessions"]
# Rows `migrate` makes by itself; an otherwise empty database has them.
DERIVED: tuple[type[models.Model], ...] = (ContentType, Permission)


class BackupError(Exception):
    pass


@dataclass
class Manifest:
    created_at: str
    counts: dict[str, int]
    sha256: str
    database: str = ""
    format: str = FORMAT

    def as_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in EXCLUDED and not model._meta.proxy and model._meta.managed
    ]


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


class _Encoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; the audit chain needs them as stored."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _serialize(using: str, file: IO[bytes]) -> dict[str, int]:
    """Write every table as one JSON list of Django's fixture objects; return counts."""
    counts: dict[str, int] = {}
    ordered = serializers.sort_dependencies(
        [(None, [m for m in _models() if not m._meta.auto_created])], allow_cycles=True
    )
    file.write(b"[")
    first = True
    for model in ordered:
        rows = model._base_manager.using(using).order_by(model._meta.pk.name)
        count = 0
        for obj in serializers.serialize("python", rows.iterator(chunk_size=2000)):
            file.write((b"" if first else b",\n") + json.dumps(obj, cls=_Encoder).encode())
            first, count = False, count + 1
        counts[_label(model)] = count
    file.write(b"]\n")
    return counts


def backup_write(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Write the whole database to `path`; read in one transaction, so the copy is consistent."""
    with tempfile.TemporaryFile() as data:
        with transaction.atomic(using=using):
            counts = _serialize(using, data)
        data.seek(0)
        digest = hashlib.sha256()
        while chunk := data.read(1 << 20):
            digest.update(chunk)
        manifest = Manifest(
            created_at=timezone.now().isoformat(),
            counts=counts,
            sha256=digest.hexdigest(),
            database=connections[using].vendor,
        )
        data.seek(0)
        with gzip.open(path, "wb") as file:
            file.write(manifest.as_json().encode() + b"\n")
            shutil.copyfileobj(data, file)
    return manifest


def backup_read(path: Path) -> tuple[Manifest, bytes]:
    """The manifest and the data of a backup file, after checking the data against it."""
    with gzip.open(path, "rb") as file:
        head = file.readline()
        data = file.read()
    try:
        fields: dict[str, Any] = json.loads(head)
        manifest = Manifest(**fields)
    except (ValueError, TypeError) as error:
        raise BackupError(f"{path} is not a Sikta backup") from error
    if manifest.format != FORMAT:
        raise BackupError(f"unknown backup format {manifest.format!r}")
    if hashlib.sha256(data).hexdigest() != manifest.sha256:
        raise BackupError("the data does not match the manifest's checksum: the file is damaged")
    return manifest, data


def nonempty_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    return [
        _label(model)
        for model in _models()
        if model not in DERIVED
        and not model._meta.auto_created
        and model._base_manager.using(using).exists()
    ]


def backup_restore(path: Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Load a backup into a migrated database, in one transaction, and check the counts.

    Refuses a database with data in it unless `force`; then rows with the same keys are
    overwritten (which the append-only audit table refuses, by design).
    """
    manifest, data = backup_read(path)
    if not force and (tables := nonempty_tables(using)):
        raise BackupError(f"the database is not empty ({', '.join(tables[:5])} …); use --force")
    with tempfile.TemporaryDirectory() as tmp:
        fixture = Path(tmp) / "backup.json"
        fixture.write_bytes(data)
        with transaction.atomic(using=using):
            # Recreated by migrate with keys of its own; the saved ones are what rows point to.
            Permission.objects.using(using).all().delete()
            ContentType.objects.using(using).all().delete()
            # loaddata checks the foreign keys and resets PostgreSQL's sequences itself.
            call_command("loaddata", str(fixture), database=using, verbosity=0)
            wrong = {
                label: (expected, actual)
                for label, expected in manifest.counts.items()
                if (actual := apps.get_model(label)._base_manager.using(using).count()) != expected
                and not force
            }
            if wrong:
                raise BackupError(f"counts differ after loading (expected, found): {wrong}")
    ContentType.objects.clear_cache()
    return manifest
