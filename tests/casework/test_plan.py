"""The individual plan: goals with area, date, status, the participant's words, follow-ups."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sikta.casework.models import Goal
from sikta.organisation.models import GoalArea
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def area() -> GoalArea:
    return GoalArea.objects.get(code="arbete")


def plan(personas: Personas) -> str:
    return f"/deltagare/{personas.alice_sodra.pk}/plan/"


def test_a_goal_is_added_and_shown_in_the_printable_plan(personas: Personas, area) -> None:
    client = personas.client("coach_sodra")
    response = client.post(
        plan(personas),
        {
            "new-text": "Arbetsträna två dagar i veckan",
            "new-area": area.pk,
            "new-own_words": "Jag vill jobba med djur",
            "new-target_date": str(timezone.localdate() + dt.timedelta(days=90)),
            "new-status": "pagar",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert goal.participant == personas.alice_sodra and goal.author == personas.coach_sodra.user
    printed = client.get(plan(personas) + "utskrift/").content.decode()
    assert "Arbetsträna två dagar i veckan" in printed and "Jag vill jobba med djur" in printed
    assert str(personas.alice_sodra.personnummer) in printed


def test_a_bad_goal_keeps_what_was_typed(personas: Personas) -> None:
    response = personas.client("coach_sodra").post(
        plan(personas), {"new-text": "Mitt mål", "new-target_date": "1 mars", "new-status": "pagar"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"area", "target_date"}
    assert "Mitt mål" in response.content.decode()


def test_follow_ups_are_kept_per_goal(personas: Personas, area) -> None:
    goal = Goal.objects.create(participant=personas.alice_sodra, text="Mål", area=area)
    client = personas.client("coach_sodra")
    url = f"{plan(personas)}{goal.pk}/"
    response = client.post(f"{url}uppfoljning/", {"f-date": "2026-11-20", "f-note": "Går bra"})
    assert response.status_code == 302
    assert list(goal.follow_ups.values_list("note", flat=True)) == ["Går bra"]
    assert "Går bra" in client.get(plan(personas)).content.decode()


def test_changing_a_goal_raises_its_version(personas: Personas, area) -> None:
    goal = Goal.objects.create(participant=personas.alice_sodra, text="Mål", area=area)
    client = personas.client("coach_sodra")
    response = client.post(
        f"{plan(personas)}{goal.pk}/",
        {"version": 1, "text": "Mål, skarpare", "area": area.pk, "status": "uppnatt"},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.text, goal.status, goal.version) == ("Mål, skarpare", "uppnatt", 2)


def test_two_editors_of_one_goal_do_not_overwrite_each_other(personas: Personas, area) -> None:
    goal = Goal.objects.create(participant=personas.alice_sodra, text="Mål", area=area)
    url = f"{plan(personas)}{goal.pk}/"
    first = personas.client("samordnare_sodra").post(
        url, {"version": 1, "text": "Samordnarens text", "area": area.pk, "status": "pagar"}
    )
    assert first.status_code == 302
    second = personas.client("coach_sodra").post(
        url, {"version": 1, "text": "Coachens text", "area": area.pk, "status": "pagar"}
    )
    assert second.status_code == 409
    page = second.content.decode()
    assert "Coachens text" in page and "Samordnarens text" in page
    goal.refresh_from_db()
    assert goal.text == "Samordnarens text"
    assert second.context["goal_form"]["version"].value() == 2  # sending again will work


def test_a_goal_of_another_participant_is_not_found(personas: Personas, area) -> None:
    other = Goal.objects.create(participant=personas.bo_norra, text="Bos mål", area=area)
    response = personas.client("coach_sodra").get(f"{plan(personas)}{other.pk}/")
    assert response.status_code == 404


def test_a_follow_up_cannot_be_dated_in_the_future(personas: Personas, area) -> None:
    goal = Goal.objects.create(participant=personas.alice_sodra, text="Mål", area=area)
    response = personas.client("coach_sodra").post(
        f"{plan(personas)}{goal.pk}/uppfoljning/",
        {"f-date": "2099-01-01", "f-note": "Snart"},
    )
    assert response.status_code == 400 and "date" in response.context["follow_form"].errors
    assert "Snart" in response.content.decode()
