from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sikta.privacy.backup import backup_write

NATIVE = """
Native alternatives (whole database, faster for large ones; same engine to restore):
  SQLite:     sqlite3 var/sikta.sqlite3 ".backup var/sikta-backup.sqlite3"
  PostgreSQL: pg_dump -Fc -f sikta.dump "$DATABASE_URL"
              pg_restore --no-owner -d "$NEW_DATABASE_URL" sikta.dump
The file holds health data about identified people: store it encrypted, with access logged.
"""


class Command(BaseCommand):
    help = (
        "Write the whole database to a portable, compressed file with a manifest (counts per "
        "table, SHA-256); `restore` loads it into SQLite or PostgreSQL." + NATIVE
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, required=True, help="e.g. sikta.json.gz")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        manifest = backup_write(output)
        total = sum(manifest.counts.values())
        self.stdout.write(f"backup {output}: {total} rows, sha256 {manifest.sha256}")
