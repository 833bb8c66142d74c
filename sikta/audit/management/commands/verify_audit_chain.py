"""Recompute the audit log's hash chain from its first record (nightly, from cron); keep the result
(the page under Logg shows it, and checks the records written since); exit 1 and name the first
broken link if it is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sikta.audit.chain import save_check, verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and report the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=2000)

    def handle(self, *args: Any, chunk_size: int, **options: Any) -> None:
        report = verify_chain(chunk_size=chunk_size)
        save_check(report, complete=True)
        if report.ok:
            self.stdout.write(f"OK: {report.count} records")
            return
        at = report.broken_at.isoformat() if report.broken_at else "?"
        raise CommandError(
            f"BROKEN at record pk={report.broken_pk} ({at}): {report.problem}: {report.message}; "
            f"{report.count} records before it verified",
            returncode=1,
        )
