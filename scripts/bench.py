"""`make bench`: seed a large fictional data set, on SQLite and on PostgreSQL, and time the
reports, the exports and the pages that must not slow down with it. Prints one table, then the
goals as PASS/FAIL lines (exit status 1 if one fails); tests assert behaviour, this measures.

    BENCH_PARTICIPANTS=100000 BENCH_REFERRALS=2000 make bench      (the defaults)
    BENCH_DATABASES=sqlite make bench                                 (one database only)

Each database is measured by a worker process of this script (`--worker OUT.json`), since
Django's settings bind the database once: SQLite in a scratch file, PostgreSQL in a throwaway
cluster that .ci/with-postgres starts (installing the server with apt if missing). Every page's
queries are counted first at BENCH_SMALL (1 000) participants, then the data grows to
BENCH_PARTICIPANTS and everything is timed and counted again. The caseworkers grow with the
data (seed_demo: about 15 active participants each), and one coach (coach.sodra.2) is given a
worst-case caseload of BENCH_WORST_CASE (1 000) enrolled participants. A report is timed next
to the same figures written by hand as plain SQL (scripts/bench_sql.py); the ratio between the
two is the figure we follow.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import bench_sql  # noqa: E402  (beside this script)

COUNT = int(os.environ.get("BENCH_PARTICIPANTS", "100000"))
REFERRALS = int(os.environ.get("BENCH_REFERRALS", "2000"))
SMALL = int(os.environ.get("BENCH_SMALL", "1000"))
WORST_CASE = int(os.environ.get("BENCH_WORST_CASE", "1000"))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
REPEAT = 5
# A report and its hand-made SQL are timed in turns, this many times each (a slow moment of the
# shared machine then falls on both, not on one of the two the ratio compares).
IN_TURNS = 9
# Requests slower than this (the large exports) are repeated three times, not five: the whole
# run must stay within minutes at 100 000 participants.
SLOW_SECONDS = 5.0
# The scratch PostgreSQL gets a little more memory than the CI one; the rest is the default.
PG_OPTIONS = "-c shared_buffers=256MB"


@dataclass
class Context:
    """What a URL may be built from: a participant and a referral in the middle of the data,
    the period the reports cover (a whole year, up to today), and what the hand-made SQL
    needs to know of the organisation."""

    participant: int
    referral: int
    period: tuple[dt.date, dt.date]
    insats: int = 0
    instrument: int | None = None
    worst_case_staff: int = 0

    def reverse(self, name: str, **kwargs: Any) -> str:
        from django.urls import reverse

        return reverse(name, kwargs=kwargs or None)

    def status_report(self) -> int:
        """A lägesrapport of the whole programme for the period (its figures are counted when
        it is shown; only its comments are stored)."""
        from django.apps import apps

        model = apps.get_model("reports", "StatusReport")
        insats = apps.get_model("organisation", "Insats").objects.get(pk=self.insats)
        start, end = self.period
        report, _created = model.objects.get_or_create(
            insats=insats, lansdel=None, period_start=start, period_end=end
        )
        return report.pk

    def period_query(self, **extra: str) -> str:
        start, end = self.period
        return urlencode({"date_from": start, "date_to": end, **extra})

    def span(self, scoped: bool) -> tuple[dt.date, dt.date]:
        """The goal trend's span: the insats period so far (the förbund's: from the first
        insats's start)."""
        from django.apps import apps

        insatser = apps.get_model("organisation", "Insats").objects.all()
        if scoped:
            insatser = insatser.filter(pk=self.insats)
        start = min(i.start_date for i in insatser)
        end = min(self.period[1], max(i.end_date for i in insatser))
        return start, end


@dataclass(frozen=True)
class Hand:
    """The hand-made SQL of a report: its queries (bench_sql), whether the rows stream (read in
    batches through a server-side cursor, like the export), and whether they are one insats's
    (otherwise the whole förbund's)."""

    queries: Callable[[str], list[str]]
    stream: bool = False
    scoped: bool = True


@dataclass(frozen=True)
class Measure:
    label: str
    username: str
    url: Callable[[Context], str]
    hand: Hand | None = None  # the hand-made SQL to compare with
    export: bool = False  # also measure how much the process's memory grows
    forbund: bool = False  # the user works as their role of the förbund (every insats)
    goal: float | None = None  # the most the page may take, as a multiple of the hand SQL
    # An export that writes an audit record for each person in it, a chunk at a time: its
    # statements grow with the rows it sends, by design (it is left out of the query goal).
    audits_rows: bool = False


def _dashboard(by: str, forbund: bool = False, **extra: str) -> Measure:
    where = "förbund" if forbund else "insats"
    return Measure(
        f"dashboard, {where}, by {by}" + (f", {extra['export'].upper()}" if extra else ""),
        "insatsledare",
        lambda c: c.reverse("report_dashboard") + "?" + c.period_query(by=by, **extra),
        hand=Hand(lambda vendor: bench_sql.dashboard(vendor, by, not forbund), scoped=not forbund),
        export=bool(extra),
        forbund=forbund,
        goal=None if extra else DASHBOARD_GOAL,
    )


DASHBOARD_GOAL = 2.0  # × the hand-made SQL, on both databases
DASHBOARD_PG_MS = 300  # and at most this on PostgreSQL, at 100 000 participants
EXPORT_GOAL = {"csv": 3.0, "xlsx": 10.0}
REPORT_GOAL = 3.0  # the survey report and the lägesrapport
FLAT_MIB = 64  # an export's memory may grow by this much at most, whatever the number of rows
EVALUATION = Hand(
    lambda vendor: [bench_sql.EVALUATION_ROWS, bench_sql.EVALUATION_ANSWERS], stream=True
)

# The reports and exports: one line each. A URL that does not resolve yet is "not available".
REPORTS = [
    *(_dashboard(by) for by in ("all", "lansdel", "kommun", "track", "gender", "age")),
    *(
        _dashboard(by, forbund=True)
        for by in ("insats", "all", "lansdel", "kommun", "track", "gender", "age")
    ),
    _dashboard("all", export="csv"),
    _dashboard("all", export="xlsx"),
    *(
        Measure(
            f"evaluator export, {kind.upper()}",
            "utvarderare",
            lambda c, kind=kind: c.reverse("evaluation_export") + "?format=" + kind,
            hand=EVALUATION,
            export=True,
            goal=EXPORT_GOAL[kind],
        )
        for kind in ("csv", "xlsx")
    ),
    Measure(
        "survey report",
        "insatsledare",
        lambda c: c.reverse("survey_report"),
        hand=Hand(bench_sql.survey_report),
        goal=REPORT_GOAL,
    ),
    Measure(
        "lägesrapport, whole insats (page)",
        "insatsledare",
        lambda c: c.reverse("status_report_detail", pk=c.status_report()),
        hand=Hand(bench_sql.status_report),
        goal=REPORT_GOAL,
    ),
    Measure(
        "lägesrapport, whole insats, PDF",
        "insatsledare",
        lambda c: c.reverse("status_report_pdf", pk=c.status_report()),
        hand=Hand(bench_sql.status_report),
        export=True,
    ),
    Measure(
        "Finsam export, CSV",
        "insatsledare",
        lambda c: c.reverse("finsam_export") + "?format=csv",
        export=True,
        audits_rows=True,
    ),
]

PAGES = [
    Measure("start page, programme lead", "insatsledare", lambda c: "/"),
    Measure("start page, förbund", "insatsledare", lambda c: "/", forbund=True),
    Measure(f"participant list, all {COUNT}", "insatsledare", lambda c: "/deltagare/"),
    Measure("participant list, name search", "insatsledare", lambda c: "/deltagare/?q=Karlsson"),
    Measure("start page, samordnare (caseload)", "samordnare.norra", lambda c: "/"),
    Measure(
        "participant list, länsdel page 10", "samordnare.norra", lambda c: "/deltagare/?sida=10"
    ),
    Measure("to do, samordnare (länsdel)", "samordnare.norra", lambda c: "/att-gora/"),
    Measure("hand-over, everyone's caseload", "samordnare.sodra", lambda c: "/overlamning/"),
    Measure(
        f"hand-over, worst-case caseload ({WORST_CASE})",
        "samordnare.sodra",
        lambda c: f"/overlamning/{c.worst_case_staff}/",
    ),
    Measure("start page, coach (15 active)", "coach.sodra.1", lambda c: "/"),
    Measure("own participants, coach (15 active)", "coach.sodra.1", lambda c: "/deltagare/"),
    Measure("to do, coach (15 active)", "coach.sodra.1", lambda c: "/att-gora/"),
    Measure("calendar, coach (15 active)", "coach.sodra.1", lambda c: "/kalender/"),
    Measure(f"start page, coach (worst case, {WORST_CASE})", "coach.sodra.2", lambda c: "/"),
    Measure(
        f"own participants, coach (worst case, {WORST_CASE})",
        "coach.sodra.2",
        lambda c: "/deltagare/",
    ),
    Measure(f"to do, coach (worst case, {WORST_CASE})", "coach.sodra.2", lambda c: "/att-gora/"),
    Measure(f"calendar, coach (worst case, {WORST_CASE})", "coach.sodra.2", lambda c: "/kalender/"),
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


def hand_sql(hand: Hand, context: Context) -> Callable[[], None]:
    """The hand-made SQL of a report, as a function that runs it once, reading every row."""
    from django.db import connection

    queries = hand.queries(connection.vendor)
    params = bench_sql.parameters(
        connection,
        context.period,
        insats=context.insats,
        span=context.span(hand.scoped),
        instrument=context.instrument,
    )

    def run() -> None:
        for sql in queries:
            if hand.stream:
                # A server-side cursor on PostgreSQL: the rows stream in, like the export's.
                with connection.chunked_cursor() as cursor:
                    cursor.execute(sql, params)
                    while cursor.fetchmany(2000):
                        pass
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    cursor.fetchall()

    return run


def median_seconds(run: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def medians_in_turns(
    page: Callable[[], object], hand: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """The median seconds of `page` and of `hand`, run in turns, each first every other time
    (page, hand, hand, page, page, …): neither always runs on what the other left warm."""
    times: tuple[list[float], list[float]] = ([], [])
    pairs = [(page, times[0]), (hand, times[1])]
    for turn in range(repeat):
        for run, found in pairs if turn % 2 == 0 else pairs[::-1]:
            start = time.perf_counter()
            run()
            found.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def seed(name: str, participants: int, referrals: int, *extra: str) -> float:
    log(
        f"{name}: seed_demo --participants {participants} --referrals {referrals} {' '.join(extra)}"
    )
    return manage(
        "seed_demo",
        "--participants",
        str(participants),
        "--referrals",
        str(referrals),
        "--no-progress",
        *extra,
    )


class Clients:
    """A logged-in test client per user (and per role: the förbund's or the insats's), each
    with its second step done (an authenticator app), as staff work in production."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, bool], Any] = {}

    def __call__(self, measure: Measure) -> Any:
        from django.test import Client
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from sikta.access.middleware import SESSION_KEY
        from sikta.accounts.models import User
        from sikta.organisation.models import StaffMember

        key = (measure.username, measure.forbund)
        if key not in self.clients:
            client = Client()
            user = User.objects.get(username=measure.username)
            client.force_login(user)
            session = client.session
            device, _created = TOTPDevice.objects.get_or_create(
                user=user, name="bench", defaults={"confirmed": True}
            )
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            if measure.forbund:
                session[SESSION_KEY] = StaffMember.objects.get(user=user, insats=None).pk
            session.save()
            self.clients[key] = client
        return self.clients[key]


def context_now(period: tuple[dt.date, dt.date], keep: Context | None = None) -> Context:
    """The context of the data as it stands; with `keep`, the same participant and referral
    as in that one (their pages are compared at both sizes)."""
    from sikta.organisation.models import Insats, StaffMember
    from sikta.participants.models import Participant
    from sikta.referrals.models import Referral
    from sikta.surveys.forms import ReportForm
    from sikta.surveys.models import current_instruments

    insats = Insats.objects.order_by("pk").first()
    assert insats is not None
    participants = Participant.objects.filter(insats=insats).order_by("pk")
    referrals = Referral.objects.order_by("pk")
    instrument = ReportForm(None, instruments=current_instruments(), insats=insats).defaults()[
        "instrument"
    ]
    worst = StaffMember.objects.filter(user__username="coach.sodra.2", insats=insats).first()
    return Context(
        participant=keep.participant
        if keep
        else participants.values_list("pk", flat=True)[participants.count() // 2],
        referral=keep.referral
        if keep
        else referrals.values_list("pk", flat=True)[referrals.count() // 2],
        period=period,
        insats=insats.pk,
        instrument=instrument.pk if instrument else None,
        worst_case_staff=worst.pk if worst else 0,
    )


AUDIT_INSERT = 'INSERT INTO "audit_auditevent"'


def statements(captured: list[dict[str, Any]]) -> list[str]:
    """The statements of a request, each with its numbers left out (a query's shape). The
    audit records of a page's rows are one bulk insert, which SQLite splits every 83 rows (its
    999-parameter limit): consecutive parts count as one statement."""
    shapes: list[str] = []
    for query in captured:
        sql = re.sub(r"\b\d+\b", "N", query["sql"])
        if sql.startswith(AUDIT_INSERT) and shapes and shapes[-1].startswith(AUDIT_INSERT):
            continue
        shapes.append(sql)
    return shapes


def count_queries(clients: Clients, context: Context) -> dict[str, list[str]]:
    """Every page's statements at the data's present size (after a warm-up request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch

    counts = {}
    for measure in REPORTS + PAGES:
        try:
            url = measure.url(context)
        except (NoReverseMatch, LookupError):
            continue
        client = clients(measure)
        consume(client.get(url))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            consume(response)
        if response.status_code == 200:
            counts[measure.label] = statements(queries.captured_queries)
    return counts


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
    small = min(SMALL, COUNT)
    small_referrals = max(1, REFERRALS * small // max(COUNT, 1))
    seconds = seed(name, small, small_referrals)

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch
    from django.utils import timezone

    from sikta.organisation.models import StaffMember
    from sikta.participants.models import Participant

    bench_sql.check_tables()
    today = timezone.localdate()
    period = (today - dt.timedelta(days=364), today)
    clients = Clients()
    log(f"{name}: counting every page's queries at {small} participants")
    small_context = context_now(period)
    small_statements = count_queries(clients, small_context)
    result["small_queries"] = {label: len(sql) for label, sql in small_statements.items()}
    connections_close()

    seconds += seed(name, COUNT - small, REFERRALS - small_referrals)
    seconds += seed(name, 0, 0, "--worst-case-caseload", str(WORST_CASE))
    result["seed_seconds"] = seconds
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The bulk load settled, as autovacuum would settle it (the visibility map, fresh
            # statistics) — else autovacuum does it during the measurements, on the same cores.
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT pg_database_size(current_database())")
            result["size_mib"] = cursor.fetchone()[0] / 2**20
            result["database"] = f"PostgreSQL {os.environ.get('SIKTA_PG_VERSION', '')}".strip()
        else:
            import sqlite3

            result["size_mib"] = Path(connection.settings_dict["NAME"]).stat().st_size / 2**20
            result["database"] = f"SQLite {sqlite3.sqlite_version}"
    caseworkers = StaffMember.objects.filter(role__code__in=("coach", "koordinator"))
    result["caseworkers"] = caseworkers.count()
    result["participants"] = Participant.objects.count()

    context = context_now(period, keep=small_context)
    # As a server process does before its first request (sikta/wsgi.py).
    from sikta.core.startup import settle

    settle()
    for measure in REPORTS + PAGES:
        row: dict[str, Any] = {"label": measure.label}
        result["rows"].append(row)
        try:
            url = measure.url(context)
        except (NoReverseMatch, LookupError):  # no such URL, or no such model, yet
            row["note"] = "not available"
            log(f"{name}: {measure.label}: not available")
            continue
        client = clients(measure)
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
        counts: list[list[str]] = []

        def request(client: Any = client, url: str = url, counts: list[list[str]] = counts) -> None:
            # DEBUG logs every query anyway: counting them costs the timing nothing more.
            with CaptureQueriesContext(connection) as queries:
                consume(client.get(url))
            counts.append(statements(queries.captured_queries))

        if measure.hand:
            run = hand_sql(measure.hand, context)
            run()  # warm-up
            turns = IN_TURNS if repeat == REPEAT else repeat
            page_s, hand_s = medians_in_turns(request, run, turns)
            row["ms"], row["hand_ms"] = page_s * 1000, hand_s * 1000
        else:
            row["ms"] = median_seconds(request, repeat) * 1000
        row["queries"] = len(counts[-1])
        row["small_queries"] = result["small_queries"].get(measure.label)
        if measure.label in small_statements:
            # A statement that runs more often than at the small size, and more than once: a
            # query repeated per row. (One that runs once where the small data had nothing of
            # its kind — the audit record of a list that was empty — is no growth.)
            small = Counter(small_statements[measure.label])
            row["more"] = [
                f"{small[sql]} → {n}× {sql[:160]}"
                for sql, n in Counter(counts[-1]).items()
                if n > max(small[sql], 1)
            ]
        log(f"{name}: {measure.label}: {row['ms']:.0f} ms")
    out.write_text(json.dumps(result))


def connections_close() -> None:
    """Let the seeding process (another connection) write: SQLite locks the file."""
    from django.db import connections

    connections.close_all()


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


def _n(value: int) -> str:
    """A whole number as Swedish writes it: 100 000."""
    return f"{value:,}".replace(",", "\N{NO-BREAK SPACE}")


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}".replace(",", " ")


def _ratio(row: dict[str, Any]) -> str:
    if row.get("hand_ms") and row.get("ms") is not None:
        return f"{row['ms'] / row['hand_ms']:.1f}×"
    return ""


def _queries(rows: list[dict[str, Any]]) -> str:
    """Queries per request at the small and the full size, per database when they differ:
    "19 → 19" (or "19 → 19 / 20 → 20": SQLite / PostgreSQL)."""
    shown = [
        f"{row.get('small_queries', '?')} → {row['queries']}" for row in rows if "queries" in row
    ]
    return " / ".join(dict.fromkeys(shown))


def print_table(results: dict[str, dict[str, Any] | str]) -> None:
    measured = {db: r for db, r in results.items() if isinstance(r, dict)}
    print()
    for db, result in results.items():
        if isinstance(result, str):
            print(f"{'PostgreSQL' if db == 'postgresql' else db}: {result}")
            continue
        seconds = result["seed_seconds"]
        print(
            f"{result['database']}: seed_demo to {_n(result['participants'])} participants, "
            f"{_n(REFERRALS)} referrals, {_n(result['caseworkers'])} coaches and koordinatorer "
            f"in {seconds:.0f} s, database {result['size_mib']:.0f} MiB"
        )
    header = ["page / export"]
    for result in measured.values():
        short = result["database"].split()[0]
        header += [f"{short} ms", "hand SQL ms", "ratio"]
    header += [f"queries {SMALL} → {COUNT}", "peak RSS + MiB"]
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
        line.append(_queries(rows))
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
read; a page with hand SQL and its hand SQL are timed in turns, {IN_TURNS} times each (3 for the
slow). "hand SQL" is what the page shows written by hand as plain SQL (scripts/bench_sql.py):
for the dashboard every figure on it (the referrals, the flow, the exits with their medians,
work training, the goal by quarter, the caseload table, the survey answers), for the
evaluator's export the SELECT of all its rows and of the answers, read in batches; for the
survey report and the lägesrapport their counts and answers. ratio = page time / hand SQL
time, the figure we follow. queries: per request at {SMALL} participants → at {COUNT} (SQLite /
PostgreSQL when they differ; parts of one bulk insert of audit records count as one); the
Finsam export writes each exported person's audit record a chunk at a time, so its statements
grow with its rows (left out of that goal). peak RSS + MiB: how far the serving process's peak
memory rose during one export (SQLite / PostgreSQL). The caseworkers grow with the data
(about 15 active participants each); coach.sodra.2 carries a worst case of {WORST_CASE}
enrolled participants.
PostgreSQL is a local scratch cluster ({PG_OPTIONS}, fsync off) on the same machine."""
    )


def goals(results: dict[str, dict[str, Any] | str]) -> list[tuple[bool, str]]:
    """Each goal of the issue as (passed, what was measured)."""
    found: list[tuple[bool, str]] = []
    measures = REPORTS + PAGES
    for db, result in results.items():
        if isinstance(result, str):
            found.append((False, f"{db}: not measured ({result})"))
            continue
        name = result["database"].split()[0]
        for measure, row in zip(measures, result["rows"], strict=True):
            if "ms" not in row:
                continue
            if measure.goal is not None and row.get("hand_ms"):
                ratio = row["ms"] / row["hand_ms"]
                found.append(
                    (
                        ratio <= measure.goal,
                        f"{name}: {measure.label}: {ratio:.1f}× the hand SQL "
                        f"(goal ≤ {measure.goal:g}×)",
                    )
                )
            if measure.goal == DASHBOARD_GOAL and name == "PostgreSQL":
                found.append(
                    (
                        row["ms"] < DASHBOARD_PG_MS,
                        f"{name}: {measure.label}: {row['ms']:.0f} ms "
                        f"(goal < {DASHBOARD_PG_MS} ms at {_n(COUNT)} participants)",
                    )
                )
            if measure.label.startswith("evaluator export") and "rss_mib" in row:
                found.append(
                    (
                        row["rss_mib"] <= FLAT_MIB,
                        f"{name}: {measure.label}: memory grew {row['rss_mib']:.0f} MiB "
                        f"(goal ≤ {FLAT_MIB} MiB: flat)",
                    )
                )
        compared = [
            row
            for measure, row in zip(measures, result["rows"], strict=True)
            if "queries" in row and not measure.audits_rows
        ]
        grew = [
            f"{row['label']} ({row['small_queries']} → {row['queries']}: "
            + "; ".join(row["more"])
            + ")"
            for row in compared
            if row.get("more")
        ]
        counted = len(compared)
        found.append(
            (
                not grew,
                f"{name}: no page repeats a query more often at {_n(COUNT)} participants than at "
                f"{_n(SMALL)}: {counted - len(grew)} of {counted} pages"
                + (f"; grew: {', '.join(grew)}" if grew else ""),
            )
        )
    return found


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
    checked = goals(results)
    print()
    for passed, what in checked:
        print(f"{'PASS' if passed else 'FAIL'}  {what}")
    if not all(passed for passed, _what in checked):
        sys.exit(1)


if __name__ == "__main__":
    main()
