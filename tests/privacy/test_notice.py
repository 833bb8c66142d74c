"""The public privacy notice: per insats, which member party is the controller of which
records, with its contact and how long it keeps them — no login needed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from sikta.organisation.loader import load_organisation
from sikta.organisation.models import ControllerRule, Insats, Lansdel, MemberParty

pytestmark = pytest.mark.django_db
SECOND = settings.BASE_DIR / "sikta" / "organisation" / "data" / "steg_for_steg.toml"


def test_one_insats_goes_straight_to_its_notice() -> None:
    page = Client().get("/personuppgifter/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Region Sörmland" in text and "dataskyddsombud@regionsormland.example" in text
    assert "Alla i insatsen" in text and "5 år" in text
    assert "IMY" in text


def test_each_insats_names_its_own_controllers_and_times() -> None:
    load_organisation(SECOND)
    party = MemberParty.objects.get(code="katrineholms-kommun")
    party.retention_years = 3
    party.save()
    # A länsdel of the first insats whose records a kommun answers for.
    sikta = Insats.objects.get(slug="sikta-mot-arbetslivet")
    kommun = MemberParty.objects.create(code="nykoping", name="Nyköpings kommun", kind="kommun")
    ControllerRule.objects.create(
        insats=sikta, lansdel=Lansdel.objects.get(slug="sodra"), party=kommun
    )
    listing = Client().get("/personuppgifter/").content.decode()
    assert "/personuppgifter/steg-for-steg/" in listing
    assert "/personuppgifter/sikta-mot-arbetslivet/" in listing
    steg = Client().get("/personuppgifter/steg-for-steg/").content.decode()
    assert "Katrineholms kommun" in steg and "3 år" in steg and "Region Sörmland" not in steg
    first = Client().get("/personuppgifter/sikta-mot-arbetslivet/").content.decode()
    assert "Nyköpings kommun" in first and "Södra länsdelen" in first
    assert "Katrineholms kommun" not in first
    assert Client().get("/personuppgifter/finns-inte/").status_code == 404


def test_the_referral_pages_link_to_the_notice() -> None:
    page = Client().get("/aktualisering/").content.decode()
    assert "/personuppgifter/sikta-mot-arbetslivet/" in page
