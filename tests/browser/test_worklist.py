"""The worklist "Att göra" in Chromium: reached from the menu, filtered without JavaScript,
and free of WCAG 2.1 A/AA violations as a coach and as a samordnare see it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login
from tests.browser.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username", ["coach.sodra.1", "samordnare.sodra"])
def test_the_worklist_is_reached_from_the_menu_and_accessible(
    page: Page, base_url: str, username: str
) -> None:
    login(page, base_url, username)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name=re.compile(r"^Att göra")
    ).click()
    expect(page).to_have_url(re.compile(r"/att-gora/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Att göra")
    assert_accessible(page)
    # A kind of task from the summary: the list narrows to it, still accessible.
    page.get_by_role("navigation", name="Slags uppgift").get_by_role(
        "link", name=re.compile(r"^Startenkät ej besvarad")
    ).click()
    expect(page).to_have_url(re.compile(r"typ=startenkat"))
    expect(page.locator("table.worklist caption")).to_contain_text("Startenkät ej besvarad")
    assert_accessible(page)


def test_the_samordnare_filters_by_staff_member(page: Page, base_url: str) -> None:
    login(page, base_url, "samordnare.sodra")
    page.goto(f"{base_url}/att-gora/")
    staff = page.get_by_label("Coach eller koordinator")
    staff.select_option(index=1)
    page.get_by_role("search").get_by_role("button", name="Visa").click()
    expect(page).to_have_url(re.compile(r"personal=\d+"))
    expect(page.get_by_label("Coach eller koordinator")).not_to_have_value("")
    assert_accessible(page)
