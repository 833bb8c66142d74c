"""The sender of reminders: delivers the outbox, round after round, until stopped.

    manage.py send_messages          # long-running (make run starts it; systemd in production)
    manage.py send_messages --once   # one round, e.g. from cron every minute

Safe to restart at any time and to run twice at once: a message is claimed before it is sent,
so none goes out twice; one a stopped sender had claimed is marked "perhaps not sent" for the
caseworker to check, never resent blindly.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from sikta.bookings.services import deliver_due, recover_stale


class Command(BaseCommand):
    help = "Send the reminders and notices that are due (SMS and e-mail)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="One round, then stop.")
        parser.add_argument(
            "--interval",
            type=int,
            default=settings.SIKTA_SENDER_INTERVAL,
            help="Seconds between rounds.",
        )

    def handle(self, *args: Any, once: bool = False, interval: int = 30, **options: Any) -> None:
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        while True:
            stale = recover_stale()
            done = deliver_due()
            if done or stale:
                self.stdout.write(
                    ", ".join(
                        [f"{n} {what}" for what, n in sorted(done.items())]
                        + ([f"{stale} perhaps not sent"] if stale else [])
                    )
                )
            if once or self.stopping:
                return
            for _ in range(interval):
                if self.stopping:
                    return
                time.sleep(1)
            # Between rounds, not before the first: a connection the database dropped while
            # the sender slept is replaced (and a caller's open transaction is left alone).
            close_old_connections()

    def _stop(self, *args: Any) -> None:
        self.stopping = True
