"""A server process settles before its first request: what it made while starting (the URL conf
included) is out of the garbage collector's view."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a process of its own: the freeze is for the rest of a process's life.
PROBE = """
import gc
import sikta.wsgi
frozen = gc.get_freeze_count()
from django.urls import resolve
print(frozen, resolve("/konto/logga-in/").url_name)
"""


def test_the_wsgi_application_freezes_what_it_made_while_starting() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "sikta.settings", "PATH": "/usr/bin:/bin"},
    )
    frozen, login = result.stdout.split()
    # Django's apps, models, URL conf and catalogues: well over 50 000 objects.
    assert int(frozen) > 50_000
    assert login == "login"
