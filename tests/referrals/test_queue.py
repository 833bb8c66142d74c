"""The referral queue: each samordnare their länsdel, the leads all; filters, flags, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sikta.audit.models import AuditEvent
from sikta.organisation.models import Kommun, Track
from sikta.participants.models import Participant
from sikta.referrals.models import Referral
from tests.conftest import Personas
from tests.factories import ParticipantFactory, ReferralFactory
from tests.referrals.test_public_form import form_data, pnr

pytestmark = pytest.mark.django_db


AGAIN = pnr("19900101", "001")
LONG_AGO = pnr("19850505", "002")


def names(response) -> set[str]:
    return {referral.first_name for referral, _evaluation, _flags in response.context["rows"]}


@pytest.fixture
def spread(personas: Personas) -> dict[str, Referral]:
    return {
        "Eskil": ReferralFactory(first_name="Eskil", kommun=Kommun.objects.get(name="Eskilstuna")),
        "Flora": ReferralFactory(
            first_name="Flora",
            kommun=Kommun.objects.get(name="Flen"),
            track=Track.objects.get(slug="koordinering"),
        ),
        "Tore": ReferralFactory(first_name="Tore", kommun=Kommun.objects.get(name="Trosa")),
        "Gammal": ReferralFactory(first_name="Gammal", status=Referral.Status.DECLINED),
    }


def test_a_samordnare_sees_the_open_referrals_of_their_lansdel(spread, personas: Personas) -> None:
    assert names(personas.client("samordnare_sodra").get("/aktualiseringar/")) == {"Cilla", "Tore"}
    assert names(personas.client("samordnare_norra").get("/aktualiseringar/")) == {"Eskil"}


def test_the_insatsledare_sees_all_three_queues(spread, personas: Personas) -> None:
    response = personas.client("insatsledare").get("/aktualiseringar/")
    assert names(response) == {"Cilla", "Eskil", "Flora", "Tore"}
    assert response.context["show_lansdel"]


def test_filters(spread, personas: Personas) -> None:
    client = personas.client("insatsledare")
    assert names(client.get("/aktualiseringar/", {"spar": "koordinering"})) == {"Flora"}
    assert names(client.get("/aktualiseringar/", {"status": "ej_antagen"})) == {"Gammal"}
    assert len(names(client.get("/aktualiseringar/", {"status": "alla"}))) == 5
    trosa = Kommun.objects.get(name="Trosa").pk
    assert names(client.get("/aktualiseringar/", {"kommun": trosa})) == {"Tore"}


def test_a_samordnare_cannot_filter_their_way_into_another_lansdel(
    spread, personas: Personas
) -> None:
    eskilstuna = Kommun.objects.get(name="Eskilstuna").pk
    response = personas.client("samordnare_sodra").get("/aktualiseringar/", {"kommun": eskilstuna})
    assert "Eskil" not in names(response)
    assert response.context["kommun"] == str(eskilstuna)  # ignored: not one of theirs


@pytest.mark.parametrize(
    "query",
    [{"kommun": "²"}, {"kommun": "9" * 30}, {"status": "zzz"}, {"sortera": "x"}, {"sida": "abc"}],
)
def test_odd_query_parameters_are_ignored(personas: Personas, query: dict) -> None:
    response = personas.client("samordnare_sodra").get("/aktualiseringar/", query)
    assert response.status_code == 200
    assert names(response) == {"Cilla"}


def test_sorting_and_days_waiting(personas: Personas, time_machine) -> None:
    time_machine.move_to("2026-11-24 12:00 +01:00")
    ReferralFactory(first_name="Aldre", received_at=timezone.now() - dt.timedelta(days=12))
    client = personas.client("samordnare_sodra")
    rows = client.get("/aktualiseringar/").context["rows"]
    assert [r.first_name for r, _e, _f in rows][0] == "Aldre"
    assert rows[0][0].days_waiting == 12
    newest_first = client.get("/aktualiseringar/", {"sortera": "-mottagen"}).context["rows"]
    assert newest_first[-1][0].first_name == "Aldre"


def test_each_row_has_its_eligibility(personas: Personas) -> None:
    ReferralFactory(first_name="Arbetssokande", af_status="aktivt_sokande")
    rows = personas.client("samordnare_sodra").get("/aktualiseringar/").context["rows"]
    outcome = {r.first_name: e.outcome for r, e, _f in rows}
    assert outcome == {"Cilla": "assess", "Arbetssokande": "not_met"}


def test_someone_already_active_or_referred_lately_is_flagged(personas: Personas) -> None:
    active = ParticipantFactory(status=Participant.Status.ACTIVE)
    ReferralFactory(first_name="Aktiv", personnummer=active.personnummer)
    earlier = ReferralFactory(
        first_name="Forst",
        personnummer=AGAIN,
        received_at=timezone.now() - dt.timedelta(days=60),
    )
    ReferralFactory(first_name="Igen", personnummer=AGAIN)
    ReferralFactory(
        first_name="Langesen",
        personnummer=LONG_AGO,
        received_at=timezone.now() - dt.timedelta(days=400),
        status=Referral.Status.DECLINED,
    )
    ReferralFactory(first_name="Nyss", personnummer=LONG_AGO)
    response = personas.client("samordnare_sodra").get("/aktualiseringar/", {"status": "alla"})
    flags = {r.first_name: f for r, _e, f in response.context["rows"]}
    assert len(flags["Aktiv"]) == 1 and "Coachning" in flags["Aktiv"][0]
    assert len(flags["Igen"]) == 1 and earlier.reference in flags["Igen"][0]
    assert flags["Forst"] == [] and flags["Nyss"] == [] and flags["Langesen"] == []


def test_the_queue_does_not_grow_in_queries_with_its_length(personas: Personas) -> None:
    client = personas.client("samordnare_sodra")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/aktualiseringar/").status_code == 200
        return len(captured)

    few = queries()
    ReferralFactory.create_batch(25, income=["sjukpenning", "lon"])
    assert queries() == few


def test_every_person_listed_is_in_the_audit_log(spread, personas: Personas) -> None:
    personas.client("samordnare_sodra").get("/aktualiseringar/")
    listed = set(
        AuditEvent.objects.filter(action="referral.list").values_list(
            "referral__first_name", flat=True
        )
    )
    assert listed == {"Cilla", "Tore"}


def test_a_coach_sees_no_queue_and_no_menu_entry(personas: Personas) -> None:
    client = personas.client("coach_sodra")
    assert client.get("/aktualiseringar/").status_code == 403
    assert "/aktualiseringar/" not in client.get("/").content.decode()
    assert "/aktualiseringar/" in personas.client("samordnare_sodra").get("/").content.decode()


def test_a_samordnare_registers_a_referral_taken_by_phone(personas: Personas) -> None:
    client = personas.client("samordnare_sodra")
    assert client.get("/aktualiseringar/ny/").status_code == 200
    data = form_data(
        kommun=Kommun.objects.get(name="Gnesta").pk,
        personnummer=pnr("20030303"),
        spar="koordinering",
    )
    data.pop("website", None)
    response = client.post("/aktualiseringar/ny/", data)
    referral = Referral.objects.get(kommun__name="Gnesta")
    assert (
        response.status_code == 302 and response["Location"] == f"/aktualiseringar/{referral.pk}/"
    )
    assert referral.channel == Referral.Channel.PHONE
    assert referral.registered_by == personas.samordnare_sodra.user
    assert referral.events.get().by_name == personas.samordnare_sodra.full_name


def test_a_phone_referral_for_another_lansdel_goes_to_its_queue(personas: Personas) -> None:
    client = personas.client("samordnare_sodra")
    data = form_data(
        kommun=Kommun.objects.get(name="Eskilstuna").pk,
        personnummer=pnr("20040404"),
        spar="koordinering",
    )
    response = client.post("/aktualiseringar/ny/", data)
    assert response.status_code == 302 and response["Location"] == "/aktualiseringar/"
    referral = Referral.objects.get(kommun__name="Eskilstuna")
    assert names(personas.client("samordnare_norra").get("/aktualiseringar/")) == {
        referral.first_name
    }


def test_reading_the_accept_page_is_logged(personas: Personas) -> None:
    referral = personas.referral_sodra
    personas.client("samordnare_sodra").get(f"/aktualiseringar/{referral.pk}/antag/")
    assert AuditEvent.objects.filter(action="referral.view", referral=referral).count() == 1
