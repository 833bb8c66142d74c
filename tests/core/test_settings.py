"""Production settings: refuse unsafe configuration, and pass `check --deploy` cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "k3y-" + "x7Yq9#pL2!vB8$wN5^tR1&zM4*" * 3


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "SIKTA_ENV", "ALLOWED_HOSTS"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_in_production() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SIKTA_ENV="production",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="sikta.example.se",
        SMS_API_USERNAME="u123",
        SMS_API_PASSWORD="provider-password",  # noqa: S106 — a made-up credential
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_wants_the_sms_providers_credentials() -> None:
    result = manage(
        "check",
        "--deploy",
        SIKTA_ENV="production",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="sikta.example.se",
        SMS_API_USERNAME="",
        SMS_API_PASSWORD="",
    )
    assert result.returncode != 0
    assert "sikta.bookings.E001" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "1", "SECRET_KEY": PRODUCTION_KEY}, "DEBUG"),
        ({}, "SECRET_KEY"),
        (
            {"SECRET_KEY": "sikta-demo-only-secret-key-do-not-use-in-production-0123456789"},
            "SECRET_KEY",
        ),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_unsafely(env: dict[str, str], message: str) -> None:
    result = manage("check", SIKTA_ENV="production", ALLOWED_HOSTS="sikta.example.se", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_development_runs_with_defaults() -> None:
    result = manage("check")
    assert result.returncode == 0, result.stderr


def test_security_headers(client, db) -> None:
    response = client.get("/konto/logga-in/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
