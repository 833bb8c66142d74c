"""Two insatser in one Sikta, in a real browser: each has its own referrals, staff and people.

The demo's second insats, "Steg för steg" (Flen and Katrineholm, no länsdelar, one track), has
its own samordnare and coaches; the insatsledare holds a role in each insats and one of the
whole förbund, and switches between them in the header. Insats, kommun and track names are
data (Swedish in both languages); the rest is found by role, name, id and address.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import login
from tests.browser.test_accessibility import assert_accessible
from tests.factories import fictional_personnummer

pytestmark = pytest.mark.browser

FIRST = "Sikta mot arbetslivet"
SECOND = "Steg för steg"
SECOND_SLUG = "steg-for-steg"
SECOND_TRACK = "steg"
SECOND_KOMMUNER = {"Flen", "Katrineholm"}
FORBUND = "Hela förbundet"
REFERENCE = re.compile(r"^\d{4}-[2-9A-HJKMNP-Z]{6}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FORBIDDEN = "Du har inte behörighet till den här sidan"


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    personnummer: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def sort_name(self) -> str:
        """The name as the staff lists show it: last name first."""
        return f"{self.last_name}, {self.first_name}"


def new_person() -> Person:
    """A fictional person of about 24 (the track takes 18–29) whom nobody else is named like."""
    tag = "".join(secrets.choice(string.ascii_lowercase) for _ in range(6))
    digits = fictional_personnummer(secrets.randbelow(30_000), year=dt.date.today().year - 24)
    return Person(
        first_name="Stegvis",
        last_name=f"Provsson{tag}",
        personnummer=f"{digits[:8]}-{digits[8:]}",  # as Sikta shows it
    )


def submit(page: Page, form: Locator) -> int:
    """Send `form` with its submit button; the HTTP status of the page that answers."""
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    response = navigation.value
    assert response is not None
    return response.status


def goto_status(page: Page, url: str) -> int:
    response = page.goto(url)
    assert response is not None
    return response.status


def who(page: Page) -> str:
    """The name of the staff record the header says the user works as."""
    return page.locator("header p.who").inner_text().split(",")[0].strip()


def column_texts(page: Page, header: str) -> list[str]:
    """The text of every body cell under the column headed `header` in the main table."""
    table = page.locator("main table").first
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    assert header in headers, f"no column {header!r} in {headers}"
    index = headers.index(header) + 1
    return [
        text.strip() for text in table.locator(f"tbody tr td:nth-child({index})").all_inner_texts()
    ]


def switch_to(page: Page, insats: str) -> None:
    """Work in `insats` (or FORBUND) through the switch in the header."""
    switch = page.locator("header form.insats-switch")
    option = switch.locator("#insats-select option", has_text=re.compile(rf"^{re.escape(insats)}"))
    expect(option).to_have_count(1)
    switch.locator("#insats-select").select_option(value=option.get_attribute("value"))
    with page.expect_navigation():
        switch.get_by_role("button", name="Byt").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(switch.locator("#insats-select option:checked")).to_have_text(
        re.compile(rf"^{re.escape(insats)}")
    )


def open_referral_form(page: Page, base_url: str) -> None:
    """From the public page that lists the open insatser, to the second insats's form."""
    page.goto(f"{base_url}/aktualisering/")
    card = page.get_by_role("region", name=SECOND, exact=True)
    expect(page.get_by_role("region", name=FIRST, exact=True)).to_have_count(1)
    with page.expect_navigation():
        card.get_by_role("link").click()
    expect(page).to_have_url(f"{base_url}/aktualisering/{SECOND_SLUG}/")
    expect(page.locator("h1")).to_contain_text(SECOND)
    tracks = page.locator("main a[href^='/aktualisering/'][class~=button]")
    expect(tracks).to_have_count(1)  # one track: no choice to make but this one
    with page.expect_navigation():
        tracks.click()
    expect(page).to_have_url(f"{base_url}/aktualisering/{SECOND_SLUG}/{SECOND_TRACK}/")


def fill_referral(page: Page, person: Person, *, kommun: str = "Flen") -> None:
    """Fill in the public form of the second insats's track (anyone may refer to it)."""
    expect(page.locator("input[name=fran]")).to_have_count(0)  # no first step: anyone refers
    page.locator("input[name=organisation]").first.check()
    page.locator("input[name=referrer_unit]").fill("Socialtjänsten, Flens kommun")
    page.locator("input[name=referrer_name]").fill("Hanna Handläggare")
    page.locator("input[name=referrer_email]").fill("hanna.handlaggare@example.org")
    page.locator("input[name=referrer_phone]").fill("0157-12 34 56")

    page.locator("#id_personnummer").fill(person.personnummer)
    page.locator("input[name=first_name]").fill(person.first_name)
    page.locator("input[name=last_name]").fill(person.last_name)
    page.locator("input[name=phone]").fill("070-765 43 21")
    # Only this insats's kommuner (and the one outside the county) are offered.
    kommuner = page.locator("#id_kommun option").all_inner_texts()
    assert set(kommuner) >= SECOND_KOMMUNER, kommuner
    assert "Nyköping" not in kommuner, kommuner
    page.locator("#id_kommun").select_option(label=kommun)

    income = page.locator("fieldset", has=page.locator("input[name=income_sources]"))
    income.get_by_label(re.compile(r"^Ekonomiskt bistånd")).check()
    page.locator("input[name=af_status][value=ej_inskriven]").check()
    page.locator("input[name=sick_leave][value=nej]").check()
    page.locator("textarea[name=support_needed]").fill(
        "Vill komma igång med studier igen.\nBehöver stöd med dygnsrytmen."
    )
    page.locator("input[name=consent]").check()


def stockholm_today() -> dt.date:
    """The server's today (it keeps Swedish time), whatever the test machine's zone."""
    return dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[object]:
    """Another browser, as at another computer: new_context() gives one, closed at the end."""
    opened = []

    def make():
        context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        opened.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in opened:
            context.close()


# --- a referral in the second insats ------------------------------------------------------------


def test_referral_to_second_insats_reaches_its_staff_and_nobody_else(
    page: Page, base_url: str, new_context
) -> None:
    person = new_person()

    # The coach the samordnare will assign, as the coach's own header names them.
    coach_page = new_context()
    login(coach_page, base_url, "coach.steg.1")
    expect(coach_page.locator("h1")).to_have_text("Mina deltagare")
    coach = who(coach_page)
    assert coach, "coach.steg.1's header names nobody"
    expect(coach_page.get_by_role("link", name=person.sort_name)).to_have_count(0)

    # A handläggare in Flen refers the person through the public form.
    open_referral_form(page, base_url)
    fill_referral(page, person)
    assert submit(page, page.locator("main form.referral")) == 200
    expect(page).to_have_url(f"{base_url}/aktualisering/tack/")
    reference = page.locator("main strong.reference")
    expect(reference).to_have_text(REFERENCE)
    number = reference.inner_text().strip()

    # The second insats's samordnare finds it in the queue, newest first.
    staff = new_context()
    login(staff, base_url, "samordnare.steg")
    expect(staff.locator("#insats-select")).to_have_count(0)  # one role: nothing to switch
    expect(staff.locator("header p.who")).to_contain_text(SECOND)
    staff.locator("header nav a[href='/aktualiseringar/']").click()
    expect(staff).to_have_url(f"{base_url}/aktualiseringar/")
    staff.locator("main table.queue thead a[href*='sortera=-mottagen']").click()
    expect(staff).to_have_url(re.compile(r"sortera=-mottagen"))
    kommuner = column_texts(staff, "Kommun")
    assert kommuner and set(kommuner) <= SECOND_KOMMUNER, f"the queue holds {set(kommuner)}"
    link = staff.get_by_role("link", name=person.full_name, exact=True)
    row = staff.locator("main table.queue tbody tr").filter(has=link)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("Flen")
    link.click()
    expect(staff).to_have_url(re.compile(rf"^{re.escape(base_url)}/aktualiseringar/\d+/$"))
    referral_path = staff.url.removeprefix(base_url)
    expect(staff.locator("h1")).to_contain_text(person.full_name)
    expect(staff.locator("h1")).to_contain_text(number)
    expect(staff.locator("main dl.facts").first).to_contain_text(person.personnummer)

    # Assessed, then accepted: only this insats's coaches can take the case.
    assert submit(staff, staff.locator("main form[action$='/bedomd/']")) == 200
    expect(staff).to_have_url(f"{base_url}{referral_path}")
    staff.locator("main a[href$='/antag/']").click()
    expect(staff).to_have_url(f"{base_url}{referral_path}antag/")
    expect(staff.locator("h1")).to_contain_text(person.full_name)
    expect(staff.locator("input[name=caseworker]")).to_have_count(2)  # coach.steg.1 and .2
    staff.get_by_role("radio", name=re.compile(rf"^{re.escape(coach)}\s")).check()
    start = staff.locator("input[name=start_date]")
    expect(start).to_have_value(ISO_DATE)
    start.fill(stockholm_today().isoformat())
    staff.locator("input[name=consent_confirmed]").check()
    assert submit(staff, staff.locator("main form[method=post]")) == 200
    expect(staff).to_have_url(re.compile(rf"^{re.escape(base_url)}/deltagare/\d+/$"))
    participant_path = staff.url.removeprefix(base_url)
    expect(staff.locator("h1")).to_have_text(person.full_name)
    expect(staff.get_by_role("status")).to_contain_text(coach)
    responsible = staff.locator("main dl.facts dd", has=staff.locator("a[href$='/ansvarig/']"))
    expect(responsible).to_contain_text(coach)
    expect(staff.locator("main dl.facts")).to_contain_text(person.personnummer)

    # The coach has the person on the start page now.
    coach_page.reload()
    expect(coach_page.locator("h1")).to_have_text("Mina deltagare")
    mine = coach_page.get_by_role("link", name=person.sort_name, exact=True)
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("href", participant_path)
    with coach_page.expect_navigation():
        mine.click()
    expect(coach_page).to_have_url(f"{base_url}{participant_path}")
    expect(coach_page.locator("h1")).to_have_text(person.full_name)

    # The first insats's samordnare of Södra never sees the referral, open or decided.
    sodra = new_context()
    login(sodra, base_url, "samordnare.sodra")
    sodra.goto(f"{base_url}/aktualiseringar/?status=alla&sortera=-mottagen")
    expect(sodra.locator("main table.queue tbody tr").first).to_be_visible()
    expect(sodra.get_by_role("link", name=person.full_name)).to_have_count(0)
    expect(sodra.locator("main")).not_to_contain_text(number)
    expect(sodra.locator("main")).not_to_contain_text(person.last_name)
    assert goto_status(sodra, f"{base_url}{referral_path}") == 404
    expect(sodra.locator("body")).not_to_contain_text(person.last_name)

    # Nor does a coach of the first insats reach the new participant's case.
    first_coach = new_context()
    login(first_coach, base_url, "coach.sodra.1")
    assert goto_status(first_coach, f"{base_url}{participant_path}") == 404
    body = first_coach.locator("body")
    expect(body).not_to_contain_text(person.last_name)
    expect(body).not_to_contain_text(person.personnummer)


# --- the insatsledare, in each insats and for the whole förbund --------------------------------


def test_insatsledare_switches_between_insatser_and_the_forbund(page: Page, base_url: str) -> None:
    login(page, base_url, "insatsledare")
    switch = page.locator("header form.insats-switch")
    options = switch.locator("#insats-select option")
    expect(options).to_have_count(3)
    for name in (FIRST, SECOND, FORBUND):
        expect(options.filter(has_text=re.compile(rf"^{re.escape(name)}"))).to_have_count(1)

    # In the second insats: its own start page and only its own people.
    switch_to(page, SECOND)
    expect(page.locator("h1")).to_have_text(SECOND)
    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.get_by_role("link", name="Deltagare", exact=True).click()
    expect(page).to_have_url(f"{base_url}/deltagare/")
    expect(page.locator("main table tbody a[href^='/deltagare/']").first).to_be_visible()
    kommuner = column_texts(page, "Kommun")
    assert kommuner, "the insatsledare sees nobody in the second insats"
    assert set(kommuner) <= SECOND_KOMMUNER, f"participants of other kommuner: {set(kommuner)}"
    filter_options = page.locator("select[name=kommun] option").all_inner_texts()
    assert set(filter_options[1:]) <= SECOND_KOMMUNER, f"kommun filter offers {filter_options}"
    expect(page.locator("main")).not_to_contain_text("Nyköping")

    # For the whole förbund: every insats, counted side by side, and nobody by name.
    switch_to(page, FORBUND)
    insatser = page.locator("main table tbody th[scope=row]")
    expect(insatser).to_have_text([FIRST, SECOND])
    work_in = page.locator("main").get_by_role("button", name=re.compile(r"^Arbeta i den \("))
    expect(work_in).to_have_count(2)  # a role in each insats
    expect(
        page.get_by_role("navigation", name="Huvudmeny").get_by_role(
            "link", name="Deltagare", exact=True
        )
    ).to_have_count(0)

    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.get_by_role("link", name="Rapporter", exact=True).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/rapporter/"))
    expect(page.locator("h1")).to_contain_text("hela förbundet")
    expect(page.locator("main p.notice")).to_contain_text("alla förbundets insatser")
    participants = page.get_by_role("region", name="Deltagare", exact=True)
    expect(participants.locator("table tbody th[scope=row]")).to_have_text([FIRST, SECOND])
    expect(participants.locator("table tfoot th[scope=row]")).to_have_count(1)  # the total

    assert goto_status(page, f"{base_url}/deltagare/") == 403
    expect(page.locator("h1")).to_have_text(FORBIDDEN)
    expect(page.locator("main table")).to_have_count(0)

    # Back into the second insats from the förbund's start page.
    page.goto(f"{base_url}/")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=re.compile(rf"{SECOND}$")).click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("h1")).to_have_text(SECOND)
    assert goto_status(page, f"{base_url}/deltagare/") == 200


# --- accessibility ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(f"/aktualisering/{SECOND_SLUG}/", id="insats"),
        pytest.param(f"/aktualisering/{SECOND_SLUG}/{SECOND_TRACK}/", id="form"),
    ],
)
def test_second_insats_public_referral_page_is_accessible(
    page: Page, base_url: str, path: str
) -> None:
    assert goto_status(page, f"{base_url}{path}") == 200
    expect(page.locator("h1")).to_contain_text(SECOND)
    assert_accessible(page)


def test_second_insats_referral_form_errors_are_accessible(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/aktualisering/{SECOND_SLUG}/{SECOND_TRACK}/")
    assert submit(page, page.locator("main form.referral")) == 400
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator(".field-invalid").first).to_be_visible()
    assert_accessible(page)


def test_forbund_pages_are_accessible(page: Page, base_url: str) -> None:
    login(page, base_url, "insatsledare")
    switch_to(page, FORBUND)
    expect(page.locator("main table tbody th[scope=row]")).to_have_count(2)
    assert_accessible(page)  # the förbund's start page

    assert goto_status(page, f"{base_url}/rapporter/") == 200
    expect(page.locator("main p.notice")).to_be_visible()
    assert_accessible(page)  # the förbund's dashboard, its insatser side by side
