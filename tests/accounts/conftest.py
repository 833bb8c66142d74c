"""What the seed_demo tests share: the command run on a fixed day, and DEBUG on (demo logins
are only made then)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

TODAY = "2026-11-23"
MAIN = "sikta-mot-arbetslivet"  # the organisation's own insats; the demo adds a second


def seed(*args: str) -> str:
    """seed_demo on TODAY, without its progress bar; what it printed."""
    out = StringIO()
    call_command(
        "seed_demo", "--no-progress", "--today", TODAY, *args, stdout=out, stderr=StringIO()
    )
    return out.getvalue()


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
