"""`make bench`: seed a large fictional data set, on SQLite and on PostgreSQL, and time the
reports, the exports and the pages that must not slow down with it. Prints one table; asserts
nothing (tests do that).

    BENCH_PARTICIPANTS=100000 BENCH_REFERRALS=2000 make bench      (the defaults)
    BENCH_DATABASES=sqlite make bench                                 (one database only)

Each database is measured by a worker process of this script (`--worker OUT.json`), since
Django's settings bind the database once: SQLite in a scratch file, PostgreSQL in a throwaway
cluster that .ci/with-postgres starts (installing the server with apt if missing). A report is
timed next to the same figures written by hand as plain SQL (scripts/bench_sql.py); the ratio
between the two is the figure we follow.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
COUNT = int(os.environ.get("BENCH_PARTICIPANTS", "100000"))
REFERRALS = int(os.environ.get("BENCH_REFERRALS", "2000"))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
REPEAT = 5
# Requests slower than this (the large exports) are repeated three times, not five: the whole
# run must stay within minutes at 100 000 participants.
SLOW_SECONDS = 5.0
# The scratch PostgreSQL gets a little more memory than the CI one; the rest is the default.
PG_OPTIONS = "-c shared_buffers=256MB"


@dataclass
class Context:
    """What a URL may be built from: a participant and a referral in the middle of the data,
    and the period the reports cover (a whole year, up to today)."""

    participant: int
    referral: int
    period: tuple[dt.date, dt.date]

    def reverse(self, name: str, **kwargs: Any) -> str:
        from django.urls import reverse

        return reverse(name, kwargs=kwargs or None)

    def status_report(self) -> int:
        """A lägesrapport of the whole programme for the period (its figures are counted when
        it is shown; only its comments are stored)."""
        from django.apps import apps

        model = apps.get_model("reports", "StatusReport")
        insats = apps.get_model("organisation", "Insats").objects.order_by("pk").first()
        start, end = self.period
        report, _created = model.objects.get_or_create(
            insats=insats, lansdel=None, period_start=start, period_end=end
        )
        return report.pk

    def period_query(self, **extra: str) -> str:
        start, end = self.period
        return urlencode({"date_from": start, "date_to": end, **extra})


@dataclass(frozen=True)
class Measure:
    label: str
    username: str
    url: Callable[[Context], str]
    hand: str | None = None  # the hand-made SQL to compare with (see hand_sql)
    export: bool = False  # also measure how much the process's memory grows


# The reports and exports: one line each. A URL that does not resolve yet is "not available".
REPORTS = [
    Measure(
        "dashboard, whole programme, one year",
        "insatsledare",
        lambda c: c.reverse("report_dashboard") + "?" + c.period_query(by="all"),
        hand="dashboard_all",
    ),
    Measure(
        "dashboard, by länsdel",
        "insatsledare",
        lambda c: c.reverse("report_dashboard") + "?" + c.period_query(by="lansdel"),
        hand="dashboard_lansdel",
    ),
    Measure(
        "dashboard export, CSV",
        "insatsledare",
        lambda c: c.reverse("report_dashboard") + "?" + c.period_query(by="all", export="csv"),
        hand="dashboard_all",
        export=True,
    ),
    Measure(
        "dashboard export, XLSX",
        "insatsledare",
        lambda c: c.reverse("report_dashboard") + "?" + c.period_query(by="all", export="xlsx"),
        hand="dashboard_all",
        export=True,
    ),
    Measure(
        "evaluator export, CSV",
        "utvarderare",
        lambda c: c.reverse("evaluation_export") + "?format=csv",
        hand="evaluation_rows",
        export=True,
    ),
    Measure(
        "evaluator export, XLSX",
        "utvarderare",
        lambda c: c.reverse("evaluation_export") + "?format=xlsx",
        hand="evaluation_rows",
        export=True,
    ),
    Measure("survey report", "insatsledare", lambda c: c.reverse("survey_report")),
    Measure(
        "lägesrapport, whole programme, PDF",
        "insatsledare",
        lambda c: c.reverse("status_report_pdf", pk=c.status_report()),
        export=True,
    ),
    Measure(
        "Finsam export, CSV",
        "insatsledare",
        lambda c: c.reverse("finsam_export") + "?format=csv",
        export=True,
    ),
]

PAGES = [
    Measure("start page, programme lead", "insatsledare", lambda c: "/"),
    Measure(f"participant list, all {COUNT}", "insatsledare", lambda c: "/deltagare/"),
    Measure("participant list, name search", "insatsledare", lambda c: "/deltagare/?q=Karlsson"),
    Measure("start page, samordnare (caseload)", "samordnare.norra", lambda c: "/"),
    Measure(
        "participant list, länsdel page 10", "samordnare.norra", lambda c: "/deltagare/?sida=10"
    ),
    Measure("start page, coach (own caseload)", "coach.sodra.1", lambda c: "/"),
    Measure(
        "participant detail (case overview)",
        "insatsledare",
        lambda c: f"/deltagare/{c.participant}/",
    ),
    Measure("case journal", "insatsledare", lambda c: f"/deltagare/{c.participant}/journal/"),
    Measure("employer register", "insatsledare", lambda c: "/arbetsgivare/"),
    Measure("organisation", "insatsledare", lambda c: "/organisation/"),
    Measure("referral queue, länsdel, open", "samordnare.norra", lambda c: "/aktualiseringar/"),
    Measure(
        f"referral queue, all {REFERRALS}",
        "insatsledare",
        lambda c: "/aktualiseringar/?status=alla",
    ),
    Measure("referral detail", "insatsledare", lambda c: f"/aktualiseringar/{c.referral}/"),
    Measure("audit log, first page", "insatsledare", lambda c: "/logg/"),
]


# ---------------------------------------------------------------------------------------------
# The worker: one database, set up by the environment (DATABASE_URL).


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def manage(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def consume(response: Any) -> int:
    """The whole body, as a browser would read it, without keeping it (a streamed export's
    queries run while it is read)."""
    if not response.streaming:
        return len(response.content)
    return sum(len(chunk) for chunk in response.streaming_content)


def memory_growth(client: Any, url: str) -> float:
    """How far the peak memory of a process rises above where it stood while it answers `url`:
    measured in a forked copy of this process, whose peak starts at the parent's current size."""
    from django.db import connections

    connections.close_all()  # the child opens its own
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        status = 1
        try:
            os.close(read)
            for connection in connections.all():
                connection.queries_log = deque(maxlen=1)  # DEBUG's query log is not the export's
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            consume(client.get(url))
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            os.write(write, str((after - before) / 1024).encode())
            connections.close_all()
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    return float(answer) if answer else float("nan")


def hand_sql(key: str, period: tuple[dt.date, dt.date]) -> Callable[[], None]:
    """The hand-made SQL for a report, as a function that runs it once, reading every row."""
    import bench_sql
    from django.db import connection

    if key == "evaluation_rows":

        def rows() -> None:
            # A server-side cursor on PostgreSQL: the rows stream in, like the export's.
            with connection.chunked_cursor() as cursor:
                cursor.execute(bench_sql.EVALUATION_ROWS)
                while cursor.fetchmany(2000):
                    pass

        return rows
    queries = bench_sql.dashboard(connection.vendor, key.removeprefix("dashboard_"))
    params = bench_sql.parameters(connection, period)

    def figures() -> None:
        with connection.cursor() as cursor:
            for sql in queries:
                cursor.execute(sql, params)
                cursor.fetchall()

    return figures


def median_seconds(run: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker(out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sikta.settings")
    os.environ["DEBUG"] = "1"  # the demo accounts log in only with DEBUG on
    os.environ["REQUIRE_2FA"] = "0"  # the pages are timed, not the second login step
    result: dict[str, Any] = {"rows": []}
    name = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"

    log(f"{name}: migrate, load the organisation and the survey instruments")
    manage("migrate", "--no-input")
    manage("load_organisation")
    manage("load_instruments")
    log(f"{name}: seed_demo --participants {COUNT} --referrals {REFERRALS}")
    result["seed_seconds"] = manage(
        "seed_demo", "--participants", str(COUNT), "--referrals", str(REFERRALS), "--no-progress"
    )

    import bench_sql
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch
    from django.utils import timezone

    from sikta.accounts.models import User
    from sikta.participants.models import Participant
    from sikta.referrals.models import Referral

    bench_sql.check_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")  # fresh statistics after the bulk load, as autovacuum would
            cursor.execute("SELECT pg_database_size(current_database())")
            result["size_mib"] = cursor.fetchone()[0] / 2**20
            result["database"] = f"PostgreSQL {os.environ.get('SIKTA_PG_VERSION', '')}".strip()
        else:
            import sqlite3

            result["size_mib"] = Path(connection.settings_dict["NAME"]).stat().st_size / 2**20
            result["database"] = f"SQLite {sqlite3.sqlite_version}"

    today = timezone.localdate()
    context = Context(
        participant=Participant.objects.order_by("pk").values_list("pk", flat=True)[COUNT // 2],
        referral=Referral.objects.order_by("pk").values_list("pk", flat=True)[REFERRALS // 2],
        period=(today - dt.timedelta(days=364), today),
    )
    clients: dict[str, Client] = {}
    for measure in REPORTS + PAGES:
        row: dict[str, Any] = {"label": measure.label}
        result["rows"].append(row)
        try:
            url = measure.url(context)
        except (NoReverseMatch, LookupError):  # no such URL, or no such model, yet
            row["note"] = "not available"
            log(f"{name}: {measure.label}: not available")
            continue
        if measure.username not in clients:
            clients[measure.username] = Client()
            clients[measure.username].force_login(User.objects.get(username=measure.username))
        client = clients[measure.username]
        start = time.perf_counter()
        response = client.get(url)  # the warm-up
        consume(response)
        repeat = REPEAT if time.perf_counter() - start < SLOW_SECONDS else 3
        if response.status_code == 404:
            row["note"] = "not available"
            log(f"{name}: {measure.label}: not available")
            continue
        assert response.status_code == 200, (url, response.status_code)
        if measure.export:
            row["rss_mib"] = memory_growth(client, url)
            connection.ensure_connection()
        counts: list[int] = []

        def request(client: Client = client, url: str = url, counts: list[int] = counts) -> None:
            # DEBUG logs every query anyway: counting them costs the timing nothing more.
            with CaptureQueriesContext(connection) as queries:
                consume(client.get(url))
            counts.append(len(queries.captured_queries))

        row["ms"] = median_seconds(request, repeat) * 1000
        row["queries"] = counts[-1]
        if measure.hand:
            run = hand_sql(measure.hand, context.period)
            run()  # warm-up
            row["hand_ms"] = median_seconds(run, repeat) * 1000
        log(f"{name}: {measure.label}: {row['ms']:.0f} ms")
    out.write_text(json.dumps(result))


# ---------------------------------------------------------------------------------------------
# The parent: a worker per database, then one table.


def run_worker(database: str, scratch: Path) -> dict[str, Any] | str:
    """The worker's results, or why there are none."""
    out = scratch / f"{database}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(out)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sikta.settings"}
    if database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    else:
        env["PGSCRATCH_OPTS"] = PG_OPTIONS
        env.pop("DATABASE_URL", None)
        done = subprocess.run(
            [str(ROOT / ".ci" / "with-postgres"), *command], cwd=ROOT, env=env, check=False
        )
        if done.returncode == 3:
            return "could not be started (see above): measured on SQLite only"
        if done.returncode != 0 or not out.exists():
            return f"the worker failed (exit status {done.returncode})"
    return json.loads(out.read_text())


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}".replace(",", " ")


def _ratio(row: dict[str, Any]) -> str:
    if row.get("hand_ms") and row.get("ms") is not None:
        return f"{row['ms'] / row['hand_ms']:.1f}×"
    return ""


def print_table(results: dict[str, dict[str, Any] | str]) -> None:
    measured = {db: r for db, r in results.items() if isinstance(r, dict)}
    print()
    for db, result in results.items():
        if isinstance(result, str):
            print(f"{'PostgreSQL' if db == 'postgresql' else db}: {result}")
            continue
        seconds = result["seed_seconds"]
        print(
            f"{result['database']}: seed_demo --participants {COUNT} --referrals {REFERRALS} "
            f"{seconds:.0f} s ({COUNT / seconds:,.0f} participants/s), "
            f"database {result['size_mib']:.0f} MiB".replace(",", " ")
        )
    header = ["page / export"]
    for result in measured.values():
        short = result["database"].split()[0]
        header += [f"{short} ms", "hand SQL ms", "ratio"]
    header += ["queries", "peak RSS + MiB"]
    labels = [m.label for m in REPORTS + PAGES]
    lines = []
    for index, label in enumerate(labels):
        rows = [result["rows"][index] for result in measured.values()]
        line = [label]
        for row in rows:
            if row.get("note"):
                line += [row["note"], "", ""]
            else:
                line += [_ms(row.get("ms")), _ms(row.get("hand_ms")), _ratio(row)]
        queries = {str(row["queries"]) for row in rows if "queries" in row}
        line.append(" / ".join(sorted(queries, key=int)))
        rss = [f"{row['rss_mib']:.0f}" for row in rows if "rss_mib" in row]
        line.append(" / ".join(rss))
        lines.append(line)
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    print()
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print(
            "  ".join(
                x.ljust(w) if i == 0 else x.rjust(w)
                for i, (x, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    print(
        f"""
Times are medians of {REPEAT} requests (3 when one takes over {SLOW_SECONDS:.0f} s) through Django's
test client after a warm-up, the whole body read: a streamed export's queries run while it is
read. "hand SQL" is the same figures written by hand as plain SQL (scripts/bench_sql.py): for
the dashboard and its exports one grouped query per figure, for the evaluator's export one
SELECT of all its rows, read in batches. ratio = page time / hand SQL time, the figure we
follow. Goals: the dashboard within 2× of the hand-made SQL, and under 1 000 ms at 100 000
participants on PostgreSQL. queries: per request (SQLite / PostgreSQL when they differ).
peak RSS + MiB: how far the serving process's peak memory rose during one export (SQLite /
PostgreSQL); it should stay flat however many participants there are.
PostgreSQL is a local scratch cluster ({PG_OPTIONS}, fsync off) on the same machine."""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", type=Path, help="measure the DATABASE_URL database only")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    scratch = Path(tempfile.mkdtemp(prefix="sikta-bench-"))
    try:
        results = {db: run_worker(db, scratch) for db in DATABASES}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print_table(results)


if __name__ == "__main__":
    main()
