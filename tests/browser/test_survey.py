"""The participant survey in a real browser: a caseworker makes a personal link, the participant
answers it on a phone without logging in (saved as they go, one question skipped), and the
caseworker then sees the survey answered; axe-core runs on every page on the way.

Elements are found by name, id, role and address rather than by visible text, as in the other
browser tests; the instrument is recognised by "WHO-5", which its name has in either language.

The server's data is shared by the browser tests of one xdist worker, and answering a survey
cannot be undone: the test works on a participant of caseworkers no other test logs in as. The
demo data has start answers for most participants, so it looks for one without a WHO-5 survey.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import login
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_casework_journey import MY_PARTICIPANTS, go_to_section
from tests.browser.test_referral_journey import submit

pytestmark = pytest.mark.browser

# Caseworkers that no other browser test logs in as, in the order they are tried: the first
# participant of theirs with no WHO-5 survey yet is used.
SURVEY_CASEWORKERS = (
    "coach.vastra.1",
    "coach.norra.1",
    "koordinator.vastra.2",
    "koordinator.vastra.1",
)
WHO5 = "WHO-5"
LINK_FORM = "main form:has([name=l-instrument])"
ITEMS = "main fieldset.item"
PHONE = {"width": 375, "height": 740}


@contextmanager
def phone_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context of its own, phone-sized and touch-driven, with no login."""
    context = browser.new_context(
        locale="sv-SE", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]} > {widths[1]} px"


def option(page: Page, item: int, choice: int) -> Locator:
    """The radio button of `choice` (0 for the lowest) of question `item` (0 for the first)."""
    return page.locator(ITEMS).nth(item).locator("input[type=radio]").nth(choice)


def tap_answer(page: Page, item: int, choice: int) -> None:
    """Tap the label of an answer and wait for the autosave that the change sends."""
    radio = option(page, item, choice)
    label = page.locator(f"label[for='{radio.get_attribute('id')}']")
    with page.expect_response(
        lambda r: r.url.endswith("/spara/") and r.request.method == "POST"
    ) as saved:
        label.tap()
    assert saved.value.status == 200, saved.value.text()
    expect(radio).to_be_checked()


def survey_row(page: Page) -> Locator:
    return page.locator("main table tbody tr", has_text=WHO5)


def choose_participant_without_who5(page: Page, base_url: str) -> str:
    """Log in as the first of SURVEY_CASEWORKERS with an active participant that has no WHO-5
    survey (of any time or enrolment); that participant's path, the caseworker still logged in.
    """
    for username in SURVEY_CASEWORKERS:
        page.context.clear_cookies()
        login(page, base_url, username)
        expect(page).to_have_url(f"{base_url}/")
        links = page.locator(MY_PARTICIPANTS)
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        for href in reversed(hrefs):
            assert href is not None and re.fullmatch(r"/deltagare/\d+/", href), href
            page.goto(f"{base_url}{href}enkat/")
            if survey_row(page).count() == 0:
                return href
    pytest.fail(f"none of {SURVEY_CASEWORKERS} has a participant without a WHO-5 survey")


def test_participant_answers_survey_on_a_phone(page: Page, base_url: str, browser: Browser) -> None:
    # The server's "today" is in its own time zone: a day's margin either way.
    days = [dt.date.today() + dt.timedelta(days=d) for d in (-1, 0, 1)]
    answered_on = re.compile("|".join(day.isoformat() for day in days))

    # --- 1. The caseworker makes a link ------------------------------------------------------
    case = choose_participant_without_who5(page, base_url)
    page.goto(f"{base_url}{case}")
    go_to_section(page, case, "enkat/")
    expect(survey_row(page)).to_have_count(0)
    expect(page.locator("main table caption", has_text=WHO5)).to_have_count(0)
    assert_accessible(page)

    form = page.locator(LINK_FORM)
    who5 = form.locator("[name=l-instrument] option", has_text=WHO5)
    expect(who5).to_have_count(1)
    form.locator("[name=l-instrument]").select_option(value=who5.get_attribute("value"))
    form.locator("[name=l-timepoint]").select_option(value="start")
    assert submit(page, form) == 200
    expect(page).to_have_url(f"{base_url}{case}enkat/")
    link = page.locator("main a.survey-link")
    expect(link).to_have_count(1)
    url = link.get_attribute("href")
    assert url is not None and re.fullmatch(rf"{re.escape(base_url)}/enkat/[^/]+/", url), url
    expect(link).to_have_text(url)
    expect(page.get_by_role("status").filter(has=page.locator("a.survey-link"))).to_be_visible()
    expect(survey_row(page)).to_have_count(1)
    sent_status = survey_row(page).locator("td").last.inner_text()
    assert_accessible(page)

    # --- 2. The participant answers on a phone ------------------------------------------------
    with phone_page(browser) as phone:
        response = phone.goto(url)
        assert response is not None and response.status == 200
        items = phone.locator(ITEMS)
        expect(items).to_have_count(5)
        expect(phone.locator("header nav")).to_have_count(0)  # no login, no menu
        saved = phone.locator("#saved")
        expect(saved).to_have_attribute("role", "status")
        expect(saved).to_have_text("")
        assert_no_horizontal_scroll(phone)
        assert_accessible(phone)

        tap_answer(phone, 0, 3)
        expect(saved).to_have_text(re.compile(r"\S"))  # the live region tells it is saved
        tap_answer(phone, 1, 0)
        assert_no_horizontal_scroll(phone)
        assert_accessible(phone)

        # Saved as they go: the page comes back from the server with both answers.
        response = phone.reload()
        assert response is not None and response.status == 200
        expect(saved).to_have_text("")
        for item, choice in ((0, 3), (1, 0)):
            # The attribute is the server's: the browser's own form restoring sets the property.
            expect(option(phone, item, choice)).to_have_attribute("checked", "")
            expect(option(phone, item, choice)).to_be_checked()
        expect(items.nth(2).locator("input:checked")).to_have_count(0)

        tap_answer(phone, 2, 5)
        tap_answer(phone, 3, 2)
        # The fifth is skipped.
        expect(items.nth(4).locator("input:checked")).to_have_count(0)
        with phone.expect_navigation() as navigation:
            phone.locator("main form button[type=submit]").tap()
        assert navigation.value is not None and navigation.value.status == 200
        expect(phone).to_have_url(url)
        expect(phone.locator("main h1")).to_have_count(1)
        expect(phone.locator("main form")).to_have_count(0)
        expect(phone.locator(ITEMS)).to_have_count(0)
        assert_no_horizontal_scroll(phone)
        assert_accessible(phone)

        # The link is used up.
        response = phone.goto(url)
        assert response is not None and response.status == 404
        expect(phone.locator("main h1")).to_have_count(1)
        expect(phone.locator("main form")).to_have_count(0)
        assert_no_horizontal_scroll(phone)
        assert_accessible(phone)

    # --- 3. The caseworker sees it answered ---------------------------------------------------
    page.goto(f"{base_url}{case}enkat/")
    row = survey_row(page)
    expect(row).to_have_count(1)
    status = row.locator("td").last
    expect(status).not_to_have_text(sent_status)
    expect(status).to_contain_text(answered_on)
    # Only answered surveys are in the before/after tables; one item skipped leaves WHO-5
    # without a score.
    before_after = page.locator("main table", has=page.locator("caption", has_text=WHO5))
    expect(before_after).to_have_count(1)
    expect(before_after.locator("tbody tr")).to_have_count(1)
    expect(before_after.locator("tbody td").first).to_have_text("–")
    assert_accessible(page)
