"""Case work in a real browser: a coach writes the kartläggning, the plan and the journal of one
participant, places them in work training with an employer registered on the way, follows the
placement up, discharges them and signs the final documentation, whose PDF is then read back;
axe-core runs on every page on the way, errors included.

Elements are found by name, id, role and address rather than by visible text: the Swedish
translations of the case pages are written separately, and the test should hold in either
language. Texts the test itself types are unique to the run, so that what it finds is its own.

The server's data is shared by the browser tests of one xdist worker, and the journey discharges
a participant: each test works on the last participant of coaches no other test logs in as.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader
from stdnum import luhn

from tests.browser.conftest import login
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_referral_journey import invalid_field, submit

pytestmark = pytest.mark.browser

# Coaches that no other browser test logs in as; the first with an active participant is used.
# The journey discharges its participant, so the conflict test has coaches of its own.
JOURNEY_COACHES = ("coach.vastra.3", "coach.norra.3", "coach.sodra.3")
CONFLICT_COACHES = ("coach.vastra.2", "coach.norra.2", "coach.sodra.2")
MY_PARTICIPANTS = "main table.cases tbody a[href^='/deltagare/']"
CASE_SECTIONS = (
    "",
    "kartlaggning/",
    "plan/",
    "journal/",
    "arbetstraning/",
    "utskrivning/",
    "slutdokumentation/",
)
POST_FORM = "main form[method=post]"


def choose_participant(page: Page, base_url: str, coaches: tuple[str, ...]) -> str:
    """Log in as the first of `coaches` with active participants; the path of their last one."""
    for username in coaches:
        page.context.clear_cookies()
        login(page, base_url, username)
        expect(page).to_have_url(f"{base_url}/")
        links = page.locator(MY_PARTICIPANTS)
        if links.count():
            assert_accessible(page)  # the start page, "my participants"
            href = links.last.get_attribute("href")
            assert href is not None and re.fullmatch(r"/deltagare/\d+/", href), href
            return href
    pytest.fail(f"none of {coaches} has an active participant in the demo data")


def case_nav(page: Page) -> Locator:
    return page.locator("nav.case-nav")


def go_to_section(page: Page, case: str, section: str) -> None:
    """Follow the case navigation to `section`; it is then the current page in the navigation."""
    case_nav(page).locator(f"a[href='{case}{section}']").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(case)}{re.escape(section)}$"))
    current = case_nav(page).locator("a[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("href", f"{case}{section}")


def organisation_number() -> tuple[str, str]:
    """A valid organisation number unique to the run (NNNNNN-NNNN), and the same one with a
    wrong check digit. Nine random digits leave a collision with the demo employers unlikely."""
    digits = "5" + "".join(secrets.choice("0123456789") for _ in range(8))
    check = int(luhn.calc_check_digit(digits))
    valid = f"{digits[:6]}-{digits[6:]}{check}"
    return valid, f"{digits[:6]}-{digits[6:]}{(check + 1) % 10}"


def press(page: Page, button: Locator) -> int:
    """Send a form with one of its several submit buttons; the status of the page that answers."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None
    return response.status


def pdf_text(content: bytes) -> str:
    """The text of a PDF with its line breaks as spaces: table cells wrap where they like."""
    assert content.startswith(b"%PDF-"), content[:40]
    text = " ".join(sheet.extract_text() or "" for sheet in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def test_coach_works_a_case_from_kartlaggning_to_final_documentation(
    page: Page, base_url: str
) -> None:
    tag = secrets.token_hex(3)
    today = dt.date.today()
    # Two days of margin: the server's "today" is in its own time zone.
    past = today - dt.timedelta(days=2)
    future = today + dt.timedelta(days=2)

    # --- 1. The start page lists my participants; open one ------------------------------------
    case = choose_participant(page, base_url, JOURNEY_COACHES)
    page.locator(f"{MY_PARTICIPANTS}[href='{case}']").click()
    expect(page).to_have_url(f"{base_url}{case}")
    name = page.locator("main h1").inner_text().strip()
    assert name, "the participant page has no heading"

    # --- 2. The case's own navigation ---------------------------------------------------------
    nav = case_nav(page)
    expect(nav).to_be_visible()
    expect(nav).to_have_attribute("aria-label", re.compile(r"\S"))
    for section in CASE_SECTIONS:
        expect(nav.locator(f"a[href='{case}{section}']")).to_have_count(1)
    expect(nav.locator("a[aria-current=page]")).to_have_attribute("href", case)
    assert_accessible(page)

    # --- 3. Kartläggning ----------------------------------------------------------------------
    go_to_section(page, case, "kartlaggning/")
    expect(page.locator("main section.mapping")).to_have_count(0)  # nothing written yet
    assert_accessible(page)

    form = page.locator(POST_FORM)
    answers = form.locator("textarea[name^=a_]")
    assert answers.count() >= 2, "the kartläggning form has fewer than two headings"
    # Nothing written under any heading: the form says so and nothing is saved.
    assert submit(page, form) == 400
    expect(form.get_by_role("alert")).to_be_visible()
    expect(page.locator("main section.mapping")).to_have_count(0)
    assert_accessible(page)

    first_text = f"Vill arbeta med djur ({tag})."
    second_text = f"Har körkort och har jobbat i lager ({tag})."
    answers.nth(0).fill(first_text)
    answers.nth(1).fill(second_text)
    assert submit(page, form) == 200
    expect(page).to_have_url(f"{base_url}{case}kartlaggning/")
    expect(page.get_by_role("status")).to_be_visible()
    shown = page.locator("main section.mapping")
    expect(shown.locator("#shown-heading")).to_have_text(re.compile(r"^\D*\b1\b"))
    expect(shown).to_contain_text(first_text)
    expect(shown).to_contain_text(second_text)
    expect(page.locator("main a[href='?version=1']")).to_have_count(0)  # one version: no list
    # The form starts from the saved text.
    expect(answers.nth(0)).to_have_value(first_text)
    expect(answers.nth(1)).to_have_value(second_text)
    assert_accessible(page)

    changed_text = f"Vill arbeta med djur, helst hästar ({tag})."
    answers.nth(0).fill(changed_text)
    assert submit(page, form) == 200
    expect(shown.locator("#shown-heading")).to_have_text(re.compile(r"^\D*\b2\b"))
    expect(shown).to_contain_text(changed_text)
    expect(shown).to_contain_text(second_text)
    expect(page.locator("main a[href='?version=1']")).to_have_count(1)
    expect(page.locator("main a[href='?version=2']")).to_have_attribute("aria-current", "true")
    assert_accessible(page)

    page.locator("main a[href='?version=1']").click()
    expect(page).to_have_url(f"{base_url}{case}kartlaggning/?version=1")
    expect(shown.locator("#shown-heading")).to_have_text(re.compile(r"^\D*\b1\b"))
    expect(shown).to_contain_text(first_text)
    expect(shown).not_to_contain_text(changed_text)
    expect(page.locator("main a[href='?version=1']")).to_have_attribute("aria-current", "true")
    # A new version is still written from the latest one.
    expect(answers.nth(0)).to_have_value(changed_text)
    assert_accessible(page)

    # --- 4. Plan ------------------------------------------------------------------------------
    go_to_section(page, case, "plan/")
    assert_accessible(page)
    goal_text = f"Arbetsträna på ett stall två dagar i veckan ({tag})"
    own_words = f"Jag vill vara med hästar ({tag})"
    form = page.locator(POST_FORM)
    form.locator("[name=new-text]").fill(goal_text)
    # No area chosen: the error is by that field, and what was typed is kept.
    assert submit(page, form) == 400
    expect(form.get_by_role("alert")).to_be_visible()
    area_field = invalid_field(page, "#id_new-area")
    expect(area_field).to_have_count(1)
    expect(area_field.locator(".errorlist li").first).to_be_visible()
    expect(page.locator("#id_new-area")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-invalid")).to_have_count(1)
    expect(page.locator("[name=new-text]")).to_have_value(goal_text)
    expect(page.locator("main table.goals")).not_to_contain_text(tag)
    assert_accessible(page)

    form.locator("[name=new-area]").select_option(index=1)
    form.locator("[name=new-own_words]").fill(own_words)
    form.locator("[name=new-target_date]").fill("2027-03-01")
    form.locator("[name=new-status]").select_option(value="pagar")
    assert submit(page, form) == 200
    expect(page).to_have_url(f"{base_url}{case}plan/")
    expect(page.get_by_role("status")).to_be_visible()
    row = page.locator("main table.goals tbody tr", has_text=goal_text)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(own_words)
    expect(row).to_contain_text("2027-03-01")
    expect(page.locator("[name=new-text]")).to_have_value("")  # a fresh form for the next goal
    assert_accessible(page)

    row.locator(f"a[href^='{case}plan/']").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(case)}plan/\d+/$"))
    goal_url = page.url
    expect(page.locator("main dl.facts")).to_contain_text(goal_text)
    expect(page.locator("main dl.facts")).to_contain_text("2027-03-01")
    expect(case_nav(page).locator("a[aria-current=page]")).to_have_attribute("href", f"{case}plan/")
    assert_accessible(page)

    # The follow-up has its own address under the goal's.
    follow = page.locator(f"main form[action='{goal_url.removeprefix(base_url)}uppfoljning/']")
    expect(follow).to_have_count(1)
    expect(follow.locator("[name=f-date]")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    # A follow-up without a note.
    assert submit(page, follow) == 400
    expect(invalid_field(page, "#id_f-note")).to_have_count(1)
    expect(page.locator("#id_f-note")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    follow_note = f"Har varit på stallet två gånger, det gick bra ({tag})."
    follow.locator("[name=f-date]").fill(past.isoformat())
    follow.locator("[name=f-note]").fill(follow_note)
    assert submit(page, follow) == 200
    expect(page).to_have_url(goal_url)
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator("main p.follow-up", has_text=follow_note)).to_have_count(1)
    expect(page.locator("main p.follow-up", has_text=follow_note)).to_contain_text(past.isoformat())
    expect(follow.locator("[name=f-note]")).to_have_value("")
    assert_accessible(page)

    # The goal itself, emptied: its own form says what is wrong and keeps the goal as it was.
    change = page.locator("main form", has=page.locator("[name=text]"))
    change.locator("[name=text]").fill("")
    assert submit(page, change) == 400
    expect(invalid_field(page, "#id_text")).to_have_count(1)
    expect(page.locator("main dl.facts")).to_contain_text(goal_text)
    assert_accessible(page)

    page.goto(f"{base_url}{case}plan/")
    page.locator(f"main a[href='{case}plan/utskrift/']").click()
    expect(page).to_have_url(f"{base_url}{case}plan/utskrift/")
    printed = page.locator("main table.goals")
    expect(printed).to_contain_text(goal_text)
    expect(printed).to_contain_text(own_words)
    expect(printed).to_contain_text(follow_note)
    expect(printed.locator("a")).to_have_count(0)  # paper has no links
    expect(page.locator("main")).to_contain_text(name)
    assert_accessible(page)

    # --- 5. Journal ---------------------------------------------------------------------------
    page.goto(f"{base_url}{case}")
    go_to_section(page, case, "journal/")
    assert_accessible(page)
    note = f"Möte på kontoret om arbetsträningen ({tag})."
    form = page.locator("main form.journal-form")
    form.locator("[name=date]").fill(future.isoformat())
    form.locator("[name=kind]").select_option(value="mote")
    form.locator("[name=duration_minutes]").fill("45")
    form.locator("[name=note]").fill(note)
    # An entry about something that has not happened yet.
    assert submit(page, form) == 400
    expect(form.get_by_role("alert")).to_be_visible()
    expect(invalid_field(page, "#id_date")).to_have_count(1)
    expect(page.locator(".field-invalid")).to_have_count(1)
    expect(form.locator("[name=note]")).to_have_value(note)
    expect(form.locator("[name=duration_minutes]")).to_have_value("45")
    expect(page.locator("main ol.journal")).not_to_contain_text(tag)
    assert_accessible(page)

    form.locator("[name=date]").fill(past.isoformat())
    assert submit(page, form) == 200
    expect(page).to_have_url(f"{base_url}{case}journal/")
    expect(page.get_by_role("status")).to_be_visible()
    entry = page.locator("main ol.journal li.entry", has_text=note)
    expect(entry).to_have_count(1)
    expect(entry.locator(".entry-head")).to_contain_text(past.isoformat())
    expect(entry.locator(".entry-head")).to_contain_text("45")
    expect(entry.locator("details")).to_have_count(0)
    assert_accessible(page)

    entry.locator(f"a[href^='{case}journal/'][href$='/ratta/']").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(case)}journal/\d+/ratta/$"))
    correct_url = page.url
    form = page.locator(POST_FORM)
    expect(form.locator("[name=note]")).to_have_value(note)
    expect(form.locator("[name=date]")).to_have_value(past.isoformat())
    expect(form.locator("[name=kind]")).to_have_value("mote")
    expect(form.locator("[name=duration_minutes]")).to_have_value("45")
    assert_accessible(page)
    # A correction without text.
    form.locator("[name=note]").fill("")
    assert submit(page, form) == 400
    expect(page).to_have_url(correct_url)
    expect(invalid_field(page, "#id_note")).to_have_count(1)
    expect(form.locator("[name=date]")).to_have_value(past.isoformat())
    assert_accessible(page)

    corrected = f"Möte på kontoret om arbetsträningen på stallet ({tag})."
    form.locator("[name=note]").fill(corrected)
    assert submit(page, form) == 200
    expect(page).to_have_url(f"{base_url}{case}journal/")
    expect(page.get_by_role("status")).to_be_visible()
    entry = page.locator("main ol.journal li.entry", has_text=corrected)
    expect(entry).to_have_count(1)
    # The earlier text is not an entry of its own any more, but kept inside the correction.
    expect(page.locator("main ol.journal li.entry", has_text=note)).to_have_count(1)
    earlier = entry.locator("details")
    expect(earlier).to_have_count(1)
    expect(earlier).to_contain_text(note)
    expect(earlier.get_by_text(note)).to_be_hidden()
    earlier.locator("summary").click()
    expect(earlier.get_by_text(note)).to_be_visible()
    assert_accessible(page)

    # The correction's own page lists what it replaced.
    earlier.locator("a[href$='/ratta/']").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(case)}journal/\d+/ratta/$"))
    assert page.url != correct_url
    expect(page.locator("main .card", has_text=note)).to_have_count(1)
    expect(page.locator(POST_FORM).locator("[name=note]")).to_have_value(corrected)
    assert_accessible(page)

    # --- 6. Work training: an employer registered on the way, a placement, a follow-up --------
    page.goto(f"{base_url}{case}")
    go_to_section(page, case, "arbetstraning/")
    expect(page.locator("main table tbody")).not_to_contain_text(tag)  # no placement of ours
    assert_accessible(page)
    placements_url = page.url

    # The employer is new: the page points to the register.
    page.locator("main a[href='/arbetsgivare/ny/']").click()
    expect(page).to_have_url(f"{base_url}/arbetsgivare/ny/")
    assert_accessible(page)
    employer_name = f"Stall Hästhoven {tag} AB"
    orgnr, wrong_orgnr = organisation_number()
    form = page.locator(POST_FORM)
    form.locator("[name=name]").fill(employer_name)
    form.locator("[name=organisation_number]").fill(wrong_orgnr)
    form.locator("[name=sector]").select_option(value="privat")
    # A mistyped check digit: the error is by that field, and what was typed is kept.
    assert submit(page, form) == 400
    expect(page).to_have_url(f"{base_url}/arbetsgivare/ny/")
    expect(form.get_by_role("alert")).to_be_visible()
    orgnr_field = invalid_field(page, "#id_organisation_number")
    expect(orgnr_field).to_have_count(1)
    expect(orgnr_field.locator(".errorlist li").first).to_be_visible()
    expect(page.locator("#id_organisation_number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-invalid")).to_have_count(1)
    expect(form.locator("[name=name]")).to_have_value(employer_name)
    expect(form.locator("[name=organisation_number]")).to_have_value(wrong_orgnr)
    expect(form.locator("[name=sector]")).to_have_value("privat")
    assert_accessible(page)

    form.locator("[name=organisation_number]").fill(orgnr)
    assert submit(page, form) == 200
    expect(page).to_have_url(re.compile(r"/arbetsgivare/\d+/$"))
    employer_pk = page.url.rstrip("/").rsplit("/", 1)[1]
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator("main h1")).to_have_text(employer_name)
    expect(page.locator("main dl.facts")).to_contain_text(orgnr)
    assert_accessible(page)

    # Back on the participant's work training: a placement with that employer.
    page.goto(placements_url)
    form = page.locator(POST_FORM)
    employer_select = form.locator("[name=employer]")
    expect(employer_select.locator(f"option[value='{employer_pk}']")).to_have_count(1)
    tasks = f"Mocka boxar och sköta hästarna ({tag})."
    supervisor = f"Stina Stallmästare ({tag})"
    employer_select.select_option(value=employer_pk)
    form.locator("[name=status]").select_option(value="pagar")
    form.locator("[name=start_date]").fill(past.isoformat())
    form.locator("[name=hours_per_week]").fill("45")
    form.locator("[name=tasks]").fill(tasks)
    form.locator("[name=supervisor]").fill(supervisor)
    # Too many hours, and nobody chosen to insure the placement.
    assert submit(page, form) == 400
    expect(page).to_have_url(placements_url)
    expect(form.get_by_role("alert")).to_be_visible()
    expect(invalid_field(page, "#id_hours_per_week")).to_have_count(1)
    expect(page.locator("#id_hours_per_week")).to_have_attribute("aria-invalid", "true")
    expect(invalid_field(page, "input[name=insured_by]")).to_have_count(1)
    expect(page.locator(".field-invalid")).to_have_count(2)
    expect(form.locator("[name=employer]")).to_have_value(employer_pk)
    expect(form.locator("[name=status]")).to_have_value("pagar")
    expect(form.locator("[name=start_date]")).to_have_value(past.isoformat())
    expect(form.locator("[name=tasks]")).to_have_value(tasks)
    expect(page.locator("main table tbody")).not_to_contain_text(employer_name)
    assert_accessible(page)

    form.locator("[name=hours_per_week]").fill("12,5")  # the Swedish way
    form.locator("input[name=insured_by][value=kommun]").check()
    assert submit(page, form) == 200
    expect(page).to_have_url(re.compile(rf"{re.escape(case)}arbetstraning/\d+/$"))
    placement_url = page.url
    expect(page.get_by_role("status")).to_be_visible()
    expect(case_nav(page).locator("a[aria-current=page]")).to_have_attribute(
        "href", f"{case}arbetstraning/"
    )
    facts = page.locator("main dl.facts")
    expect(facts.locator(f"a[href='/arbetsgivare/{employer_pk}/']")).to_have_text(employer_name)
    expect(facts).to_contain_text(past.isoformat())
    expect(facts).to_contain_text(re.compile(r"(?<!\d)12[,.]5(?!\d)"))
    expect(facts).to_contain_text(tasks)
    expect(facts).to_contain_text(supervisor)
    expect(page.locator("main .follow-up")).to_have_count(0)
    assert_accessible(page)

    follow = page.locator(f"main form[action='{placement_url.removeprefix(base_url)}uppfoljning/']")
    expect(follow).to_have_count(1)
    expect(follow.locator("[name=f-date]")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    how_it_goes = f"Trivs på stallet och kommer i tid ({tag})."
    next_step = f"Prova tre dagar i veckan ({tag})."
    follow.locator("[name=f-next_step]").fill(next_step)
    # Neither with whom nor how it goes.
    assert submit(page, follow) == 400
    expect(page).to_have_url(f"{placement_url}uppfoljning/")  # the page, answered at its address
    expect(invalid_field(page, "input[name=f-with_whom]")).to_have_count(1)
    expect(invalid_field(page, "#id_f-how_it_goes")).to_have_count(1)
    expect(page.locator("#id_f-how_it_goes")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-invalid")).to_have_count(2)
    expect(follow.locator("[name=f-next_step]")).to_have_value(next_step)
    expect(page.locator("main .follow-up")).to_have_count(0)
    assert_accessible(page)

    follow.locator("[name=f-date]").fill(past.isoformat())
    follow.locator("input[name=f-with_whom][value=bada]").check()
    follow.locator("[name=f-how_it_goes]").fill(how_it_goes)
    assert submit(page, follow) == 200
    expect(page).to_have_url(placement_url)
    expect(page.get_by_role("status")).to_be_visible()
    listed = page.locator("main .follow-up", has_text=how_it_goes)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(past.isoformat())
    expect(listed).to_contain_text(next_step)
    expect(follow.locator("[name=f-how_it_goes]")).to_have_value("")
    assert_accessible(page)

    # The list of placements shows it, with the date of its latest follow-up.
    page.locator(f"main p a[href='{case}arbetstraning/']").click()  # "all placements"
    expect(page).to_have_url(placements_url)
    row = page.locator("main table tbody tr", has_text=employer_name)
    expect(row).to_have_count(1)
    expect(row.locator(f"a[href='{placement_url.removeprefix(base_url)}']")).to_have_count(1)
    expect(row).to_contain_text(re.compile(r"(?<!\d)12[,.]5(?!\d)"))
    expect(row.locator("td").last).to_have_text(past.isoformat())
    assert_accessible(page)

    # A second placement, planned to begin after the day of the exit (the defect: the exit
    # "ended" it before its start and answered 500, losing the form).
    later = today + dt.timedelta(days=6)
    form = page.locator(POST_FORM)
    form.locator("[name=employer]").select_option(value=employer_pk)
    form.locator("[name=status]").select_option(value="planerad")
    form.locator("[name=start_date]").fill(later.isoformat())
    form.locator("[name=hours_per_week]").fill("10")
    form.locator("[name=tasks]").fill(f"Sköta hagarna ({tag}).")
    form.locator("input[name=insured_by][value=kommun]").check()
    assert submit(page, form) == 200
    expect(page).to_have_url(re.compile(rf"{re.escape(case)}arbetstraning/\d+/$"))
    planned_url = page.url

    # --- 7. Exit ------------------------------------------------------------------------------
    page.goto(f"{base_url}{case}")
    go_to_section(page, case, "utskrivning/")
    # The form says what becomes of the open placements: the one begun ends, the planned one
    # is cancelled.
    open_placements = page.locator("#exit-placements")
    expect(open_placements.locator("li")).to_have_count(2)
    expect(open_placements).to_contain_text(later.isoformat())
    expect(open_placements).to_contain_text("planerad")
    assert_accessible(page)
    occupation = f"Arbetsträning på ett stall ({tag})"
    # The page also has the form that pauses the time (sent to utskrivning/paus/): the exit's
    # own is sent to the page itself.
    form = page.locator(f"main form[action='{case}utskrivning/']")
    expect(form).to_have_count(1)
    expect(form.locator("[name=end_date]")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    form.locator("[name=occupation_after]").fill(occupation)
    # No outcome chosen.
    assert submit(page, form) == 400
    expect(form.get_by_role("alert")).to_be_visible()
    outcome_field = invalid_field(page, "input[name=outcome]")
    expect(outcome_field).to_have_count(1)
    expect(outcome_field.locator(".errorlist li").first).to_be_visible()
    expect(form.locator("[name=occupation_after]")).to_have_value(occupation)
    expect(page.locator("main dl.facts")).to_have_count(0)
    assert_accessible(page)

    outcome = form.locator("input[name=outcome]").first
    outcome_label = page.locator(f"label[for='{outcome.get_attribute('id')}']").inner_text()
    outcome.check()
    assert submit(page, form) == 200
    expect(page).to_have_url(f"{base_url}{case}utskrivning/")
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator(POST_FORM)).to_have_count(0)
    expect(page.locator("main input[name=outcome]")).to_have_count(0)
    facts = page.locator("main dl.facts")
    expect(facts).to_have_count(1)
    expect(facts).to_contain_text(outcome_label.strip())
    expect(facts).to_contain_text(occupation)
    assert_accessible(page)
    # The planned placement is cancelled, keeping its planned start; the other ended.
    page.goto(placements_url)
    planned_row = page.locator(
        "main table tbody tr", has=page.locator(f"a[href='{planned_url.removeprefix(base_url)}']")
    )
    expect(planned_row).to_contain_text("Inställd")
    expect(planned_row).to_contain_text(later.isoformat())
    ended_row = page.locator(
        "main table tbody tr", has=page.locator(f"a[href='{placement_url.removeprefix(base_url)}']")
    )
    expect(ended_row).to_contain_text("Avslutad")
    expect(page.locator(POST_FORM)).to_have_count(0)  # nothing planned after the exit
    assert_accessible(page)

    # The participant's page shows the exit; the start page no longer lists them.
    page.goto(f"{base_url}{case}")
    expect(page.locator("main")).to_contain_text(outcome_label.strip())
    assert_accessible(page)
    page.goto(f"{base_url}/")
    expect(page.locator("main table.cases")).to_have_count(1)
    expect(page.locator(f"{MY_PARTICIPANTS}[href='{case}']")).to_have_count(0)
    assert_accessible(page)

    # --- 8. Final documentation, signed, and its PDF ------------------------------------------
    page.goto(f"{base_url}{case}")
    go_to_section(page, case, "slutdokumentation/")
    signed = page.locator(f"main a[href^='{case}slutdokumentation/'][href$='/pdf/']")
    expect(signed).to_have_count(0)
    assert_accessible(page)
    form = page.locator(f"main form[action='{case}slutdokumentation/']")
    sign = form.locator("button[type=submit]:not([formaction])")
    preview = form.locator(f"button[formaction='{case}slutdokumentation/forhandsgranska/']")
    expect(preview).to_have_count(1)
    expect(form).to_have_count(1)
    # Nothing written: the errors are by the three fields, and nothing is signed.
    assert press(page, sign) == 400
    expect(form.get_by_role("alert")).to_be_visible()
    for field in ("summary", "achieved", "recommendations"):
        expect(invalid_field(page, f"#id_{field}")).to_have_count(1)
        expect(page.locator(f"#id_{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-invalid")).to_have_count(3)
    expect(signed).to_have_count(0)
    assert_accessible(page)

    summary = f"Deltog i kartläggning, planering och arbetsträning på stall ({tag})."
    achieved = f"Arbetstränar tolv och en halv timme i veckan ({tag})."
    recommendations = f"Fortsätt med arbetsträning inom djurvård ({tag})."
    form.locator("[name=summary]").fill(summary)
    form.locator("[name=achieved]").fill(achieved)
    form.locator("[name=recommendations]").fill(recommendations)
    # The preview button sends the same form to its own address: a draft PDF, nothing signed.
    with page.expect_download() as preview_info:
        preview.click()
    draft = preview_info.value
    assert re.fullmatch(r"slutdokumentation-\d+-utkast\.pdf", draft.suggested_filename), (
        draft.suggested_filename
    )
    with open(draft.path(), "rb") as pdf:
        assert " ".join(recommendations.split()) in pdf_text(pdf.read())
    expect(signed).to_have_count(0)
    assert press(page, sign) == 200
    expect(page).to_have_url(f"{base_url}{case}slutdokumentation/")
    expect(page.get_by_role("status")).to_be_visible()
    expect(signed).to_have_count(1)
    expect(signed).to_have_attribute(
        "href", re.compile(rf"^{re.escape(case)}slutdokumentation/\d+/pdf/$")
    )
    # A new version starts from the signed texts.
    expect(form.locator("[name=recommendations]")).to_have_value(recommendations)
    assert_accessible(page)

    with page.expect_download() as download_info:
        signed.click()
    download = download_info.value
    assert re.fullmatch(r"slutdokumentation-\d+\.pdf", download.suggested_filename), (
        download.suggested_filename
    )
    with open(download.path(), "rb") as pdf:
        text = pdf_text(pdf.read())
    # The outcome is written with the occupation after it: "Arbete" alone is in other words too.
    outcome_line = f"{outcome_label.strip()} – {occupation}"
    for expected in (name, goal_text, outcome_line, employer_name, recommendations):
        assert " ".join(expected.split()) in text, f"{expected!r} is not in the PDF:\n{text}"


def test_edit_conflicts_keep_what_was_typed(page: Page, base_url: str) -> None:
    """Two tabs on the same case: the one that saves second is told so and loses nothing."""
    tag = secrets.token_hex(3)
    case = choose_participant(page, base_url, CONFLICT_COACHES)
    other = page.context.new_page()

    # The kartläggning, open in both tabs.
    for tab in (page, other):
        tab.goto(f"{base_url}{case}kartlaggning/")
    based_on = page.locator("main input[name=based_on]").input_value()
    theirs = f"Skrivet i den första fliken ({tag})."
    mine = f"Skrivet i den andra fliken ({tag})."
    page.locator("main textarea[name^=a_]").first.fill(theirs)
    assert submit(page, page.locator(POST_FORM)) == 200
    saved = int(based_on or 0) + 1

    form = other.locator(POST_FORM)
    form.locator("textarea[name^=a_]").first.fill(mine)
    assert submit(other, form) == 409
    expect(form.get_by_role("alert")).to_be_visible()
    expect(other.locator("main section.mapping")).to_contain_text(theirs)  # what was saved
    expect(form.locator("textarea[name^=a_]").first).to_have_value(mine)  # what I wrote
    expect(form.locator("input[name=based_on]")).to_have_value(str(saved))
    assert_accessible(other)
    assert submit(other, form) == 200
    shown = other.locator("main section.mapping")
    expect(shown.locator("#shown-heading")).to_have_text(re.compile(rf"^\D*\b{saved + 1}\b"))
    expect(shown).to_contain_text(mine)

    # A goal of the plan, open in both tabs.
    page.goto(f"{base_url}{case}plan/")
    goal = page.locator(f"main table.goals a[href^='{case}plan/']").first
    expect(goal).to_be_visible()
    goal.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(case)}plan/\d+/$"))
    other.goto(page.url)
    theirs = f"Målet som det skrevs i den första fliken ({tag})"
    mine = f"Målet som det skrevs i den andra fliken ({tag})"
    change = page.locator("main form", has=page.locator("[name=text]"))
    change.locator("[name=text]").fill(theirs)
    assert submit(page, change) == 200
    expect(page).to_have_url(f"{base_url}{case}plan/")

    change = other.locator("main form", has=other.locator("[name=text]"))
    version = change.locator("input[name=version]").input_value()
    change.locator("[name=text]").fill(mine)
    assert submit(other, change) == 409
    expect(change.get_by_role("alert")).to_be_visible()
    expect(other.locator("main dl.facts")).to_contain_text(theirs)
    expect(change.locator("[name=text]")).to_have_value(mine)
    expect(change.locator("input[name=version]")).to_have_value(str(int(version) + 1))
    assert_accessible(other)
    assert submit(other, change) == 200
    expect(other).to_have_url(f"{base_url}{case}plan/")
    expect(other.locator("main table.goals")).to_contain_text(mine)
    expect(other.locator("main table.goals")).not_to_contain_text(theirs)
