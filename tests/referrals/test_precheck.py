"""The live check on the public form: what it can check, before anything is sent."""

from __future__ import annotations

import pytest
from django.test import Client

from sikta.audit.models import AuditEvent
from sikta.organisation.models import Kommun, ReferrerOrganisation
from sikta.referrals.models import Referral
from tests.referrals.test_public_form import pnr

pytestmark = pytest.mark.django_db


def check(track: str, **data: object) -> dict[str, str]:
    response = Client().post(f"/aktualisering/{track}/kontroll/", data)
    assert response.status_code == 200
    return {r.rule.kind: r.outcome for r in response.context["evaluation"].results}


def test_it_checks_age_kommun_and_referrer_and_saves_nothing() -> None:
    flen = Kommun.objects.get(name="Flen").pk
    assert check("koordinering", personnummer=pnr("19950101"), kommun=flen) == {
        "age": "not_met",
        "residence": "met",
    }
    assert check("koordinering", personnummer=pnr("20020202"), kommun="utanfor") == {
        "age": "met",
        "residence": "not_met",
    }
    af = ReferrerOrganisation.objects.get(code="af").pk
    assert check("coachning", organisation=af)["referrer"] in ("not_met", "assess")
    assert not Referral.objects.exists() and not AuditEvent.objects.exists()


def test_before_anything_is_typed_nothing_is_claimed() -> None:
    assert set(check("koordinering").values()) == {"assess"}


def test_only_posts() -> None:
    assert Client().get("/aktualisering/koordinering/kontroll/").status_code == 405
