"""The register extract: everything held about one person, with who read it; PDF and JSON."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from sikta.audit.models import AuditEvent
from sikta.casework.models import FinalDocument, Goal, JournalEntry
from sikta.organisation.models import GoalArea
from sikta.participants.models import Consent
from sikta.privacy.extract import collect
from sikta.surveys.models import Answer, Instrument, Response
from tests.conftest import Personas
from tests.factories import ReferralFactory

URL = "/integritet/registerutdrag/"


@pytest.fixture
def alice(personas: Personas):
    """Alice with something in every kind of record, and a coach who has read her case."""
    alice = personas.alice_sodra
    ReferralFactory(
        personnummer=alice.personnummer,
        participant=alice,
        status="antagen",
        support_needed="Behöver stöd med sömnen och struktur",
    )
    entry = JournalEntry.objects.create(participant=alice, kind="mote", note="Samtal om sömnvanor")
    Goal.objects.create(
        participant=alice, text="Arbetsträna på kafé", area=GoalArea.objects.first()
    )
    Consent.objects.create(participant=alice, text="Samtycke", given_on="2026-01-02", finsam=True)
    instrument = Instrument.objects.get(code="who5")
    response = Response.objects.create(
        participant=alice,
        instrument=instrument,
        timepoint="start",
        enrolment_start=alice.start_date,
        token_hash="hemlig-hash",
    )
    Answer.objects.create(response=response, item=instrument.items.first(), value=4)
    FinalDocument.objects.create(
        participant=alice, summary="Sammanfattning", achieved="a", recommendations="r", pdf=b"%PDF-"
    )
    personas.client("coach_sodra").get(f"/deltagare/{alice.pk}/journal/")
    assert entry.pk
    return alice


def _post(client, personnummer: str, kind: str = ""):
    return client.post(URL + (f"?format={kind}" if kind else ""), {"personnummer": personnummer})


def _all_text(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)


def test_it_holds_a_value_from_every_kind_of_record(personas: Personas, alice) -> None:
    extract = collect(alice.personnummer)
    text = _all_text(extract.as_dict())
    for value in (
        "Zackrisson",
        "Samtal om sömnvanor",
        "Arbetsträna på kafé",
        "Behöver stöd med sömnen och struktur",
        "Sammanfattning",
    ):
        assert value in text, value
    titles = {s.title: s for s in extract.sections}
    answers = next(s for s in extract.sections if s.title.lower().startswith(("svar", "answer")))
    assert any("4" in row.values() for row in answers.records)
    audit = extract.sections[-1]
    assert audit is titles[audit.title]
    assert any(row.values() and "coach_sodra" in row.values() for row in audit.records)
    assert "hemlig-hash" not in text  # the survey link's secret is not data about the person
    assert "%PDF-" not in text  # signed documents are listed, not embedded


def test_json_is_sections_of_records(personas: Personas, alice) -> None:
    response = _post(personas.client("insatsledare"), str(alice.personnummer), "json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["personnummer"] == str(alice.personnummer)
    assert isinstance(data["avsnitt"], dict)
    for title, records in data["avsnitt"].items():
        assert isinstance(records, list), title
        for row in records:
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in row.items())
    event = AuditEvent.objects.get(action="participant.export", participant=alice)
    assert event.detail == {"what": "registerutdrag", "format": "json", "controller": None}
    assert event.username == "insatsledare"


def test_the_pdf_names_the_person_and_holds_the_journal(personas: Personas, alice) -> None:
    response = _post(personas.client("insatsagare"), str(alice.personnummer), "pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Alice Zackrisson" in text
    assert "Samtal om sömnvanor" in text
    assert AuditEvent.objects.filter(
        action="participant.export", participant=alice, detail__format="pdf"
    ).exists()


def test_the_page_shows_counts_and_logs_the_read(personas: Personas, alice) -> None:
    response = _post(personas.client("insatsledare"), str(alice.personnummer))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice Zackrisson" in body and "?format=pdf" in body and "?format=json" in body
    assert AuditEvent.objects.filter(
        action="participant.view", participant=alice, detail__what="registerutdrag"
    ).exists()
    assert not AuditEvent.objects.filter(action="participant.export").exists()


def test_a_person_only_referred_is_found_too(personas: Personas) -> None:
    referral = personas.referral_sodra
    extract = collect(referral.personnummer)
    assert extract.found and extract.referrals == [referral]
    _post(personas.client("insatsledare"), str(referral.personnummer), "json")
    assert AuditEvent.objects.filter(action="participant.export", referral=referral).exists()


def test_an_invalid_personnummer_is_shown_by_the_field(personas: Personas) -> None:
    response = _post(personas.client("insatsledare"), "19900101-1235")
    assert response.status_code == 400
    assert response.context["form"].errors["personnummer"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not AuditEvent.objects.filter(action="participant.export").exists()


def test_nothing_held_says_so(personas: Personas) -> None:
    response = _post(personas.client("insatsledare"), "19121212-1212")
    assert response.status_code == 200 and response.context["extract"].found is False


@pytest.mark.parametrize("persona", ["samordnare_sodra", "coach_sodra", "styrgrupp"])
def test_only_the_leads_may_make_one(personas: Personas, alice, persona: str) -> None:
    client = personas.client(persona)
    assert client.get(URL).status_code == 403
    assert _post(client, str(alice.personnummer), "json").status_code == 403
    assert not AuditEvent.objects.filter(action="participant.export").exists()


def test_an_extract_may_hold_one_controllers_records(personas: Personas, alice) -> None:
    """The person asks a member party: the extract holds what that party is the controller of
    (a referral not yet accepted counts with the party its rules name)."""
    from sikta.organisation.models import ControllerRule, Insats, Lansdel, MemberParty

    kommun = MemberParty.objects.create(code="nykoping", name="Nyköpings kommun", kind="kommun")
    ControllerRule.objects.create(
        insats=Insats.objects.current(), lansdel=Lansdel.objects.get(slug="sodra"), party=kommun
    )
    region = MemberParty.objects.get(code="region-sormland")
    assert alice.controller == region
    pending = ReferralFactory(personnummer=alice.personnummer, kommun=alice.kommun)
    assert collect(alice.personnummer, controller=region).participants == [alice]
    of_kommun = collect(alice.personnummer, controller=kommun)
    assert of_kommun.participants == [] and of_kommun.referrals == [pending]
    client = personas.client("insatsledare")
    page = client.post(URL, {"personnummer": str(alice.personnummer), "controller": kommun.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert f'name="controller" value="{kommun.pk}"' in body  # kept for the download
    exported = client.post(
        URL + "?format=json", {"personnummer": str(alice.personnummer), "controller": kommun.pk}
    )
    assert "Samtal om sömnvanor" not in exported.content.decode()  # Region's journal
    event = AuditEvent.objects.get(action="participant.export")
    assert event.detail["controller"] == "nykoping" and event.referral == pending
