"""Change of track: a koordinering participant referred on to coachning, decided as usual."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sikta.audit.services import Actor
from sikta.organisation.models import IncomeSource, ReferrerOrganisation, Track
from sikta.referrals import services
from sikta.referrals.models import Referral
from tests.conftest import Personas
from tests.factories import ReferralFactory, StaffMemberFactory
from tests.referrals.test_workflow import request_as

pytestmark = pytest.mark.django_db


def test_a_koordinator_refers_on_and_the_samordnare_accepts(personas: Personas) -> None:
    bo = personas.bo_norra  # koordinering, Norra
    came_in = ReferralFactory(
        personnummer=bo.personnummer,
        track=Track.objects.get(slug="koordinering"),
        kommun=bo.kommun,
        status="antagen",
        participant=bo,
        income=["sjukersattning"],
    )
    client = personas.client("koordinator_norra")
    page = client.get(f"/deltagare/{bo.pk}/")
    assert f"/deltagare/{bo.pk}/nytt-spar/" in page.content.decode()
    form = client.get(f"/deltagare/{bo.pk}/nytt-spar/").context["form"]
    assert form.track.slug == "coachning"
    assert form.initial["first_name"] == "Bo" and form.initial["af_status"] == came_in.af_status
    token = re.search(
        r'name="token" value="([^"]+)"',
        client.get(f"/deltagare/{bo.pk}/nytt-spar/").content.decode(),
    )[1]
    response = client.post(
        f"/deltagare/{bo.pk}/nytt-spar/",
        {
            "token": token,
            "organisation": ReferrerOrganisation.objects.get(code="fk").pk,
            "referrer_unit": "Försäkringskassan",
            "referrer_name": "Harald Handläggare",
            "referrer_email": "harald@example.com",
            "referrer_phone": "070-1740640",
            "personnummer": str(bo.personnummer),
            "first_name": "Bo",
            "last_name": bo.last_name,
            "phone": "070-1740641",
            "kommun": bo.kommun.pk,
            "income_sources": [IncomeSource.objects.get(code="sjukersattning").pk],
            "af_status": "ej_inskriven",
            "sick_leave": "nej",
            "support_needed": "Redo för arbetsträning.",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    new = Referral.objects.get(track__slug="coachning", personnummer=bo.personnummer)
    assert new.follows == came_in and new.channel == Referral.Channel.CASEWORKER
    assert new.registered_by == personas.koordinator_norra.user
    # The samordnare of Norra decides as usual; Bo moves track and keeps his start.
    start = bo.start_date
    coach = StaffMemberFactory(role_code="coach", lansdel=bo.kommun.lansdel)
    new.status = "bedomd"
    new.save()
    services.referral_accept(
        referral=new,
        caseworker=coach,
        start_date=dt.date(2026, 12, 1),
        actor=Actor.of(request_as(personas.samordnare_norra)),
    )
    bo.refresh_from_db()
    assert bo.track.slug == "coachning" and bo.assigned_to == coach and bo.start_date == start
    assert personas.client("samordnare_norra").get(f"/aktualiseringar/{new.pk}/").status_code == 200


def test_a_closed_participant_is_not_referred_on(personas: Personas) -> None:
    bo = personas.bo_norra
    bo.status = "closed"
    bo.save()
    response = personas.client("koordinator_norra").get(f"/deltagare/{bo.pk}/nytt-spar/")
    assert response.status_code == 302
