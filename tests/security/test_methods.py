"""Every URL × every persona × every HTTP method: no method gets past the access check, and a
page answers only the methods it is made for.

For each persona the GET answer must be MATRIX's (tests/access/test_url_matrix.py). Then:

- a persona refused the GET (login, 403, 404) is refused every method the same way — or with
  405 for a method the page does not take — and the request writes nothing to the database;
- PUT, PATCH, DELETE and OPTIONS are 405 on every page (or, where the GET sends the persona
  elsewhere, the same redirect), with an `Allow` header naming what the page does take;
- a POST to a page that only shows is 405; HEAD answers as GET does;
- a refused request, and every 405, writes nothing (SQL INSERT/UPDATE/DELETE; the session's
  own save excepted);
- nothing answers 500;
- every answer carries the security headers, and no page has inline code (the checks of
  test_headers.py, made here on the same requests).

A new page must be added to FORM_URLS or POST_URLS (tests/security/support.py) if it takes
POST; otherwise a POST to it must be 405.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.access.test_url_matrix import (
    ADMIN_URLS,
    APP_URLS,
    FORBIDDEN,
    LOGIN,
    MATRIX,
    MISSING,
    REDIRECT,
    _admin_url,
    outcome,
)
from tests.conftest import ALL_PERSONAS, Personas
from tests.security.support import (
    FORM_URLS,
    METHODS,
    POST_URLS,
    allowed_methods,
    header_problems,
    page_problems,
    send,
    url_of,
    writes,
)

DENIED = {LOGIN, FORBIDDEN, MISSING}


def _same_answer(first: Any, second: Any) -> bool:
    return first.status_code == second.status_code and first.get("Location") == second.get(
        "Location"
    )


def _allow(response: Any) -> set[str]:
    return {m.strip() for m in response.get("Allow", "").split(",") if m.strip()}


def _judge(url_name: str, expected: str, method: str, get: Any, response: Any) -> str:
    """What is wrong with `response` to `method`, or "" if nothing."""
    allowed = allowed_methods(url_name)
    status = response.status_code
    if status >= 500:
        return f"status {status}"
    if status == 405 and method not in allowed:
        if _allow(response) != allowed:
            return f"405 with Allow {response.get('Allow')!r}, expected {sorted(allowed)}"
        return ""
    if expected in DENIED:
        return "" if _same_answer(get, response) else f"{status}, but GET was {get.status_code}"
    if method == "HEAD":
        return "" if status == get.status_code else f"{status}, but GET was {get.status_code}"
    if method in allowed:
        return ""
    if expected == REDIRECT and _same_answer(get, response):
        return ""  # sent on (e.g. a logged-in user from the login page) whatever the method
    return f"{status}: a {method} to a page that takes {sorted(allowed)} must be 405"


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_every_method_on_every_url(personas: Personas, persona: str) -> None:
    client = personas.client(persona)
    client.raise_request_exception = False
    problems: list[str] = []
    for url_name in sorted(MATRIX):
        expected = MATRIX[url_name][1][persona]
        with url_of(personas, url_name, client) as url:
            get = client.get(url)
            problems += page_problems(get, f"{url_name} GET")
            if outcome(get) != expected:
                problems.append(f"{url_name} GET: {outcome(get)}, MATRIX says {expected}")
                continue
            for method in METHODS[1:]:
                with writes() as wrote:
                    response = send(client, method, url)
                problems += [f"{url_name} {method}: {p}" for p in header_problems(response)]
                problem = _judge(url_name, expected, method, get, response)
                refused = expected in DENIED or (
                    response.status_code == 405 and method not in allowed_methods(url_name)
                )
                if refused and wrote:
                    problem = f"refused ({response.status_code}) but wrote: {wrote[0][:120]}"
                if problem:
                    problems.append(f"{url_name} {method}: {problem}")
    assert not problems, f"{persona}:\n" + "\n".join(problems)


def test_the_method_table_names_only_real_urls() -> None:
    stale = sorted((FORM_URLS | POST_URLS) - set(APP_URLS))
    assert not stale, f"FORM_URLS/POST_URLS name URLs that no longer exist: {stale}"
    assert not FORM_URLS & POST_URLS


# Django's admin: only staff get past its login, whatever the method (the admin persona itself
# uses Django's own views, which are Django's to test).
ADMIN_SKIP = {"admin:login", "admin:logout", "admin:jsi18n"}


@pytest.mark.parametrize("persona", ["anonymous", "coach_sodra"])
def test_every_method_on_the_admin_needs_staff(personas: Personas, persona: str) -> None:
    client = personas.client(persona)
    client.raise_request_exception = False
    problems = []
    for name, route in ADMIN_URLS:
        if name in ADMIN_SKIP:
            continue
        url = _admin_url(route)
        for method in ("POST", "PUT", "DELETE"):
            with writes() as wrote:
                response = send(client, method, url)
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith("/admin/login/"):
                problems.append(f"{name} {method}: {response.status_code} {location}")
            if wrote:
                problems.append(f"{name} {method}: wrote {wrote[0][:120]}")
    assert not problems, "\n".join(problems)
