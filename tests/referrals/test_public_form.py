"""The public referral form at /aktualisering/: what it asks, what it refuses, what it sends."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.test import Client

from sikta.audit.models import AuditEvent
from sikta.core.personnummer import luhn_digit
from sikta.organisation.models import IncomeSource, Kommun, ReferrerOrganisation
from sikta.referrals.models import Referral
from tests.conftest import Personas
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def pnr(birth: str, serial: str = "238") -> str:
    """A valid personnummer for birth date YYYYMMDD."""
    nine = birth[2:] + serial
    return f"{birth}-{serial}{luhn_digit(nine)}"


GOOD = pnr("20010415")
WRONG_CHECK_DIGIT = GOOD[:-1] + str((int(GOOD[-1]) + 1) % 10)


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "organisation": ReferrerOrganisation.objects.get(code="anhorig").pk,
        "referrer_unit": "Mamma",
        "referrer_name": "Eva Exempel",
        "referrer_email": "eva@example.com",
        "referrer_phone": "070-1740620",
        "personnummer": GOOD,
        "first_name": "Kim",
        "last_name": "Exempelsson",
        "phone": "070-1740621",
        "email": "",
        "kommun": Kommun.objects.get(name="Flen").pk,
        "income_sources": [IncomeSource.objects.get(code="anhoriga").pk],
        "af_status": "ej_inskriven",
        "sick_leave": "nej",
        "support_needed": "Hemma i sju år, vill börja må bättre.",
        "consent": "on",
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def coachning_data(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "organisation": ReferrerOrganisation.objects.get(code="fk").pk,
        "referrer_unit": "Försäkringskassan, Eskilstuna",
        "referrer_name": "Harald Handläggare",
        "personnummer": pnr("19980302"),
        "first_name": "Kalle",
        "kommun": Kommun.objects.get(name="Eskilstuna").pk,
        "income_sources": [IncomeSource.objects.get(code="aktivitetsersattning").pk],
    }
    return form_data(**{**values, **overrides})


def field_errors(response, field: str) -> list[str]:
    match = re.search(
        rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.content.decode(), re.S
    )
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


def test_the_start_page_offers_both_tracks() -> None:
    page = Client().get("/aktualisering/").content.decode()
    assert 'href="/aktualisering/sikta-mot-arbetslivet/koordinering/"' in page
    assert 'href="/aktualisering/sikta-mot-arbetslivet/coachning/"' in page


def test_coachning_asks_where_the_referrer_works_first() -> None:
    response = Client().get("/aktualisering/coachning/")
    assert response.status_code == 200
    assert 'name="fran"' in response.content.decode()
    assert 'name="personnummer"' not in response.content.decode()


@pytest.mark.parametrize("organisation", ["region", "af"])
def test_region_and_af_are_sent_to_the_kommun_or_fk_before_typing_anything(
    organisation: str,
) -> None:
    response = Client().get("/aktualisering/coachning/", {"fran": organisation})
    page = response.content.decode()
    assert 'role="alert"' in page and "Försäkringskassan" in page
    assert 'name="personnummer"' not in page
    assert (
        'href="/aktualisering/sikta-mot-arbetslivet/koordinering/"' in page
    )  # anyone may refer there


@pytest.mark.parametrize("organisation", ["kommun", "fk"])
def test_a_handlaggare_gets_the_form(organisation: str) -> None:
    response = Client().get("/aktualisering/coachning/", {"fran": organisation})
    form = response.context["form"]
    assert form.initial["organisation"].code == organisation
    assert form.fields["referrer_email"].required and form.fields["referrer_phone"].required


def test_koordinering_says_anyone_may_refer() -> None:
    response = Client().get("/aktualisering/koordinering/")
    assert response.status_code == 200
    offered = set(
        response.context["form"].fields["organisation"].queryset.values_list("code", flat=True)
    )
    assert {"anhorig", "sjalv", "region", "af"} <= offered


def test_a_referral_is_received(personas: Personas) -> None:
    StaffMemberFactory(
        role_code="samordnare",
        lansdel=Kommun.objects.get(name="Flen").lansdel,
        email="vastra@example.com",
    )
    client = Client()
    response = client.post("/aktualisering/koordinering/", form_data())
    assert response.status_code == 302 and response["Location"] == "/aktualisering/tack/"

    referral = Referral.objects.get(first_name="Kim")
    assert referral.status == Referral.Status.RECEIVED and referral.channel == "web"
    assert referral.personnummer.digits == GOOD.replace("-", "")
    assert referral.consent_given and "samtycker" in referral.consent_text
    assert referral.events.get().to_status == "mottagen"
    assert AuditEvent.objects.filter(action="referral.create", referral=referral).exists()

    thanks = client.get("/aktualisering/tack/").content.decode()
    assert referral.reference in thanks
    assert "Kim" not in thanks and "Exempelsson" not in thanks  # nothing else comes back


def test_the_samordnare_of_the_lansdel_get_an_email_without_health_data(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    vastra = Kommun.objects.get(name="Flen").lansdel
    StaffMemberFactory(role_code="samordnare", lansdel=vastra, email="vastra1@example.com")
    StaffMemberFactory(role_code="samordnare", lansdel=vastra, email="vastra2@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/aktualisering/koordinering/", form_data())
    referral = Referral.objects.get(first_name="Kim")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["vastra1@example.com", "vastra2@example.com"]
    assert f"/aktualiseringar/{referral.pk}/" in message.body
    text = message.subject + message.body
    for secret in ("Kim", "Exempelsson", "2001", "Hemma", "Flen", "anhörig"):
        assert secret not in text
    # Södra's and Norra's samordnare hear nothing.
    assert "samordnare_sodra" not in str(message.to)


def test_the_same_form_sent_twice_makes_one_referral() -> None:
    client = Client()
    data = form_data()
    client.post("/aktualisering/koordinering/", data)
    first = client.get("/aktualisering/tack/").content.decode()
    client.post("/aktualisering/koordinering/", data)  # double click, or back and send again
    assert Referral.objects.count() == 1
    reference = Referral.objects.get().reference
    assert reference in first and reference in client.get("/aktualisering/tack/").content.decode()


def test_the_honeypot_keeps_nothing() -> None:
    client = Client()
    response = client.post("/aktualisering/koordinering/", form_data(website="http://spam"))
    assert response.status_code == 302
    assert not Referral.objects.exists()


def test_it_needs_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/aktualisering/koordinering/", form_data())
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_an_address_sending_too_many_is_stopped_and_keeps_its_answers(settings) -> None:
    settings.REFERRAL_RATE_LIMIT_PER_HOUR = 2
    client = Client()
    for _ in range(2):
        assert client.post("/aktualisering/koordinering/", form_data()).status_code == 302
    response = client.post("/aktualisering/koordinering/", form_data(first_name="Tredje"))
    assert response.status_code == 429
    assert Referral.objects.count() == 2
    assert 'value="Tredje"' in response.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.7")
    assert other.post("/aktualisering/koordinering/", form_data()).status_code == 302


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("personnummer", WRONG_CHECK_DIGIT),
        ("personnummer", "2001-04-15"),
        ("personnummer", pnr("19950101")),  # 31 on the referral date: too old for koordinering
        ("personnummer", pnr("20100101")),  # 16: too young
        ("kommun", "utanfor"),  # outside the county
        ("kommun", ""),
        ("consent", ""),
        ("support_needed", ""),
        ("income_sources", []),
        ("af_status", ""),
    ],
)
def test_bad_input_is_explained_at_the_field_and_nothing_typed_is_lost(
    field: str, value: object, time_machine
) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")
    response = Client().post("/aktualisering/koordinering/", form_data(**{field: value}))
    assert response.status_code == 400
    assert not Referral.objects.exists()
    errors = field_errors(response, field)
    assert errors, f"no error shown at {field}"
    page = response.content.decode()
    for kept in ("Eva Exempel", "070-1740621", "Hemma i sju år"):
        if field not in ("referrer_name", "phone", "support_needed"):
            assert kept in page


def test_the_age_error_says_why() -> None:
    response = Client().post(
        "/aktualisering/koordinering/", form_data(personnummer=pnr("19950101"))
    )
    (error,) = field_errors(response, "personnummer")
    assert "31" in error and "18–29" in error


def test_outside_the_county_is_explained(personas: Personas) -> None:
    response = Client().post("/aktualisering/coachning/", coachning_data(kommun="utanfor"))
    assert field_errors(response, "kommun")


def test_coachning_from_af_cannot_be_forced_past_the_first_step() -> None:
    af = ReferrerOrganisation.objects.get(code="af").pk
    response = Client().post("/aktualisering/coachning/", coachning_data(organisation=af))
    assert response.status_code == 400 and field_errors(response, "organisation")
    assert not Referral.objects.exists()


def test_coachning_needs_the_handlaggares_contact_details() -> None:
    response = Client().post(
        "/aktualisering/coachning/", coachning_data(referrer_email="", referrer_phone="")
    )
    assert field_errors(response, "referrer_email") and field_errors(response, "referrer_phone")


def test_koordinering_needs_some_way_to_reach_the_referrer() -> None:
    response = Client().post(
        "/aktualisering/koordinering/", form_data(referrer_email="", referrer_phone="")
    )
    assert field_errors(response, "referrer_phone")


def test_a_coachning_referral_from_fk_is_received() -> None:
    response = Client().post("/aktualisering/coachning/", coachning_data())
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.referrer_organisation.code == "fk"
    assert list(referral.income_sources.values_list("code", flat=True)) == ["aktivitetsersattning"]


def test_the_first_step_sent_empty_says_what_is_missing() -> None:
    """A radio group left empty sends no value: the step used to reload without a word."""
    response = Client().get("/aktualisering/coachning/", {"steg": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Välj var du arbetar." in page and 'role="alert"' in page
    assert 'name="personnummer"' not in page


@pytest.mark.parametrize("length", [5000, 5001, 10_000])
def test_a_long_support_text_is_refused_with_its_limit_never_cut(length: int) -> None:
    text = ("Behöver stöd. " * 1000)[:length]
    response = Client().post("/aktualisering/koordinering/", form_data(support_needed=text))
    if length <= 5000:
        assert response.status_code == 302
        assert Referral.objects.get().support_needed == text
        return
    assert response.status_code == 400
    errors = field_errors(response, "support_needed")
    assert errors and "5\xa0000" in errors[0] and "nu " in errors[0]
    # The whole text is still in the form, and the browser is not told to cut it.
    page = response.content.decode()
    assert text in page
    assert 'maxlength="5000"' not in page
    assert not Referral.objects.exists()
