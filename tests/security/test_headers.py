"""Security headers on every answer, and pages the Content-Security-Policy need not weaken for.

Every answer must carry (support.header_problems):

- Content-Security-Policy, with no 'unsafe-…' source anywhere, frame-ancestors 'none', no
  script source beyond the site itself, object-src 'none' and a base-uri;
- X-Frame-Options: DENY, X-Content-Type-Options: nosniff, a Referrer-Policy that sends no
  address to other sites, Cross-Origin-Opener-Policy: same-origin.

and every HTML page has no inline script, no <style> element, no style="…" attribute, no
on…= handler and no javascript: link — what the policy would block (support.inline_code).

Where: every URL × every persona × every method is checked in test_methods.py, the same
requests, so they are not made twice (pages, login redirects, 403, 404, 405, HEAD, OPTIONS).
Here: an address that does not exist, the downloads (CSV, Excel, PDF, JSON, uploaded minutes),
and the 500 page of a view that raises; and the templates on disk. With production's settings
(SIKTA_ENV=production, read in a separate process) HSTS is on for a year with
includeSubDomains, and a request over HTTPS gets it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from sikta import urls as site_urls
from tests.conftest import Personas
from tests.security.support import directives, header_problems, inline_code, page_problems

ROOT = Path(__file__).resolve().parents[2]


def test_an_address_that_does_not_exist(personas: Personas) -> None:
    for persona in ("anonymous", "coach_sodra"):
        response = personas.client(persona).get("/finns-inte/")
        assert response.status_code == 404
        assert not page_problems(response, "404"), page_problems(response, "404")


def test_downloads_carry_the_headers(personas: Personas) -> None:
    from sikta.casework.models import FinalDocument

    client = personas.client("insatsledare")
    document = FinalDocument.objects.create(
        participant=personas.alice_sodra, summary="s", achieved="a", recommendations="r", pdf=b"%"
    )
    downloads = {
        "/rapporter/?export=csv": "text/csv",
        "/rapporter/?export=xlsx": "application/vnd.openxmlformats",
        "/rapporter/utvardering/?format=csv": "text/csv",
        "/rapporter/utvardering/?format=xlsx": "application/vnd.openxmlformats",
        "/rapporter/finsam/export/?format=csv": "text/csv",
        "/rapporter/finsam/export/?format=xlsx": "application/vnd.openxmlformats",
        f"/deltagare/{personas.alice_sodra.pk}/slutdokumentation/{document.pk}/pdf/": "appl",
    }
    problems = []
    for url, content_type in downloads.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith(content_type), (url, response["Content-Type"])
        assert response["Content-Disposition"].startswith("attachment"), url
        problems += page_problems(response, url)
    for kind, content_type in (("pdf", "application/pdf"), ("json", "application/json")):
        response = client.post(
            f"/integritet/registerutdrag/?format={kind}",
            {"personnummer": str(personas.alice_sodra.personnummer)},
        )
        assert response.status_code == 200, kind
        assert response["Content-Type"].startswith(content_type)
        assert response["Content-Disposition"].startswith("attachment")
        problems += page_problems(response, f"register extract {kind}")
    assert not problems, "\n".join(problems)


def test_uploaded_minutes_are_served_with_the_headers(personas: Personas) -> None:
    sodra = personas.samordnare_sodra.lansdel
    activity = sodra.activities.create(
        insats=sodra.insats, kind="styrgrupp_lokal", planned_date="2026-03-10"
    )
    minutes = activity.minutes.create(
        content=b"%PDF-1.4", filename="a.pdf", content_type="application/pdf", size=8
    )
    response = personas.client("styrgrupp").get(
        f"/aktivitetsplan/{activity.pk}/anteckningar/{minutes.pk}/"
    )
    assert response.status_code == 200
    assert not header_problems(response), header_problems(response)
    assert "sandbox" in directives(response["Content-Security-Policy"])


# --- the 500 page ---------------------------------------------------------------------------


def _raise(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("test-500/", _raise), *site_urls.urlpatterns]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("persona", ["anonymous", "coach_sodra"])
def test_the_500_page_carries_the_headers(personas: Personas, persona: str) -> None:
    client = personas.client(persona)
    client.raise_request_exception = False
    response = client.get("/test-500/")
    assert response.status_code == 500
    assert b"a bug" not in response.content and b"Traceback" not in response.content
    assert not page_problems(response, "500"), page_problems(response, "500")


# --- HTTPS ----------------------------------------------------------------------------------


def test_production_turns_https_on(production: dict[str, Any]) -> None:
    assert production["DEBUG"] is False
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert production[f"{cookie}_COOKIE_SECURE"] is True, cookie


def test_hsts_over_https_with_production_settings(
    personas: Personas, settings: Any, production: dict[str, Any]
) -> None:
    for name in ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"):
        setattr(settings, name, production[name])
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a new client: the middleware reads the settings when it starts
    response = client.get("/konto/logga-in/", secure=True)
    assert response.status_code == 200
    hsts = response["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31_536_000
    assert not header_problems(response)
    # Plain HTTP is sent to HTTPS, and not given HSTS (which only counts over HTTPS). The
    # redirect comes from the first middleware, before those that add CSP and X-Frame-Options;
    # it has no body to render or frame, so they would protect nothing.
    response = client.get("/konto/logga-in/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/konto/logga-in/"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response and not response.content
    # A logged-in page over HTTPS, too.
    response = personas.client("coach_sodra").get("/deltagare/", secure=True)
    assert response.status_code == 200 and "includeSubDomains" in response.get(
        "Strict-Transport-Security", ""
    )


# --- the templates on disk ------------------------------------------------------------------

# `{% htmx_script %}` writes <script src="/static/…"> (no inline code); any other <script> tag
# in a template is looked at.
_TEMPLATE_PATTERNS = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}


def _templates() -> list[Path]:
    found = sorted((ROOT / "templates").rglob("*.html"))
    found += sorted((ROOT / "sikta").glob("*/templates/**/*.html"))
    return found


def test_templates_need_no_inline_code() -> None:
    templates = _templates()
    assert len(templates) > 50
    problems = []
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for what, pattern in _TEMPLATE_PATTERNS.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert not problems, "\n".join(problems)


def test_the_inline_code_finder_finds() -> None:
    """The page check above would see each kind of inline code."""
    page = (
        '<p style="color:red" onclick="x()"><a href="javascript:x()">a</a></p>'
        "<script>alert(1)</script><style>p{}</style><script src='https://cdn.example/x.js'></script>"
        '<script src="//cdn.example/y.js"></script>'
    )
    assert len(inline_code(page)) == 7
    assert not inline_code('<script src="/static/x.js"></script><p class="a">b</p>')
