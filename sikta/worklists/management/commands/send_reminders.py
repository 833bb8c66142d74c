from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sikta.worklists.digest import send_digests


class Command(BaseCommand):
    help = (
        "E-mail each coach, koordinator and samordnare a digest of reminders (counts and a "
        "link, no names). Run it from cron, e.g. every Monday morning."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"reminder e-mails sent: {send_digests()}")
