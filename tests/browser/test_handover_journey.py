"""Handing over a caseload in a real browser: the samordnare of Södra opens everyone's
caseload from the start page, hands a koordinator's participants to a colleague in one step,
sees what happened, and the colleague finds them on their own start page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, login
from tests.browser.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

TAKING = "koordinator.sodra.1"  # no other browser test uses the Södra koordinatorer


def test_a_samordnare_hands_over_a_caseload(page: Page, server: Server) -> None:
    base_url = server.url
    login(page, base_url, TAKING)
    taking = page.locator("header .who").inner_text().split(",")[0].strip()
    page.context.clear_cookies()
    login(page, base_url, "samordnare.sodra")
    page.get_by_role("link", name="Lämna över ärenden").click()
    expect(page.locator("main h1")).to_have_text("Lämna över ärenden")
    assert_accessible(page)

    # The other Södra koordinator's row: TAKING takes over.
    rows = page.locator("tbody tr", has=page.get_by_role("link", name=re.compile("Lämna över")))
    row = rows.filter(has_text="Koordinator").filter(has_not_text=taking)
    expect(row).to_have_count(1)
    count = int(row.locator("td.num").inner_text())
    assert count > 0, "the demo's koordinator has participants"
    row.get_by_role("link").click()
    expect(page.locator("main h1")).to_contain_text("Lämna över ärenden från")
    assert_accessible(page)

    # Sent without a receiver or a reason: refused, next to the fields.
    page.get_by_role("button", name="Lämna över", exact=True).click()
    expect(page.locator(".field-invalid").first).to_be_visible()
    expect(page.get_by_text("Välj vem som tar över")).to_be_visible()
    expect(page.get_by_text("Skriv varför deltagarna lämnas över.")).to_be_visible()
    assert_accessible(page)

    # To the colleague, with a reason; with more than one participant, the first one stays.
    rows = page.locator("tbody tr")
    moved = rows.last.get_by_role("link").get_attribute("href")
    assert moved is not None
    stays = count > 1
    if stays:
        rows.first.get_by_role("combobox").select_option(label="Flytta inte")
    page.get_by_role("radio", name=re.compile(re.escape(taking))).check()
    page.get_by_label("Motivering").fill("Går ner i tid")
    page.get_by_role("button", name="Lämna över", exact=True).click()
    expect(page.locator(".message.success")).to_contain_text(
        f"{count - stays} deltagare har lämnats över"
    )
    expect(page.locator("main .lead")).to_contain_text(f"{int(stays)} inskriv")
    assert_accessible(page)

    # The colleague who took over now reaches the participant (a koordinator sees only their own).
    page.context.clear_cookies()
    login(page, base_url, TAKING)
    response = page.goto(f"{base_url}{moved}")
    assert response is not None and response.status == 200
    expect(page.locator("main")).to_contain_text("Går ner i tid")  # the assignment history
