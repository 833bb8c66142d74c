"""What people do in Sikta, in a real browser against a real server (see conftest.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, login, submit_login

pytestmark = pytest.mark.browser

SODRA_KOMMUNER = {"Nyköping", "Oxelösund", "Gnesta", "Trosa"}
PARTICIPANT_LINKS = "main table tbody a[href^='/deltagare/']"
PERSONNUMMER = re.compile(r"\b(?:19|20)\d{6}-\d{4}\b")


def column_texts(page: Page, header: str) -> list[str]:
    """The text of every body cell under the column headed `header` in the main table."""
    table = page.locator("main table").first
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    assert header in headers, f"no column {header!r} in {headers}"
    index = headers.index(header) + 1
    return [
        text.strip() for text in table.locator(f"tbody tr td:nth-child({index})").all_inner_texts()
    ]


def fact(page: Page, term: str) -> str:
    """The <dd> that follows the <dt> with the text `term` in the facts list."""
    dt = page.locator("dl.facts dt", has_text=re.compile(rf"^{re.escape(term)}$"))
    expect(dt).to_have_count(1)
    return dt.locator("xpath=following-sibling::dd[1]").inner_text().strip()


def test_samordnare_sees_only_participants_of_own_lansdel(page: Page, base_url: str) -> None:
    login(page, base_url, "samordnare.sodra")

    assert page.url == f"{base_url}/"
    expect(page.locator("h1")).to_have_text("Södra länsdelen")
    caseload = page.locator("main table", has=page.locator("caption", has_text="Ärendefördelning"))
    expect(caseload).to_have_count(1)
    names = [text.strip() for text in caseload.locator("tbody td:first-child").all_inner_texts()]
    assert names, "the caseload table has no rows"
    assert all(names), f"caseload rows without a name: {names}"

    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.get_by_role("link", name="Deltagare", exact=True).click()
    expect(page).to_have_url(f"{base_url}/deltagare/")
    expect(page.locator("h1")).to_have_text("Deltagare")

    kommuner = column_texts(page, "Kommun")
    assert kommuner, "the samordnare sees no participants at all"
    assert set(kommuner) <= SODRA_KOMMUNER, f"participants from outside Södra: {set(kommuner)}"
    options = page.locator("select[name=kommun] option").all_inner_texts()
    assert set(options[1:]) <= SODRA_KOMMUNER, f"kommun filter offers {options}"

    first = page.locator(PARTICIPANT_LINKS).first
    last_first = first.inner_text().strip()
    first.click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/deltagare/\d+/$"))
    last, given = (part.strip() for part in last_first.split(",", 1))
    expect(page.locator("h1")).to_have_text(f"{given} {last}")
    personnummer = fact(page, "Personnummer")
    assert PERSONNUMMER.match(personnummer), f"personnummer shown as {personnummer!r}"
    assert re.fullmatch(r"\d{1,3} år", fact(page, "Ålder")), fact(page, "Ålder")
    assert fact(page, "Kommun").split(" (")[0] in SODRA_KOMMUNER


def test_coach_sees_own_participants_and_not_other_lansdel(
    browser: object, page: Page, base_url: str
) -> None:
    # A participant of Norra, as the Norra samordnare sees them, in a browser of their own.
    norra = browser.new_context()
    try:
        norra_page = norra.new_page()
        login(norra_page, base_url, "samordnare.norra")
        norra_page.goto(f"{base_url}/deltagare/")
        other = norra_page.locator(PARTICIPANT_LINKS).first
        other_href = other.get_attribute("href")
        other_name = other.inner_text().strip()
        other_personnummer = column_texts(norra_page, "Personnummer")[0]
    finally:
        norra.close()

    login(page, base_url, "coach.sodra.1")
    expect(page.locator("h1")).to_have_text("Mina deltagare")
    links = page.locator(PARTICIPANT_LINKS)
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    names = [text.strip() for text in links.all_inner_texts()]
    assert hrefs, "coach.sodra.1 has no participants on the start page"
    assert other_href not in hrefs

    for href, name in zip(hrefs, names, strict=True):
        response = page.goto(f"{base_url}{href}")
        assert response is not None and response.status == 200, href
        last, given = (part.strip() for part in name.split(",", 1))
        expect(page.locator("h1")).to_have_text(f"{given} {last}")
        assert PERSONNUMMER.match(fact(page, "Personnummer"))

    response = page.goto(f"{base_url}{other_href}")
    assert response is not None and response.status == 404
    body = page.locator("body").inner_text()
    assert other_personnummer not in body
    assert other_name.split(",")[0] not in body


def test_styrgrupp_sees_aggregates_only(page: Page, base_url: str) -> None:
    login(page, base_url, "styrgrupp")

    expect(page.locator("h1")).to_have_text("Sikta mot arbetslivet")
    aggregate = page.locator(
        "main table",
        has=page.locator("caption", has_text=re.compile(r"länsdel.*spår", re.IGNORECASE)),
    )
    expect(aggregate).to_have_count(1)
    expect(aggregate.locator("tbody th[scope=row]")).to_have_text(
        ["Södra länsdelen", "Norra länsdelen", "Västra länsdelen"]
    )
    expect(page.locator("a[href*='/deltagare/']")).to_have_count(0)
    assert not PERSONNUMMER.search(page.locator("body").inner_text())

    response = page.goto(f"{base_url}/deltagare/")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Du har inte behörighet till den här sidan")


def test_language_switch_on_login_page(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/konto/logga-in/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_text("Logga in i Sikta")

    page.locator("#language-select").select_option(label="English")
    with page.expect_navigation():
        page.locator("form.language").get_by_role("button", name="Byt").click()
    expect(page).to_have_url(f"{base_url}/konto/logga-in/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Log in")
    expect(page.locator("main form button[type=submit]")).to_have_text("Log in")

    page.locator("#language-select").select_option(label="Svenska")
    with page.expect_navigation():
        page.locator("form.language").get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_text("Logga in i Sikta")


def test_audit_log_shows_reads_and_rejects_bad_date_range(page: Page, base_url: str) -> None:
    login(page, base_url, "insatsledare")
    page.goto(f"{base_url}/deltagare/")
    page.locator(PARTICIPANT_LINKS).first.click()
    expect(page).to_have_url(re.compile(r"/deltagare/\d+/$"))
    name = page.locator("h1").inner_text().strip()
    personnummer = fact(page, "Personnummer")

    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.get_by_role("link", name="Granskningslogg").click()
    expect(page).to_have_url(f"{base_url}/logg/")
    rows = page.locator("main table tbody tr")
    view = rows.filter(has_text="Visade deltagare").filter(has_text=personnummer)
    expect(view.first).to_be_visible()
    expect(view.first).to_contain_text(name)
    expect(view.first).to_contain_text("insatsledare")
    expect(rows.filter(has_text="Listade deltagare").first).to_be_visible()

    page.locator("input[name=date_from]").fill("2025-03-10")
    page.locator("input[name=date_to]").fill("2025-03-01")
    with page.expect_navigation():
        page.get_by_role("search").get_by_role("button", name="Sök").click()
    date_to = page.locator("input[name=date_to]")
    field = page.locator(".field", has=date_to)
    expect(field.locator(".errorlist")).to_have_text("Slutdatumet får inte vara före startdatumet.")
    expect(date_to).to_have_attribute("aria-invalid", "true")
    expect(date_to).to_have_value("2025-03-01")
    expect(page.locator("input[name=date_from]")).to_have_value("2025-03-10")


def test_wrong_password_shows_error_and_keeps_username(page: Page, base_url: str) -> None:
    submit_login(page, base_url, "samordnare.vastra", DEMO_PASSWORD + "-fel")

    expect(page).to_have_url(f"{base_url}/konto/logga-in/")
    error = page.get_by_role("alert")
    expect(error).to_be_visible()
    expect(error).to_contain_text("lösenord")
    expect(page.locator("input[name=username]")).to_have_value("samordnare.vastra")
    expect(page.locator("input[name=password]")).to_have_value("")


def test_tab_first_reaches_visible_skip_link(page: Page, base_url: str) -> None:
    login(page, base_url, "samordnare.sodra")
    page.keyboard.press("Tab")

    focused = page.locator(":focus")
    expect(focused).to_have_text("Hoppa till innehållet")
    expect(focused).to_have_attribute("href", "#main")
    box = focused.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] + box["height"] <= viewport["height"], box

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
