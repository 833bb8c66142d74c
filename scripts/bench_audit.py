"""The audit log at 10 million records on PostgreSQL: is partitioning it (by year) needed?

    .venv/bin/python scripts/bench_audit.py                   (10 000 000 records, ~10 minutes)
    .venv/bin/python scripts/bench_audit.py --full-verify     (and verify_chain of all: ~17 min)
    .venv/bin/python scripts/bench_audit.py --rows 1000000 --checkpoint 100000   (a quick look)

A worker process of this script (`--worker OUT.json`) runs in a throwaway PostgreSQL cluster
that .ci/with-postgres starts (installing the server with apt if missing), set up as
scripts/bench.py sets up its own: migrate, load_organisation, load_instruments, seed_demo (with
DEBUG=1 and REQUIRE_2FA=0, so the demo accounts log in). A few hundred staff logins are added,
as the log of a real programme names a few hundred users over three years.

The log is then measured at three sizes: nearly empty, `--checkpoint` (1 M) and `--rows`
(10 M) records. The records in between are generated in Python, spread over the working hours
of the last three years at a constant rate (so 1 M records are the first ~4 months of that
history), hashed into the chain as sikta.audit.chain does (its canonical() spelled out for
speed, checked against the real one on every 1000th record) and streamed in with COPY: the
chain is whole and valid at every size, as the real verify_chain confirms. COPY is an INSERT as
far as the append-only triggers are concerned; they stay on, except at the very end, where they
are disabled in the scratch database only, to time deleting the oldest year.

Measured at each size: one audit_record() (the service a view calls: chain lock, head lookup,
insert) median and p95; the audit log pages through Django's test client as `insatsledare`
(first page, filtered by user, participant, month, action, protected identity, the last page,
drawing a log review for a month, a register extract), with their queries and, for the slowest
query, how PostgreSQL reads the audit table; the table's and the indexes' sizes. verify_chain
over the whole chain at the checkpoint, its time at the largest size extrapolated from that rate
(or measured, with --full-verify). At the largest size also the cost of deleting the oldest year
(DELETE, then the VACUUM that reclaims it) against dropping a year-sized table, as dropping a
yearly partition would. Prints the figures as tables, and a conclusion.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import functools
import hashlib
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import consume, log, manage  # noqa: E402  (scripts/bench.py: the same set-up)

TABLE = "audit_auditevent"
# The scratch server: bench.py's memory, a larger WAL so that the bulk load is not a series of
# forced checkpoints. Index builds use maintenance_work_mem = 1GB in their own session.
PG_OPTIONS = "-c shared_buffers=256MB -c max_wal_size=4GB"
# Records per page of /logg/ (sikta.audit.views.PAGE_SIZE).
PAGE_SIZE = 100
# A page that takes longer than this is cut off (and reported as such), not waited for.
PAGE_TIMEOUT_S = 120
HISTORY_DAYS = 3 * 365
# Working hours, local time, weekdays: when staff read and write.
DAY_START_HOUR, DAY_HOURS = 7, 11
COPY_BATCH = 20_000
COLUMNS = (
    "at",
    "user_id",
    "username",
    "role",
    "action",
    "participant_id",
    "referral_id",
    "ip_address",
    "path",
    "detail",
    "sequence",
    "previous_hash",
    "hash",
)
# How often each action occurs in the generated history (relative weights): mostly reads.
ACTION_WEIGHTS = {
    "participant.view": 40,
    "participant.list": 22,
    "participant.change": 12,
    "login": 5,
    "logout": 3,
    "insats.chosen": 2,
    "referral.view": 4,
    "referral.list": 2,
    "referral.change": 1.5,
    "participant.assign": 1,
    "participant.create": 0.6,
    "participant.export": 0.5,
    "report.export": 0.5,
    "employer.change": 0.5,
    "activities.manage": 0.2,
    "audit.search": 0.3,
    "login.refused": 0.3,
    "calendar.feed": 0.05,
}
PARTICIPANT_ACTIONS = {
    "participant.view",
    "participant.list",
    "participant.change",
    "participant.assign",
    "participant.create",
    "participant.export",
}
REFERRAL_ACTIONS = {"referral.view", "referral.list", "referral.change"}
CHANGES = ["journal", "plan", "goal", "booking", "work_training", "contact", "status"]


# ---------------------------------------------------------------------------------------------
# Generating a chained history.


class Record:
    """The fields the chain covers (sikta.audit.chain.canonical reads them by name)."""

    __slots__ = (
        "action",
        "at",
        "detail",
        "ip_address",
        "participant_id",
        "path",
        "referral_id",
        "role",
        "sequence",
        "user_id",
        "username",
    )


@dataclass
class History:
    """What the generated records are drawn from, and the clock that spreads `total` of them
    evenly over the working hours of HISTORY_DAYS days up to `end`."""

    total: int
    end: dt.datetime
    users: list[tuple[int, str, str]]  # (pk, username, role code)
    participants: list[int]
    protected: set[int]
    referrals: list[int]
    seed: int = 2026
    day_starts: list[dt.datetime] = field(default_factory=list)

    def __post_init__(self) -> None:
        local = zoneinfo.ZoneInfo("Europe/Stockholm")
        first = (self.end - dt.timedelta(days=HISTORY_DAYS)).astimezone(local).date()
        for n in range(HISTORY_DAYS):
            day = first + dt.timedelta(days=n)
            if day.weekday() < 5:
                start = dt.datetime.combine(day, dt.time(DAY_START_HOUR), tzinfo=local)
                self.day_starts.append(start.astimezone(dt.UTC))

    def at(self, index: float) -> dt.datetime:
        """The time of record number `index` (0 ≤ index < total) of the history."""
        seconds = index * len(self.day_starts) * DAY_HOURS * 3600 / self.total
        day, offset = divmod(seconds, DAY_HOURS * 3600)
        # timedelta rounds to whole microseconds, which is what the database keeps.
        return self.day_starts[int(day)] + dt.timedelta(seconds=offset)

    def records(self, first: int, last: int) -> Iterator[Record]:
        """Records number `first` to `last` - 1 of the history, without chain fields."""
        # Fictional records, deterministic from the seed: no secret rests on this generator.
        rng = random.Random(f"{self.seed}-{first}")  # noqa: S311
        actions = list(ACTION_WEIGHTS)
        cumulative = []
        total = 0.0
        for action in actions:
            total += ACTION_WEIGHTS[action]
            cumulative.append(total)
        removed = max(self.participants) + 1  # participants removed since (gallring)
        for index in range(first, last):
            record = Record()
            record.at = self.at(index + rng.random() * 0.9)
            pk, username, role = self.users[rng.randrange(len(self.users))]
            record.user_id, record.username, record.role = pk, username, role
            action = actions[bisect.bisect_left(cumulative, rng.random() * total)]
            record.action = action
            record.participant_id = record.referral_id = None
            record.ip_address = f"10.{pk % 200}.{pk // 200 % 250}.{rng.randrange(1, 250)}"
            detail: dict[str, Any] = {}
            if action in PARTICIPANT_ACTIONS:
                if rng.random() < 0.03:
                    participant = removed + rng.randrange(5000)
                else:
                    participant = self.participants[rng.randrange(len(self.participants))]
                record.participant_id = participant
                if action == "participant.list":
                    record.path = f"/deltagare/?sida={rng.randrange(1, 40)}"
                elif action == "participant.change":
                    what = CHANGES[rng.randrange(len(CHANGES))]
                    detail["what"] = what
                    record.path = f"/deltagare/{participant}/{what}/"
                else:
                    record.path = f"/deltagare/{participant}/"
                if participant in self.protected:
                    detail["protected_identity"] = True
            elif action in REFERRAL_ACTIONS:
                referral = self.referrals[rng.randrange(len(self.referrals))]
                record.referral_id = referral
                record.path = f"/aktualiseringar/{referral}/"
            elif action in {"login", "logout", "login.refused"}:
                record.path = "/konto/logga-in/" if action != "logout" else "/konto/logga-ut/"
                detail["method"] = "password" if rng.random() < 0.7 else "saml"
            elif action == "audit.search":
                record.path = "/logg/"
                detail["user"] = self.users[rng.randrange(len(self.users))][1]
            else:
                record.path = "/"
            record.detail = detail
            yield record


def _copy_text(value: Any) -> str:
    if value is None:
        return r"\N"
    text = value if isinstance(value, str) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _null(value: int | None) -> str:
    return "null" if value is None else str(value)


def copy_lines(
    records: Iterator[Record], sequence: int, previous: str, *, check_every: int = 1000
) -> Iterator[tuple[str, int, str]]:
    """COPY text lines of `records`, chained after (`sequence`, `previous`): each line with the
    chain's new head.

    sikta.audit.chain.canonical() spelled out for these records (plain ASCII, UTC times,
    canonical addresses), which makes the load several times faster; every `check_every`-th
    record is compared with the real canonical() and its COPY line with a fully escaped one.
    """
    from sikta.audit.chain import canonical

    details: dict[tuple[tuple[str, Any], ...], str] = {}
    for n, record in enumerate(records):
        sequence += 1
        record.sequence = sequence
        at = record.at.isoformat(timespec="microseconds")
        key = tuple(record.detail.items())
        detail = details.get(key)
        if detail is None:
            detail = details[key] = json.dumps(record.detail, sort_keys=True, separators=(",", ":"))
        content = (
            f'{{"action":"{record.action}","at":"{at}","detail":{detail},'
            f'"ip":"{record.ip_address}","participant_id":{_null(record.participant_id)},'
            f'"path":"{record.path}","referral_id":{_null(record.referral_id)},'
            f'"role":"{record.role}","sequence":{sequence},"user_id":{record.user_id},'
            f'"username":"{record.username}"}}'
        )
        digest = hashlib.sha256((previous + content).encode()).hexdigest()
        participant = r"\N" if record.participant_id is None else record.participant_id
        referral = r"\N" if record.referral_id is None else record.referral_id
        line = (
            f"{at}\t{record.user_id}\t{record.username}\t{record.role}\t{record.action}\t"
            f"{participant}\t{referral}\t{record.ip_address}\t{record.path}\t{detail}\t"
            f"{sequence}\t{previous}\t{digest}\n"
        )
        if n % check_every == 0:
            assert content == canonical(record), (content, canonical(record))
            values = (
                at,
                record.user_id,
                record.username,
                record.role,
                record.action,
                record.participant_id,
                record.referral_id,
                record.ip_address,
                record.path,
                detail,
                sequence,
                previous,
                digest,
            )
            assert line == "\t".join(_copy_text(v) for v in values) + "\n", line
        previous = digest
        yield line, sequence, previous


# ---------------------------------------------------------------------------------------------
# The worker: one scratch PostgreSQL database (DATABASE_URL).


def execute(sql: str, params: Any = None, *, fetch: bool = False) -> list[tuple[Any, ...]]:
    """Run `sql` on Django's connection without the page timeout."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else []


def add_staff(count: int) -> None:
    """Staff logins beyond the demo's, in its first insats, so the log names `count` users."""
    from django.contrib.auth import get_user_model

    from sikta.organisation.models import Insats, Role, StaffMember

    user_model = get_user_model()
    missing = count - user_model.objects.count()
    if missing <= 0:
        return
    insats = Insats.objects.order_by("pk").first()
    assert insats is not None
    lansdelar = list(insats.lansdelar.order_by("pk"))
    roles = [Role.objects.get(code="coach"), Role.objects.get(code="koordinator")]
    users = [user_model(username=f"personal.{n:03d}") for n in range(1, missing + 1)]
    for user in users:
        user.set_unusable_password()
    users = user_model.objects.bulk_create(users)
    StaffMember.objects.bulk_create(
        StaffMember(
            user=user,
            insats=insats,
            role=roles[n % 2],
            lansdel=lansdelar[n % len(lansdelar)] if lansdelar else None,
            first_name="Personal",
            last_name=f"{n:03d}",
        )
        for n, user in enumerate(users)
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def build_history(total: int) -> History:
    """The users, participants and referrals of the seeded database, and the three years of
    working hours up to today that `total` records are spread over."""
    from django.db.models import F
    from django.utils import timezone

    from sikta.organisation.models import StaffMember
    from sikta.participants.models import Participant
    from sikta.referrals.models import Referral

    users: dict[int, tuple[int, str, str]] = {}
    staff = (
        StaffMember.objects.filter(user__isnull=False, is_active=True)
        .order_by(F("insats__name").asc(nulls_last=True), "pk")  # as staff_of() chooses
        .values_list("user_id", "user__username", "role__code")
    )
    for pk, username, role in staff:
        users.setdefault(pk, (pk, username, role))
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return History(
        total=total,
        end=midnight.astimezone(dt.UTC),
        users=sorted(users.values()),
        participants=list(Participant.objects.order_by("pk").values_list("pk", flat=True)),
        protected=set(
            Participant.objects.filter(protected_identity=True).values_list("pk", flat=True)
        ),
        referrals=list(Referral.objects.order_by("pk").values_list("pk", flat=True)),
    )


def fill(history: History, first: int, last: int) -> dict[str, float]:
    """Append records `first`..`last` - 1 of the history, chained after the current head.

    The secondary indexes are dropped for the load and built again after it (with their own
    definitions, as the migrations made them); then VACUUM ANALYZE, as autovacuum would do
    after a large insert."""
    from django.db import connection

    from sikta.audit.chain import GENESIS
    from sikta.audit.models import AuditEvent

    head = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, previous = head if head else (0, GENESIS)
    indexes = execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [TABLE, TABLE],
        fetch=True,
    )
    for name, _definition in indexes:
        execute(f'DROP INDEX "{name}"')
    log(f"COPY records {first:,} to {last:,}, chained after sequence {sequence}")
    start = time.perf_counter()
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        with cursor.cursor.copy(f"COPY {TABLE} ({columns}) FROM STDIN") as copy:
            batch: list[str] = []
            lines = copy_lines(history.records(first, last), sequence, previous)
            for n, (line, _sequence, _previous) in enumerate(lines, 1):
                batch.append(line)
                if len(batch) == COPY_BATCH:
                    copy.write("".join(batch))
                    batch.clear()
                if n % 1_000_000 == 0:
                    elapsed = time.perf_counter() - start
                    log(f"  {n:,} records, {n / elapsed:,.0f}/s")
            copy.write("".join(batch))
    copied = time.perf_counter() - start
    start = time.perf_counter()
    execute("SET maintenance_work_mem = '1GB'")
    for _name, definition in indexes:
        execute(definition)
    indexed = time.perf_counter() - start
    start = time.perf_counter()
    execute(f"VACUUM (ANALYZE) {TABLE}")
    vacuumed = time.perf_counter() - start
    execute("CHECKPOINT")
    log(f"  copied {copied:.0f} s, indexes {indexed:.0f} s, vacuum {vacuumed:.0f} s")
    return {
        "records": last - first,
        "copy_s": copied,
        "rate": (last - first) / copied,
        "index_s": indexed,
        "vacuum_s": vacuumed,
    }


def measure_inserts(count: int, user: Any, participants: list[Any]) -> dict[str, float]:
    """audit_record() as a view calls it: `count` reads of a participant, each its own
    transaction (chain lock, head lookup, INSERT), after a few not timed."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from sikta.audit.models import AuditAction, AuditEvent
    from sikta.audit.services import audit_record

    factory = RequestFactory()
    times: list[float] = []
    queries = 0
    for n in range(-5, count):
        participant = participants[n % len(participants)]
        request = factory.get(f"/deltagare/{participant.pk}/")
        request.user = user
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            audit_record(
                request=request, action=AuditAction.PARTICIPANT_VIEW, participant=participant
            )
            elapsed = time.perf_counter() - start
        if n >= 0:
            times.append(elapsed)
            queries = len(captured.captured_queries)
    head: list[float] = []
    for _ in range(count):
        start = time.perf_counter()
        AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
        head.append(time.perf_counter() - start)
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "max_ms": max(times) * 1000,
        "queries": queries,
        "head_ms": statistics.median(head) * 1000,
    }


def measure_verify() -> dict[str, Any]:
    from sikta.audit.chain import verify_chain

    log("verify_chain over the whole log")
    start = time.perf_counter()
    report = verify_chain()
    seconds = time.perf_counter() - start
    log(f"  {report.count:,} records in {seconds:.0f} s, ok: {report.ok}")
    return {
        "count": report.count,
        "ok": report.ok,
        "problem": report.problem,
        "seconds": seconds,
        "rate": report.count / seconds,
    }


def sizes() -> dict[str, Any]:
    [(total, heap, indexes, rows)] = execute(
        "SELECT pg_total_relation_size(%s), pg_relation_size(%s), pg_indexes_size(%s), "
        "(SELECT count(*) FROM audit_auditevent)",
        [TABLE, TABLE, TABLE],
        fetch=True,
    )
    each = execute(
        "SELECT c.relname, pg_relation_size(i.indexrelid), pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass ORDER BY 2 DESC",
        [TABLE],
        fetch=True,
    )
    return {
        "rows": rows,
        "total_mib": total / 2**20,
        "heap_mib": heap / 2**20,
        "index_mib": indexes / 2**20,
        "indexes": [
            {"name": name, "mib": size / 2**20, "columns": _columns(definition)}
            for name, size, definition in each
        ],
    }


def _columns(definition: str) -> str:
    match = re.search(r"USING btree \((.*)\)", definition)
    return ("unique " if " UNIQUE " in definition else "") + (match[1] if match else definition)


# ---------------------------------------------------------------------------------------------
# The pages.


@dataclass
class Targets:
    """What the filters look for: a user, a participant, a month inside the history."""

    username: str
    personnummer: str
    month: tuple[dt.date, dt.date]
    action: str = "participant.export"
    last_page: int = 1  # the first page's count tells (Paginator knows no "last")


@dataclass(frozen=True)
class Page:
    label: str
    url: Callable[[Targets], str]
    post: Callable[[Targets], dict[str, str]] | None = None


def _month_query(t: Targets, **extra: str) -> str:
    from urllib.parse import urlencode

    first, last = t.month
    return urlencode({**extra, "date_from": first.isoformat(), "date_to": last.isoformat()})


PAGES = [
    Page("/logg/ first page", lambda t: "/logg/"),
    Page("/logg/ by user", lambda t: f"/logg/?user={t.username}"),
    Page("/logg/ by participant (personnummer)", lambda t: f"/logg/?personnummer={t.personnummer}"),
    Page("/logg/ by date range (one month)", lambda t: "/logg/?" + _month_query(t)),
    Page("/logg/ by user and one month", lambda t: "/logg/?" + _month_query(t, user=t.username)),
    Page("/logg/ by action (exports)", lambda t: f"/logg/?action={t.action}"),
    Page("/logg/ protected identity only", lambda t: "/logg/?protected=on"),
    Page("/logg/ last page", lambda t: f"/logg/?sida={t.last_page}"),
    Page(
        "log review: draw 25 of a month",
        lambda t: "/logg/granskning/",
        lambda t: {
            "period_from": t.month[0].isoformat(),
            "period_to": t.month[1].isoformat(),
            "sample_size": "25",
            "note": "",
            "controller": "",
        },
    ),
    Page(
        "register extract (one person)",
        lambda t: "/integritet/registerutdrag/",
        lambda t: {"personnummer": t.personnummer, "controller": ""},
    ),
]


def targets_for(history: History, generated: int, participant: Any) -> Targets:
    """The last whole calendar month of the history so far (the month before today, before
    any is generated)."""
    from django.utils import timezone

    latest = history.at(generated - 1) if generated else timezone.now()
    first_of_month = timezone.localtime(latest).date().replace(day=1)
    last = first_of_month - dt.timedelta(days=1)
    return Targets(
        username="coach.sodra.1",
        personnummer=str(participant.personnummer),
        month=(last.replace(day=1), last),
    )


@functools.cache
def index_columns() -> dict[str, str]:
    """The audit table's indexes: name -> columns (the same after each load's rebuild)."""
    rows = execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [TABLE], fetch=True
    )
    return {name: _columns(definition) for name, definition in rows}


def plan_summary(sql: str) -> str:
    """How PostgreSQL reads the audit table for `sql`: its scans of it, from EXPLAIN."""
    # `sql` is a statement Django itself sent for a page (CaptureQueriesContext), not input.
    rows = execute("EXPLAIN (FORMAT JSON) " + sql, fetch=True)  # noqa: S608
    plan = rows[0][0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        index = node.get("Index Name", "")
        if node.get("Relation Name") == TABLE or index.startswith("audit_audit"):
            scan = node["Node Type"]
            if node.get("Scan Direction") == "Backward":
                scan += " Backward"
            if index:
                scan += f" ({index_columns().get(index, index)})"
            found.append(scan)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return ", ".join(dict.fromkeys(found)) or "audit table not read"


def measure_page(client: Any, page: Page, targets: Targets) -> dict[str, Any]:
    from django.db import OperationalError, connection
    from django.test.utils import CaptureQueriesContext

    url = page.url(targets)

    def once() -> tuple[float, Any, list[dict[str, str]]]:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            if page.post is not None:
                response = client.post(url, page.post(targets))
            else:
                response = client.get(url)
            consume(response)
            elapsed = time.perf_counter() - start
        return elapsed, response, captured.captured_queries

    row: dict[str, Any] = {"label": page.label, "url": url}
    try:
        first, response, queries = once()
        expected = 302 if page.post is not None and "granskning" in url else 200
        if response.status_code != expected:
            row["note"] = f"HTTP {response.status_code}"
            return row
        runs = [once() for _ in range(1 if first > 2 else 3)]
    except OperationalError as error:  # the statement timeout: a page nobody waits for
        connection.close()
        row["note"] = f"> {PAGE_TIMEOUT_S} s" if "timeout" in str(error) else str(error)[:60]
        return row
    row["ms"] = statistics.median(elapsed for elapsed, _response, _queries in runs) * 1000
    _elapsed, response, queries = runs[-1]
    row["queries"] = len(queries)
    if page.post is None:
        match = re.search(
            r"<p>([\d\s\u00a0\u202f]+) (?:loggpost|record)", response.content.decode()
        )
        row["shown_of"] = int(re.sub(r"\D", "", match[1])) if match else None
    # The slowest query of the audit table of each kind: the paginator's count, and the rest.
    reads = [
        q
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT") and f'FROM "{TABLE}"' in q["sql"]
    ]
    for kind in ("count", "rows"):
        picked = [q for q in reads if ("SELECT COUNT(*)" in q["sql"].upper()) == (kind == "count")]
        if picked:
            slowest = max(picked, key=lambda q: float(q["time"]))
            row[f"{kind}_ms"] = float(slowest["time"]) * 1000
            row[f"{kind}_plan"] = plan_summary(slowest["sql"])
    log(f"  {page.label}: {row['ms']:,.0f} ms, {row['queries']} queries")
    return row


# ---------------------------------------------------------------------------------------------
# Deleting a year.


def measure_year_delete(history: History) -> dict[str, Any]:
    """Delete the oldest year of the history (triggers disabled for it, in this scratch
    database only), then VACUUM; and, for comparison, DROP a table holding the same year with
    the same indexes, as dropping a yearly partition would."""
    from django.db import connection, transaction

    from sikta.audit.chain import verify_chain

    boundary = history.day_starts[0] + dt.timedelta(days=365)
    result: dict[str, Any] = {"before": boundary.isoformat()}
    log("a year-sized copy, with the same indexes, to DROP")
    start = time.perf_counter()
    execute(
        # TABLE is this module's constant; the boundary is a parameter.
        f"CREATE TABLE audit_year_copy AS SELECT * FROM {TABLE} WHERE at < %s",  # noqa: S608
        [boundary],
    )
    execute("SET maintenance_work_mem = '1GB'")
    definitions = execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [TABLE], fetch=True
    )
    for n, (definition,) in enumerate(definitions):
        copy_definition = re.sub(
            r"INDEX \S+ ON public\.audit_auditevent",
            f"INDEX audit_year_copy_{n} ON public.audit_year_copy",
            definition,
        )
        execute(copy_definition)
    result["copy_s"] = time.perf_counter() - start
    [(copy_mib,)] = execute(
        "SELECT pg_total_relation_size('audit_year_copy') / 1048576.0", fetch=True
    )
    result["copy_mib"] = float(copy_mib)
    start = time.perf_counter()
    execute("DROP TABLE audit_year_copy")
    result["drop_ms"] = (time.perf_counter() - start) * 1000

    log("DELETE the oldest year from the log itself")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_no_update_delete")
        start = time.perf_counter()
        # In the scratch database only (its triggers off just above), to time a year's DELETE.
        cursor.execute(f"DELETE FROM {TABLE} WHERE at < %s", [boundary])  # noqa: S608
        result["deleted"] = cursor.rowcount
        result["delete_s"] = time.perf_counter() - start
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_no_update_delete")
    start = time.perf_counter()
    execute(f"VACUUM {TABLE}")
    result["vacuum_s"] = time.perf_counter() - start
    result["total_mib_after"] = sizes()["total_mib"]
    log(
        f"  {result['deleted']:,} deleted in {result['delete_s']:.0f} s, "
        f"vacuum {result['vacuum_s']:.0f} s"
    )
    start = time.perf_counter()
    report = verify_chain()
    result["verify_after"] = {
        "ok": report.ok,
        "problem": report.problem,
        "message": report.message,
        "after": report.count,
        "seconds": time.perf_counter() - start,
    }
    return result


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def worker(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sikta.settings")
    os.environ["DEBUG"] = "1"  # the demo accounts log in only with DEBUG on
    os.environ["REQUIRE_2FA"] = "0"  # the pages are timed, not the second login step
    started = time.perf_counter()
    settings = {k: v for k, v in vars(args).items() if k != "worker"}
    result: dict[str, Any] = {"load": {"start": loadavg()}, "stages": [], "args": settings}
    log("migrate, load the organisation and the survey instruments")
    manage("migrate", "--no-input")
    manage("load_organisation")
    manage("load_instruments")
    log(f"seed_demo --participants {args.participants} --referrals {args.referrals}")
    result["seed_s"] = manage(
        "seed_demo",
        "--participants",
        str(args.participants),
        "--referrals",
        str(args.referrals),
        "--no-progress",
    )
    # Every page request gets a new connection (CONN_MAX_AGE 0), with this timeout.
    os.environ["PGOPTIONS"] = f"-c statement_timeout={PAGE_TIMEOUT_S * 1000}"

    import django

    django.setup()
    from django.test import Client

    from sikta.access.staff import staff_of
    from sikta.accounts.models import User
    from sikta.participants.models import Participant

    result["database"] = "PostgreSQL " + os.environ.get("SIKTA_PG_VERSION", "")
    add_staff(args.users)
    history = build_history(args.rows)
    result["users"] = len(history.users)
    lead = User.objects.get(username="insatsledare")
    insats = staff_of(lead).insats  # type: ignore[union-attr]
    own = Participant.objects.filter(insats=insats, protected_identity=False).order_by("pk")
    participant = own[own.count() // 2]
    readers = list(own[:50])
    reader = User.objects.get(username="coach.sodra.1")
    client = Client()
    client.force_login(lead)

    sizes_wanted = [0, args.checkpoint, args.rows]
    generated = 0
    for target in sorted(set(sizes_wanted)):
        stage: dict[str, Any] = {"target": target}
        if target > generated:
            stage["fill"] = fill(history, generated, target)
            generated = target
        stage["load"] = loadavg()
        log(f"{generated:,} generated records: audit_record() x {args.inserts}")
        stage["insert"] = measure_inserts(args.inserts, reader, readers)
        targets = targets_for(history, generated, participant)
        stage["month"] = [d.isoformat() for d in targets.month]
        log("the pages")
        stage["pages"] = []
        for page in PAGES:
            stage["pages"].append(measure_page(client, page, targets))
            if page is PAGES[0] and stage["pages"][0].get("shown_of"):
                targets.last_page = math.ceil(stage["pages"][0]["shown_of"] / PAGE_SIZE)
        stage["size"] = sizes()
        if target and (target == args.checkpoint or args.full_verify):
            stage["verify"] = measure_verify()
        result["stages"].append(stage)
    if args.delete_year:
        result["delete"] = measure_year_delete(history)
    result["load"]["end"] = loadavg()
    result["seconds"] = time.perf_counter() - started
    args.worker.write_text(json.dumps(result))


# ---------------------------------------------------------------------------------------------
# The parent: the worker in a scratch cluster, then the tables.


def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if value < 10 else _n(value)


def _seconds(value: float) -> str:
    if value < 10:
        return f"{value:.1f} s"
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.1f} min"


def _table(header: list[str], lines: list[list[str]]) -> None:
    widths = [max(len(x) for x in column) for column in zip(header, *lines, strict=True)]

    def show(cells: list[str]) -> None:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )

    show(header)
    print("  ".join("-" * w for w in widths))
    for line in lines:
        show(line)


def _page_cell(row: dict[str, Any]) -> str:
    if "note" in row:
        return row["note"]
    return f"{_ms(row['ms'])} ({row['queries']})"


def verify_projection(result: dict[str, Any]) -> tuple[float, float, str]:
    """Records per second of verify_chain and the time for the largest log: measured over the
    whole log at the largest size if it was, else extrapolated from the checkpoint's rate."""
    last = result["stages"][-1]
    if "verify" in last:
        return last["verify"]["rate"], last["verify"]["seconds"], "measured"
    measured = [s["verify"] for s in result["stages"] if "verify" in s]
    rate = measured[-1]["rate"]
    return rate, last["size"]["rows"] / rate, f"extrapolated from {measured[-1]['count']:,}"


def print_report(result: dict[str, Any]) -> None:
    stages = result["stages"]
    args = result["args"]
    print()
    print(
        f"{result['database']}, a scratch cluster on this machine ({PG_OPTIONS}, fsync off). "
        f"seed_demo: {_n(args['participants'])} participants, {_n(args['referrals'])} referrals; "
        f"{result['users']} users in the log. Whole run {_seconds(result['seconds'])}."
    )
    loads = ", ".join(f"{s['target']:,}: {s['load']}" for s in stages)
    print(
        f"Load average (1, 5, 15 min): at the start {result['load']['start']}; "
        f"as each size was measured ({loads}); at the end {result['load']['end']}."
    )
    for stage in stages:
        if "fill" in stage:
            f = stage["fill"]
            print(
                f"Loading {_n(f['records'])} chained records: generated, hashed and copied "
                f"{_seconds(f['copy_s'])} ({_n(f['rate'])}/s), indexes built "
                f"{_seconds(f['index_s'])}, VACUUM ANALYZE {_seconds(f['vacuum_s'])}."
            )
    print()
    header = ["records in the log"] + [_n(s["size"]["rows"]) for s in stages]
    lines = [
        ["audit_record(): median ms"] + [_ms(s["insert"]["median_ms"]) for s in stages],
        ["audit_record(): p95 ms"] + [_ms(s["insert"]["p95_ms"]) for s in stages],
        ["audit_record(): max ms"] + [_ms(s["insert"]["max_ms"]) for s in stages],
        ["  its head lookup alone: median ms"] + [_ms(s["insert"]["head_ms"]) for s in stages],
        ["  queries per audit_record()"] + [str(s["insert"]["queries"]) for s in stages],
    ]
    for index, page in enumerate(stages[0]["pages"]):
        lines.append(
            [page["label"] + ": ms (queries)"] + [_page_cell(s["pages"][index]) for s in stages]
        )
    lines += [
        ["table (heap) MiB"] + [_n(s["size"]["heap_mib"]) for s in stages],
        ["indexes MiB"] + [_n(s["size"]["index_mib"]) for s in stages],
        ["total (pg_total_relation_size) MiB"] + [_n(s["size"]["total_mib"]) for s in stages],
        ["verify_chain: records/s"]
        + [_n(s["verify"]["rate"]) if "verify" in s else "" for s in stages],
        ["verify_chain: whole log"]
        + [
            _seconds(s["verify"]["seconds"]) + (" ok" if s["verify"]["ok"] else " BROKEN")
            if "verify" in s
            else ""
            for s in stages
        ],
    ]
    _table(header, lines)
    rate, seconds, how = verify_projection(result)
    largest = stages[-1]
    print(
        f"\nverify_chain at {_n(largest['size']['rows'])} records: {_n(rate)} records/s, "
        f"{_seconds(seconds)} for the whole log ({how})."
    )
    print(
        "Page times: medians of 3 requests after a warm-up (one request when the warm-up took "
        f"over 2 s), Django's test client as insatsledare, DEBUG=1; cut off after "
        f"{PAGE_TIMEOUT_S} s. The month is the last whole month of the log at each size "
        f"({', '.join('–'.join(s['month']) for s in stages)})."
    )

    print(
        f"\nWhere the time goes at {_n(largest['size']['rows'])} records: the slowest query of "
        "the audit table of each kind (the paginator's COUNT, and the rest: the page's rows, the "
        "review's sample), and how PostgreSQL reads the table for it (EXPLAIN):"
    )
    lines = []
    for row in largest["pages"]:
        lines.append(
            [
                row["label"],
                _ms(row.get("ms")) or row.get("note", ""),
                _n(row["shown_of"]) if row.get("shown_of") is not None else "",
                _ms(row.get("count_ms")),
                row.get("count_plan", ""),
                _ms(row.get("rows_ms")),
                row.get("rows_plan", ""),
            ]
        )
    _table(["page", "ms", "matching", "COUNT ms", "read by", "rows ms", "read by"], lines)

    print(f"\nIndexes at {_n(largest['size']['rows'])} records:")
    _table(
        ["index", "columns", "MiB"],
        [[i["name"], i["columns"], _n(i["mib"])] for i in largest["size"]["indexes"]],
    )
    if "delete" in result:
        d = result["delete"]
        v = d["verify_after"]
        print(
            f"\nDeleting the oldest year (records before {d['before'][:10]}): DELETE of "
            f"{_n(d['deleted'])} records {_seconds(d['delete_s'])}, then VACUUM "
            f"{_seconds(d['vacuum_s'])} (the space is reused, the files do not shrink: "
            f"{_n(d['total_mib_after'])} MiB after). DROP of a table holding the same year with "
            f"the same indexes ({_n(d['copy_mib'])} MiB), as dropping a yearly partition: "
            f"{d['drop_ms']:.0f} ms. verify_chain afterwards: "
            + ("ok" if v["ok"] else f"{v['problem']}: {v['message']}")
            + f" (after {v['after']} records, {v['seconds']:.1f} s)."
        )
    print()
    print(conclusion(result))


def conclusion(result: dict[str, Any]) -> str:
    """One paragraph from the figures: what grows with the log, and whether partitioning it by
    year would help."""
    stages = result["stages"]
    small, largest = stages[0], stages[-1]
    rows = largest["size"]["rows"]
    millions = rows / 1e6
    pages = largest["pages"]
    slow = [p for p in pages if p.get("ms", math.inf) >= 1000]
    fast = [p for p in pages if p.get("ms", math.inf) < 1000]
    whole = [
        p["label"] for p in pages if "Seq Scan" in p.get("count_plan", "") + p.get("rows_plan", "")
    ]
    mib_per_million = largest["size"]["total_mib"] / millions
    _rate, verify_s, how = verify_projection(result)
    first_page = pages[0].get("ms")
    medians = ", ".join(
        f"{_ms(s['insert']['median_ms'])} ms at {_n(s['size']['rows'])}" for s in reversed(stages)
    )
    head = [s["insert"]["head_ms"] for s in stages]
    heads = f"{_ms(min(head))}–{_ms(max(head))}"
    text = (
        f"Conclusion. At {_n(rows)} records the audit table with its indexes takes "
        f"{largest['size']['total_mib'] / 1024:.1f} GiB (about {_n(mib_per_million)} MiB per "
        "million records). Writing does not slow down with the size: audit_record() median "
        f"{medians} records (p95 {_ms(largest['insert']['p95_ms'])} ms at the largest); its "
        f"head lookup takes {heads} ms at every size, one probe of the unique index on sequence, "
        "and every index grows at its right edge or in place (the spread follows the machine's "
        "load, above, more than the size). "
    )
    if slow:
        listed = "; ".join(
            f"{p['label']} {_seconds(p['ms'] / 1000)}" if "ms" in p else f"{p['label']} {p['note']}"
            for p in slow
        )
        text += (
            f"Reading is where the size shows: {listed}. "
            f"Those read the whole table ({len(whole)} of the {len(pages)} pages have a "
            "sequential scan of it in their slowest query): the paginator's COUNT(*) on every "
            "/logg/ page, the user filter (UPPER(username), no index), the date filter "
            "(at::date in local time, which the index on `at` cannot serve), the protected "
            "flag inside `detail`, the review's month (at::date again), and on the last page "
            "the OFFSET, which reads and sorts every record before it. "
        )
        if fast:
            text += f"What an index serves stays fast ({', '.join(p['label'] for p in fast)}). "
        text += (
            "Partitioning by year would not fix the slow pages: an unfiltered COUNT still reads "
            "every year's partition, and a condition on at::date prunes none; they need their "
            "queries changed. "
        )
    middle = stages[-2] if len(stages) > 2 else small
    before = middle["pages"][0].get("ms")
    added = (rows - middle["size"]["rows"]) / 1e6
    if first_page and before and added > 0:
        text += (
            f"The first page grows by about {_n((first_page - before) / added)} ms per million "
            "records. "
        )
    if "delete" in result:
        d = result["delete"]
        yearly = d["delete_s"] + d["vacuum_s"]
        threshold = rows * 3600 / yearly / 1e6
        text += (
            f"Deleting the oldest year ({_n(d['deleted'])} records) took "
            f"{_seconds(d['delete_s'])} plus {_seconds(d['vacuum_s'])} of VACUUM, against "
            f"{d['drop_ms']:.0f} ms to drop a year's partition; but nothing deletes audit "
            "records today (gallring keeps the log), and after either the chain needs an anchor: "
            "verify_chain from the genesis hash reports the first remaining record as missing "
            "its predecessors (a stored ChainCheck is such an anchor). "
        )
    text += (
        f"verify_chain takes {_seconds(verify_s)} for the whole log ({how}): the nightly "
        "verify_audit_chain; the page continues from the last check. So partitioning by year is "
        "not needed at "
        f"{_n(rows)} records; it becomes worth its cost (the primary key and the unique "
        "sequence would have to include `at`) once a retention rule deletes audit records "
    )
    if "delete" in result:
        text += (
            "and a year's DELETE and VACUUM no longer fit a night's maintenance window: at the "
            f"rates measured here (linear in the table's size) only at ~{_n(threshold)} M "
            "records, an upper bound, as this cluster runs with fsync off and the whole table "
            "in memory; with a real disk, WAL and full-page writes count on ten times slower, "
            f"i.e. some {_n(threshold / 10)} M records."
        )
    else:
        text += "and a year's DELETE and VACUUM no longer fit a night's maintenance window."
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", type=Path, help="measure the DATABASE_URL database only")
    parser.add_argument("--rows", type=int, default=10_000_000, help="the largest size")
    parser.add_argument(
        "--checkpoint", type=int, default=1_000_000, help="the size measured on the way"
    )
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--referrals", type=int, default=2_000)
    parser.add_argument("--users", type=int, default=300, help="users named in the log")
    parser.add_argument("--inserts", type=int, default=200, help="audit_record() calls timed")
    parser.add_argument(
        "--full-verify",
        action="store_true",
        help="verify the whole chain at --rows too (about 10 more minutes at 10 M), not only at "
        "the checkpoint (from which the time at --rows is extrapolated)",
    )
    parser.add_argument(
        "--no-delete-year",
        dest="delete_year",
        action="store_false",
        help="skip timing the deletion of the oldest year",
    )
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    scratch = Path(tempfile.mkdtemp(prefix="sikta-bench-audit-"))
    out = scratch / "audit.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(out)]
    for name, value in vars(args).items():
        if name in {"worker", "full_verify", "delete_year"}:
            continue
        command += [f"--{name}", str(value)]
    command += ["--full-verify"] if args.full_verify else []
    command += [] if args.delete_year else ["--no-delete-year"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sikta.settings", "PGSCRATCH_OPTS": PG_OPTIONS}
    env.pop("DATABASE_URL", None)
    try:
        done = subprocess.run(
            [str(ROOT / ".ci" / "with-postgres"), *command], cwd=ROOT, env=env, check=False
        )
        if done.returncode == 3:
            sys.exit("PostgreSQL could not be started (see above): nothing measured")
        if done.returncode != 0 or not out.exists():
            sys.exit(f"the worker failed (exit status {done.returncode})")
        result = json.loads(out.read_text())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print_report(result)


if __name__ == "__main__":
    main()
