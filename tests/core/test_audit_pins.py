"""scripts/audit_pins.py fails the build for a vulnerable pin.

The real vulnerability databases are out of reach from this network, so a local server
speaking the OSV query API stands in for one and reports a vulnerability in our Django pin.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADVISORY = {
    "id": "GHSA-test-0000-0000",
    "summary": "A made-up vulnerability for this test",
    "details": "Not real.",
    "aliases": ["CVE-0000-00000"],
    "affected": [
        {
            "package": {"name": "django", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
        }
    ],
}


class OSV(BaseHTTPRequestHandler):
    vulnerable = "django"

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = query["package"]["name"].lower()
        body = json.dumps({"vulns": [ADVISORY]} if name == self.vulnerable else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def osv_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), OSV)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    server.shutdown()


def audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/audit_pins.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_vulnerable_pin_fails_the_audit(osv_url: str) -> None:
    result = audit("--vulnerability-service", "osv", "--osv-url", osv_url)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "VULNERABLE django==" in result.stdout
    assert "GHSA-test-0000-0000" in result.stdout


def test_clean_pins_pass_and_every_pin_is_audited(osv_url: str) -> None:
    OSV.vulnerable = "no-such-package"
    try:
        result = audit("--vulnerability-service", "osv", "--osv-url", osv_url)
    finally:
        OSV.vulnerable = "django"

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 with known vulnerabilities, 0 not audited" in result.stdout
