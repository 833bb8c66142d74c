"""The controller (personuppgiftsansvarig) of each participant's record: the member party whose
staff work the case, named by the insats's data file; shown on the case page and in the register
extract, given at enrolment, and given by the file to records from before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from sikta.organisation.loader import load_organisation
from sikta.organisation.models import ControllerRule, Insats, Lansdel, MemberParty, Track
from sikta.participants.models import Participant
from tests.conftest import Personas
from tests.factories import ParticipantFactory, ReferralFactory

pytestmark = pytest.mark.django_db
DATA = settings.BASE_DIR / "sikta" / "organisation" / "data"


def test_the_default_file_names_the_region_as_controller_of_the_whole_insats() -> None:
    insats = Insats.objects.get(slug="sikta-mot-arbetslivet")
    region = MemberParty.objects.get(code="region-sormland")
    assert region.kind == "region"
    assert ControllerRule.objects.controller_for(insats, None, None) == region


def test_the_most_specific_rule_applies(personas: Personas) -> None:
    insats = Insats.objects.get(slug="sikta-mot-arbetslivet")
    coachning = Track.objects.get(slug="coachning")
    sodra = Lansdel.objects.get(slug="sodra")
    nykoping = MemberParty.objects.create(code="nykoping", name="Nyköpings kommun", kind="kommun")
    fk = MemberParty.objects.create(code="fk", name="Försäkringskassan", kind="fk")
    ControllerRule.objects.create(insats=insats, lansdel=sodra, party=nykoping)
    ControllerRule.objects.create(insats=insats, track=coachning, lansdel=sodra, party=fk)
    region = MemberParty.objects.get(code="region-sormland")
    koordinering = Track.objects.get(slug="koordinering")
    assert ControllerRule.objects.controller_for(insats, coachning, sodra) == fk
    assert ControllerRule.objects.controller_for(insats, koordinering, sodra) == nykoping
    norra = Lansdel.objects.get(slug="norra")
    assert ControllerRule.objects.controller_for(insats, coachning, norra) == region


def test_enrolment_names_the_controller_and_the_case_page_shows_it(personas: Personas) -> None:
    referral = ReferralFactory(status="bedomd")
    response = personas.client("samordnare_sodra").post(
        f"/aktualiseringar/{referral.pk}/antag/",
        {
            "caseworker": personas.coach_sodra.pk,
            "start_date": timezone.localdate().isoformat(),
            "consent_confirmed": "on",
        },
    )
    assert response.status_code == 302
    participant = Participant.objects.get(personnummer=referral.personnummer)
    assert participant.controller.code == "region-sormland"
    page = personas.client("coach_sodra").get(f"/deltagare/{participant.pk}/").content.decode()
    assert "Personuppgiftsansvarig" in page and "Region Sörmland" in page
    assert "dataskyddsombud@regionsormland.example" in page


def test_the_register_extract_names_the_controller_of_each_participation(
    personas: Personas,
) -> None:
    alice = personas.alice_sodra
    alice.controller = MemberParty.objects.get(code="region-sormland")
    alice.save()
    response = personas.client("insatsledare").post(
        "/integritet/registerutdrag/?format=json", {"personnummer": str(alice.personnummer)}
    )
    text = json.dumps(
        json.loads(
            b"".join(response.streaming_content) if response.streaming else response.content
        ),
        ensure_ascii=False,
    )
    assert "Region Sörmland" in text


def test_loading_the_file_names_the_controller_of_records_from_before(tmp_path: Path) -> None:
    participant = ParticipantFactory(controller=None)  # as if made before the rules were read
    load_organisation(settings.SIKTA_ORGANISATION_FILE)
    participant.refresh_from_db()
    assert participant.controller.code == "region-sormland"
    assert not load_organisation(settings.SIKTA_ORGANISATION_FILE).changed


def test_each_insats_has_its_own_controller(personas: Personas) -> None:
    load_organisation(DATA / "steg_for_steg.toml")
    second = Insats.objects.get(slug="steg-for-steg")
    assert ControllerRule.objects.controller_for(second, None, None).code == "katrineholms-kommun"
    first = Insats.objects.get(slug="sikta-mot-arbetslivet")
    assert ControllerRule.objects.controller_for(first, None, None).code == "region-sormland"


def test_an_unknown_party_is_refused(tmp_path: Path) -> None:
    from sikta.organisation.loader import OrganisationFileError

    text = (DATA / "steg_for_steg.toml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('party = "katrineholms-kommun"', 'party = "okand"'))
    with pytest.raises(OrganisationFileError, match="unknown party okand"):
        load_organisation(broken)
