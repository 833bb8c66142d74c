"""`make bench`: seed a large fictional data set into a scratch SQLite file and time the
pages that must not slow down with it. Prints a table; asserts nothing (tests do that).

    BENCH_PARTICIPANTS=100000 BENCH_REFERRALS=2000 make bench      (the defaults)
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
COUNT = int(os.environ.get("BENCH_PARTICIPANTS", "100000"))
REFERRALS = int(os.environ.get("BENCH_REFERRALS", "2000"))
REPEAT = 5


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="sikta-bench-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{scratch / 'bench.sqlite3'}",
        DJANGO_SETTINGS_MODULE="sikta.settings",
        DEBUG="1",
    )
    rows: list[tuple[str, str]] = []

    def manage(*args: str) -> float:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
        return time.perf_counter() - start

    manage("migrate", "--no-input")
    manage("load_organisation")
    seconds = manage(
        "seed_demo", "--participants", str(COUNT), "--referrals", str(REFERRALS), "--no-progress"
    )
    rows.append((f"seed_demo --participants {COUNT} --referrals {REFERRALS}", f"{seconds:.1f} s"))
    rows.append(("  rate", f"{COUNT / seconds:,.0f} participants/s".replace(",", " ")))

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sikta.accounts.models import User
    from sikta.participants.models import Participant
    from sikta.referrals.models import Referral

    pk = Participant.objects.order_by("pk").values_list("pk", flat=True)[COUNT // 2]
    referral = Referral.objects.order_by("pk").values_list("pk", flat=True)[REFERRALS // 2]
    pages = [
        ("insatsledare", "/", "start page, programme lead"),
        ("insatsledare", "/deltagare/", f"participant list, all {COUNT}"),
        ("insatsledare", "/deltagare/?q=Karlsson", "participant list, name search"),
        ("samordnare.norra", "/", "start page, samordnare (caseload)"),
        ("samordnare.norra", "/deltagare/?sida=10", "participant list, länsdel page 10"),
        ("coach.sodra.1", "/", "start page, coach (own caseload)"),
        ("insatsledare", f"/deltagare/{pk}/", "participant detail (case overview)"),
        ("insatsledare", f"/deltagare/{pk}/journal/", "case journal"),
        ("insatsledare", "/arbetsgivare/", "employer register"),
        ("insatsledare", "/organisation/", "organisation"),
        ("samordnare.norra", "/aktualiseringar/", "referral queue, länsdel, open"),
        ("insatsledare", "/aktualiseringar/?status=alla", f"referral queue, all {REFERRALS}"),
        ("insatsledare", f"/aktualiseringar/{referral}/", "referral detail"),
        ("insatsledare", "/logg/", "audit log, first page"),
    ]
    for username, url, label in pages:
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.get(url)  # warm up
        times = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        rows.append(
            (
                label,
                f"{statistics.median(times) * 1000:.0f} ms median, "
                f"{len(queries.captured_queries)} queries",
            )
        )

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak memory of the page process", f"{peak:.0f} MiB"))
    size = (scratch / "bench.sqlite3").stat().st_size / 2**20
    rows.append(("database file", f"{size:.0f} MiB"))

    width = max(len(label) for label, _ in rows)
    print(f"\n{'measure':<{width}}  result\n{'-' * width}  {'-' * 30}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
