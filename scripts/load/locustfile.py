"""The load of `make load`: Sikta's staff and the public at work, as locust users.

Started by scripts/load/run.py, which prepares the accounts (scripts/load/dbtool.py) and passes
their file in LOAD_ACCOUNTS. Runs in a virtualenv of its own (requirements-load.txt), without
Django: everything goes through HTTP, the way a browser does it, with the real login form,
CSRF tokens and TOTP codes.

Who (of 50 users; the weights keep the shares for other numbers):
  33 caseworker  coaches and koordinatorer: start page, their participants, the journal; they
                 write journal entries (each with a unique marker, recorded as acknowledged when
                 the answer says it was saved: LOAD_ACK_FILE)
   6 samordnare  the referral queue, referrals, invitations to a first meeting
   4 styrgrupp   the dashboard, with and without filters, the survey report
   2 lead        exports of the dashboard (CSV, XLSX) and of the evaluator's data set, read in
                 full
   5 referrer    an anonymous relative sending the public referral form
Each waits a few seconds between pages (see wait_time): busier than real people are.

Requests are named by page type, so the statistics group them ("case: journal", "queue", …).

The server is reached over plain HTTP on loopback, as the TLS proxy of a production install
reaches it (README: Drift / Deployment): this client plays the proxy too, sending
X-Forwarded-Proto and X-Forwarded-For, and sends the Secure cookies on that leg.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
import uuid
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task
from locust.exception import StopUser

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
ACK_FILE = os.environ.get("LOAD_ACK_FILE")
EVENTS_FILE = os.environ.get("LOAD_EVENTS_FILE")
RUN_ID = os.environ.get("LOAD_RUN_ID", uuid.uuid4().hex[:8])
MARKER_PREFIX = ACCOUNTS["marker_prefix"]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PARTICIPANT_LINK = re.compile(r'href="/deltagare/(\d+)/"')
REFERRAL_LINK = re.compile(r'href="/aktualiseringar/(\d+)/"')
TRACEBACK_SIGNS = ("Traceback", 'File "/', "OperationalError", "InterfaceError", "psycopg")

_ack = open(ACK_FILE, "a", buffering=1) if ACK_FILE else None  # noqa: SIM115 (whole run)
_events = open(EVENTS_FILE, "a", buffering=1) if EVENTS_FILE else None  # noqa: SIM115 (same)
_next_account = {role: itertools.count() for role in ACCOUNTS["accounts"]}


def rng() -> random.Random:
    return random.Random()  # noqa: S311 (load test: not for secrets)


# ---------------------------------------------------------------------------------------------
# What is recorded besides locust's own statistics.


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    response: Any = None,
    exception: Any = None,
    start_time: float | None = None,
    **_kwargs: Any,
) -> None:
    """One line per request (LOAD_EVENTS_FILE): when it ended, and for a failure what came back,
    so the fault run can tell a friendly 503 page from a traceback."""
    if _events is None:
        return
    status = getattr(response, "status_code", 0) or 0
    line: dict[str, Any] = {
        "t": (start_time or time.time()) + response_time / 1000,
        "ms": round(response_time, 1),
        "name": name,
        "status": status,
        "ok": exception is None,
    }
    if exception is not None:
        body = ""
        try:
            body = response.text if response is not None and response.content else ""
        except Exception:  # noqa: BLE001 (a cut stream has no text)
            body = ""
        line["error"] = str(exception)[:200]
        line["retry_after"] = bool(response is not None and response.headers.get("Retry-After"))
        line["site_look"] = "sikta/site" in body
        line["traceback"] = any(sign in body for sign in TRACEBACK_SIGNS)
        line["body"] = body[:300]
    _events.write(json.dumps(line) + "\n")


@events.spawning_complete.add_listener
def _spawned(user_count: int, **_kwargs: Any) -> None:
    """All users are running: the statistics start again from here (--reset-stats)."""
    if _events is not None:
        _events.write(json.dumps({"spawned": time.time(), "users": user_count}) + "\n")


def totp(key_hex: str, at: float | None = None, step: int = 30) -> str:
    """The code an authenticator app shows (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def fictional_personnummer(r: random.Random, min_age: int, max_age: int) -> str:
    """A valid personnummer of someone min_age–max_age years old; the name and phone beside it
    are fictional, as are all referrals the load run sends."""
    today = dt.date.today()
    age = r.randint(min_age + 1, max_age - 1)
    birth = today.replace(year=today.year - age, day=min(today.day, 28)) - dt.timedelta(
        days=r.randrange(0, 360)
    )
    nine = f"{birth:%y%m%d}{r.randrange(0, 1000):03d}"
    return f"{birth:%Y%m%d}-{nine[6:]}{luhn_digit(nine)}"


def _secure_cookies_on_the_proxy_leg(self: Any, cookie: Any, request: Any) -> bool:
    return True


# Django marks its cookies Secure in production; a browser sends them to the proxy over HTTPS,
# and the proxy passes them on over plain HTTP on loopback. This process plays both, and talks
# to nothing but that server: its cookie jars send Secure cookies over http:// too. (A policy
# set on one jar would not do: requests merges the cookies into a new jar for each request.)
DefaultCookiePolicy.return_ok_secure = _secure_cookies_on_the_proxy_leg


# ---------------------------------------------------------------------------------------------


class SiktaUser(HttpUser):
    abstract = True
    role = ""
    # Reading a page, typing: faster than people are (10–60 s a page), on purpose.
    wait_time = between(2, 8)

    def on_start(self) -> None:
        self.address = f"10.{rng().randrange(256)}.{rng().randrange(256)}.{rng().randrange(1, 255)}"
        self.client.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": self.address})
        self.origin = "https://" + self.host.split("://", 1)[1].rstrip("/")
        if self.role:
            pool = ACCOUNTS["accounts"][self.role]
            self.account = pool[next(_next_account[self.role]) % len(pool)]
            self.login()

    # -- helpers -----------------------------------------------------------------------------

    def post(self, path: str, data: Any, *, name: str, referer: str, **kwargs: Any) -> Any:
        """A form POST as a browser sends it over HTTPS (Origin and Referer for CSRF)."""
        headers = {"Origin": self.origin, "Referer": self.origin + referer}
        return self.client.post(
            path, data=data, name=name, headers=headers, allow_redirects=False, **kwargs
        )

    def page(self, path: str, name: str) -> str:
        """GET a page, following redirects; the body ("" if it failed)."""
        response = self.client.get(path, name=name)
        if response.status_code != 200:
            return ""
        if "/konto/logga-in/" in response.url:  # the session is gone: log in again
            self.login()
            return ""
        return response.text

    def login(self) -> None:
        """The login form, then (if the role has a device) the TOTP code, as a person does."""
        form = self.client.get("/konto/logga-in/", name="login: form")
        token = CSRF.search(form.text)
        if not token:
            raise StopUser()
        with self.post(
            "/konto/logga-in/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": self.account["username"],
                "password": ACCOUNTS["password"],
            },
            name="login: password",
            referer="/konto/logga-in/",
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login refused ({answer.status_code})")
                raise StopUser()
            answer.success()
        if "totp_key" not in self.account:
            return
        for attempt in range(3):
            step = self.client.get("/konto/tvafaktor/?next=/", name="login: code form")
            token = CSRF.search(step.text)
            if not token:
                raise StopUser()
            with self.post(
                "/konto/tvafaktor/?next=/",
                {"csrfmiddlewaretoken": token.group(1), "token": totp(self.account["totp_key"])},
                name="login: code",
                referer="/konto/tvafaktor/?next=/",
                catch_response=True,
            ) as answer:
                if answer.status_code == 302:
                    answer.success()
                    return
                if attempt == 2:
                    answer.failure(f"code refused ({answer.status_code})")
                    raise StopUser()
                # A code is accepted once: this one was used a moment ago. Wait for the next.
                answer.success()
            time.sleep(31 - time.time() % 30)


class Caseworker(SiktaUser):
    """A coach or koordinator with a caseload of their own."""

    weight = 33
    role = "caseworker"

    def on_start(self) -> None:
        super().on_start()
        self.participants: list[int] = list(self.account.get("participants", []))
        self.start_page()

    def participant(self) -> int:
        if not self.participants:
            raise StopUser()
        return rng().choice(self.participants)

    @task(3)
    def start_page(self) -> None:
        body = self.page("/", "start page: caseworker")
        seen = [int(pk) for pk in PARTICIPANT_LINK.findall(body)]
        if seen:
            self.participants = sorted(set(seen))

    @task(1)
    def participant_list(self) -> None:
        self.page("/deltagare/", "participants: list")

    @task(6)
    def read_case(self) -> None:
        pk = self.participant()
        self.page(f"/deltagare/{pk}/", "case: participant")
        self.page(f"/deltagare/{pk}/journal/", "case: journal")

    @task(1)
    def read_plan(self) -> None:
        self.page(f"/deltagare/{self.participant()}/plan/", "case: plan")

    @task(3)
    def write_journal(self) -> None:
        pk = self.participant()
        path = f"/deltagare/{pk}/journal/"
        body = self.page(path, "case: journal")
        token = CSRF.search(body)
        if not token:
            return
        marker = f"{MARKER_PREFIX}{RUN_ID}-{uuid.uuid4().hex}"
        r = rng()
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "date": dt.date.today().isoformat(),
            "kind": r.choice(["mote", "telefon", "arbetsgivare", "myndighet"]),
            "duration_minutes": str(r.choice([15, 30, 45, 60, 90])),
            "note": (
                "Uppföljande samtal om veckans aktiviteter och nästa steg mot praktik. "
                f"Överenskommet att höras igen nästa vecka. {marker}"
            ),
        }
        with self.post(
            path, data, name="case: journal write", referer=path, catch_response=True
        ) as answer:
            if answer.status_code == 302 and answer.headers.get("Location", "").endswith(path):
                answer.success()
                if _ack is not None:
                    _ack.write(marker + "\n")  # acknowledged: the answer said it was saved
            else:
                answer.failure(f"not saved ({answer.status_code})")
                return
        self.page(path, "case: journal")  # the redirect, as the browser follows it


class Samordnare(SiktaUser):
    """A samordnare working the referral queue of their länsdel."""

    weight = 6
    role = "samordnare"

    def on_start(self) -> None:
        super().on_start()
        self.referrals: list[int] = []
        self.queue()

    @task(4)
    def queue(self) -> None:
        body = self.page("/aktualiseringar/", "queue")
        self.referrals = [int(pk) for pk in REFERRAL_LINK.findall(body)] or self.referrals

    @task(1)
    def queue_all(self) -> None:
        page = rng().randint(1, 5)
        self.page(f"/aktualiseringar/?status=alla&sida={page}", "queue: all, paged")

    @task(1)
    def start_page(self) -> None:
        self.page("/", "start page: samordnare")

    @task(4)
    def referral(self) -> None:
        if self.referrals:
            pk = rng().choice(self.referrals)
            self.page(f"/aktualiseringar/{pk}/", "queue: referral")

    @task(2)
    def invite(self) -> None:
        """Invite the person to a first meeting (allowed again and again while undecided)."""
        if not self.referrals:
            return
        pk = rng().choice(self.referrals)
        path = f"/aktualiseringar/{pk}/"
        token = CSRF.search(self.page(path, "queue: referral"))
        if not token:
            return
        meeting = dt.datetime.now().replace(minute=0) + dt.timedelta(days=rng().randint(2, 14))
        with self.post(
            f"{path}kalla/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "meeting_at": meeting.strftime("%Y-%m-%dT%H:%M"),
                "note": "Kallad till första samtal.",
            },
            name="queue: invite",
            referer=path,
            catch_response=True,
        ) as answer:
            if answer.status_code == 302:
                answer.success()
            else:
                answer.failure(f"not saved ({answer.status_code})")
                return
        self.page(path, "queue: referral")


def _period(r: random.Random) -> dict[str, str]:
    today = dt.date.today()
    start = r.choice([today.replace(month=1, day=1), today - dt.timedelta(days=364)])
    return {"date_from": start.isoformat(), "date_to": today.isoformat()}


class SteeringGroup(SiktaUser):
    """A member of the steering group reading the figures."""

    weight = 4
    role = "styrgrupp"
    wait_time = between(5, 20)

    @task(3)
    def dashboard(self) -> None:
        self.page("/rapporter/", "dashboard")

    @task(3)
    def dashboard_filtered(self) -> None:
        r = rng()
        query = {**_period(r), "by": r.choice(["lansdel", "kommun", "track", "gender", "age"])}
        self.client.get("/rapporter/", params=query, name="dashboard: filtered")

    @task(1)
    def survey_report(self) -> None:
        self.page("/rapporter/enkat/", "survey report")

    @task(1)
    def start_page(self) -> None:
        self.page("/", "start page: styrgrupp")


class Exporter(SiktaUser):
    """The programme lead taking the figures (and now and then the evaluator's data set) out."""

    weight = 2
    role = "lead"
    wait_time = between(10, 30)

    def export(self, path: str, params: dict[str, str], name: str) -> None:
        # The whole body is read (requests does, without stream=True): a streamed export's
        # queries run while it is read.
        with self.client.get(path, params=params, name=name, catch_response=True) as answer:
            if answer.status_code == 200 and answer.content:
                answer.success()
            elif answer.status_code == 200:
                answer.failure("empty export")

    @task(3)
    def dashboard_csv(self) -> None:
        r = rng()
        self.export(
            "/rapporter/", {**_period(r), "by": "lansdel", "export": "csv"}, "export: dashboard csv"
        )

    @task(2)
    def dashboard_xlsx(self) -> None:
        r = rng()
        self.export(
            "/rapporter/",
            {**_period(r), "by": "kommun", "export": "xlsx"},
            "export: dashboard xlsx",
        )

    @task(1)
    def evaluation_csv(self) -> None:
        self.export("/rapporter/utvardering/", {"format": "csv"}, "export: evaluation csv")

    @task(2)
    def dashboard(self) -> None:
        self.page("/rapporter/", "dashboard")


class Referrer(SiktaUser):
    """Someone close to a young person, sending the public referral form (no login)."""

    weight = 5
    wait_time = between(10, 30)  # filling in the form

    @task
    def send_referral(self) -> None:
        form = ACCOUNTS["referral"]
        track = form["track"]
        # Each sender is somebody else, at an address of their own (the rate limit counts per
        # address: REFERRAL_RATE_LIMIT_PER_HOUR).
        r = rng()
        self.client.headers["X-Forwarded-For"] = (
            f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        )
        self.page("/aktualisering/", "referral form: start")
        body = self.page(f"/aktualisering/{track}/", "referral form")
        token = CSRF.search(body)
        if not token:
            return
        first = r.choice(["Alva", "Elsa", "Hugo", "Nils", "Saga", "Vidar", "Moa", "Leo"])
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "organisation": str(form["organisation"]),
            "referrer_unit": "Mamma",
            "referrer_name": "Eva Exempel",
            "referrer_email": "eva@example.com",
            "referrer_phone": f"070-17406{r.randrange(5, 100):02d}",
            "personnummer": fictional_personnummer(r, form["min_age"], form["max_age"]),
            "first_name": first,
            "last_name": r.choice(["Exempelsson", "Testberg", "Provlund"]),
            "phone": f"070-17406{r.randrange(5, 100):02d}",
            "email": "",
            "kommun": str(r.choice(form["kommuner"])),
            "income_sources": [str(pk) for pk in form["income_sources"]],
            "af_status": "ej_inskriven",
            "sick_leave": "nej",
            "support_needed": "Hemma sedan gymnasiet, vill komma igång med något på dagarna.",
            "consent": "on",
            "website": "",
            "token": str(uuid.uuid4()),
        }
        path = f"/aktualisering/{track}/"
        with self.post(
            path, data, name="referral form: send", referer=path, catch_response=True
        ) as answer:
            if answer.status_code == 302 and answer.headers.get("Location", "").endswith("/tack/"):
                answer.success()
            else:
                answer.failure(f"not sent ({answer.status_code})")
                return
        self.page("/aktualisering/tack/", "referral form: thanks")
