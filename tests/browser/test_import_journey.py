"""Import from Excel in a real browser: a samordnare uploads the list their länsdel kept, with
good rows and bad ones, sees the dry run say why each bad row is refused, imports the good ones
in one go and finds the participants; every page of the way is axe-clean."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import login
from tests.browser.test_accessibility import assert_accessible
from tests.factories import fictional_personnummer

pytestmark = pytest.mark.browser

HEADERS = ["Personnummer", "Förnamn", "Efternamn", "Kommun", "Spår", "Inskriven", "Coach"]
COACH = "coach.sodra.1@example.com"  # the demo's Södra coach, by e-mail as a list may name them


def _number(n: int) -> str:
    digits = fictional_personnummer(n, year=1986)
    return f"{digits[:8]}-{digits[8:]}"


def _list(path: Path, tag: str) -> tuple[Path, list[str]]:
    """The länsdel's own list: two good rows, three bad ones. Returns the file and the good
    rows' last names."""
    base = secrets.randbelow(20_000)
    good = [f"Lista{tag}a", f"Lista{tag}b"]
    wrong = _number(base + 3)
    wrong = wrong[:-1] + str((int(wrong[-1]) + 1) % 10)  # a mistyped check digit
    start = dt.date(2025, 3, 3)
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append(HEADERS)
    sheet.append([_number(base), "Nora", good[0], "Nyköping", "Coachning", start, COACH])
    sheet.append([wrong, "Pia", f"Fel{tag}", "Nyköping", "Coachning", start, COACH])
    sheet.append([_number(base + 4), "Ulf", f"Norr{tag}", "Eskilstuna", "Coachning", start, COACH])
    nobody = "Ingen Alls"
    sheet.append([_number(base + 5), "Vera", f"Okänd{tag}", "Trosa", "Coachning", start, nobody])
    sheet.append([_number(base + 6), "Gun", good[1], "Trosa", "Coachning", "2025-04-01", COACH])
    file = path / f"deltagare-{tag}.xlsx"
    book.save(file)
    return file, good


def test_import_a_list_with_good_and_bad_rows(page: Page, base_url: str, tmp_path: Path) -> None:
    tag = "".join(secrets.choice(string.ascii_lowercase) for _ in range(6))
    file, good = _list(tmp_path, tag)
    login(page, base_url, "samordnare.sodra")
    page.goto(f"{base_url}/deltagare/")
    page.get_by_role("link", name="Importera från Excel").click()
    expect(page.locator("main h1")).to_have_text("Importera från Excel")
    assert_accessible(page)

    # A file that is not what it says is refused by the field, and nothing is kept.
    fake = tmp_path / "lista.xlsx"
    fake.write_bytes(b"MZ\x90\x00 not a workbook")
    page.get_by_label("Filen").set_input_files(fake)
    page.get_by_role("button", name="Ladda upp och välj kolumner").click()
    expect(page.locator(".field-invalid")).to_contain_text("är inte vad namnet säger")
    assert_accessible(page)

    # The real list: the columns are guessed from its header row.
    page.get_by_label("Filen").set_input_files(file)
    page.get_by_role("button", name="Ladda upp och välj kolumner").click()
    expect(page).to_have_url(re.compile(r"/importera/\d+/kolumner/$"))
    expect(page.get_by_label("Personnummer (krävs)")).to_have_value("0")
    expect(page.get_by_label("Startdatum (krävs)")).to_have_value("5")
    assert_accessible(page)
    page.get_by_role("button", name="Visa provkörningen").click()

    # The dry run: row by row, what is created and why the others are refused.
    expect(page).to_have_url(re.compile(r"/importera/\d+/provkorning/$"))
    main = page.locator("main")
    expect(main).to_contain_text("2 av 5 rader kan importeras.")
    expect(main).to_contain_text("3 rader avvisas och hoppas över")
    expect(page.locator("#rad-3")).to_contain_text("Kontrollsiffran")
    expect(page.locator("#rad-4")).to_contain_text("Eskilstuna hör till Norra länsdelen")
    expect(page.locator("#rad-5")).to_contain_text("Ingen i insatsens personal heter ”Ingen Alls”")
    expect(page.locator("#rad-2")).to_contain_text("Skapas")
    assert_accessible(page)
    page.get_by_role("button", name="Importera 2 deltagare (3 rader hoppas över)").click()

    # Done: the two are participants now, with their coach.
    expect(page.locator("main h1")).to_have_text("Importen är klar")
    expect(main).to_contain_text("2 deltagare skapades från")
    expect(main).to_contain_text("3 rader hoppades över: rad 3, rad 4, rad 5.")
    for name in good:
        expect(page.get_by_role("link", name=re.compile(name))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(good[0])).click()
    expect(page.locator("main h1")).to_contain_text(f"Nora {good[0]}")

    # The same file again creates nothing: every good row is now a duplicate.
    page.goto(f"{base_url}/importera/")
    page.get_by_label("Filen").set_input_files(file)
    page.get_by_role("button", name="Ladda upp och välj kolumner").click()
    page.get_by_role("button", name="Visa provkörningen").click()
    expect(main).to_contain_text("0 av 5 rader kan importeras.")
    expect(page.locator("#rad-2")).to_contain_text("Redan deltagare i insatsen: ärende #")
    expect(main).to_contain_text("Ingen rad kan importeras.")
    assert_accessible(page)
