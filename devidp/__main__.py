"""Both local identity providers for the demo, until interrupted:

    python -m devidp --sikta http://127.0.0.1:8000

The SAML IdP on 127.0.0.1:8101 (Sikta's metadata read from --sikta), the OpenID Connect
provider on 127.0.0.1:8102 (with Sikta's return addresses registered). `make run` starts it.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys

SAML_PORT = 8101
OIDC_PORT = 8102
OIDC_SLUG = "kommun-test-oidc"  # the demo's provider (sikta.accounts.demo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sikta", default="http://127.0.0.1:8000")
    args = parser.parse_args(argv)
    sikta = args.sikta.rstrip("/")
    commands = [
        [
            sys.executable,
            "-m",
            "devidp.saml_idp",
            "--port",
            str(SAML_PORT),
            "--sp-metadata",
            f"{sikta}/saml2/metadata/",
        ],
        [
            sys.executable,
            "-m",
            "devidp.oidc_provider",
            "--port",
            str(OIDC_PORT),
            "--redirect-uri",
            f"{sikta}/konto/e-legitimation/{OIDC_SLUG}/klar/",
            "--logout-uri",
            f"{sikta}/konto/logga-in/",
        ],
    ]
    # `make run` ends us with SIGTERM: leave through `finally`, which stops the two IdPs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    processes = [subprocess.Popen(command) for command in commands]  # noqa: S603 - our own modules
    try:
        return max(process.wait() for process in processes)
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
