"""`make load`: Sikta in production configuration on PostgreSQL, under load, and through a
database restart. Prints a table per run and PASS/FAIL for each goal.

    make load                                   (100 000 participants, 50 users, 90 s a run)
    LOAD_PARTICIPANTS=5000 LOAD_SECONDS=30 make load       (a quick look)

What it does:
1. PostgreSQL: a scratch cluster on a free port of 127.0.0.1 (installing the server with apt if
   it is missing, run as the postgres user when we are root), removed at the end.
2. The data: migrate, load_organisation, load_instruments, seed_demo --participants N. The
   seeded database is kept as a dump in var/load/, named by a hash of the migrations, the seed
   code and N, so the next run restores it instead of seeding again.
3. scripts/load/dbtool.py prepare: the load test's own staff logins (see there why).
4. gunicorn with production settings (SIKTA_ENV=production: DEBUG off, two-factor login on,
   HTTPS-only cookies) on 127.0.0.1, as behind the TLS proxy of README "Drift / Deployment".
5. The normal run: locust (scripts/load/locustfile.py), headless, LOAD_USERS users logging in
   LOAD_SPAWN_RATE a second (summed up apart), then LOAD_SECONDS measured. Goals: no errors,
   and p95 under 300 ms for the case pages.
6. The fault run: the same load again; a little before the middle PostgreSQL is stopped
   (immediate: as a crash), kept down LOAD_OUTAGE_SECONDS and started again. Goals: every
   failed request got the friendly 503 page (no traceback), the server answers again by itself
   (same gunicorn master and workers), and every journal entry whose saving was acknowledged
   is in the database afterwards.

Settings (environment): LOAD_PARTICIPANTS (100000), LOAD_REFERRALS (2000), LOAD_USERS (50),
LOAD_SPAWN_RATE (2 users/s), LOAD_SECONDS (90), LOAD_FAULT_SECONDS (as LOAD_SECONDS),
LOAD_OUTAGE_SECONDS (5), LOAD_FAULT (1; 0 skips the fault run), LOAD_WORKERS (2 × cores + 1),
LOAD_THREADS (2), LOAD_STOP_MODE (immediate, or fast: a clean shutdown).
Exit status: 0 when every goal is met, 1 when one is not, 2 when the run itself failed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "load"
PYTHON = ROOT / ".venv" / "bin" / "python"
LOCUST = VAR / "venv" / "bin" / "locust"


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


PARTICIPANTS = env_int("LOAD_PARTICIPANTS", 100_000)
REFERRALS = env_int("LOAD_REFERRALS", 2000)
USERS = env_int("LOAD_USERS", 50)
SPAWN_RATE = env_int("LOAD_SPAWN_RATE", 2)
SECONDS = env_int("LOAD_SECONDS", 90)
FAULT_SECONDS = env_int("LOAD_FAULT_SECONDS", SECONDS)
OUTAGE_SECONDS = env_int("LOAD_OUTAGE_SECONDS", 5)
FAULT = env_int("LOAD_FAULT", 1)
CORES = os.cpu_count() or 1
WORKERS = env_int("LOAD_WORKERS", 2 * CORES + 1)
THREADS = env_int("LOAD_THREADS", 2)
STOP_MODE = os.environ.get("LOAD_STOP_MODE", "immediate")
# Bump when the way the database is seeded changes in a way the hashed files do not show.
SEED_VERSION = "1"
# The goal for the case pages (requests named "case: …"), at the 95th percentile.
CASE_P95_MS = 300
# The pages a person works with; the probe during the outage asks one that reads the database.
PROBE_PATH = "/aktualisering/koordinering/"
PG_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_connections=100 "
    "-c dynamic_shared_memory_type=mmap"
)


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# PostgreSQL: a scratch cluster, like .ci/with-postgres, but one this script can restart.


class Postgres:
    def __init__(self) -> None:
        self.bin = self._binaries()
        self.work = Path(tempfile.mkdtemp(prefix="sikta-load-pg."))
        self.data = self.work / "data"
        self.port = free_port()
        self.root = os.geteuid() == 0
        self.work.chmod(0o755)
        if self.root:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                subprocess.run(
                    ["/usr/sbin/useradd", "--system", "--home-dir", str(self.work), "postgres"],
                    check=True,
                )
            shutil.chown(self.work, "postgres")
        self.version = subprocess.run(
            [str(self.bin / "postgres"), "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[2]
        self.url = f"postgres://sikta@127.0.0.1:{self.port}/sikta"

    @staticmethod
    def _binaries() -> Path:
        def newest() -> Path | None:
            found = sorted(
                Path("/usr/lib/postgresql").glob("*/bin"),
                key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            )
            return found[-1] if found else None

        if newest() is None:
            log("PostgreSQL is not installed: installing it with apt")
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
            subprocess.run(
                [*sudo, "apt-get", "install", "-y", "-qq", "postgresql"],
                check=True,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                stdout=subprocess.DEVNULL,
            )
        found = newest()
        if found is None or not (found / "initdb").exists():
            raise SystemExit("PostgreSQL server binaries not found")
        return found

    def as_pg(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        command = [str(a) for a in args]
        if self.root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, text=True, **kwargs)

    def init(self) -> None:
        self.as_pg(
            self.bin / "initdb", "-D", self.data, "-U", "sikta", "-A", "trust", "--no-sync",
            "-E", "UTF8", "--locale=C.UTF-8",
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start(self, extra: str = "") -> None:
        options = f"-p {self.port} -k {self.work} {PG_OPTIONS} {extra}"
        self.as_pg(
            self.bin / "pg_ctl", "-D", self.data, "-l", self.work / "server.log", "-w", "-t", "120",
            "-o", options, "start",
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self.as_pg(
            self.bin / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop",
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def restart_settings(self, extra: str) -> None:
        self.stop("fast")
        self.start(extra)

    def tool(self, name: str, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / name), "-h", "127.0.0.1", "-p", str(self.port), "-U", "sikta", *args],
            text=True,
            **kwargs,
        )

    def sql(self, statement: str) -> str:
        done = self.tool(
            "psql", "-d", "sikta", "-At", "-c", statement, check=True, capture_output=True
        )
        return done.stdout.strip()

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The data, seeded once and kept as a dump.


def django_env(pg: Postgres, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sikta.settings",
        "SIKTA_ENV": "development",
        "DEBUG": "1",
        "DATABASE_URL": pg.url,
        # dbtool.py refuses to run without it: its logins have known passwords.
        "SIKTA_LOAD_SCRATCH_DATABASE": pg.url,
        **extra,
    }
    env.pop("DATABASE_REPLICA_URL", None)
    return env


def manage(pg: Postgres, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=django_env(pg),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def seed_key(pg: Postgres) -> str:
    """What the seeded database depends on: the schema, the seed code and data, the size."""
    digest = hashlib.sha256()
    files = sorted(ROOT.glob("sikta/*/migrations/*.py"))
    files += sorted(ROOT.glob("sikta/**/demo.py"))
    files += sorted(ROOT.glob("sikta/*/data/*.toml"))
    files += [ROOT / "sikta/accounts/management/commands/seed_demo.py"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    major = pg.version.split(".")[0]
    digest.update(f"{PARTICIPANTS}/{REFERRALS}/{SEED_VERSION}/pg{major}".encode())
    return digest.hexdigest()[:16]


def load_data(pg: Postgres) -> dict[str, Any]:
    """Restore the cached dump, or seed and make it. Returns what happened and how long."""
    key = seed_key(pg)
    dump = VAR / f"seed-{PARTICIPANTS}-{key}.dump"
    meta_file = dump.with_suffix(".json")
    pg.tool("createdb", "sikta", check=True)
    if dump.exists() and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        log(f"restoring the seeded database from {dump.relative_to(ROOT)}")
        start = time.perf_counter()
        pg.tool("pg_restore", "-d", "sikta", "-j", str(CORES), "--no-owner", str(dump), check=True)
        pg.sql("ANALYZE")
        meta["restore_seconds"] = time.perf_counter() - start
        meta["cached"] = True
        return meta
    meta: dict[str, Any] = {"participants": PARTICIPANTS, "referrals": REFERRALS}
    log("migrate, load_organisation, load_instruments")
    meta["migrate_seconds"] = manage(pg, "migrate", "--no-input")
    manage(pg, "load_organisation")
    manage(pg, "load_instruments")
    log(f"seed_demo --participants {PARTICIPANTS} --referrals {REFERRALS} (timed)")
    meta["seed_seconds"] = manage(
        pg,
        "seed_demo",
        "--participants",
        str(PARTICIPANTS),
        "--referrals",
        str(REFERRALS),
        "--no-progress",
    )
    pg.sql("ANALYZE")
    meta["size_mib"] = int(pg.sql("SELECT pg_database_size('sikta')")) / 2**20
    for old in VAR.glob(f"seed-{PARTICIPANTS}-*.dump"):
        old.unlink()
    start = time.perf_counter()
    tmp = dump.with_suffix(".tmp")
    pg.tool("pg_dump", "-d", "sikta", "-Fc", "-Z", "1", "-f", str(tmp), check=True)
    tmp.rename(dump)
    meta["dump_seconds"] = time.perf_counter() - start
    meta_file.write_text(json.dumps(meta))
    meta["cached"] = False
    return meta


# ---------------------------------------------------------------------------------------------
# gunicorn in production configuration.


class Server:
    def __init__(self, pg: Postgres) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.pidfile = VAR / "gunicorn.pid"
        self.logfile = VAR / "gunicorn.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sikta.settings",
            "SIKTA_ENV": "production",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "BEHIND_TLS_PROXY": "1",
            "DATABASE_URL": pg.url,
            "DB_CONN_MAX_AGE": "60",
            # No mail server here; the message is built all the same.
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
        for name in ("DATABASE_REPLICA_URL", "REQUIRE_2FA", "SECURE_SSL_REDIRECT"):
            self.env.pop(name, None)
        self.process: subprocess.Popen[bytes] | None = None

    def collectstatic(self) -> None:
        subprocess.run(
            [str(PYTHON), "manage.py", "collectstatic", "--no-input"],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self.pidfile.unlink(missing_ok=True)
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "sikta.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--worker-class", "gthread",
            "--workers", str(WORKERS),
            "--threads", str(THREADS),
            "--timeout", "120",
            "--forwarded-allow-ips", "127.0.0.1",
            "--pid", str(self.pidfile),
            "--error-logfile", str(self.logfile),
            "--no-control-socket",  # another gunicorn on the machine may have the default one
            "--keep-alive", "30",  # as a proxy keeps its upstream connections open
            "--capture-output",  # Django's log (tracebacks during the outage) goes there too
        ]  # fmt: skip
        self.logfile.write_text("")
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}): see {self.logfile}")
            if get(self.base + "/konto/logga-in/", timeout=2)[0] == 200:
                return
            time.sleep(0.5)
        raise SystemExit("gunicorn did not answer within 90 s")

    @property
    def master(self) -> int:
        return int(self.pidfile.read_text().strip())

    def workers(self) -> set[int]:
        children = Path(f"/proc/{self.master}/task/{self.master}/children")
        return {int(pid) for pid in children.read_text().split()} if children.exists() else set()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def get(url: str, timeout: float = 5) -> tuple[int, dict[str, str], str]:
    """GET as the TLS proxy would forward it: status, headers, body (status 0: no answer)."""
    request = urllib.request.Request(  # noqa: S310 (http on loopback, built here)
        url, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")
    except (OSError, urllib.error.URLError):
        return 0, {}, ""


# ---------------------------------------------------------------------------------------------
# locust, and its statistics.


@dataclass
class Run:
    name: str
    seconds: int
    prefix: Path = field(init=False)
    ack: Path = field(init=False)
    events: Path = field(init=False)
    load_before: float = 0.0  # the machine's load average (1 min) as the run began

    def __post_init__(self) -> None:
        self.prefix = VAR / self.name
        self.ack = VAR / f"acknowledged-{self.name}.txt"
        self.events = VAR / f"requests-{self.name}.jsonl"


def start_locust(server: Server, accounts: Path, run: Run) -> subprocess.Popen[bytes]:
    for path in (run.ack, run.events):
        path.write_text("")
    for old in VAR.glob(f"{run.name}_*.csv"):
        old.unlink()
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": str(accounts),
        "LOAD_ACK_FILE": str(run.ack),
        "LOAD_EVENTS_FILE": str(run.events),
        "LOAD_RUN_ID": f"{run.name}{int(time.time())}",
    }
    command = [
        str(LOCUST),
        "-f", str(ROOT / "scripts" / "load" / "locustfile.py"),
        "--headless",
        "--users", str(USERS),
        "--spawn-rate", str(SPAWN_RATE),
        "--run-time", f"{ramp_seconds() + run.seconds}s",
        "--reset-stats",  # the table: all users running; the ramp-up is summed up apart
        "--host", server.base,
        "--csv", str(run.prefix),
        "--only-summary",
        "--stop-timeout", "30",
        "--exit-code-on-error", "0",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    log(f"locust: {USERS} users, {run.seconds} s ({run.name} run)")
    run.load_before = os.getloadavg()[0]
    output = (VAR / f"locust-{run.name}.log").open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def ramp_seconds() -> int:
    """Logging in costs a password hash each (deliberately slow): the users arrive gradually,
    and the statistics start when they all have."""
    return math.ceil(USERS / SPAWN_RATE)


def read_events(run: Run) -> tuple[float | None, list[dict[str, Any]]]:
    """When all users were running, and every request (see the locustfile's _record)."""
    spawned, events = None, []
    for line in run.events.read_text().splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        if "spawned" in entry:
            spawned = spawned or entry["spawned"]
        else:
            events.append(entry)
    return spawned, events


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def machine_report(run: Run) -> None:
    print(
        f"Machine: {CORES} cores, load average {run.load_before:.1f} as the run began, "
        f"{os.getloadavg()[0]:.1f} at its end (this run's server, PostgreSQL and locust "
        "included; above that, other work on the machine)"
    )


def ramp_report(run: Run) -> int:
    """Print what happened while the users logged in; return its number of errors."""
    spawned, events = read_events(run)
    before = [e for e in events if spawned is None or e["t"] < spawned]
    logins = [e["ms"] for e in before if e["name"] == "login: password"]
    codes = [e["ms"] for e in before if e["name"] == "login: code"]
    errors = sum(not e["ok"] for e in before)

    def step(name: str, times: list[float]) -> str:
        if not times:
            return ""
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        return f"; {name} step p50 {p50:.0f} ms, p95 {p95:.0f} ms"

    print(
        f"Ramp-up ({USERS} users logging in, {SPAWN_RATE} a second; not in the table): "
        f"{len(before)} requests, {errors} errors" + step("password", logins) + step("TOTP", codes)
    )
    return errors


def read_stats(run: Run) -> list[dict[str, Any]]:
    path = run.prefix.with_name(f"{run.name}_stats.csv")
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _num(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    header = ["page", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"]
    lines = []
    body = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: r["Name"])
    total = [r for r in rows if r["Name"] == "Aggregated"]
    for r in [*body, *total]:
        lines.append(
            [
                "total" if r["Name"] == "Aggregated" else r["Name"],
                r["Request Count"],
                f"{_num(r['Requests/s']):.2f}",
                f"{_num(r['50%']):.0f}",
                f"{_num(r['95%']):.0f}",
                f"{_num(r['99%']):.0f}",
                f"{_num(r['Max Response Time']):.0f}",
                r["Failure Count"],
            ]
        )
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines, strict=True)]

    def fmt(line: list[str]) -> str:
        return "  ".join(
            str(x).ljust(w) if i == 0 else str(x).rjust(w)
            for i, (x, w) in enumerate(zip(line, widths, strict=True))
        )

    print(f"\n{title}")
    print(fmt(header))
    print("  ".join("-" * w for w in widths))
    for line in lines[:-1]:
        print(fmt(line))
    print("  ".join("-" * w for w in widths))
    print(fmt(lines[-1]))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def normal_goals(rows: list[dict[str, Any]], ramp_errors: int) -> list[tuple[str, bool]]:
    total = next(r for r in rows if r["Name"] == "Aggregated")
    errors = int(total["Failure Count"]) + ramp_errors
    case = [r for r in rows if r["Name"].startswith("case: ")]
    worst = max(case, key=lambda r: _num(r["95%"]), default=None)
    goals = [
        (
            f"no errors ({errors}: {ramp_errors} in the ramp-up, "
            f"{total['Failure Count']} of {total['Request Count']} measured requests)",
            errors == 0,
        )
    ]
    if worst is None:
        goals.append(("p95 of the case pages: no case page was requested", False))
    else:
        p95 = _num(worst["95%"])
        goals.append(
            (
                f"p95 under {CASE_P95_MS} ms for every case page "
                f"(slowest: {worst['Name']}, {p95:.0f} ms)",
                p95 < CASE_P95_MS,
            )
        )
    return goals


# ---------------------------------------------------------------------------------------------
# The fault run.


class Sessions(threading.Thread):
    """Samples what PostgreSQL's sessions are doing (pg_stat_activity) twice a second: whether
    requests wait for the CPU, for a lock (the audit log's chain is one advisory lock) or for
    the disk (WAL flush at commit)."""

    QUERY = (
        "SELECT coalesce(wait_event_type || ':' || wait_event, 'running') FROM pg_stat_activity"
        " WHERE datname = 'sikta' AND state = 'active' AND pid <> pg_backend_pid()"
    )

    def __init__(self, pg: Postgres) -> None:
        super().__init__(daemon=True)
        self.pg = pg
        self.samples = 0
        self.counts: dict[str, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            try:
                states = self.pg.sql(self.QUERY).split()
            except subprocess.CalledProcessError:  # down (the fault run)
                continue
            self.samples += 1
            for state in states:
                self.counts[state] = self.counts.get(state, 0) + 1

    def report(self) -> None:
        self.done.set()
        self.join()
        if not self.samples:
            return
        top = sorted(self.counts.items(), key=lambda kv: -kv[1])[:5]
        busy = sum(self.counts.values()) / self.samples
        parts = ", ".join(f"{state} {n / self.samples:.2f}" for state, n in top)
        print(
            f"PostgreSQL, sampled every 0.5 s: {busy:.2f} queries in progress on average "
            f"({parts or 'none'}; Lock:advisory = waiting for the audit chain)"
        )


class Probe(threading.Thread):
    """Asks a page that reads the database every 0.2 s and keeps what came back."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.answers: list[tuple[float, int, dict[str, str], str]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            status, headers, body = get(self.url, timeout=10)
            self.answers.append((time.time(), status, headers, body))
            time.sleep(0.2)


TRACEBACK_SIGNS = ("Traceback", 'File "/', "OperationalError", "InterfaceError", "psycopg")


def friendly(status: int, headers: dict[str, str], body: str) -> bool:
    """The 503 page: Retry-After, the site's look, no trace of the exception."""
    has_retry = any(k.lower() == "retry-after" for k in headers)
    return (
        status == 503
        and has_retry
        and "sikta/site" in body
        and not any(s in body for s in TRACEBACK_SIGNS)
    )


def fault_run(
    pg: Postgres,
    server: Server,
    accounts: Path,
    runs: list[Run],
    locusts: list[subprocess.Popen[bytes]],
) -> list[tuple[str, bool]]:
    run = Run("fault", FAULT_SECONDS)
    runs.append(run)
    master, workers = server.master, server.workers()
    locust = start_locust(server, accounts, run)
    locusts.append(locust)
    # Down a little before the middle of the measured time: the users are all logged in and
    # busy by then, and the run goes on long enough after it to see the recovery.
    deadline = time.time() + ramp_seconds() + 60
    started = None
    while started is None and time.time() < deadline and locust.poll() is None:
        time.sleep(0.5)
        started = read_events(run)[0]
    if started is None:
        raise SystemExit("the fault run's users did not all start")
    down_at = started + FAULT_SECONDS * 0.4
    probe = Probe(server.base + PROBE_PATH)
    time.sleep(max(0.0, down_at - 3 - time.time()))
    probe.start()
    time.sleep(max(0.0, down_at - time.time()))
    log(f"PostgreSQL: stop ({STOP_MODE}), {OUTAGE_SECONDS} s down, start")
    t_down = time.time()
    pg.stop(STOP_MODE)
    t_stopped = time.time()
    time.sleep(OUTAGE_SECONDS)
    t_start = time.time()
    pg.start()  # returns when it accepts connections (after crash recovery)
    t_up = time.time()
    try:
        locust.wait(timeout=FAULT_SECONDS + 180)
    except subprocess.TimeoutExpired:
        locust.kill()
        raise SystemExit("locust did not finish") from None
    probe.done.set()
    probe.join()

    rows = read_stats(run)
    print_table(
        f"Fault run: {USERS} users, {FAULT_SECONDS} s, PostgreSQL down for "
        f"{t_up - t_down:.1f} s from t={t_down - started:.0f} s",
        rows,
    )

    machine_report(run)
    ramp_report(run)  # its errors count below, as failures outside the outage window
    events = read_events(run)[1]
    failed = [e for e in events if not e["ok"]]
    grace = 15.0  # requests that began before the restart may end a little after it
    in_window = [e for e in failed if t_down <= e["t"] <= t_up + grace]
    outside = [e for e in failed if not t_down <= e["t"] <= t_up + grace]
    by_status: dict[int, int] = {}
    for e in in_window:
        by_status[e["status"]] = by_status.get(e["status"], 0) + 1
    friendly_503 = [
        e for e in failed if e["status"] == 503 and e.get("retry_after") and e.get("site_look")
    ]
    tracebacks = [e for e in failed if e.get("traceback")]
    cut = [e for e in failed if e["status"] == 0]
    other = [e for e in failed if e["status"] not in (0, 503)]

    probe_after = [a for a in probe.answers if a[0] >= t_up]
    first_ok = next((a[0] for a in probe_after if a[1] == 200), None)
    probe_failed = [a for a in probe.answers if a[1] != 200]
    probe_unfriendly = [a for a in probe_failed if not friendly(a[1], a[2], a[3])]
    last_failure = max((e["t"] for e in failed), default=None)
    ok_after = [e["t"] for e in events if e["ok"] and e["t"] > t_up]
    first_locust_ok = min(ok_after) if ok_after else None

    same_master = server.master == master
    now_workers = server.workers()
    statuses = ", ".join(f"{k or 'no answer'}: {v}" for k, v in sorted(by_status.items()))
    report = [
        f"failed requests in the outage window: {len(in_window)} ({statuses or '-'})",
        f"failed requests outside it (+{grace:.0f} s): {len(outside)}",
        f"friendly 503 pages (Retry-After, the site's look): {len(friendly_503)} of {len(failed)}",
        f"failures with a traceback in the body: {len(tracebacks)}",
        f"no answer (refused, or an answer cut off while streaming): {len(cut)}",
    ]
    if other:
        first = other[0].get("body", "")[:120]
        report.append(f"other statuses: {sorted({e['status'] for e in other})}; first: {first!r}")
    report.append(
        f"probe {PROBE_PATH} every 0.2 s: {len(probe.answers)} answers, {len(probe_failed)} "
        f"failed, {len(probe_unfriendly)} of them not the friendly page"
    )
    if first_ok is not None:
        report.append(f"first successful probe after PostgreSQL was back: {first_ok - t_up:.2f} s")
    if first_locust_ok is not None:
        report.append(f"first successful locust request after it: {first_locust_ok - t_up:.2f} s")
    if last_failure is not None:
        report.append(f"last failed locust request: {last_failure - t_up:+.2f} s from then")
    workers_text = (
        "unchanged" if now_workers == workers else f"{sorted(workers)} → {sorted(now_workers)}"
    )
    report.append(f"gunicorn master pid {master} → {server.master}; workers {workers_text}")
    report.insert(
        0,
        f"PostgreSQL down {t_up - t_down:.1f} s: stopping took {t_stopped - t_down:.1f} s, "
        f"then {OUTAGE_SECONDS} s stopped, starting (with recovery) {t_up - t_start:.1f} s",
    )
    print("\nDuring the outage")
    for line in report:
        print(f"  {line}")

    counted = subprocess.run(
        [
            str(PYTHON),
            str(ROOT / "scripts" / "load" / "dbtool.py"),
            "markers",
            *(str(r.ack) for r in runs),
        ],
        cwd=ROOT,
        env=django_env(pg),
        check=True,
        capture_output=True,
        text=True,
    )
    marks = json.loads(counted.stdout)
    print("\nAcknowledged journal entries (both runs) against the database")
    print(
        f"  acknowledged: {marks['acknowledged']}, found: {marks['found']}, "
        f"lost: {marks['lost']}; saved without the client seeing the answer: "
        f"{marks['unacknowledged_in_database']}"
    )
    if marks["lost_markers"]:
        print(f"  lost, for example: {marks['lost_markers'][:5]}")

    fails_ok = bool(failed) or bool(probe_failed)
    return [
        (
            "requests failed cleanly during the outage: every HTTP error the 503 page, no "
            f"traceback ({len(tracebacks) + len(other) + len(probe_unfriendly)} not)",
            fails_ok and not tracebacks and not other and not probe_unfriendly,
        ),
        (
            f"no failures outside the outage window (+{grace:.0f} s): {len(outside)}",
            not outside,
        ),
        (
            "recovered without a restart: "
            + (f"answered {first_ok - t_up:.1f} s after PostgreSQL was back" if first_ok else "")
            + (", same gunicorn master" if same_master else ", gunicorn master changed")
            + (" and workers" if now_workers == workers else ", workers changed"),
            first_ok is not None and same_master and now_workers == workers,
        ),
        (
            f"no acknowledged journal entry lost ({marks['lost']} of {marks['acknowledged']})",
            marks["lost"] == 0 and marks["acknowledged"] > 0,
        ),
    ]


# ---------------------------------------------------------------------------------------------


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    if not LOCUST.exists():
        raise SystemExit(f"{LOCUST} is missing: run `make load`, which installs it")
    pg = Postgres()
    server: Server | None = None
    locusts: list[subprocess.Popen[bytes]] = []

    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        log(f"PostgreSQL {pg.version}: scratch cluster on 127.0.0.1:{pg.port}")
        pg.init()
        # Loading: no fsync (a crash would only cost the scratch data).
        pg.start("-c fsync=off -c full_page_writes=off")
        meta = load_data(pg)
        # The runs: durable commits, as in production, so "acknowledged" means on disk.
        pg.restart_settings("")
        accounts = VAR / "accounts.json"
        subprocess.run(
            [
                str(PYTHON),
                str(ROOT / "scripts" / "load" / "dbtool.py"),
                "prepare",
                str(accounts),
                "--per-lansdel",
                str(max(4, USERS // 4)),
                "--leads",
                str(max(2, USERS // 8)),
                "--steering",
                str(max(2, USERS // 5)),
            ],
            cwd=ROOT,
            env=django_env(pg),
            check=True,
        )
        server = Server(pg)
        log("collectstatic; gunicorn (production settings)")
        server.collectstatic()
        server.start()
        log(f"gunicorn on {server.base}: {WORKERS} workers × {THREADS} threads (gthread)")

        runs = [Run("normal", SECONDS)]
        locust = start_locust(server, accounts, runs[0])
        locusts.append(locust)
        sessions = Sessions(pg)
        sessions.start()
        locust.wait(timeout=ramp_seconds() + SECONDS + 180)
        rows = read_stats(runs[0])

        print()
        if meta["cached"]:
            print(
                f"Database: {PARTICIPANTS} participants, restored from the cached dump in "
                f"{meta['restore_seconds']:.0f} s (seeding it took {meta['seed_seconds']:.0f} s, "
                f"{meta['size_mib']:.0f} MiB)"
            )
        else:
            print(
                f"Database: seed_demo --participants {PARTICIPANTS} --referrals {REFERRALS} "
                f"took {meta['seed_seconds']:.0f} s ({PARTICIPANTS / meta['seed_seconds']:.0f} "
                f"participants/s), migrate {meta['migrate_seconds']:.0f} s, "
                f"{meta['size_mib']:.0f} MiB; dumped for next time in {meta['dump_seconds']:.0f} s"
            )
        print(
            f"Server: gunicorn, {WORKERS} workers × {THREADS} threads, {CORES} cores; "
            f"PostgreSQL {pg.version}; locust {USERS} users on the same machine"
        )
        print_table(f"Normal run: {USERS} users, {SECONDS} s", rows)
        machine_report(runs[0])
        sessions.report()
        ramp_errors = ramp_report(runs[0])
        goals = [("normal run: " + text, ok) for text, ok in normal_goals(rows, ramp_errors)]
        if FAULT:
            goals += [
                ("fault run: " + text, ok)
                for text, ok in fault_run(pg, server, accounts, runs, locusts)
            ]
        print("\nGoals")
        for text, ok in goals:
            print(f"  {verdict(ok)}  {text}")
        print(f"\nCSV statistics and logs: {VAR.relative_to(ROOT)}/")
        return 0 if all(ok for _text, ok in goals) else 1
    except KeyboardInterrupt:
        log("interrupted")
        return 2
    except (Exception, SystemExit) as error:  # the run itself failed: not a goal missed
        if not isinstance(error, SystemExit):
            traceback.print_exc()
        log(f"the load run failed: {error}")
        return 2
    finally:
        for locust in locusts:
            if locust.poll() is None:
                locust.terminate()
        if server is not None:
            server.stop()
        pg.remove()


if __name__ == "__main__":
    sys.exit(main())
