"""axe-core finds no WCAG 2.1 A/AA violations on Sikta's pages, as each role sees them."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import login, submit_login

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
FIRST_PARTICIPANT = "main table tbody a[href^='/deltagare/']"


def assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


# (user or None for anonymous, path); "participant" stands for the first listed participant.
PAGES = [
    pytest.param(None, "/konto/logga-in/", id="login"),
    pytest.param("insatsledare", "/", id="start-insatsledare"),
    pytest.param("samordnare.sodra", "/", id="start-samordnare"),
    pytest.param("coach.sodra.1", "/", id="start-coach"),
    pytest.param("styrgrupp", "/", id="start-styrgrupp"),
    pytest.param("insatsledare", "/organisation/", id="organisation"),
    pytest.param("insatsledare", "/deltagare/", id="participant-list"),
    pytest.param("insatsledare", "participant", id="participant-detail"),
    pytest.param("insatsledare", "/logg/", id="audit-log"),
    pytest.param("styrgrupp", "/deltagare/", id="forbidden-403"),
    pytest.param("insatsledare", "/rapporter/?date_from=2023-10-01&by=lansdel", id="reports"),
    pytest.param("styrgrupp", "/rapporter/?date_from=2023-10-01&by=kommun", id="reports-styrgrupp"),
    pytest.param("insatsledare", "/rapporter/enkat/?group_by=track", id="survey-report"),
    pytest.param("coach.vastra.1", "/grupper/", id="groups"),
    pytest.param("coach.vastra.1", "/arbetsgivare/", id="employers"),
    pytest.param("samordnare.sodra", "/aktualiseringar/?status=alla", id="referral-queue-all"),
    pytest.param("insatsledare", "/logg/granskning/", id="log-review"),
    pytest.param("insatsledare", "/logg/granskning/kedja/", id="audit-chain"),
    pytest.param("insatsledare", "/integritet/registerutdrag/", id="register-extract"),
    pytest.param("insatsledare", "/konto/tvafaktor/ny/", id="two-factor-enrol"),
    pytest.param("samordnare.sodra", "/rapporter/finsam/", id="finsam"),
    pytest.param("insatsledare", "/rapporter/finansiering/", id="financing"),
    pytest.param("samordnare.sodra", "/rapporter/lagesrapport/", id="status-report"),
    pytest.param("insatsledare", "/aktivitetsplan/", id="activity-plan"),
]


@pytest.mark.parametrize(("username", "path"), PAGES)
def test_page_has_no_wcag_violations(
    page: Page, base_url: str, username: str | None, path: str
) -> None:
    if username is not None:
        login(page, base_url, username)
    if path == "participant":
        page.goto(f"{base_url}/deltagare/")
        page.locator(FIRST_PARTICIPANT).first.click()
        expect(page).to_have_url(re.compile(r"/deltagare/\d+/$"))
    else:
        page.goto(f"{base_url}{path}")
    assert_accessible(page)


def test_login_error_is_accessible(page: Page, base_url: str) -> None:
    submit_login(page, base_url, "samordnare.norra", "inte-det-lösenordet")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_form_errors_are_accessible(page: Page, base_url: str) -> None:
    login(page, base_url, "insatsledare")
    page.goto(f"{base_url}/logg/?date_from=2025-03-10&date_to=2025-03-01&personnummer=123")
    expect(page.locator(".field-invalid")).to_have_count(2)
    assert_accessible(page)
