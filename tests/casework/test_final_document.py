"""The slutdokumentation: a Swedish PDF with the plan's goals and the outcome, audited."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from sikta.audit.models import AuditEvent
from sikta.casework.models import Exit, FinalDocument, Goal
from sikta.organisation.models import GoalArea, Outcome
from sikta.participants.models import Participant
from sikta.worktraining.models import Employer, Placement
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

TEXTS = {
    "summary": "Deltog i coachning och gruppträffar om stress.",
    "achieved": "Arbetstränar nu tjugo timmar i veckan.",
    "recommendations": "Fortsätt med förstärkt samarbete AF/FK.",
}


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def case(personas: Personas) -> Participant:
    alice = personas.alice_sodra
    Goal.objects.create(
        participant=alice,
        text="Arbetsträna på kafé",
        area=GoalArea.objects.get(code="arbete"),
        status="uppnatt",
    )
    employer = Employer.objects.create(
        name="Kafé Solrosen", organisation_number="556036-0793", sector="privat"
    )
    Placement.objects.create(
        participant=alice, employer=employer, start_date="2025-06-01", insured_by="kommun"
    )
    Exit.objects.create(
        participant=alice,
        start_date=alice.start_date,
        end_date="2026-02-01",
        outcome=Outcome.objects.get(code="forstarkt_samarbete"),
    )
    return alice


def url(case: Participant) -> str:
    return f"/deltagare/{case.pk}/slutdokumentation/"


def test_signing_makes_a_pdf_with_the_plan_and_the_outcome(personas: Personas, case) -> None:
    client = personas.client("coach_sodra")
    response = client.post(url(case), TEXTS)
    assert response.status_code == 302
    document = FinalDocument.objects.get()
    download = client.get(f"{url(case)}{document.pk}/pdf/")
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    text = text_of(download.content)
    for expected in (
        "Slutdokumentation",
        "Alice Zackrisson",
        "Arbetsträna på kafé",
        "Uppnått",
        "Förstärkt samarbete AF/FK",
        "Kafé Solrosen",
        "Arbetstränar nu tjugo timmar i veckan",
        personas.coach_sodra.full_name,
    ):
        assert expected in text, expected
    exports = AuditEvent.objects.filter(action="participant.export", participant=case)
    assert exports.count() == 2  # made when signed, and downloaded


def test_the_signed_document_stays_as_it_was(personas: Personas, case) -> None:
    client = personas.client("coach_sodra")
    client.post(url(case), TEXTS)
    document = FinalDocument.objects.get()
    Goal.objects.update(text="Ändrat mål")
    assert "Arbetsträna på kafé" in text_of(
        bytes(client.get(f"{url(case)}{document.pk}/pdf/").content)
    )


def test_a_preview_keeps_nothing_but_the_log(personas: Personas, case) -> None:
    response = personas.client("coach_sodra").post(f"{url(case)}forhandsgranska/", TEXTS)
    assert response["Content-Type"] == "application/pdf"
    assert "Fortsätt med förstärkt samarbete" in text_of(response.content)
    assert not FinalDocument.objects.exists()
    assert AuditEvent.objects.filter(action="participant.export", participant=case).count() == 1


def test_missing_texts_are_explained_and_kept(personas: Personas, case) -> None:
    response = personas.client("coach_sodra").post(url(case), {"summary": TEXTS["summary"]})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"achieved", "recommendations"}
    assert TEXTS["summary"] in response.content.decode()


def test_handing_over_is_recorded(personas: Personas, case) -> None:
    client = personas.client("coach_sodra")
    client.post(url(case), TEXTS)
    response = client.post(
        f"{url(case)}overlamnad/",
        {
            "h-handed_to_participant_on": str(timezone.localdate()),
            "h-handed_to_referrer_on": str(timezone.localdate()),
        },
    )
    assert response.status_code == 302
    document = FinalDocument.objects.get()
    assert document.handed_to_participant_on == timezone.localdate()
    assert document.handed_to_referrer_on == timezone.localdate()


def test_another_coach_cannot_download_it(personas: Personas, case) -> None:
    personas.client("coach_sodra").post(url(case), TEXTS)
    document = FinalDocument.objects.get()
    assert (
        personas.client("coach_sodra_other").get(f"{url(case)}{document.pk}/pdf/").status_code
        == 404
    )
    assert personas.client("styrgrupp").get(f"{url(case)}{document.pk}/pdf/").status_code == 403
