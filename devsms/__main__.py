"""The local text-message provider, until interrupted: python -m devsms --port 8103

Sikta sends to it when SMS_BACKEND=46elks and SMS_API_URL points here (`make run` does so);
the messages it received are listed on http://127.0.0.1:8103/.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from devsms.server import serving


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8103)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with serving(args.port) as running:
        print(f"ready: devsms on {running.url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
