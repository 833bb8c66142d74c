"""Check every pinned dependency against the known-vulnerability database (pip-audit).

Fails when any pin has a known vulnerability. When the database cannot be reached (a closed
network answers "not found" for every package), it says loudly how many pins went unaudited
and passes, unless PIP_AUDIT_STRICT=1, which a release pipeline with internet access sets so
that an unaudited pin fails the build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# One virtualenv each: the application with its tools, and locust for `make load`.
ENVIRONMENTS = [["requirements.txt", "requirements-dev.txt"], ["requirements-load.txt"]]


def audit(files: list[str], extra: list[str]) -> list[dict[str, Any]] | None:
    """pip-audit's report on the pins of `files` (one environment), or None if it failed."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [str(Path(sys.executable).with_name("pip-audit"))]
        for name in files:
            command += ["-r", str(ROOT / name)]
        command += [
            "--no-deps",  # every file pins the whole tree itself
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--aliases",
            "on",
            "--output",
            str(report),
            *extra,
        ]
        # pip-audit exits 1 when it finds a vulnerability; the report says which, so the exit
        # status is not checked here. S603: the command is built above from fixed arguments.
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if not report.exists():
            print(result.stdout + result.stderr, file=sys.stderr)
            return None
        return json.loads(report.read_text())["dependencies"]


def main(extra: list[str]) -> int:
    """Audit the pins; `extra` goes to pip-audit as is (e.g. another vulnerability service)."""
    dependencies = []
    for files in ENVIRONMENTS:
        found = audit(files, extra)
        if found is None:
            return 1
        dependencies += found

    vulnerable = [d for d in dependencies if d.get("vulns")]
    unaudited = [d for d in dependencies if "skip_reason" in d]
    audited = len(dependencies) - len(unaudited)
    for dep in vulnerable:
        ids = ", ".join(" / ".join([v["id"], *v.get("aliases", [])]) for v in dep["vulns"])
        print(f"VULNERABLE {dep['name']}=={dep['version']}: {ids}")
    print(
        f"pip-audit: {len(dependencies)} pins, {audited} audited, "
        f"{len(vulnerable)} with known vulnerabilities, {len(unaudited)} not audited"
    )
    if vulnerable:
        return 1
    if unaudited:
        print(
            "WARNING: the vulnerability database could not be reached for "
            f"{len(unaudited)} pins (e.g. {unaudited[0]['skip_reason']}). "
            "They were NOT checked; before a release, run with network access "
            "and PIP_AUDIT_STRICT=1."
        )
        if os.environ.get("PIP_AUDIT_STRICT") == "1":
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
