"""Consent on the case's Samtycke page: what, when, how; withdrawal and its effect on Finsam."""

from __future__ import annotations

import datetime as dt

from sikta.audit.models import AuditEvent
from sikta.participants.models import Consent
from tests.conftest import Personas

URL = "/deltagare/{}/samtycke/"
WITHDRAW = "/deltagare/{}/samtycke/aterkalla/"


def _give(client, pk: int, **fields) -> object:
    data = {
        "give-processing": "on",
        "give-finsam": "on",
        "give-contact_organisations": "Försäkringskassan, Trosa kommun",
        "give-given_on": "2026-03-02",
        "give-how": "papper",
        **fields,
    }
    return client.post(URL.format(pk), data)


def test_it_records_what_when_and_how(personas: Personas) -> None:
    alice = personas.alice_sodra
    response = _give(personas.client("coach_sodra"), alice.pk)
    assert response.status_code == 302
    consent = Consent.objects.get(participant=alice)
    assert (consent.processing, consent.finsam, consent.how, consent.given_on) == (
        True,
        True,
        "papper",
        dt.date(2026, 3, 2),
    )
    assert consent.contact_organisations == "Försäkringskassan, Trosa kommun"
    assert consent.recorded_by == personas.coach_sodra.user
    assert "Finsam" in consent.text  # without a wording, the record says what was consented to
    event = AuditEvent.objects.get(action="participant.change", participant=alice)
    assert event.detail["consent"] == "given"
    assert event.detail["purposes"] == ["processing", "finsam", "contact_organisations"]
    page = personas.client("coach_sodra").get(URL.format(alice.pk)).content.decode()
    assert "Försäkringskassan, Trosa kommun" in page and "2026-03-02" in page


def test_it_needs_a_purpose_and_a_past_date(personas: Personas) -> None:
    client = personas.client("coach_sodra")
    response = _give(
        client,
        personas.alice_sodra.pk,
        **{"give-processing": "", "give-finsam": "", "give-contact_organisations": ""},
    )
    assert response.status_code == 400
    assert response.context["give"].non_field_errors()
    response = _give(client, personas.alice_sodra.pk, **{"give-given_on": "2999-01-01"})
    assert response.status_code == 400 and "given_on" in response.context["give"].errors
    assert not Consent.objects.exists()


def test_withdrawing_one_purpose_keeps_the_others(personas: Personas) -> None:
    alice = personas.alice_sodra
    client = personas.client("coach_sodra")
    _give(client, alice.pk)
    first = Consent.objects.get()
    response = client.post(
        WITHDRAW.format(alice.pk),
        {
            "withdraw-consent": first.pk,
            "withdraw-purposes": ["finsam"],
            "withdraw-withdrawn_on": "2026-05-01",
            "withdraw-note": "Vill inte registreras",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.withdrawn_on == dt.date(2026, 5, 1)
    assert first.withdrawn_note == "Vill inte registreras"
    assert first.withdrawn_recorded_by == personas.coach_sodra.user
    assert first.finsam  # the record still says what was given
    current = Consent.objects.get(withdrawn_on__isnull=True)
    assert (current.processing, current.finsam, current.given_on) == (
        True,
        False,
        dt.date(2026, 5, 1),
    )
    assert current.contact_organisations == "Försäkringskassan, Trosa kommun"
    event = AuditEvent.objects.get(action="participant.change", detail__consent="withdrawn")
    assert event.participant == alice and event.detail["purposes"] == ["finsam"]


def test_withdrawing_everything_ends_the_consent(personas: Personas) -> None:
    alice = personas.alice_sodra
    client = personas.client("coach_sodra")
    _give(client, alice.pk)
    first = Consent.objects.get()
    client.post(
        WITHDRAW.format(alice.pk),
        {
            "withdraw-consent": first.pk,
            "withdraw-purposes": ["processing", "finsam", "contact_organisations"],
            "withdraw-withdrawn_on": "2026-05-01",
        },
    )
    assert Consent.objects.count() == 1
    assert Consent.objects.get().withdrawn_on == dt.date(2026, 5, 1)


def test_a_withdrawal_before_the_consent_is_refused(personas: Personas) -> None:
    client = personas.client("coach_sodra")
    _give(client, personas.alice_sodra.pk)
    response = client.post(
        WITHDRAW.format(personas.alice_sodra.pk),
        {
            "withdraw-consent": Consent.objects.get().pk,
            "withdraw-purposes": ["finsam"],
            "withdraw-withdrawn_on": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert "withdrawn_on" in response.context["withdraw"].errors
    assert Consent.objects.get().withdrawn_on is None


def test_after_withdrawing_finsam_the_participant_counts_anonymously(personas: Personas) -> None:
    alice = personas.alice_sodra
    _give(personas.client("coach_sodra"), alice.pk)
    finsam = personas.client("samordnare_sodra")
    response = finsam.get("/rapporter/finsam/?visa=alla")
    assert alice in [row.participant for row in response.context["rows"]]
    assert str(alice.personnummer) in response.content.decode()

    personas.client("coach_sodra").post(
        WITHDRAW.format(alice.pk),
        {
            "withdraw-consent": Consent.objects.get().pk,
            "withdraw-purposes": ["finsam"],
            "withdraw-withdrawn_on": dt.date.today().isoformat(),
        },
    )
    response = finsam.get("/rapporter/finsam/?visa=alla")
    assert alice not in [row.participant for row in response.context["rows"]]
    assert str(alice.personnummer) not in response.content.decode()
    assert response.context["summary"]["without_consent"] == 1


def test_a_consent_without_finsam_is_not_a_finsam_registration(personas: Personas) -> None:
    _give(personas.client("coach_sodra"), personas.alice_sodra.pk, **{"give-finsam": ""})
    response = personas.client("samordnare_sodra").get("/rapporter/finsam/?visa=alla")
    assert personas.alice_sodra not in [row.participant for row in response.context["rows"]]


def test_it_checks_access(personas: Personas) -> None:
    alice = personas.alice_sodra
    assert _give(personas.client("coach_sodra_other"), alice.pk).status_code == 404
    assert _give(personas.client("samordnare_norra"), alice.pk).status_code == 404
    assert _give(personas.client("styrgrupp"), alice.pk).status_code == 403
    assert not Consent.objects.exists()
    response = personas.client("samordnare_sodra").get(URL.format(alice.pk))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="participant.view", participant=alice).exists()
