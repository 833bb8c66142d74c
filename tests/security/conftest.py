from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_NAMES = [
    "DEBUG",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "SIKTA_REQUIRE_2FA",
]


@pytest.fixture(scope="session")
def production() -> dict[str, Any]:
    """The settings SIKTA_ENV=production gives, read in a process of their own (the test
    process runs the development settings)."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {PRODUCTION_NAMES!r}}}))"
    )
    overrides = {"DEBUG", "SECRET_KEY", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"}
    environment = {k: v for k, v in os.environ.items() if k not in overrides}
    environment.update(
        SIKTA_ENV="production",
        SECRET_KEY="k3y-" + "x7Yq9#pL2!vB8$wN5^tR1&zM4*" * 3,
        ALLOWED_HOSTS="sikta.example.se",
        DJANGO_SETTINGS_MODULE="sikta.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
