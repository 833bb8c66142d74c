"""What needs assessment shows the samordnare's judgement once there is one, not "Behöver
bedömas": the referral marked assessed (who, when, the note), then accepted (met)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sikta.referrals.models import Referral
from tests.conftest import Personas
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

Status = Referral.Status


def _criteria(page) -> dict[str, tuple[str, str]]:
    """Criterion label -> (shown result, why), from the page's eligibility table."""
    return {r.label: (str(r.outcome.label), r.reason) for r in page.context["evaluation"].results}


def test_a_judged_criterion_shows_the_judgement_not_needs_assessment(
    personas: Personas,
) -> None:
    referral = ReferralFactory(first_name="Sara")
    client = personas.client("samordnare_sodra")
    url = f"/aktualiseringar/{referral.pk}/"
    before = client.get(url)
    to_assess = [k for k, (shown, _w) in _criteria(before).items() if shown == "Behöver bedömas"]
    assert to_assess  # the first meeting's assessment, at least
    assert "Behöver bedömas" in before.content.decode()

    assert client.post(url + "bedomd/", {"assess-note": "Uppfyller allt"}).status_code == 302
    assessed = client.get(url)
    for label in to_assess:
        shown, why = _criteria(assessed)[label]
        assert shown == "Bedömt av samordnaren"
        assert "samordnare_sodra" in why and "Uppfyller allt" in why
    assert "Behöver bedömas" not in assessed.content.decode()

    client.post(
        url + "antag/",
        {
            "caseworker": personas.coach_sodra.pk,
            "start_date": timezone.localdate().isoformat(),
            "consent_confirmed": "on",
        },
    )
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    decided = client.get(url)
    for label in to_assess:
        shown, why = _criteria(decided)[label]
        assert shown == "Uppfyllt"
        assert "samordnare_sodra" in why
    assert "Behöver bedömas" not in decided.content.decode()
