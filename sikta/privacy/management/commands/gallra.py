"""Gallring from cron: list, or with --execute remove, closed participants past retention.

manage.py gallra                              # dry run: what would go, by controller
manage.py gallra --execute                    # remove them; each in its own transaction
manage.py gallra --controller region-sormland # one controller's records only

Each record is kept for its controller's time (the member party that is personuppgiftsansvarig
for it keeps its records by its own document management plan), else for its insats's.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sikta.organisation.models import MemberParty
from sikta.privacy.retention import participant_remove, participants_due, retention_due


class Command(BaseCommand):
    help = (
        "Remove closed participants whose last entry is older than their controller's (or "
        "programme's) retention time, rounded to the end of the following year. Without "
        "--execute, only lists them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--execute", action="store_true", help="Remove; default: dry run.")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="The day to count from (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--controller", help="Only the records of this member party (its code)."
        )

    def handle(
        self,
        *args: Any,
        execute: bool = False,
        today: dt.date | None = None,
        controller: str | None = None,
        **options: Any,
    ) -> None:
        today = today or timezone.localdate()
        party = None
        if controller:
            party = MemberParty.objects.filter(code=controller).first()
            if party is None:
                raise CommandError(f"No member party with the code {controller!r}.")
        # No names: the pk is enough to look a participant up, and the output may be mailed.
        due = list(
            participants_due(today, controller=party)
            .order_by("controller__name", "last_entry", "pk")
            .values_list("controller__name", "pk", "last_entry", "retention")
        )
        removed = 0
        for name, rows in groupby(due, key=lambda row: row[0]):
            self.stdout.write(f"{name or 'No controller named'}:")
            for _name, pk, last_entry, years in rows:
                line = f"  participant {pk}: last entry {last_entry}, kept {years} years, until "
                line += f"{retention_due(last_entry, years)}"
                if execute:
                    result = participant_remove(
                        participant_pk=pk, today=today, removed_by="manage.py gallra"
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
