from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sikta.surveys.loader import DEFAULT_FILE, InstrumentFileError, load_instruments


class Command(BaseCommand):
    help = "Load survey instruments (and the sub-goals they measure) from a TOML file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_FILE)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            counts = load_instruments(path)
        except InstrumentFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
