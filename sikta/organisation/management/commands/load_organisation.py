from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sikta.organisation.loader import OrganisationFileError, load_organisation


class Command(BaseCommand):
    help = "Create or update the organisation (insats, länsdelar, kommuner, …) from a data file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=str(settings.SIKTA_ORGANISATION_FILE),
            help="TOML file (default: Sikta mot arbetslivet)",
        )

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        try:
            report = load_organisation(Path(path))
        except OrganisationFileError as error:
            raise CommandError(str(error)) from error
        for label, counter in (("created", report.created), ("updated", report.updated)):
            for kind, count in sorted(counter.items()):
                self.stdout.write(f"{label}: {count} {kind}")
        for item in report.not_in_file:
            self.stdout.write(self.style.WARNING(f"in the database but not in the file: {item}"))
        if not report.changed:
            self.stdout.write("organisation already up to date")
        else:
            self.stdout.write(self.style.SUCCESS(f"organisation loaded from {path}"))
