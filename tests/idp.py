"""Start the local identity providers (devidp) as processes of their own on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60.0
IDENTITIES = REPO_ROOT / "devidp" / "identities.json"


def password_of(username: str) -> str:
    """The (fictional) password of one of the local IdPs' people."""
    people = json.loads(IDENTITIES.read_text(encoding="utf-8"))["people"]
    return str(next(p["password"] for p in people if p["username"] == username))


@contextmanager
def running(module: str, *args: str, log: Path) -> Iterator[str]:
    """`python -m devidp.<module> --port 0 …` until it says "ready: … on URL"; yields the URL."""
    with log.open("w+") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", f"devidp.{module}", "--port", "0", *args],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
        )
        try:
            assert process.stdout is not None
            deadline = time.monotonic() + START_TIMEOUT
            line = ""
            while time.monotonic() < deadline and "ready:" not in line:
                line = process.stdout.readline()
                if not line and process.poll() is not None:
                    out.seek(0)
                    pytest.fail(f"devidp.{module} exited {process.returncode}:\n{out.read()}")
            if "ready:" not in line:
                pytest.fail(f"devidp.{module} did not start within {START_TIMEOUT:.0f} s")
            yield line.rsplit(" on ", 1)[1].strip().rstrip("/")
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """Ask a process to end; kill it after ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
