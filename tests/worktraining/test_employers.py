"""The employer register: organisation number validated, contacts, placements as policy allows."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st
from stdnum import luhn

from sikta.audit.models import AuditEvent
from sikta.worktraining.forms import EmployerForm
from sikta.worktraining.models import Employer, Placement
from sikta.worktraining.views import ENDED_SHOWN
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def data(**overrides: object) -> dict[str, object]:
    return {
        "name": "Kafé Solrosen",
        "organisation_number": "5560360793",
        "sector": "privat",
        **overrides,
    }


def test_an_employer_is_registered(personas: Personas) -> None:
    client = personas.client("coach_sodra")
    response = client.post("/arbetsgivare/ny/", data())
    employer = Employer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/arbetsgivare/{employer.pk}/"
    assert employer.organisation_number == "556036-0793"  # stored in the usual form
    assert employer.author == personas.coach_sodra.user
    assert AuditEvent.objects.filter(action="employer.change").exists()
    listed = client.get("/arbetsgivare/", {"q": "solros"}).context["page"]
    assert [e.name for e in listed] == ["Kafé Solrosen"]


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("556036-0793", True),
        ("212000-0142", True),
        ("556036-0794", False),
        ("55603607", False),
        ("abc", False),
    ],
)
def test_the_organisation_number_is_validated(number: str, ok: bool) -> None:
    form = EmployerForm(data(organisation_number=number))
    assert form.is_valid() == ok
    if not ok:
        assert "organisation_number" in form.errors


@given(st.from_regex(r"[1-9][0-9]{8}", fullmatch=True), st.integers(1, 9))
def test_every_single_digit_change_is_refused(nine: str, delta: int) -> None:
    number = nine + luhn.calc_check_digit(nine)
    for position in range(10):
        digit = (int(number[position]) + delta) % 10
        changed = number[:position] + str(digit) + number[position + 1 :]
        form = EmployerForm(data(organisation_number=changed))
        form.is_valid()
        assert "organisation_number" in form.errors, changed


def test_a_bad_employer_form_keeps_what_was_typed(personas: Personas) -> None:
    response = personas.client("coach_sodra").post(
        "/arbetsgivare/ny/", data(organisation_number="556036-0794", address="Storgatan 1")
    )
    assert response.status_code == 400
    assert "Storgatan 1" in response.content.decode()
    assert not Employer.objects.exists()


def test_contacts_are_added(personas: Personas) -> None:
    employer = Employer.objects.create(
        name="Verkstan", organisation_number="556036-0793", sector="privat"
    )
    client = personas.client("coach_sodra")
    response = client.post(
        f"/arbetsgivare/{employer.pk}/kontaktperson/",
        {"c-name": "Kim Handledare", "c-phone": "070-1740630"},
    )
    assert response.status_code == 302
    assert list(employer.contacts.values_list("name", flat=True)) == ["Kim Handledare"]


def test_placements_of_others_participants_are_counted_not_shown(personas: Personas) -> None:
    employer = Employer.objects.create(
        name="Verkstan", organisation_number="556036-0793", sector="privat"
    )
    for participant in (personas.alice_sodra, personas.bo_norra):
        Placement.objects.create(
            participant=participant, employer=employer, start_date="2026-01-01", insured_by="fk"
        )
    response = personas.client("coach_sodra").get(f"/arbetsgivare/{employer.pk}/")
    assert [p.participant for p in response.context["placements"]] == [personas.alice_sodra]
    assert response.context["hidden_placements"] == 1
    assert personas.bo_norra.last_name not in response.content.decode()


def test_aggregate_roles_see_no_register(personas: Personas) -> None:
    assert personas.client("styrgrupp").get("/arbetsgivare/").status_code == 403


def test_the_current_placements_and_the_latest_ended_are_shown(personas: Personas) -> None:
    employer = Employer.objects.create(
        name="Verkstan", organisation_number="556036-0793", sector="privat"
    )
    alice = personas.alice_sodra
    start = dt.date(2020, 1, 1)

    def placement(status: str, n: int, **extra: object) -> Placement:
        return Placement(
            participant=extra.pop("participant", alice),
            employer=employer,
            start_date=start + dt.timedelta(days=10 * n),
            status=status,
            insured_by="fk",
            **extra,
        )

    current = Placement.objects.bulk_create(
        [placement(Placement.Status.ONGOING, 300), placement(Placement.Status.PLANNED, 301)]
    )
    ended = Placement.objects.bulk_create(
        placement(Placement.Status.ENDED, n, end_date=start + dt.timedelta(days=10 * n + 5))
        for n in range(ENDED_SHOWN + 2)
    )
    Placement.objects.bulk_create(
        [placement(Placement.Status.ENDED, 0, participant=personas.bo_norra, end_date=start)]
    )
    response = personas.client("coach_sodra").get(f"/arbetsgivare/{employer.pk}/")
    context = response.context
    assert set(context["current"]) == set(current)
    assert context["ended"] == ended[::-1][:ENDED_SHOWN]  # the latest ended first
    assert context["ended_total"] == ENDED_SHOWN + 2
    assert context["hidden_placements"] == 1  # of someone else's participant
    page = response.content.decode()
    total = len(current) + ENDED_SHOWN + 2
    assert f"{total} arbetsträningar för dina deltagare totalt (aktuella: 2, avslutade: 52)" in page
    assert f"de {ENDED_SHOWN} senast avslutade av {ENDED_SHOWN + 2}" in page
