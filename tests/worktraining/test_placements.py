"""Work-training placements of a participant, with follow-ups with participant and employer."""

from __future__ import annotations

import datetime as dt

import pytest

from sikta.worktraining.models import Employer, Placement
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer() -> Employer:
    return Employer.objects.create(name="Kafé", organisation_number="556036-0793", sector="privat")


def url(personas: Personas) -> str:
    return f"/deltagare/{personas.alice_sodra.pk}/arbetstraning/"


def placement_data(at: Employer, **overrides: object) -> dict[str, object]:
    return {
        "employer": at.pk,
        "status": "pagar",
        "start_date": "2026-10-01",
        "hours_per_week": "12,5",
        "tasks": "Disk och servering",
        "supervisor": "Kim Handledare",
        "insured_by": "kommun",
        **overrides,
    }


def test_a_placement_is_created_and_followed_up(personas: Personas, employer) -> None:
    client = personas.client("coach_sodra")
    response = client.post(url(personas), placement_data(employer))
    placement = Placement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{url(personas)}{placement.pk}/"
    assert placement.hours_per_week == pytest.approx(12.5)  # a Swedish decimal comma
    assert placement.insured_by == "kommun" and placement.participant == personas.alice_sodra
    follow = client.post(
        f"{url(personas)}{placement.pk}/uppfoljning/",
        {
            "f-date": "2026-11-20",
            "f-with_whom": "arbetsgivare",
            "f-how_it_goes": "Bra",
            "f-next_step": "Öka till 20 h",
        },
    )
    assert follow.status_code == 302
    assert list(placement.follow_ups.values_list("with_whom", "next_step")) == [
        ("arbetsgivare", "Öka till 20 h")
    ]
    change = client.post(
        f"{url(personas)}{placement.pk}/",
        {
            f"p-{k}": v
            for k, v in placement_data(employer, status="avslutad", end_date="2026-11-21").items()
        },
    )
    assert change.status_code == 302
    placement.refresh_from_db()
    assert placement.status == "avslutad" and placement.end_date == dt.date(2026, 11, 21)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("end_date", "2026-09-01"),
        ("hours_per_week", "80"),
        ("hours_per_week", "många"),
        ("insured_by", ""),
        ("employer", ""),
    ],
)
def test_bad_input_is_explained(personas: Personas, employer, field: str, value: str) -> None:
    response = personas.client("coach_sodra").post(
        url(personas), placement_data(employer, **{field: value})
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Disk och servering" in response.content.decode()
    assert not Placement.objects.exists()


def test_an_ongoing_placement_without_follow_up_is_a_reminder(
    personas: Personas, employer, time_machine
) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")
    Placement.objects.create(
        participant=personas.alice_sodra,
        employer=employer,
        start_date=dt.date(2026, 10, 1),
        status="pagar",
        insured_by="fk",
    )
    (row,) = personas.client("coach_sodra").get("/").context["rows"]
    assert "Arbetsträningen har inte följts upp på 7 veckor" in row.alerts


def test_another_participants_placement_is_not_found(personas: Personas, employer) -> None:
    placement = Placement.objects.create(
        participant=personas.bo_norra, employer=employer, start_date="2026-01-01", insured_by="fk"
    )
    response = personas.client("coach_sodra").get(f"{url(personas)}{placement.pk}/")
    assert response.status_code == 404
