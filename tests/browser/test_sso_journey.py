"""Staff sign in with their organisation's e-identity, end to end in a browser: a samordnare
through the local SAML IdP, a coach through the local OpenID Connect provider (devidp)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import assert_accessible
from tests.idp import password_of

pytestmark = pytest.mark.browser


def choose(page: Page, base_url: str, organisation: str) -> None:
    page.goto(f"{base_url}/konto/logga-in/")
    page.get_by_role("link", name="Logga in med e-legitimation / din organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Logga in med e-legitimation eller via din organisation"
    )
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(organisation)).click()


def at_idp(page: Page, username: str) -> None:
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password_of(username))
    page.get_by_role("button", name="Logga in").click()


def test_a_samordnare_signs_in_through_saml_and_out_again(page: Page, base_url: str) -> None:
    choose(page, base_url, "SITHS")
    expect(page.get_by_role("heading", level=1)).to_have_text("Testinloggning (SAML)")
    at_idp(page, "samordnare.norra")
    page.wait_for_url(f"{base_url}/")
    expect(page.locator("header")).to_contain_text("Samordnare")
    # The aktualiseringar queue is the samordnare's: the role is Sikta's own, not the IdP's.
    page.goto(f"{base_url}/aktualiseringar/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/konto/" not in page.url
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är utloggad från Sikta")
    # On to the IdP's single logout and back to the login page.
    page.wait_for_url(re.compile(re.escape(f"{base_url}/konto/logga-in/")))
    page.goto(f"{base_url}/")
    assert "/konto/logga-in/" in page.url


def test_a_coach_signs_in_through_openid_connect(page: Page, base_url: str) -> None:
    choose(page, base_url, "OIDC")
    expect(page.get_by_role("heading", level=1)).to_contain_text("OpenID Connect")
    at_idp(page, "coach.norra.1")
    page.wait_for_url(f"{base_url}/")
    expect(page.locator("header")).to_contain_text("Coach")
    page.get_by_role("button", name="Logga ut").click()
    # The provider ends its session too (RP-initiated logout) and sends the browser back.
    page.wait_for_url(re.compile(re.escape(f"{base_url}/konto/logga-in/")))


def test_an_unknown_identity_gets_a_clear_page_and_no_account(page: Page, base_url: str) -> None:
    choose(page, base_url, "OIDC")
    at_idp(page, "okand")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Du har inget konto i Sikta — kontakta insatsledaren"
    )
    assert_accessible(page)
    page.goto(f"{base_url}/")
    assert "/konto/logga-in/" in page.url


def test_a_coach_below_the_assurance_level_is_refused(page: Page, base_url: str) -> None:
    choose(page, base_url, "OIDC")
    at_idp(page, "coach.lag")  # coach.norra.2's address, at LoA2
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Inloggningen har för låg tillitsnivå"
    )
