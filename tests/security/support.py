"""What the security tests share: the URLs with their objects, the methods each page answers,
and the database writes a request made.

The URLs, their objects and who may see them come from tests/access/test_url_matrix.py (MATRIX):
this package asks other questions of the same table rather than keeping a second one.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.access.test_url_matrix import ALL_URLS, APP_URLS, MATRIX
from tests.conftest import Personas

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
SAFE = frozenset({"GET", "HEAD"})
FORM = frozenset({"GET", "HEAD", "POST"})
POST = frozenset({"POST"})

# Pages with a form: shown with GET, sent with POST to the same address.
FORM_URLS = frozenset(
    {
        "login",
        "set_language",  # Django's: a GET only sends you back, a POST changes the language
        "two_factor_verify",
        "two_factor_enrol",
        "referral_form",
        "referral_short",
        "referral_register",
        "referral_accept",
        "participant_assign",
        "participant_protection",
        "case_consent",
        "case_mapping",
        "case_plan",
        "case_goal",
        "case_journal",
        "case_journal_correct",
        "case_exit",
        "case_final",
        "case_refer_on",
        "case_surveys",
        "case_survey_paper",
        "case_placements",
        "case_placement",
        "case_bookings",
        "case_contact",
        "booking_edit",
        "caseload_hand_over",
        "survey_answer",
        "group_list",
        "group_detail",
        "group_session",
        "employer_create",
        "employer_detail",
        "activity_create",
        "activity_edit",
        "status_report_create",
        "status_report_detail",
        "audit_review_list",
        "audit_review_detail",
        "register_extract",
        "import_start",
        "import_mapping",
    }
)
# Actions: POST only.
POST_URLS = frozenset(
    {
        "logout",
        "choose_insats",
        "referral_check",
        "referral_check_short",
        "referral_change",
        "survey_save",
        "finsam_mark",
        "finsam_unmark",
        "finsam_education",
        "activity_held",
        "activity_minutes_upload",
        "activity_minutes_delete",
        # The other forms of a page with several, each at its own address under the page's.
        "case_goal_follow_up",
        "case_pause",
        "case_resume",
        "case_final_preview",
        "case_final_handed",
        "case_consent_withdraw",
        "case_placement_follow_up",
        "group_members_add",
        "employer_contact_add",
        "booking_cancel",
        "booking_outcome",
        "message_retry",
        "calendar_feed_renew",
        "worklist_survey_reminders",
        "calendar_feed_revoke",
        # SAML: the IdP posts its answer to the consumer, and a logout answer by HTTP-POST.
        "saml2_acs",
        "saml2_ls_post",
        # Import from Excel: importing the dry run's rows, throwing the list away.
        "import_commit",
        "import_cancel",
    }
)


def allowed_methods(url_name: str) -> frozenset[str]:
    """The methods the page answers; every other method is 405. Pages not named: GET, HEAD."""
    if url_name in POST_URLS:
        return POST
    if url_name in FORM_URLS:
        return FORM
    return SAFE


ROUTES = dict(ALL_URLS)
# A primary key no test object gets (and small enough for a PostgreSQL integer).
NONEXISTENT = 2_000_000_000


def int_params(url_name: str) -> list[str]:
    """The URL's integer parameters (object ids), in the order they appear."""
    return re.findall(r"<int:(\w+)>", ROUTES[url_name])


# (MATRIX has every URL: test_every_url_is_in_the_matrix.)
ID_URLS = sorted(name for name in APP_URLS if int_params(name) and name in MATRIX)


class _Undo(Exception):
    pass


@contextmanager
def objects_of(
    personas: Personas, url_name: str, *clients: Client, build: Any = None
) -> Iterator[dict[str, Any]]:
    """The URL parameters of `url_name`, its objects made by MATRIX's builder (or `build`).

    Everything the block does to the database is undone at its end (so builders that make the
    same unique row can run one after another, and a logout does not end the persona's session),
    and the clients get their cookies back.
    """
    saved = [copy.deepcopy(client.cookies) for client in clients]
    try:
        with transaction.atomic():
            yield (build or MATRIX[url_name][0])(personas)
            raise _Undo
    except _Undo:
        pass
    finally:
        for client, cookies in zip(clients, saved, strict=True):
            client.cookies = cookies


@contextmanager
def url_of(personas: Personas, url_name: str, *clients: Client) -> Iterator[str]:
    """The URL of `url_name` with its objects made for the block (see objects_of)."""
    with objects_of(personas, url_name, *clients) as kwargs:
        yield reverse(url_name, kwargs=kwargs)


_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@contextmanager
def writes() -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements run in the block, the session's own excepted.

    The list is filled when the block ends. Sessions are saved as their idle timeout moves
    forward (sikta.core.middleware.IdleTimeoutMiddleware), so their writes are no change of data.
    """
    found: list[str] = []
    with CaptureQueriesContext(connection) as queries:
        yield found
    found.extend(
        query["sql"]
        for query in queries.captured_queries
        if _WRITE.match(query["sql"]) and "django_session" not in query["sql"]
    )


def send(client: Client, method: str, url: str, data: Any = None, **extra: Any) -> Any:
    """`client.<method>(url)`; a POST with `data` as a form, other methods with no body."""
    if method == "POST":
        return client.post(url, data or {}, **extra)
    return getattr(client, method.lower())(url, **extra)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


_CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def normalised(response: Any, *urls: str) -> tuple[int, str, bytes]:
    """Status, Location and body with what differs by request only (the address asked for,
    the per-request mask of the CSRF token) taken out."""
    from urllib.parse import quote

    content = _CSRF_VALUE.sub(rb"\1-\2", body(response))
    location = response.get("Location", "")
    for url in urls:
        content = content.replace(url.encode(), b"<url>")
        location = location.replace(quote(url, safe=""), "<url>").replace(url, "<url>")
    return response.status_code, location, content


class FormFields(HTMLParser):
    """The POST forms on a page as a browser sends them untouched: where each is sent (its
    action, and the formaction of any submit button; "" for the page itself) and its fields:
    inputs with their values (checked boxes only), the selected or else first non-empty option
    of each select, textareas, and the first submit button's name."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[list[str], dict[str, str]]] = []
        self._form: dict[str, str] | None = None
        self._actions: list[str] = []
        self._select = ""
        self._textarea = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            post = a.get("method", "").lower() == "post"
            self._form = {} if post else None
            if self._form is not None:
                self._actions = [a.get("action", "")]
                self.forms.append((self._actions, self._form))
            return
        if self._form is None:
            return
        if tag == "option" and self._select:
            if "selected" in a or (a.get("value") and self._select not in self._form):
                self._form[self._select] = a.get("value", "")
            return
        kind = a.get("type", "submit" if tag == "button" else "text")
        if tag in ("input", "button") and kind == "submit" and a.get("formaction"):
            self._actions.append(a["formaction"])
        name = a.get("name")
        if not name:
            return
        if tag in ("input", "button") and kind == "submit":
            self._form.setdefault(name, a.get("value", ""))
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a or (kind == "radio" and name not in self._form):
                self._form[name] = a.get("value", "on")
        elif tag == "input" and kind not in ("file", "image", "button", "reset"):
            self._form[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self._form[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = ""
        elif tag == "textarea":
            self._textarea = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data


def form_data(html: str) -> list[tuple[str, dict[str, str]]]:
    """Where each POST form on the page is sent ("" for the page itself) and the data it sends
    there, once for each place it can be sent to (see FormFields)."""
    parser = FormFields()
    parser.feed(html)
    return [(action, form) for actions, form in parser.forms if form for action in actions]


# --- security headers ---------------------------------------------------------------------

SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin"}


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {words[0].lower(): words[1:] for words in parts}


def header_problems(response: Any) -> list[str]:
    """What is missing or weak in the response's security headers."""
    problems = []
    policy = response.get("Content-Security-Policy", "")
    if not policy:
        problems.append("no Content-Security-Policy")
    if "'unsafe-" in policy.lower():
        problems.append(f"CSP allows unsafe sources: {policy}")
    found = directives(policy)
    if found.get("frame-ancestors") != ["'none'"]:
        problems.append(f"CSP frame-ancestors is not 'none': {policy}")
    scripts = found.get("script-src", found.get("default-src", ["*"]))
    if any(s == "*" or s.endswith(":") or "://" in s for s in scripts):
        problems.append(f"CSP lets scripts come from elsewhere: {policy}")
    if found.get("object-src", found.get("default-src")) != ["'none'"]:
        problems.append(f"CSP object-src is not 'none': {policy}")
    if "base-uri" not in found:
        problems.append(f"CSP has no base-uri: {policy}")
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for header, value in expected.items():
        if response.get(header) != value:
            problems.append(f"{header}: {response.get(header)!r}, expected {value!r}")
    if response.get("Referrer-Policy") not in SAFE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy: {response.get('Referrer-Policy')!r}")
    return problems


class InlineCode(HTMLParser):
    """What in a page a strict CSP blocks: inline scripts, style elements and attributes, event
    handler attributes, javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key.lower(): value or "" for key, value in attrs}
        if tag == "script":
            self._in_script = True
            src = a.get("src", "")
            if src and (not src.startswith("/") or src.startswith("//")):
                self.found.append(f"<script src={src!r}> from another site")
        if tag == "style":
            self.found.append("<style> element")
        for key, value in a.items():
            if key == "style":
                self.found.append(f'<{tag} style="{value}">')
            if key.startswith("on"):
                self.found.append(f"<{tag} {key}=…>")
            if key in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {key}={value!r}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:60]!r}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def page_problems(response: Any, what: str) -> list[str]:
    """The header problems of a response and, for a web page, the inline code in it."""
    problems = [f"{what} ({response.status_code}): {p}" for p in header_problems(response)]
    if response.get("Content-Type", "").startswith("text/html"):
        html = body(response).decode("utf-8", "replace")
        problems += [f"{what}: {p}" for p in inline_code(html)]
    return problems
