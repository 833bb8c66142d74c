"""Browser tests: a real Sikta server in a subprocess, driven by Debian's Chromium.

pytest-django's live_server is not used: the audit table has database triggers that refuse
DELETE, so the flush between transactional tests fails. Instead each pytest(-xdist) worker sets
up its own SQLite database with the demo data, the way `make run` does, and serves it with
`manage.py runserver` on a free port.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from devidp.__main__ import OIDC_SLUG
from devsms.server import PASSWORD as SMS_PASSWORD, USERNAME as SMS_USERNAME, Running, serving
from tests.idp import running, stop

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "sikta-demo"
SERVER_START_TIMEOUT = 30.0
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"runserver exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers HTTP, whatever the status
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"runserver did not answer on {url} within {SERVER_START_TIMEOUT:.0f} s")


@dataclass
class Server:
    url: str
    env: dict[str, str]
    sms: Running  # the local 46elks-speaking provider the server's messages go to

    def send_messages(self) -> None:
        """One round of the sender, as `make run`'s send_messages does every few seconds."""
        _manage(self.env, "send_messages", "--once")


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    return server.url


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A migrated, seeded Sikta served by runserver; one per xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    tmp = tmp_path_factory.mktemp(f"browser-{worker}")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'browser.sqlite3'}",
        "DEBUG": "1",
        "SIKTA_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "sikta.settings",
        "PYTHONUNBUFFERED": "1",
        # The demo accounts have no authenticator; the two-factor step has its own tests in
        # tests/accounts/test_two_factor.py, and production refuses this switch.
        "REQUIRE_2FA": "0",
    }
    env.pop(ASYNC_UNSAFE, None)  # the server runs as `make run` runs it
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with ExitStack() as stack:
        # The demo's local identity providers, as `make run` starts them (devidp).
        saml_idp = stack.enter_context(
            running(
                "saml_idp",
                "--sp-metadata",
                f"{url}/saml2/metadata/",
                log=tmp / "saml-idp.log",
            )
        )
        oidc_idp = stack.enter_context(
            running(
                "oidc_provider",
                "--redirect-uri",
                f"{url}/konto/e-legitimation/{OIDC_SLUG}/klar/",
                "--logout-uri",
                f"{url}/konto/logga-in/",
                log=tmp / "oidc-provider.log",
            )
        )
        env["SIKTA_DEMO_SAML_IDP"], env["SIKTA_DEMO_OIDC_IDP"] = saml_idp, oidc_idp
        # Text messages through the local provider (devsms), as `make run` sends them.
        sms = stack.enter_context(serving())
        env.update(
            SMS_BACKEND="46elks",
            SMS_API_URL=sms.url,
            SMS_API_USERNAME=SMS_USERNAME,
            SMS_API_PASSWORD=SMS_PASSWORD,
        )
        yield Server(stack.enter_context(_sikta(env, tmp, url)), env, sms)


@contextmanager
def _sikta(env: dict[str, str], tmp: Path, url: str) -> Iterator[str]:
    _manage(env, "migrate", "--no-input")
    _manage(env, "load_organisation")
    _manage(env, "load_instruments")
    _manage(env, "seed_demo", "--no-progress", "--seed", "7")
    log = tmp / "runserver.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", url.removeprefix("http://"), "--noreload"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_serving(f"{url}/konto/logga-in/", process, log)
            yield url
        finally:
            stop(process)


@contextmanager
def _async_unsafe_allowed() -> Iterator[None]:
    """Let Django run synchronous code while Playwright's event loop is marked as running.

    Playwright's sync API keeps an asyncio loop marked as running in the test thread between
    calls, and Django then refuses ORM calls (SynchronousOnlyOperation). The variable is set
    only while Playwright runs and removed afterwards: left in os.environ it would reach every
    later subprocess, and `manage.py check --deploy` (tests/core/test_settings.py) rightly
    fails with async.E001 when it sees it.
    """
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ.setdefault(ASYNC_UNSAFE, "true")
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)


# Package scope, not session scope: while Playwright is alive its loop counts as running, so
# Django refuses database access in whatever runs in the same process. Ending Playwright when
# the browser tests are done leaves the database tests (which may follow in the same xdist
# worker) a thread without a running loop.
@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing; install Debian's chromium (`make browser`)"
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI must never pass without the browser tests
        # A developer's machine without root or apt (e.g. macOS) still runs everything else;
        # `make test` installs chromium wherever it can, so this is the rare case.
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with _async_unsafe_allowed(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def submit_login(page, base_url: str, username: str, password: str) -> None:
    """Fill in and send the login form; wait for the page that answers."""
    page.goto(f"{base_url}/konto/logga-in/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def login(page, base_url: str, username: str) -> None:
    """Log in as a demo account through the login form; fail unless it worked."""
    submit_login(page, base_url, username, DEMO_PASSWORD)
    assert "/konto/logga-in/" not in page.url, f"login as {username} failed: {page.url}"
