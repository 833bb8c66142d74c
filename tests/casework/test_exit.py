"""Utskrivning: the outcome from the configured list, what comes after, and a closed case."""

from __future__ import annotations

import pytest

from sikta.casework.models import Exit
from sikta.organisation.models import IncomeSource, Outcome
from sikta.participants.models import Participant
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def url(personas: Personas) -> str:
    return f"/deltagare/{personas.alice_sodra.pk}/utskrivning/"


def test_the_outcomes_are_the_configured_list(personas: Personas) -> None:
    form = personas.client("coach_sodra").get(url(personas)).context["form"]
    names = [o.name for o in form.fields["outcome"].queryset]
    assert names[:6] == [
        "Arbete",
        "Studier",
        "Arbetsförmedlingen",
        "Kommunens arbetsmarknadsenhet",
        "Förstärkt samarbete AF/FK",
        "Daglig verksamhet/sysselsättning",
    ]
    assert set(Outcome.objects.filter(destination=True).values_list("name", flat=True)) == set(
        names[:6]
    )


def test_a_participant_is_discharged(personas: Personas, time_machine) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")
    client = personas.client("coach_sodra")
    studies = Outcome.objects.get(code="studier")
    response = client.post(
        url(personas),
        {
            "end_date": "2026-11-23",
            "outcome": studies.pk,
            "occupation_after": "Komvux",
            "income_after": [IncomeSource.objects.get(code="studiemedel").pk],
            "care_contacts": "Psykiatrin",
        },
    )
    assert response.status_code == 302
    alice = Participant.objects.get(pk=personas.alice_sodra.pk)
    assert alice.status == Participant.Status.CLOSED and str(alice.end_date) == "2026-11-23"
    exit_ = Exit.objects.get()
    assert exit_.outcome == studies and exit_.occupation_after == "Komvux"
    assert list(exit_.income_after.values_list("code", flat=True)) == ["studiemedel"]
    page = client.get(url(personas))
    assert page.context["form"] is None and "Komvux" in page.content.decode()
    # No longer on the coach's start page.
    assert personas.client("coach_sodra").get("/").context["rows"] == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"end_date": "2020-01-01"}, "end_date"),  # before the start
        ({"end_date": "2099-01-01"}, "end_date"),
        ({"end_date": "2026-11-23", "outcome": ""}, "outcome"),
    ],
)
def test_bad_input_is_explained(personas: Personas, data: dict, field: str, time_machine) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")
    data = {"outcome": Outcome.objects.first().pk, "occupation_after": "Kvar", **data}
    response = personas.client("coach_sodra").post(url(personas), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Kvar" in response.content.decode()
    assert not Exit.objects.exists()


def test_discharging_twice_says_so(personas: Personas, time_machine) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")
    client = personas.client("coach_sodra")
    data = {"end_date": "2026-11-23", "outcome": Outcome.objects.first().pk}
    client.post(url(personas), data)
    response = client.post(url(personas), data, follow=True)
    assert Exit.objects.count() == 1
    assert [str(m) for m in response.context["messages"]]


def test_a_pause_stops_the_clock_and_can_be_resumed(personas: Personas, time_machine) -> None:
    import datetime as dt

    time_machine.move_to("2026-11-24 10:00 +01:00")
    alice = personas.alice_sodra
    alice.start_date = dt.date(2026, 1, 1)
    alice.save()
    client = personas.client("coach_sodra")
    days_before = client.get("/").context["rows"][0].days
    response = client.post(
        f"{url(personas)}paus/", {"pause-start_date": "2026-10-25", "pause-reason": "Vård"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.status == Participant.Status.PAUSED
    (row,) = client.get("/").context["rows"]  # still on the coach's page
    assert row.days == days_before - 30 and "Pausad" in row.alerts
    bad = client.post(f"{url(personas)}ateruppta/", {"resume-end_date": "2026-10-01"})
    assert bad.status_code == 400 and "end_date" in bad.context["resume_form"].errors
    client.post(f"{url(personas)}ateruppta/", {"resume-end_date": "2026-11-04"})
    alice.refresh_from_db()
    assert alice.status == Participant.Status.ACTIVE
    assert client.get("/").context["rows"][0].days == days_before - 10


def test_a_pause_needs_a_reason(personas: Personas) -> None:
    response = personas.client("coach_sodra").post(
        f"{url(personas)}paus/", {"pause-start_date": "2026-10-25"}
    )
    assert response.status_code == 400 and "reason" in response.context["pause_form"].errors


def test_the_exit_ends_ongoing_work_training(personas: Personas, time_machine) -> None:
    from sikta.worktraining.models import Employer, Placement

    time_machine.move_to("2026-11-24 10:00 +01:00")
    employer = Employer.objects.create(
        name="Kafé", organisation_number="556036-0793", sector="privat"
    )
    ongoing = Placement.objects.create(
        participant=personas.alice_sodra,
        employer=employer,
        start_date="2026-10-01",
        status="pagar",
        insured_by="fk",
    )
    personas.client("coach_sodra").post(
        url(personas), {"end_date": "2026-11-23", "outcome": Outcome.objects.first().pk}
    )
    ongoing.refresh_from_db()
    assert ongoing.status == "avslutad" and str(ongoing.end_date) == "2026-11-23"


def _placement(personas: Personas, start: str, status: str, end: str | None = None):
    from sikta.worktraining.models import Employer, Placement

    employer, _ = Employer.objects.get_or_create(
        organisation_number="556036-0793", defaults={"name": "Kafé", "sector": "privat"}
    )
    return Placement.objects.create(
        participant=personas.alice_sodra,
        employer=employer,
        start_date=start,
        end_date=end,
        status=status,
        insured_by="fk",
    )


def test_the_exit_cancels_work_training_that_has_not_begun(
    personas: Personas, time_machine
) -> None:
    """The defect a first user hit: exit 2026-12-03, a planned placement from 2026-12-07 made
    the exit service end it before it began (IntegrityError, 500, the form lost)."""
    time_machine.move_to("2026-12-03 10:00 +01:00")
    planned = _placement(personas, "2026-12-07", "planerad", end="2027-02-28")
    begun = _placement(personas, "2026-11-02", "pagar")
    client = personas.client("coach_sodra")
    page = client.get(url(personas)).content.decode()
    assert "ställs in" in page and "2026-12-07" in page  # the form says what will happen
    response = client.post(
        url(personas),
        {"end_date": "2026-12-03", "outcome": Outcome.objects.first().pk, "note": "Flyttar"},
        follow=True,
    )
    assert response.status_code == 200
    planned.refresh_from_db()
    begun.refresh_from_db()
    assert planned.status == "installd"
    assert (str(planned.start_date), str(planned.end_date)) == ("2026-12-07", "2027-02-28")
    assert begun.status == "avslutad" and str(begun.end_date) == "2026-12-03"
    assert "inställd" in response.content.decode()
    assert Participant.objects.get(pk=personas.alice_sodra.pk).status == "closed"
    # After the exit the placements offer no form to fill in (it would be refused).
    pk = personas.alice_sodra.pk
    for page in (f"/deltagare/{pk}/arbetstraning/", f"/deltagare/{pk}/arbetstraning/{planned.pk}/"):
        body = client.get(page).content.decode()
        assert 'method="post"' not in body.split("<main", 1)[1]
        assert "arbetsträningen kan inte längre ändras" in body


def test_a_cancelled_placement_is_no_work_training_in_the_reports(
    personas: Personas, time_machine
) -> None:
    import datetime as dt

    from sikta.reports.aggregates import work_training

    time_machine.move_to("2026-12-03 10:00 +01:00")
    _placement(personas, "2026-12-07", "planerad")
    personas.client("coach_sodra").post(
        url(personas), {"end_date": "2026-12-03", "outcome": Outcome.objects.first().pk}
    )
    figure = work_training(
        Participant.objects.all(), (dt.date(2026, 1, 1), dt.date(2026, 12, 31)), "all"
    )
    assert all(cells == [0, 0, 0] for _g, cells in figure.rows)


def test_an_exit_cannot_end_an_open_pause_before_it_began(personas: Personas, time_machine) -> None:
    from sikta.casework.models import Pause

    time_machine.move_to("2026-11-24 10:00 +01:00")
    alice = personas.alice_sodra
    Pause.objects.create(participant=alice, start_date="2026-11-10", reason="Sjuk", author_name="x")
    alice.status = Participant.Status.PAUSED
    alice.save(update_fields=["status"])
    response = personas.client("coach_sodra").post(
        url(personas), {"end_date": "2026-11-05", "outcome": Outcome.objects.first().pk}
    )
    assert response.status_code == 400 and "end_date" in response.context["form"].errors
    assert "pausens början" in response.content.decode()
    assert not Exit.objects.exists()
