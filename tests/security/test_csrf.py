"""CSRF: every URL that takes a POST refuses one without a valid token, and changes nothing.

The clients here check CSRF as a browser's requests are checked (`enforce_csrf_checks=True`).
For each POST-taking URL (FORM_URLS and POST_URLS in support.py: login, logout, the public
referral form, every change) a persona who may send it, logged in (and anonymous for the public
ones), sends an empty POST:

- without a token, with a wrong token, or with the right token from another site (Origin): 403,
  the CSRF failure page (with the security headers), and no database write;
- with the token from the cookie, as the form field or as the X-CSRFToken header htmx sends:
  not refused for CSRF.

The CSRF cookie is HttpOnly and SameSite=Lax, and Secure in production.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.access.test_url_matrix import MATRIX, NOT_ALLOWED, OK, REDIRECT
from tests.conftest import Personas
from tests.factories import UserFactory
from tests.security.support import (
    FORM_URLS,
    POST_URLS,
    body,
    header_problems,
    objects_of,
    writes,
)

# Posted by an identity provider from its own site, so no CSRF token can be in them: what
# protects them is the signed SAML message, checked by pysaml2 (tests/accounts/test_sso_saml.py:
# unsigned, tampered, replayed and unsolicited answers sign no one in).
SIGNED_MESSAGE_POSTS = {
    "saml2_acs": "the IdP's signed SAML response",
    "saml2_ls_post": "the IdP's signed SAML logout message",
}
POST_TAKING = sorted((FORM_URLS | POST_URLS) & set(MATRIX) - set(SIGNED_MESSAGE_POSTS))
# Who sends the POST: the first of these whom MATRIX lets reach the URL.
SENDERS = ("coach_sodra", "samordnare_sodra", "insatsledare", "utvarderare", "anonymous")
# URLs anyone may send to without logging in.
PUBLIC = sorted(name for name in POST_TAKING if MATRIX[name][1]["anonymous"] != "login")


def _sender(url_name: str) -> str:
    expected = MATRIX[url_name][1]
    # The survey link: MATRIX's token opens nothing for anyone; CSRF is checked before that.
    return next((p for p in SENDERS if expected[p] in (OK, NOT_ALLOWED, REDIRECT)), "anonymous")


def _client(personas: Personas, persona: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.raise_request_exception = False
    if persona != "anonymous":
        client.force_login(getattr(personas, persona).user)
    # A page with a form, which sets the CSRF cookie.
    page = "/konto/logga-in/" if persona == "anonymous" else "/"
    assert client.get(page).status_code == 200
    assert settings.CSRF_COOKIE_NAME in client.cookies
    return client


def _is_csrf_failure(response: Any) -> bool:
    return response.status_code == 403 and b"CSRF" in body(response)


def _refusals(client: Client, url: str) -> list[str]:
    """Problems with the POSTs that must be refused."""
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    attempts = {
        "no token": {},
        "a wrong token": {"data": {"csrfmiddlewaretoken": "x" * 32}},
        "a token from another site": {
            "data": {"csrfmiddlewaretoken": token},
            "headers": {"Origin": "https://angripare.example"},
        },
    }
    problems = []
    for what, request in attempts.items():
        with writes() as wrote:
            response = client.post(url, request.get("data", {}), headers=request.get("headers"))
        if not _is_csrf_failure(response):
            problems.append(f"POST {url} with {what}: {response.status_code}, not refused")
        if wrote:
            problems.append(f"POST {url} with {what}: wrote {wrote[0][:100]}")
        problems += [f"POST {url} with {what}: {p}" for p in header_problems(response)]
    return problems


def _acceptances(client: Client, url: str) -> list[str]:
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    problems = []
    for what, request in {
        "the form field": {"data": {"csrfmiddlewaretoken": token}},
        "the X-CSRFToken header": {"headers": {"X-CSRFToken": token}},
    }.items():
        response = client.post(url, request.get("data", {}), headers=request.get("headers"))
        if _is_csrf_failure(response) or response.status_code >= 500:
            problems.append(f"POST {url} with {what}: {response.status_code}")
    return problems


def test_every_post_needs_the_token(personas: Personas) -> None:
    problems: list[str] = []
    clients: dict[str, Client] = {}
    for url_name in POST_TAKING:
        persona = _sender(url_name)
        client = clients.get(persona) or clients.setdefault(persona, _client(personas, persona))
        with objects_of(personas, url_name, client) as kwargs:
            url = reverse(url_name, kwargs=kwargs)
            problems += _refusals(client, url)
            problems += _acceptances(client, url)
    assert not problems, "\n".join(problems)
    assert len(POST_TAKING) > 35


@pytest.mark.parametrize("url_name", PUBLIC)
def test_the_public_posts_need_the_token_too(personas: Personas, url_name: str) -> None:
    client = _client(personas, "anonymous")
    with objects_of(personas, url_name, client) as kwargs:
        url = reverse(url_name, kwargs=kwargs)
        problems = _refusals(client, url) + _acceptances(client, url)
    assert not problems, "\n".join(problems)


def test_login_and_logout_without_the_token(personas: Personas) -> None:
    user = UserFactory(username="csrf-test")
    user.set_password("en-lång-lösenfras-1")
    user.save()
    client = _client(personas, "anonymous")
    response = client.post(
        "/konto/logga-in/", {"username": "csrf-test", "password": "en-lång-lösenfras-1"}
    )
    assert _is_csrf_failure(response)
    assert settings.SESSION_COOKIE_NAME not in client.cookies  # not logged in

    client = _client(personas, "styrgrupp")
    assert _is_csrf_failure(client.post("/konto/logga-ut/"))
    assert client.get("/").status_code == 200  # still logged in: a third site cannot log you out


def test_the_csrf_cookie_flags(personas: Personas, settings: Any, production: dict) -> None:
    cookie = _client(personas, "anonymous").cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() in ("lax", "strict")
    settings.CSRF_COOKIE_SECURE = True
    client = Client(enforce_csrf_checks=True)
    client.get("/konto/logga-in/", secure=True)
    assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True
    # What production sets (read with SIKTA_ENV=production).
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SAMESITE"].lower() in ("lax", "strict")


def test_a_referer_from_another_site_is_refused_over_https(personas: Personas) -> None:
    """Over HTTPS Django also checks the Referer: a POST from another site's page is refused
    even with a valid token (a leaked token is not enough)."""
    client = Client(enforce_csrf_checks=True)
    client.get("/konto/logga-in/", secure=True)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/aktualisering/koordinering/",
        {"csrfmiddlewaretoken": token},
        secure=True,
        headers={"Referer": "https://angripare.example/form"},
    )
    assert _is_csrf_failure(response)
    response = client.post(
        "/aktualisering/koordinering/",
        {"csrfmiddlewaretoken": token},
        secure=True,
        headers={"Referer": "https://testserver/aktualisering/koordinering/"},
    )
    assert not _is_csrf_failure(response)
