"""The caseworker's week in a real browser: record the participant's choice of reminders, book
a meeting, the reminder arrives at the local SMS provider, mark a no-show (the participant gets
a kind message, the case page counts it); the week's calendar by keyboard and on a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, _manage, login
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_casework_journey import choose_participant, go_to_section

pytestmark = pytest.mark.browser

COACHES = ("coach.sodra.1", "coach.norra.1", "coach.vastra.1")
PHONE = "070-174 06 50"  # PTS's series for fiction
E164 = "+46701740650"


def _next_weekday() -> dt.date:
    day = dt.date.today() + dt.timedelta(days=2)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def test_book_remind_and_mark_a_no_show(page: Page, server: Server) -> None:
    base_url = server.url
    case = choose_participant(page, base_url, COACHES)
    page.goto(f"{base_url}{case}")
    name = page.locator("main h1").inner_text().strip()
    go_to_section(page, case, "bokningar/")
    assert_accessible(page)

    # The participant's choice: text messages to their mobile.
    page.get_by_role("link", name="Ändra val av påminnelser").click()
    page.get_by_label("Med sms").check()
    page.get_by_label("Mobilnummer").fill("08-123 456 78")  # not a mobile: refused, kept
    page.get_by_label("Muntligt, antecknat av personal").check()
    page.get_by_role("button", name="Spara valet").click()
    expect(page.locator(".field-invalid")).to_contain_text("mobilnummer")
    expect(page.get_by_label("Mobilnummer")).to_have_value("08-123 456 78")
    assert_accessible(page)
    page.get_by_label("Mobilnummer").fill(PHONE)
    page.get_by_role("button", name="Spara valet").click()
    expect(page.get_by_text("Valet av påminnelser är sparat.")).to_be_visible()

    # Book a meeting.
    day = _next_weekday()
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Klockslag").fill("10:30")
    page.get_by_role("textbox", name="Plats").fill("Storgatan 1, Trosa")
    page.get_by_role("button", name="Boka", exact=True).click()
    expect(page.get_by_text("Mötet är bokat.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Storgatan 1, Trosa")

    # The sender delivers the confirmation to the provider.
    server.send_messages()
    sent = [m for m in server.sms.messages if m["to"] == E164]
    assert len(sent) == 1, server.sms.messages
    text = sent[0]["message"]
    assert "Storgatan 1, Trosa" in text and "10.30" in text
    for part in name.split():
        assert part not in text, "the participant's name is never in a message"
    page.reload()
    expect(page.locator("main")).to_contain_text("skickat")

    # The meeting passes (moved back two hours in the database), and the participant did not
    # come.
    _manage(
        server.env,
        "shell",
        "-c",
        "import datetime as dt; from django.utils import timezone; "
        "from sikta.bookings.models import Booking; "
        "b = Booking.objects.latest('created_at'); "
        "Booking.objects.filter(pk=b.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))",
    )
    page.reload()
    outcome = page.locator("form.outcome-form").first
    outcome.get_by_label("Uteblev").check()
    outcome.get_by_role("button", name="Registrera utfallet").click()
    expect(page.get_by_text("Markerat som uteblivet.")).to_be_visible()
    expect(page.locator("#no-shows")).to_contain_text("Uteblev från")
    server.send_messages()
    missed = [m for m in server.sms.messages if m["to"] == E164]
    assert len(missed) == 2 and "saknade dig" in missed[-1]["message"]
    assert_accessible(page)


def test_the_week_works_by_keyboard_and_on_a_phone(page: Page, base_url: str) -> None:
    login(page, base_url, "samordnare.sodra")
    page.goto(f"{base_url}/kalender/")
    expect(page.locator("main h1")).to_contain_text("Kalender, vecka")
    assert_accessible(page)
    heading = page.locator("main h1").inner_text()
    # Tab to "Nästa vecka" and follow it with Enter.
    next_week = page.get_by_role("link", name="Nästa vecka")
    for _ in range(40):
        page.keyboard.press("Tab")
        if next_week.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("'Nästa vecka' cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"vecka=\d{4}-W\d{2}"))
    assert page.locator("main h1").inner_text() != heading
    # One staff member's bookings, chosen with the keyboard.
    page.get_by_label("Vems bokningar").focus()
    page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Visa").press("Enter")
    expect(page).to_have_url(re.compile(r"personal=\d+"))
    # On a 375-px phone the week is one column, nothing wider than the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base_url}/kalender/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the calendar is {width} px wide on a 375-px screen"
    assert_accessible(page)
