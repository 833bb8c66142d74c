from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sikta.privacy.backup import BackupError, backup_restore
from sikta.privacy.management.commands.backup import NATIVE


class Command(BaseCommand):
    help = (
        "Load a file written by `backup` into a migrated, empty database (run `migrate` "
        "first), then check every table's count against the manifest." + NATIVE
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", type=Path, required=True)
        parser.add_argument(
            "--force", action="store_true", help="Load even if the database has data."
        )

    def handle(self, *args: Any, input: Path, force: bool = False, **options: Any) -> None:
        try:
            manifest = backup_restore(input, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        total = sum(manifest.counts.values())
        self.stdout.write(
            f"restored {input}: {total} rows from {manifest.created_at}, counts match"
        )
