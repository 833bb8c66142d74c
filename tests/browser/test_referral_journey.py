"""Referrals (aktualiseringar) in a real browser: from the public form to an enrolled participant.

Elements are found by name, id, role and address rather than by visible text wherever possible:
the Swedish translations of the referral pages are written separately, and the tests should hold
in either language. Texts that are data (kommun names, the track's notices) are Swedish in both.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from sikta.core.personnummer import luhn_digit
from tests.browser.conftest import login
from tests.browser.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

SAMORDNARE = "samordnare.sodra"
REFERENCE = re.compile(r"^\d{4}-[2-9A-HJKMNP-Z]{6}$")
OUTSIDE_COUNTY = "utanfor"
# The referral's history: the one table on the detail page that is not the eligibility table.
HISTORY_ROWS = "main table:not(.eligibility) tbody tr"
PARTICIPANT_LINKS = "main table tbody a[href^='/deltagare/']"


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    personnummer: str
    phone: str
    support: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


INSATS = "sikta-mot-arbetslivet"


def fictional_personnummer(age: int) -> str:
    """A valid 12-digit personnummer of someone who turned `age` about four months ago."""
    base = dt.date.today() - dt.timedelta(days=120)
    born = dt.date(base.year - age, base.month, min(base.day, 28))
    serial = f"{secrets.randbelow(900) + 100}"
    check = luhn_digit(f"{born:%y%m%d}{serial}")
    return f"{born:%Y%m%d}-{serial}{check}"


def new_person(age: int) -> Person:
    """A fictional person whose name no other test (or demo participant) has."""
    tag = "".join(secrets.choice(string.ascii_lowercase) for _ in range(6))
    return Person(
        first_name="Testa",
        last_name=f"Aktsson{tag}",
        personnummer=fictional_personnummer(age),
        phone="070-123 45 67",
        support="Behöver stöd att komma igång med arbetsträning.\nHar provat praktik tidigare.",
    )


def fill_referral(
    page: Page,
    person: Person,
    *,
    kommun: str | None = "Nyköping",
    consent: bool = True,
) -> None:
    """Fill in the referral form (public or the samordnare's) for `person`.

    `kommun` is the label of the option to choose, or OUTSIDE_COUNTY for that option.
    """
    organisation = page.locator("input[name=organisation]")
    if page.locator("input[name=organisation]:checked").count() == 0:
        organisation.first.check()
    page.locator("input[name=referrer_unit]").fill("Socialtjänsten, Nyköpings kommun")
    page.locator("input[name=referrer_name]").fill("Hanna Handläggare")
    page.locator("input[name=referrer_email]").fill("hanna.handlaggare@example.org")
    page.locator("input[name=referrer_phone]").fill("0155-12 34 56")

    page.locator("#id_personnummer").fill(person.personnummer)
    page.locator("input[name=first_name]").fill(person.first_name)
    page.locator("input[name=last_name]").fill(person.last_name)
    page.locator("input[name=phone]").fill(person.phone)
    if kommun == OUTSIDE_COUNTY:
        page.locator("#id_kommun").select_option(value=OUTSIDE_COUNTY)
    elif kommun is not None:
        page.locator("#id_kommun").select_option(label=kommun)

    income = page.locator("fieldset", has=page.locator("input[name=income_sources]"))
    income.get_by_label(re.compile(r"^Ekonomiskt bistånd")).check()
    page.locator("input[name=af_status][value=ej_inskriven]").check()
    page.locator("input[name=sick_leave][value=nej]").check()
    page.locator("textarea[name=support_needed]").fill(person.support)
    if consent:
        page.locator("input[name=consent]").check()


def submit(page: Page, form: Locator) -> int:
    """Send `form` with its submit button; the HTTP status of the page that answers."""
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    response = navigation.value
    assert response is not None
    return response.status


def invalid_field(page: Page, selector: str) -> Locator:
    """The field wrapper (div or fieldset) marked invalid that holds the input `selector`."""
    return page.locator(".field-invalid", has=page.locator(selector))


def caseworker_name(page: Page, radio: Locator) -> str:
    """The name in a caseworker option's label, without the caseload after it."""
    label = page.locator(f"label[for='{radio.get_attribute('id')}']")
    return label.evaluate("label => label.firstChild.textContent").strip()


def register_referral(page: Page, base_url: str, person: Person) -> str:
    """As the logged-in samordnare, register a coachning referral; the detail page's address."""
    page.goto(f"{base_url}/aktualiseringar/ny/?spar=coachning")
    fill_referral(page, person)
    assert submit(page, page.locator("main form.referral")) == 200
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/aktualiseringar/\d+/$"))
    return page.url


# --- what people do ----------------------------------------------------------------------------


def test_referral_from_public_form_to_enrolled_participant(
    browser: object, page: Page, base_url: str
) -> None:
    person = new_person(age=40)

    # A handläggare at the kommun finds the form and chooses coachning.
    # The association has two insatser that take referrals: the page lists both.
    page.goto(f"{base_url}/aktualisering/")
    expect(page.locator("main a[href='/aktualisering/steg-for-steg/']")).to_have_count(1)
    page.locator(f"main a[href='/aktualisering/{INSATS}/']").click()
    expect(page).to_have_url(f"{base_url}/aktualisering/{INSATS}/")
    expect(page.locator(f"main a[href='/aktualisering/{INSATS}/koordinering/']")).to_have_count(1)
    page.locator(f"main a[href='/aktualisering/{INSATS}/coachning/']").click()
    expect(page).to_have_url(f"{base_url}/aktualisering/{INSATS}/coachning/")
    expect(page.locator("input[name=personnummer]")).to_have_count(0)
    page.locator("input[name=fran][value=kommun]").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/aktualisering/{INSATS}/coachning/?steg=1&fran=kommun")

    # Only the organisations that may refer to coachning are offered; the step's answer stands.
    expect(page.locator("input[name=organisation]")).to_have_count(2)
    expect(page.locator("input[name=organisation]:checked")).to_have_count(1)
    # The field only programs fill in lies outside the page, out of the tab order.
    honeypot = page.locator("input[name=website]")
    expect(honeypot).to_have_attribute("tabindex", "-1")
    box = honeypot.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0, box
    fill_referral(page, person)
    assert submit(page, page.locator("main form.referral")) == 200

    expect(page).to_have_url(f"{base_url}/aktualisering/tack/")
    reference = page.locator("main strong.reference")
    expect(reference).to_have_text(REFERENCE)
    number = reference.inner_text().strip()

    # The samordnare of Södra, at another computer, finds it in the queue.
    staff_context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    staff_context.set_default_timeout(10_000)
    try:
        staff = staff_context.new_page()
        login(staff, base_url, SAMORDNARE)
        staff.locator("header nav a[href='/aktualiseringar/']").click()
        expect(staff).to_have_url(f"{base_url}/aktualiseringar/")
        # Newest first, so that it is on the first page however long the queue is.
        staff.locator("main table.queue thead a[href*='sortera=-mottagen']").click()
        expect(staff).to_have_url(re.compile(r"sortera=-mottagen"))
        row = staff.locator("main table.queue tbody tr").filter(
            has=staff.get_by_role("link", name=person.full_name, exact=True)
        )
        expect(row).to_have_count(1)
        expect(row).to_contain_text(number)
        expect(row).to_contain_text("Nyköping")
        row.get_by_role("link", name=person.full_name, exact=True).click()

        expect(staff).to_have_url(re.compile(rf"^{re.escape(base_url)}/aktualiseringar/\d+/$"))
        detail_url = staff.url
        expect(staff.locator("h1")).to_contain_text(person.full_name)
        expect(staff.locator("h1")).to_contain_text(number)
        expect(staff.locator("main dl.facts").first).to_contain_text(person.personnummer)
        expect(staff.locator("main")).to_contain_text("Behöver stöd att komma igång")
        history = staff.locator(HISTORY_ROWS)
        expect(history).to_have_count(1)
        expect(staff.locator("main a[href$='/antag/']")).to_have_count(0)

        # Invite to a first meeting.
        meeting = dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(10, 30))
        shown = f"{meeting:%Y-%m-%d %H:%M}"
        invite = staff.locator("main form[action$='/kalla/']")
        invite.locator("input[name=meeting_at]").fill(f"{meeting:%Y-%m-%dT%H:%M}")
        assert submit(staff, invite) == 200
        expect(staff).to_have_url(detail_url)
        expect(staff.get_by_role("status")).to_be_visible()
        expect(staff.locator("main p.lead")).to_contain_text(shown)
        expect(history).to_have_count(2)
        expect(history.last).to_contain_text(shown)
        expect(invite.locator("input[name=meeting_at]")).to_have_value(f"{meeting:%Y-%m-%dT%H:%M}")

        # Mark as assessed after the meeting.
        note = "Första mötet hölls, personen vill börja."
        assess = staff.locator("main form[action$='/bedomd/']")
        assess.locator("textarea[name=assess-note]").fill(note)
        assert submit(staff, assess) == 200
        expect(staff).to_have_url(detail_url)
        expect(history).to_have_count(3)
        expect(history.last).to_contain_text(note)
        expect(staff.locator("main form[action$='/kalla/']")).to_have_count(0)
        expect(staff.locator("main form[action$='/bedomd/']")).to_have_count(0)

        # Accept and assign: without the consent confirmed it says so and keeps the choice.
        staff.locator("main a[href$='/antag/']").click()
        expect(staff).to_have_url(f"{detail_url}antag/")
        expect(staff.locator("h1")).to_contain_text(person.full_name)
        choices = staff.locator("input[name=caseworker]")
        expect(choices.first).to_be_visible()
        chosen = choices.last
        chosen_id = chosen.get_attribute("id")
        coach = caseworker_name(staff, chosen)
        assert coach, "the caseworker option has no name"
        expect(staff.locator("input[name=start_date]")).to_have_value(
            re.compile(r"^\d{4}-\d{2}-\d{2}$")
        )
        chosen.check()
        form = staff.locator("main form[method=post]")
        assert submit(staff, form) == 400
        expect(invalid_field(staff, "input[name=consent_confirmed]")).to_have_count(1)
        expect(staff.locator(f"#{chosen_id}")).to_be_checked()

        staff.locator("input[name=consent_confirmed]").check()
        assert submit(staff, form) == 200
        expect(staff).to_have_url(re.compile(rf"^{re.escape(base_url)}/deltagare/\d+/$"))
        expect(staff.locator("h1")).to_have_text(person.full_name)
        expect(staff.get_by_role("status")).to_contain_text(coach)
        responsible = staff.locator("main dl.facts dd", has=staff.locator("a[href$='/ansvarig/']"))
        expect(responsible).to_contain_text(coach)
        expect(staff.locator("main dl.facts")).to_contain_text(person.personnummer)
        expect(staff.locator("main")).to_contain_text(number)

        # The decided referral has left the open queue.
        staff.goto(f"{base_url}/aktualiseringar/")
        expect(staff.get_by_role("link", name=person.full_name, exact=True)).to_have_count(0)
        staff.goto(f"{base_url}/aktualiseringar/?status=antagen")
        expect(staff.get_by_role("link", name=person.full_name, exact=True)).to_have_count(1)
    finally:
        staff_context.close()


def test_coachning_is_not_for_arbetsformedlingen(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/aktualisering/coachning/")
    page.locator("input[name=fran][value=af]").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(f"{base_url}/aktualisering/coachning/?steg=1&fran=af")
    notice = page.get_by_role("alert")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Försäkringskassan")
    expect(page.locator("input[name=personnummer]")).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("main input, main select, main textarea")).to_have_count(0)
    # The way to the track anyone may refer to.
    expect(page.locator(f"main a[href='/aktualisering/{INSATS}/koordinering/']")).to_have_count(1)


def test_koordinering_form_with_errors_keeps_what_was_typed(page: Page, base_url: str) -> None:
    person = new_person(age=31)
    page.goto(f"{base_url}/aktualisering/koordinering/")
    expect(page.locator("input[name=fran]")).to_have_count(0)  # anyone may refer: no first step
    fill_referral(page, person, kommun=OUTSIDE_COUNTY, consent=False)
    assert submit(page, page.locator("main form.referral")) == 400

    expect(page).to_have_url(f"{base_url}/aktualisering/koordinering/")
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator(".field-invalid")).to_have_count(3)
    for selector in ("#id_personnummer", "#id_kommun", "#id_consent"):
        field = invalid_field(page, selector)
        expect(field).to_have_count(1)
        expect(field.locator(".errorlist li").first).to_be_visible()
        expect(page.locator(selector)).to_have_attribute("aria-invalid", "true")
        expect(page.locator(selector)).to_have_attribute("aria-describedby", re.compile(r"_error"))
    age_error = invalid_field(page, "#id_personnummer").locator(".errorlist")
    expect(age_error).to_contain_text(re.compile(r"\b31\b"))
    expect(age_error).to_contain_text(re.compile(r"\b29\b"))
    # The precheck says the same above the form.
    expect(page.locator("main table.eligibility").first).to_be_visible()

    expect(page.locator("#id_personnummer")).to_have_value(person.personnummer)
    expect(page.locator("input[name=first_name]")).to_have_value(person.first_name)
    expect(page.locator("input[name=last_name]")).to_have_value(person.last_name)
    expect(page.locator("input[name=phone]")).to_have_value(person.phone)
    expect(page.locator("textarea[name=support_needed]")).to_have_value(person.support)
    expect(page.locator("input[name=referrer_name]")).to_have_value("Hanna Handläggare")
    expect(page.locator("#id_kommun")).to_have_value(OUTSIDE_COUNTY)
    expect(page.locator("input[name=organisation]:checked")).to_have_count(1)
    expect(page.locator("input[name=af_status][value=ej_inskriven]")).to_be_checked()
    expect(page.locator("input[name=sick_leave][value=nej]")).to_be_checked()
    expect(page.locator("input[name=income_sources]:checked")).to_have_count(1)
    expect(page.locator("input[name=consent]")).not_to_be_checked()


def test_the_form_checks_age_and_kommun_before_sending(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/aktualisering/koordinering/")
    precheck = page.locator("#precheck")
    expect(precheck.locator("table")).to_have_count(0)  # nothing typed, nothing claimed
    page.fill("#id_personnummer", fictional_personnummer(31))
    page.locator("#id_personnummer").blur()  # a change event: htmx asks the server
    expect(precheck.locator(".outcome-not_met")).to_have_count(1)
    expect(precheck).to_contain_text(re.compile(r"\b31\b"))
    page.fill("#id_personnummer", fictional_personnummer(24))
    page.select_option("#id_kommun", label="Nyköping")
    expect(precheck.locator(".outcome-met")).to_have_count(2)
    expect(precheck.locator(".outcome-not_met")).to_have_count(0)
    page.select_option("#id_kommun", value=OUTSIDE_COUNTY)
    expect(precheck.locator(".outcome-not_met")).to_have_count(1)
    assert_accessible(page)


# --- accessibility -----------------------------------------------------------------------------

PUBLIC_PAGES = [
    pytest.param("/aktualisering/", id="start"),
    pytest.param("/aktualisering/coachning/", id="coachning-step"),
    pytest.param("/aktualisering/coachning/?fran=", id="coachning-step-error"),
    pytest.param("/aktualisering/coachning/?fran=af", id="coachning-not-allowed"),
    pytest.param("/aktualisering/coachning/?fran=fk", id="coachning-form"),
    pytest.param("/aktualisering/koordinering/", id="koordinering-form"),
    pytest.param(f"/aktualisering/{INSATS}/", id="first-insats"),
    pytest.param("/aktualisering/steg-for-steg/", id="second-insats"),
    pytest.param("/aktualisering/steg-for-steg/steg/", id="second-insats-form"),
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_referral_page_is_accessible(page: Page, base_url: str, path: str) -> None:
    response = page.goto(f"{base_url}{path}")
    # A step sent with nothing chosen answers 400 with the error by the field.
    assert response is not None and response.status == (
        400 if "step-error" in path or path.endswith("fran=") else 200
    )
    assert_accessible(page)


@pytest.mark.parametrize("age", [pytest.param(None, id="empty"), pytest.param(31, id="ineligible")])
def test_referral_form_errors_are_accessible(page: Page, base_url: str, age: int | None) -> None:
    page.goto(f"{base_url}/aktualisering/koordinering/")
    if age is not None:
        fill_referral(page, new_person(age), kommun=OUTSIDE_COUNTY, consent=False)
    assert submit(page, page.locator("main form.referral")) == 400
    expect(page.locator(".field-invalid").first).to_be_visible()
    assert_accessible(page)


def test_thank_you_page_is_accessible(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/aktualisering/koordinering/")
    fill_referral(page, new_person(age=22), kommun="Trosa")
    assert submit(page, page.locator("main form.referral")) == 200
    expect(page.locator("main strong.reference")).to_have_text(REFERENCE)
    assert_accessible(page)


@pytest.fixture
def referral_url(page: Page, base_url: str) -> str:
    """A fresh coachning referral in Södra, registered by its samordnare (who stays logged in)."""
    login(page, base_url, SAMORDNARE)
    return register_referral(page, base_url, new_person(age=35))


def test_samordnare_referral_pages_are_accessible(
    page: Page, base_url: str, referral_url: str
) -> None:
    page.goto(f"{base_url}/aktualiseringar/")
    expect(
        page.locator("main table.queue tbody a[href^='/aktualiseringar/']").first
    ).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base_url}/aktualiseringar/ny/")
    assert_accessible(page)
    page.goto(f"{base_url}/aktualiseringar/ny/?spar=koordinering")
    assert_accessible(page)
    assert submit(page, page.locator("main form.referral")) == 400
    assert_accessible(page)

    page.goto(referral_url)
    expect(page.locator("main form[action$='/kalla/']")).to_be_visible()
    assert_accessible(page)
    # An invitation without a time: the detail page with an error in one of its forms.
    invite = page.locator("main form[action$='/kalla/']")
    assert submit(page, invite) == 400
    expect(invalid_field(page, "input[name=meeting_at]")).to_have_count(1)
    assert_accessible(page)

    # Invited: the page shows the meeting, and the form to book another one holds its time.
    invite.locator("input[name=meeting_at]").fill(f"{dt.date.today() + dt.timedelta(days=3)}T09:15")
    assert submit(page, invite) == 200, "the invited referral's page does not open"
    expect(invite.locator("input[name=meeting_at]")).to_have_value(re.compile(r"T09:15$"))
    assert_accessible(page)


def test_accept_page_is_accessible(page: Page, base_url: str, referral_url: str) -> None:
    page.goto(referral_url)
    assert submit(page, page.locator("main form[action$='/bedomd/']")) == 200
    expect(page.locator("main a[href$='/antag/']")).to_be_visible()
    assert_accessible(page)  # the assessed referral: other forms, and the way to accept

    page.locator("main a[href$='/antag/']").click()
    expect(page).to_have_url(f"{referral_url}antag/")
    expect(page.locator("input[name=caseworker]").first).to_be_visible()
    assert_accessible(page)
    form = page.locator("main form[method=post]")
    assert submit(page, form) == 400
    expect(invalid_field(page, "input[name=caseworker]")).to_have_count(1)
    assert_accessible(page)

    # Enrolled: the participant page now shows the consent and the referral.
    page.locator("input[name=caseworker]").first.check()
    page.locator("input[name=consent_confirmed]").check()
    assert submit(page, form) == 200
    expect(page).to_have_url(re.compile(r"/deltagare/\d+/$"))
    expect(page.locator("main blockquote.consent")).to_be_visible()
    assert_accessible(page)


def test_participant_reassignment_page_is_accessible(page: Page, base_url: str) -> None:
    login(page, base_url, SAMORDNARE)
    page.goto(f"{base_url}/deltagare/")
    page.locator(PARTICIPANT_LINKS).first.click()
    expect(page).to_have_url(re.compile(r"/deltagare/\d+/$"))
    page.locator("main a[href$='/ansvarig/']").click()
    expect(page).to_have_url(re.compile(r"/deltagare/\d+/ansvarig/$"))
    expect(page.locator("input[name=caseworker]").first).to_be_visible()
    assert_accessible(page)
    assert submit(page, page.locator("main form[method=post]")) == 400
    expect(invalid_field(page, "input[name=caseworker]")).to_have_count(1)
    assert_accessible(page)
