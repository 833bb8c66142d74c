"""The journal: dated entries; a correction keeps the earlier text visible."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sikta.casework.models import JournalEntry
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def journal(personas: Personas) -> str:
    return f"/deltagare/{personas.alice_sodra.pk}/journal/"


def entry_data(**overrides: object) -> dict[str, object]:
    return {
        "date": "2026-11-20",
        "kind": "mote",
        "duration_minutes": "45",
        "note": "Första mötet",
        **overrides,
    }


def test_an_entry_is_written(personas: Personas, time_machine) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")
    client = personas.client("coach_sodra")
    assert client.post(journal(personas), entry_data()).status_code == 302
    entry = JournalEntry.objects.get()
    assert (entry.kind, entry.duration_minutes, entry.author_name) == (
        "mote",
        45,
        personas.coach_sodra.full_name,
    )
    assert "Första mötet" in client.get(journal(personas)).content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date", "2099-01-01"),
        ("date", "igår"),
        ("kind", ""),
        ("note", ""),
        ("duration_minutes", "en timme"),
    ],
)
def test_bad_input_is_explained_at_the_field(
    personas: Personas, field: str, value: str, time_machine
) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")
    response = personas.client("coach_sodra").post(journal(personas), entry_data(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    if field != "note":
        assert "Första mötet" in response.content.decode()
    assert not JournalEntry.objects.exists()


def test_a_correction_keeps_the_earlier_text(personas: Personas, time_machine) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")
    client = personas.client("coach_sodra")
    client.post(journal(personas), entry_data(note="Fel deltagare nämnd"))
    original = JournalEntry.objects.get()
    url = f"{journal(personas)}{original.pk}/ratta/"
    assert client.get(url).context["form"].initial["note"] == "Fel deltagare nämnd"
    assert client.post(url, entry_data(note="Rättad text")).status_code == 302
    original.refresh_from_db()
    assert original.corrected_by.note == "Rättad text"
    assert original.note == "Fel deltagare nämnd"  # never silently changed
    page = client.get(journal(personas))
    entries = list(page.context["page"])
    assert [e.note for e in entries] == ["Rättad text"]
    assert "Fel deltagare nämnd" in page.content.decode()  # shown as the earlier text
    # The correction's own page lists every earlier version.
    history = client.get(f"{journal(personas)}{entries[0].pk}/ratta/").context["history"]
    assert [e.note for e in history] == ["Fel deltagare nämnd"]
    # A corrected entry cannot be corrected again (the newer one can).
    assert client.post(url, entry_data(note="Igen")).status_code == 409
    assert JournalEntry.objects.count() == 2


def test_the_case_pages_do_not_grow_in_queries_with_the_journal(personas: Personas) -> None:
    client = personas.client("coach_sodra")
    alice = personas.alice_sodra

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    paths = [f"/deltagare/{alice.pk}/", journal(personas), "/"]
    JournalEntry.objects.create(participant=alice, kind="mote", note="Ett")
    few = [queries(p) for p in paths]
    for n in range(60):
        entry = JournalEntry.objects.create(participant=alice, kind="telefon", note=f"Samtal {n}")
        if n % 10 == 0:
            correction = JournalEntry.objects.create(
                participant=alice, kind="telefon", note="Rättat"
            )
            entry.corrected_by = correction
            entry.save()
    assert [queries(p) for p in paths] == few


def test_two_correctors_do_not_lose_each_others_text(personas: Personas, time_machine) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")
    original = JournalEntry.objects.create(
        participant=personas.alice_sodra, kind="mote", note="Original", date="2026-11-20"
    )
    url = f"{journal(personas)}{original.pk}/ratta/"
    first = personas.client("samordnare_sodra").post(url, entry_data(note="Samordnarens rättelse"))
    assert first.status_code == 302
    second = personas.client("coach_sodra").post(url, entry_data(note="Coachens rättelse"))
    assert second.status_code == 409
    page = second.content.decode()
    assert "Coachens rättelse" in page and "Samordnarens rättelse" in page
    newest = JournalEntry.objects.current().get(participant=personas.alice_sodra)
    assert newest.note == "Samordnarens rättelse"
    # The form now corrects the newest entry: sending again works.
    again = personas.client("coach_sodra").post(
        f"{journal(personas)}{newest.pk}/ratta/", entry_data(note="Coachens rättelse")
    )
    assert again.status_code == 302
    assert JournalEntry.objects.current().get(participant=personas.alice_sodra).note == (
        "Coachens rättelse"
    )


def test_opening_a_corrected_entry_leads_to_the_newest(personas: Personas) -> None:
    alice = personas.alice_sodra
    newest = JournalEntry.objects.create(participant=alice, kind="mote", note="Ny")
    old = JournalEntry.objects.create(
        participant=alice, kind="mote", note="Gammal", corrected_by=newest
    )
    response = personas.client("coach_sodra").get(f"{journal(personas)}{old.pk}/ratta/")
    assert response["Location"] == f"{journal(personas)}{newest.pk}/ratta/"


@pytest.mark.parametrize(
    ("field", "value"), [("date", "0001-01-01"), ("duration_minutes", "99999")]
)
def test_implausible_values_are_refused(personas: Personas, field: str, value: str) -> None:
    response = personas.client("coach_sodra").post(journal(personas), entry_data(**{field: value}))
    assert response.status_code == 400 and field in response.context["form"].errors
