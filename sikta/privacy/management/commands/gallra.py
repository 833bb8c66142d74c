"""Gallring from cron: list, or with --execute remove, closed participants past retention.

manage.py gallra                 # dry run: what would go (participant number, dates)
manage.py gallra --execute       # remove them; each in its own transaction
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from sikta.privacy.retention import (
    participant_remove,
    participants_due,
    retention_due,
    retention_years,
)


class Command(BaseCommand):
    help = (
        "Remove closed participants whose last entry is older than the programme's retention "
        "time (rounded to the end of the following year). Without --execute, only lists them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--execute", action="store_true", help="Remove; default: dry run.")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="The day to count from (YYYY-MM-DD)."
        )

    def handle(
        self, *args: Any, execute: bool = False, today: dt.date | None = None, **options: Any
    ) -> None:
        today = today or timezone.localdate()
        years = retention_years()
        # No names: the pk is enough to look a participant up, and the output may be mailed.
        due = list(participants_due(today, years=years).values_list("pk", "last_entry"))
        removed = 0
        for pk, last_entry in due:
            line = f"participant {pk}: last entry {last_entry}, kept until "
            line += f"{retention_due(last_entry, years)}"
            if execute:
                result = participant_remove(
                    participant_pk=pk, today=today, removed_by="manage.py gallra", years=years
                )
                if result is None:
                    continue
                removed += 1
                line += f" – removed (statistics row {result.record.pk})"
            self.stdout.write(line)
        if execute:
            self.stdout.write(f"gallra {today}: {removed} participant(s) removed.")
        else:
            self.stdout.write(
                f"gallra {today}: {len(due)} participant(s) due; dry run, nothing removed "
                "(--execute removes)."
            )
